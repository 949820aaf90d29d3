"""File runs of the fixed-point engine and `--engine auto` against the reference engine.

The fixed engine reads a CSV or Parquet file straight into int64 columns
(runtime/fixed/reader.py) and writes results with one DuckDB COPY (runtime/fixed/output.py).
What it writes, reports and totals must be what `--engine reference` writes, reports and
totals: on Hypothesis-generated schemes and files, on every `etsl run` case of bad data
(same messages, nothing written), and on the Tokyo sample.
"""

from __future__ import annotations

import shlex
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import compile_paths, compile_text
from etsl.runtime.fixed.output import FixedResults
from etsl.runtime.records import Dataset
from etsl.runtime.run import AUTO_NOTICE, DataFiles, RunOutcome, run_files
from hypothesis import HealthCheck, event, given, settings

from etsl.cli import cli
from tests.test_columnar_differential import datasets, schemes
from tests.test_problem_codes import CASES, _inside, run_case

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench" / "tokyo_bench.scheme"
UNITS = ("a1", "c1", "c2", "c3")


def _csv(dataset: Dataset, path: Path) -> None:
    """The records as a participant file: holdings as `held.UNIT` columns (summed)."""
    inputs = list(dict.fromkeys(n for r in dataset.records for n in r.values))
    lines = [",".join(["id", "period", *inputs, *(f"held.{u}" for u in UNITS)])]
    for record in dataset.records:
        held = {
            u: sum((h.quantity for h in dataset.holdings if (h.participant, h.unit) ==
                    (record.participant, u)), Decimal(0))
            if any((h.participant, h.unit) == (record.participant, u) for h in dataset.holdings)
            else None
            for u in UNITS
        }
        cells = [record.participant, record.period or "", *(_cell(record.values.get(n))
                                                             for n in inputs)]
        lines.append(",".join([*cells, *(_cell(held[u]) for u in UNITS)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cell(value: object) -> str:
    return "" if value is None else f"{value:f}" if isinstance(value, Decimal) else str(value)


def _written(outcome: RunOutcome, path: Path) -> bytes | None:
    if outcome.results is None:
        return None
    outcome.results.write(path)
    return path.read_bytes()


def _same_run(compiled: object, files: DataFiles, engine: str, folder: Path) -> RunOutcome:
    ours, reference = run_files(compiled, files, engine), run_files(compiled, files, "reference")  # type: ignore[arg-type]
    assert [p.render() for p in ours.problems] == [p.render() for p in reference.problems]
    assert _written(ours, folder / "ours.csv") == _written(reference, folder / "ref.csv")
    if ours.results is not None and reference.results is not None:
        assert ours.results.summary() == reference.results.summary()
        assert [e.render() for e in ours.results.errors] == [
            e.render() for e in reference.results.errors
        ]
    return ours


@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much], deadline=None,
    max_examples=30,
)
@given(text=schemes(), dataset=datasets())
def test_auto_equals_reference_on_generated_files(
    text: str, dataset: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> None:
    compilation = compile_text(text, "<generated>")
    assert compilation.ok
    compiled = compilation.schemes["generated"]
    folder = tmp_path_factory.mktemp("auto")
    _csv(dataset, folder / "data.csv")
    ours = _same_run(compiled, DataFiles(folder / "data.csv"), "auto", folder)
    engine = ours.results.engine if ours.results is not None else "none"
    event(f"engine: {engine}; typed reader: {isinstance(ours.results, FixedResults)}")
    if ours.results is not None:
        assert ours.notices[0] == AUTO_NOTICE.format(engine=engine)


def test_bench_file_is_read_into_columns_and_written_identically(tmp_path: Path) -> None:
    compiled = compile_paths([BENCH]).schemes["tokyo_bench"]
    rows = ["id,category,base_emissions,emissions,outside_credits",
            "F1,office,10000,47000,", "F2,factory,430,2021,", "=F3,office,1000,4800,300",
            "F4,factory,3450,16300,120.5", "F5,office,0.05,3.25,0"]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    files = DataFiles(tmp_path / "data.csv", mapping={"outside_credits": "held.outside_credits"})
    for engine in ("fixed", "auto"):
        ours = _same_run(compiled, files, engine, tmp_path)
        assert isinstance(ours.results, FixedResults)
    text = (tmp_path / "ours.csv").read_text(encoding="utf-8")
    assert "\n'=F3,first,true,4600,400,4800,66.666666666666666667," in text


def test_a_file_the_columns_cannot_hold_takes_the_records_path(tmp_path: Path) -> None:
    """A number wider than int64: the same bytes and messages."""
    compiled = compile_paths([BENCH]).schemes["tokyo_bench"]
    rows = ["id,category,base_emissions,emissions,outside_credits",
            "F1,office,123456789012345.678901,47000,", "F2,office,10,1,"]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    files = DataFiles(tmp_path / "data.csv", mapping={"outside_credits": "held.outside_credits"})
    ours = _same_run(compiled, files, "fixed", tmp_path)
    assert ours.results is not None and not isinstance(ours.results, FixedResults)


RUN_CASES = [c for c in CASES if c.read_text(encoding="utf-8").startswith("etsl run ")]
NOTICES = ("engine auto:", "fixed engine:", "columnar engine:", "the reference engine evaluated")


def _messages(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith(NOTICES)]


@pytest.mark.parametrize("engine", ["fixed", "auto"])
@pytest.mark.parametrize("case", RUN_CASES, ids=lambda p: p.stem)
def test_bad_data_is_reported_as_the_reference_engine_does(
    case: Path, engine: str, tmp_path: Path
) -> None:
    expected = run_case(case, tmp_path / "case")
    words = shlex.split(case.read_text(encoding="utf-8"), comments=True)[1:]
    outputs = {}
    out = tmp_path / "case" / "out.csv"
    for name in ("reference", engine):
        out.unlink(missing_ok=True)
        with _inside(tmp_path / "case"):
            result = CliRunner().invoke(cli, [*words, "--engine", name, "-o", "out.csv"])
        outputs[name] = (result.exit_code, _messages(result.stderr),
                         out.read_bytes() if out.exists() else None)
    assert outputs[engine] == outputs["reference"]
    assert f"[{case.stem}]" in expected
