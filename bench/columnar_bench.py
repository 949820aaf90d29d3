"""Columnar engine benchmark: the Tokyo-like rule set (bench/tokyo_bench.scheme) at 10k, 100k
and 1M facilities (bench/data.py), beside the peers of bench/peers.

    python bench/columnar_bench.py [--sizes 10000,100000,1000000] [--repeat 5]

`main()` prints a Markdown table and returns its rows (bench/run.py calls it). Every
measurement runs in a fresh subprocess (`--measure KIND`), so its peak memory (ru_maxrss)
is its own (Linux children inherit the parent's peak, so the parent stays small: even the
data is generated in a subprocess); times are medians of several runs.

- evaluation: inputs already in memory in the peer's own form (numpy arrays, a pandas
  frame, a DuckDB table with exact DECIMAL columns) → every output computed and held in
  memory (numpy arrays, a DuckDB table);
- end-to-end: the benchmark CSV in → a results CSV out (ETSL: compiling the scheme, reading
  and checking the CSV in DuckDB, evaluating, writing every result column);
- mismatches: per float peer, facilities with a different cap, order or fine, or a
  shortfall off by more than 1e-6 t (bench/peers/compare.py), against the exact numpy int64
  peer. ETSL divides to 18 places, so its shortfall is compared with the exact value
  rounded the same way, and its cap, order and fine with the exact integers.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCHEME = Path(__file__).resolve().parent / "tokyo_bench.scheme"
SIZES = (10_000, 100_000, 1_000_000)
MAPPING = {"outside_credits": "held.outside_credits"}
PEERS = ("numpy_float", "numpy_fixed", "numpy_split", "etsl_fixed", "python_decimal",
         "pandas_script", "openfisca", "openfisca_float64", "columnar", "columnar_all")
LABELS = {
    "numpy_float": "numpy float64", "numpy_fixed": "numpy int64 fixed-point (exact)",
    "numpy_split": "numpy int64 split fixed-point (ETSL's 18-place division, by hand)",
    "python_decimal": "Python Decimal loop (exact)", "pandas_script": "pandas script",
    "openfisca": "OpenFisca (float32 storage)", "openfisca_float64": "OpenFisca (float64)",
    "etsl_fixed": "**ETSL fixed-point engine (numpy int64, exact; every result column)**",
    "columnar": "**ETSL columnar (DuckDB, exact)**",
    "columnar_all": "ETSL columnar, every result column",
}
#: What the peers compute (bench/peers), as columns of the compiled query.
PEER_OUTPUTS = {"$participant": "id", "cap": "cap", "required_reduction": "required_reduction",
                "eligible.outside_credits": "eligible_outside", "shortfall": "shortfall",
                "$amount.non_compliance.1": "order", "$amount.non_compliance.0": "fine",
                "$failed": "failed"}
FLOAT_PEERS = ("numpy_float", "pandas_script", "openfisca", "openfisca_float64")


# ---- measurements (run in a subprocess) --------------------------------------------------------


def _timed(work: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def _evaluate(peer: str, n: int, csv: Path, repeat: int) -> list[float]:
    """Evaluation-only times of one peer."""
    from bench import data

    if peer.startswith("columnar"):
        return _columnar_evaluation(csv, repeat, every_column=peer == "columnar_all")
    if peer == "pandas_script":
        import pandas as pd

        from bench.peers import pandas_script

        frame = pd.read_csv(csv)
        return _timed(lambda: pandas_script.evaluate(frame), repeat)
    table = data.make_table(n)
    if peer in ("openfisca", "openfisca_float64"):
        from bench.peers import openfisca_peer

        return _timed(lambda: openfisca_peer.evaluate(table, peer.endswith("64")), repeat)
    module = _peer_module(peer)
    prepared = module.prepare(table) if hasattr(module, "prepare") else table
    compute = module.compute if hasattr(module, "compute") else module.evaluate
    return _timed(lambda: compute(prepared), repeat)


def _peer_module(peer: str) -> Any:
    import importlib

    return importlib.import_module(f"bench.peers.{peer}")


def _compiled() -> Any:
    from etsl.compiler.driver import compile_paths

    return compile_paths([SCHEME]).schemes["tokyo_bench"]


def _columnar_evaluation(csv: Path, repeat: int, every_column: bool) -> list[float]:
    """The compiled query over an in-memory table of exact DECIMALs → a results table with
    the outputs the peers compute (or every column of the query)."""
    from etsl.runtime.columnar import engine as columnar
    from etsl.runtime.columnar.sql.compile import compile_query
    from etsl.runtime.columnar.sql.types import InputColumn, Kind, Layout, Num, Unsupported
    from sqlglot import exp

    compiled = _compiled()
    connection = columnar.connect()
    connection.execute(
        "CREATE TABLE facilities AS SELECT id, category, CAST(base_emissions AS DECIMAL(8, 1)) "
        "AS base_emissions, CAST(emissions AS DECIMAL(8, 1)) AS emissions, "
        "CAST(outside_credits AS DECIMAL(8, 1)) AS outside_credits FROM read_csv($path, "
        "header = true, all_varchar = true)", {"path": str(csv)})
    number = Num(7, 1)
    layout = Layout(
        "facilities", "id", None, "first",
        {"category": InputColumn("category", Kind.TEXT, None, False),
         "base_emissions": InputColumn("base_emissions", Kind.NUM, number, False),
         "emissions": InputColumn("emissions", Kind.NUM, number, False)},
        {"outside_credits": InputColumn("outside_credits", Kind.NUM, number, False)},
        checked=True)
    query = compile_query(compiled, layout)
    assert not isinstance(query, Unsupported), query
    chosen: exp.Expr = query.query
    if not every_column:
        chosen = exp.select(*(exp.alias_(columnar.column(c), n, quoted=True)
                              for c, n in PEER_OUTPUTS.items())).from_(
            exp.Subquery(this=query.query, alias=exp.TableAlias(this=columnar.quoted("q"))))
    create = columnar.create_table("results", chosen)
    create.set("replace", True)
    statement = columnar.sql_of(create)
    return _timed(lambda: connection.execute(statement), repeat)


def _end_to_end(peer: str, csv: Path, out: Path, repeat: int) -> list[float]:
    if peer == "pandas_script":
        from bench.peers import pandas_script

        return _timed(lambda: pandas_script.run(csv, out), repeat)
    if peer == "etsl_fixed":
        return _timed(lambda: _fixed_file(csv, out), repeat)
    if peer != "columnar":
        raise ValueError(f"no end-to-end run for {peer}")

    def run() -> None:
        from etsl.runtime.columnar import engine as columnar

        results = columnar.run_file(_compiled(), columnar.DataFiles(csv, None, MAPPING))
        assert not isinstance(results, columnar.Fallback), results
        results.write(out)

    return _timed(run, repeat)


def _fixed_file(csv: Path, out: Path) -> None:
    """`etsl run --engine fixed` (and `auto`, which chooses it here) in process: the file
    read straight into int64 columns, results written by one DuckDB COPY."""
    from etsl.runtime.fixed.output import FixedResults
    from etsl.runtime.run import DataFiles, run_files

    outcome = run_files(_compiled(), DataFiles(csv, None, MAPPING), "fixed")
    assert isinstance(outcome.results, FixedResults), "the fixed engine took the records path"
    outcome.results.write(out)


def _mismatches(n: int, csv: Path, out: Path) -> dict[str, dict[str, int] | str]:
    """Per peer, how many facilities differ from the exact result (see the module text)."""
    from bench import data
    from bench.peers import compare, numpy_fixed

    table = data.make_table(n)
    exact = numpy_fixed.evaluate(table)
    found: dict[str, dict[str, int] | str] = {}
    for peer in FLOAT_PEERS:
        try:
            found[peer] = compare.mismatches(exact, _float_result(peer, table, csv))
        except Exception as exc:  # noqa: BLE001 - an unavailable peer is reported, not fatal
            found[peer] = f"unavailable: {type(exc).__name__}"
    found["numpy_split"] = _split_mismatches(exact, table)
    found["etsl_fixed"] = _fixed_mismatches(exact, table)
    ours = _columnar_mismatches(exact, table, csv, out)
    fixed_out = out.with_name("fixed_" + out.name)
    _fixed_file(csv, fixed_out)
    found["etsl_fixed"]["results files unlike the columnar engine's"] = int(
        fixed_out.read_bytes() != out.read_bytes())
    if n <= REFERENCE_LIMIT:
        ours["rows unlike the reference engine"] = _against_reference(csv, out)
    found["columnar"] = ours
    return found


REFERENCE_LIMIT = 100_000  # the reference engine evaluates one participant at a time


def _against_reference(csv: Path, out: Path) -> int:
    """Lines of the results file that differ from the reference engine's (all columns)."""
    from etsl.runtime.data.load import load_dataset
    from etsl.runtime.reference.sequence import run as reference_run

    compiled = _compiled()
    dataset, _ = load_dataset(csv, compiled, mapping=dict(MAPPING))
    assert dataset is not None
    expected = out.with_name("reference_" + out.name)
    reference_run(compiled, dataset).write(expected)
    ours = out.read_text(encoding="utf-8").splitlines()
    theirs = expected.read_text(encoding="utf-8").splitlines()
    return sum(a != b for a, b in zip(ours, theirs, strict=False)) + abs(len(ours) - len(theirs))


def _float_result(peer: str, table: Any, csv: Path) -> Any:
    if peer == "pandas_script":
        import pandas as pd

        from bench.peers import pandas_script

        return pandas_script.evaluate(pd.read_csv(csv))
    if peer.startswith("openfisca"):
        from bench.peers import openfisca_peer

        return openfisca_peer.evaluate(table, peer.endswith("64"))
    from bench.peers import numpy_float

    return numpy_float.evaluate(table)


def _columnar_mismatches(exact: Any, table: Any, csv: Path, out: Path) -> dict[str, int]:
    """ETSL's results file against the exact integers (cap, order, fine) and the shortfall
    computed exactly from the tenths, the third rounded half-even to 18 places as ETSL
    defines division."""
    import csv as csv_module

    from etsl.runtime.columnar import engine as columnar

    results = columnar.run_file(_compiled(), columnar.DataFiles(csv, None, MAPPING))
    assert not isinstance(results, columnar.Fallback), results
    results.write(out)
    counts = dict.fromkeys(("cap", "order", "fine", "shortfall"), 0)
    with out.open(newline="") as stream:
        for index, row in enumerate(csv_module.DictReader(stream)):
            for name in ("cap", "order", "fine"):
                counts[name] += int(row[name]) != int(exact[name][index])
            counts["shortfall"] += Decimal(row["shortfall"]) != _shortfall_18(table, exact,
                                                                              index)
    return counts


def _split_mismatches(exact: Any, table: Any) -> dict[str, int]:
    """The split fixed-point peer against the exact integers and ETSL's shortfall."""
    import numpy as np

    from bench.peers import numpy_split

    ours = numpy_split.evaluate(table)
    counts = {name: int(np.count_nonzero(ours[name] != exact[name]))
              for name in ("cap", "order", "fine")}
    counts["shortfall"] = sum(numpy_split.shortfall(ours, index) != _shortfall_18(table, exact, index)
                              for index in range(len(ours["cap"])))
    return counts


_CONTEXT = Context(prec=60)
_PLACES = Decimal("1e-18")
_TENTH = Decimal("0.1")


def _fixed_mismatches(exact: Any, table: Any) -> dict[str, int]:
    """ETSL's fixed-point engine against the exact integers and the 18-place shortfall,
    every facility; and the rows it would hand to the reference engine (none expected)."""
    import numpy as np

    from bench.peers import etsl_fixed

    ours = etsl_fixed.compute(etsl_fixed.prepare(table))
    fine, order = ours.penalties[0][1][0][0], ours.penalties[0][1][1][0]
    holds = ours.penalties[0][0].values
    assert fine is not None and order is not None
    n = len(table["id"])
    counts = {"cap": int((np.asarray(ours.values["cap"].values) != exact["cap"]).sum()),
              "handed to the reference engine": int(ours.failed.sum())}
    counts["order"] = sum(
        (int(order.value(i)) if holds[i] else 0) != int(exact["order"][i]) for i in range(n))
    counts["fine"] = sum(
        (int(fine.value(i)) if holds[i] else 0) != int(exact["fine"][i]) for i in range(n))
    shortfall = ours.values["shortfall"]
    counts["shortfall"] = sum(shortfall.value(i) != _shortfall_18(table, exact, i)
                              for i in range(n))
    return counts


def _shortfall_18(table: Any, exact: Any, index: int) -> Decimal:
    """max(0, emissions − cap − min(credits, required / 3)), the third to 18 places."""
    cap = Decimal(int(exact["cap"][index]))
    required = Decimal(int(exact["required_reduction_t10"][index])) * _TENTH
    third = _CONTEXT.divide(required, Decimal(3)).quantize(_PLACES, ROUND_HALF_EVEN, _CONTEXT)
    credits = Decimal(int(table["outside_credits_t10"][index])) * _TENTH
    emissions = Decimal(int(table["emissions_t10"][index])) * _TENTH
    return max(Decimal(0), emissions - cap - min(credits, third))


def measure(kind: str, peer: str, n: int, csv: Path, repeat: int) -> dict[str, Any]:
    out = csv.with_name(f"out_{peer}_{n}.csv")
    if kind == "generate":
        from bench import data

        data.generate(n, path=csv)
        return {}
    if kind == "eval":
        times = _evaluate(peer, n, csv, repeat)
    elif kind == "e2e":
        times = _end_to_end(peer, csv, out, repeat)
    else:
        return {"mismatches": _mismatches(n, csv, out)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"times": times, "peak_mib": peak / 1024}


# ---- the parent: run every measurement in a subprocess -----------------------------------------


def _subprocess(kind: str, peer: str, n: int, csv: Path, repeat: int) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", kind, "--peer", peer,
               "--n", str(n), "--csv", str(csv), "--repeat", str(repeat)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last[:120]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _repeats(peer: str, n: int, repeat: int) -> int:
    if peer == "python_decimal" or peer.startswith("openfisca"):
        return 1 if n >= 1_000_000 else min(repeat, 3)
    return repeat


def run_size(n: int, folder: Path, repeat: int) -> list[dict[str, Any]]:
    csv = folder / f"facilities_{n}.csv"
    _subprocess("generate", "data", n, csv, 1)  # here, the parent would inflate ru_maxrss
    rows: dict[str, dict[str, Any]] = {}
    for peer in PEERS:
        evaluation = _subprocess("eval", peer, n, csv, _repeats(peer, n, repeat))
        rows[peer] = {"n": n, "peer": peer, "eval": evaluation}
    for peer in ("pandas_script", "columnar", "etsl_fixed"):
        rows[peer]["e2e"] = _subprocess("e2e", peer, n, csv, max(3, repeat // 2))
    checks = _subprocess("check", "columnar", n, csv, 1).get("mismatches", {})
    for peer, row in rows.items():
        row["mismatches"] = checks.get(peer, "exact" if peer in ("numpy_fixed",
                                                                  "python_decimal") else None)
    return list(rows.values())


# ---- the Markdown table -------------------------------------------------------------------------


def _median(entry: dict[str, Any] | None) -> float | None:
    if not entry or "times" not in entry:
        return None
    return float(statistics.median(entry["times"]))


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _ratio(value: float | None, base: float | None) -> str:
    return "—" if value is None or not base else f"{value / base:.2f}×"


def _mismatch_text(found: object) -> str:
    if found is None:
        return "—"
    if isinstance(found, str):
        return found
    assert isinstance(found, dict)
    wrong = {k: v for k, v in found.items() if v and k != "shortfall_not_nearest"}
    if "rows unlike the reference engine" in found and not wrong:
        return "0 (exact; every column as the reference engine)"
    return "0 (exact)" if not wrong else ", ".join(f"{k} {v:,}" for k, v in wrong.items())


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = ["| N | implementation | evaluation | × numpy float64 | end-to-end | × pandas | "
             "peak memory | mismatches |", "|---:|---|---:|---:|---:|---:|---:|---|"]
    for n in sorted({r["n"] for r in rows}):
        group = [r for r in rows if r["n"] == n]
        base = _median(next(r["eval"] for r in group if r["peer"] == "numpy_float"))
        pandas_e2e = _median(next((r.get("e2e") for r in group if r["peer"] == "pandas_script"),
                                  None))
        for row in group:
            evaluation, e2e = _median(row["eval"]), _median(row.get("e2e"))
            peaks = [e.get("peak_mib") for e in (row["eval"], row.get("e2e") or {}) if e]
            peak = max((p for p in peaks if p), default=None)
            note = row["eval"].get("error")
            lines.append(
                f"| {n:,} | {LABELS[row['peer']]} | {note or _seconds(evaluation)} "
                f"| {_ratio(evaluation, base)} | {_seconds(e2e)} | {_ratio(e2e, pandas_e2e)} | "
                f"{'—' if peak is None else f'{peak:,.0f} MiB'} | "
                f"{_mismatch_text(row.get('mismatches'))} |")
    return "\n".join(lines)


def main(sizes: Sequence[int] = SIZES, repeat: int = 5) -> list[dict[str, Any]]:
    """Run the benchmark, print the Markdown table, return its rows."""
    with tempfile.TemporaryDirectory(prefix="etsl-bench-") as folder:
        rows = [row for n in sizes for row in run_size(n, Path(folder), repeat)]
    print(markdown(rows))
    return rows


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--measure", choices=("generate", "eval", "e2e", "check"))
    parser.add_argument("--peer", default="columnar")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--csv", type=Path)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = _arguments(None)
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, arguments.peer, arguments.n, arguments.csv,
                                 arguments.repeat)))
    else:
        main([int(s) for s in arguments.sizes.split(",")], arguments.repeat)
