"""A 3-period chain: every participant has a row per period, carried over (banking, credit
lots by type, make-good). `etsl run` end to end (CSV in → results CSV out) with the
columnar engine (one query per period) and the reference engine, and whether their files
are the same bytes.

    python bench/chain_bench.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SIZES = (100_000,)

SCHEME = """
scheme chain_bench {
  period first = 2021 .. 2023
  period second = 2024 .. 2026
  period third = 2027 .. 2029
  participant entity { emissions: tCO2e  base: tCO2e/yr }
  units { allowance allowance  offset offsets }
  cap = floor(base * years(period) * 0.94)
  surrender {
    accept allowance
    accept offsets up to 8 % of obligation
  }
  banking unlimited
  penalty late when shortfall > 0 tCO2e {
    fine 100 EUR/tCO2e * ceil(shortfall)
    make_good 4 * excess + owed_unpaid
  }
}
"""


def write_data(n: int, path: Path) -> None:
    """n participants × 3 periods, deterministic, 0.1 t resolution."""
    with path.open("w") as out:
        out.write("id,period,emissions,base,held.allowance,held.offsets\n")
        for index in range(n):
            base = 5000 + (index * 7919) % 90000
            for step, period in enumerate(("first", "second", "third")):
                emissions = base * 3 + (index * 104729 + step * 1299709) % 20000 - 10000
                allowance = base * 3 - (index * 31 + step) % 5000
                offsets = (index * 13 + step * 7) % 1500
                out.write(f"P{index},{period},{emissions}.{index % 10},{base},{allowance},"
                          f"{offsets}.5\n")


def run_once(engine: str, scheme: Path, data: Path, out: Path) -> tuple[float, list[str]]:
    from etsl.compiler.driver import compile_paths
    from etsl.runtime.records import DataFiles
    from etsl.runtime.run import run_files

    start = time.perf_counter()
    compiled = compile_paths([scheme]).schemes["chain_bench"]
    outcome = run_files(compiled, DataFiles(data), engine)
    assert outcome.results is not None, outcome.problems
    outcome.results.write(out)
    return time.perf_counter() - start, list(outcome.notices)


def measure(n: int, folder: Path) -> dict[str, object]:
    scheme, data = folder / "chain_bench.scheme", folder / f"chain_{n}.csv"
    scheme.write_text(SCHEME)
    write_data(n, data)
    columnar, notices = run_once("columnar", scheme, data, folder / "columnar.csv")
    reference, _ = run_once("reference", scheme, data, folder / "reference.csv")
    same = (folder / "columnar.csv").read_bytes() == (folder / "reference.csv").read_bytes()
    return {"n": n, "columnar": columnar, "reference": reference, "same": same,
            "notices": notices}


def markdown(rows: Sequence[dict[str, object]]) -> str:
    lines = ["| participants × periods | columnar end-to-end | reference end-to-end | "
             "× faster | same results file | notices |", "|---:|---:|---:|---:|---|---|"]
    for row in rows:
        columnar, reference = float(row["columnar"]), float(row["reference"])  # type: ignore[arg-type]
        lines.append(f"| {row['n']:,} × 3 | {columnar:.2f} s | {reference:.2f} s | "
                     f"{reference / columnar:.1f}× | {'yes' if row['same'] else 'NO'} | "
                     f"{'; '.join(row['notices']) or 'none'} |")  # type: ignore[arg-type]
    return "\n".join(lines)


def main(sizes: Sequence[int] = SIZES) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        rows = [measure(n, Path(folder)) for n in sizes]
    print(markdown(rows))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    main([int(s) for s in parser.parse_args().sizes.split(",")])
