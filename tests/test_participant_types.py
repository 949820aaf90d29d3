"""Participant types: several `participant` blocks, a `type` column naming each row's block;
a row needs only its block's inputs, values reading another block's inputs are left empty
without an error, and `participant_type` lets one rule branch by type."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner
from etsl.runtime.records import Dataset, Record
from etsl.runtime.reference.sequence import run

from etsl.cli import cli
from tests.test_reference_engine import compiled

TYPED = """
scheme gx "Two kinds of company" {
  period fy2026 = 2026 .. 2026
  participant benchmark_company "Allocated on a benchmark" {
    output:    t "Production"
    emissions: tCO2e
  }
  participant grandfathered_company "Allocated on historical emissions" {
    base_emissions: tCO2e  "Emissions of the base years"
    reduction:      number "Reduction factor"
    emissions:      tCO2e
  }
  param benchmark = 0.5 tCO2e/t
  rule benchmark_allocation = benchmark * output
  rule grandfathered_allocation = base_emissions * (1 - reduction)
  cap = if participant_type == benchmark_company then benchmark_allocation else grandfathered_allocation
}
"""


def _rows() -> tuple[Record, ...]:
    return (
        Record("A", None, {"output": D(1000), "emissions": D(600)},
               participant_type="benchmark_company"),
        Record("B", None, {"base_emissions": D(2000), "reduction": D("0.1"),
                           "emissions": D(1900)}, participant_type="grandfathered_company"),
    )


def test_each_type_needs_only_its_inputs_and_branches_by_type() -> None:
    results = run(compiled(TYPED), Dataset(_rows()))
    a, b = results.rows
    assert results.typed and a.participant_type == "benchmark_company"
    assert a.ok and b.ok, (a.errors, b.errors)
    assert a.values["cap"] == D(500) and a.values["shortfall"] == D(100)
    assert b.values["cap"] == D(1800) and b.values["shortfall"] == D(100)
    # not applicable: empty, without an error
    assert a.values["grandfathered_allocation"] is None
    assert b.values["benchmark_allocation"] is None


def test_a_missing_input_of_the_row_s_own_type_is_still_an_error() -> None:
    row = Record("A", None, {"emissions": D(600)}, participant_type="benchmark_company")
    (result,) = run(compiled(TYPED), Dataset((row,))).rows
    assert result.values["cap"] is None
    assert any("missing input 'output'" in e.message for e in result.errors)


def test_participant_type_without_a_type_is_an_error() -> None:
    row = Record("A", None, {"output": D(1000), "emissions": D(600), "base_emissions": D(1),
                             "reduction": D(0)})
    (result,) = run(compiled(TYPED), Dataset((row,))).rows
    assert any("the row gives no type" in e.message for e in result.errors)


def _cli(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_type_column_in_a_file_and_both_engines(tmp_path: Path) -> None:
    scheme = tmp_path / "gx.scheme"
    scheme.write_text(TYPED)
    data = tmp_path / "data.csv"
    data.write_text(
        "id,type,output,emissions,base_emissions,reduction\n"
        "A,benchmark_company,1000,600,,\nB,grandfathered_company,,1900,2000,0.1\n"
    )
    written = {}
    for engine in ("reference", "columnar"):
        out = tmp_path / f"{engine}.csv"
        code, output = _cli("run", scheme, "--participants", data, "--engine", engine, "-o", out)
        assert code == 0, output
        written[engine] = out.read_text()
    assert written["reference"] == written["columnar"]
    lines = written["reference"].splitlines()
    assert lines[0].startswith("participant,period,type,covered,benchmark_allocation,")
    assert lines[1].startswith("A,fy2026,benchmark_company,true,500,,500,")
    assert lines[2].startswith("B,fy2026,grandfathered_company,true,,1800,1800,")


def test_a_type_s_missing_column_names_the_type_and_nothing_is_written(tmp_path: Path) -> None:
    scheme = tmp_path / "gx.scheme"
    scheme.write_text(TYPED)
    data = tmp_path / "data.csv"
    data.write_text("id,type,emissions,base_emissions,reduction\nA,benchmark_company,600,,\n")
    out = tmp_path / "out.csv"
    code, output = _cli("run", scheme, "--participants", data, "-o", out)
    assert code == 1 and not out.exists()
    assert "missing column 'output'" in output
    assert "'output' is an input of participant 'benchmark_company'" in output
    # the grandfathered inputs are not required: no row is of that type
    assert "base_emissions" not in output.split("missing column 'output'")[1]


def test_an_unknown_type_suggests_the_closest_block(tmp_path: Path) -> None:
    scheme = tmp_path / "gx.scheme"
    scheme.write_text(TYPED)
    data = tmp_path / "data.csv"
    data.write_text("id,type,base_emissions,reduction,emissions\nB,grandfathered,2000,0.1,1\n")
    code, output = _cli("run", scheme, "--participants", data)
    assert code == 1
    assert "'grandfathered' is not a participant type (participant block) of scheme 'gx'" in output
    assert "did you mean 'grandfathered_company'?" in output
