"""Streamed results: rows are written while they are computed, in data order, once."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import compile_text
from etsl.runtime.records import Dataset, Record
from etsl.runtime.reference.sequence import run, stream
from etsl.runtime.results.model import ResultsHaveErrors, RunOptions, WriteOptions

from etsl.cli import cli

SCHEME = """scheme banked "Banked" {
  period p1 = 2020 .. 2020
  period p2 = 2021 .. 2021
  period p3 = 2022 .. 2022
  participant firm { emissions: tCO2e  base: tCO2e  divisor: number }
  cap = base / divisor
  banking unlimited
}
"""


def records() -> tuple[Record, ...]:
    """Rows out of period order and interleaved between participants."""
    layout = [("B", "p2"), ("A", "p3"), ("A", "p1"), ("B", "p1"), ("C", "p1"), ("A", "p2")]
    return tuple(Record(p, q, {"emissions": Decimal(90 + i), "base": Decimal(100),
                               "divisor": Decimal(1)}, i + 2, "data.csv")
                 for i, (p, q) in enumerate(layout))


def compiled():  # type: ignore[no-untyped-def]
    return compile_text(SCHEME, "banked.scheme").schemes["banked"]


@pytest.mark.parametrize("period", [None, "p2"])
def test_streamed_rows_are_the_engines_rows_in_data_order(period: str | None) -> None:
    options = RunOptions(period=period)
    streamed = stream(compiled(), Dataset(records()), options)
    materialised = run(compiled(), Dataset(records()), options)
    assert list(streamed.rows) == list(materialised.rows)
    assert [(r.participant, r.period) for r in streamed.rows][:2] == (
        [("B", "p2"), ("A", "p3")] if period is None else [("B", "p2"), ("A", "p2")])
    assert len(streamed.rows) == len(materialised.rows)
    assert streamed.summary() == materialised.summary()


def test_rows_are_written_while_they_are_computed(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    sizes: list[int] = []

    def progress(done: int, total: int) -> None:
        temporaries = list(tmp_path.glob(".results.csv.*.tmp"))
        sizes.append(temporaries[0].stat().st_size if temporaries else -1)

    many = tuple(Record(f"F{i}", "p1", {"emissions": Decimal(i), "base": Decimal(100),
                                         "divisor": Decimal(1)}, i + 2, "data.csv")
                 for i in range(3000))
    results = stream(compiled(), Dataset(many), RunOptions(progress=progress))
    results.write(out)
    assert len(sizes) == 3000 and sizes[0] >= 0
    assert 0 < sizes[-1] < out.stat().st_size  # the file grew while rows were computed
    assert out.read_text().count("\n") == 3001


def test_json_and_json_lines_are_streamed_documents(tmp_path: Path) -> None:
    results = stream(compiled(), Dataset(records()))
    results.write(tmp_path / "out.json")
    document = json.loads((tmp_path / "out.json").read_text())
    assert document == run(compiled(), Dataset(records())).to_json()
    assert list(document) == ["format", "scheme", "engine", "columns", "rows", "errors",
                              "summary"]
    results.write(tmp_path / "out.jsonl")
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == document["rows"]


def test_errors_found_while_streaming_leave_no_file(tmp_path: Path) -> None:
    failing = records()[:2] + (Record("D", "p1", {"emissions": Decimal(1),
                                                  "base": Decimal(1),
                                                  "divisor": Decimal(0)}, 9, "data.csv"),)
    results = stream(compiled(), Dataset(failing))
    with pytest.raises(ResultsHaveErrors):
        results.write(tmp_path / "out.csv", WriteOptions(allow_errors=False))
    assert list(tmp_path.iterdir()) == []
    assert [e.code for e in results.errors] == ["evaluation-division-by-zero"]


def test_run_reports_errors_after_a_streamed_write(tmp_path: Path) -> None:
    (tmp_path / "banked.scheme").write_text(SCHEME)
    (tmp_path / "data.csv").write_text("id,period,emissions,base,divisor\n"
                                       "A,p1,90,100,1\nB,p1,90,100,0\n")
    args = ["run", str(tmp_path / "banked.scheme"), "--participants", str(tmp_path / "data.csv"),
            "--engine", "reference", "-o", str(tmp_path / "out.csv")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "[evaluation-division-by-zero]" in result.stderr
    assert not (tmp_path / "out.csv").exists()
    result = CliRunner().invoke(cli, [*args, "--allow-errors"])
    assert result.exit_code == 0 and "wrote 2 rows" in result.stderr
    assert "division by zero" in (tmp_path / "out.csv").read_text()
