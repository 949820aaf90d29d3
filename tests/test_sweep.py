"""`etsl sweep`: every combination of varied values in one columnar query, checked against
the reference engine run once per scenario on the scheme with that scenario's values."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.runtime.data.load import load_dataset
from etsl.runtime.sweep import evaluate as sweep

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TOKYO = ROOT / "schemes" / "japan" / "tokyo_cat.scheme"
DATA = """id,category,energy_use,base_emissions,emissions,years_elapsed,cumulative_reduction,held.outside_tokyo,held.excess_reduction,period
F1,office,2000,10000,47000,0,0,,,first
F2,factory,1600,3450,16000,0,0,,,first
F3,office,5000,15000,72500,0,0,2500,300,first
F4,office,7000,20000,90000,0,0,6000,,second
F5,factory,3500,8000,30900,0,0,,,third
F6,office,1400,2500,13000,1,0,,,first
"""


@pytest.fixture
def tokyo() -> CompiledScheme:
    return compile_paths([TOKYO]).schemes["tokyo_cat"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "facilities.csv"
    path.write_text(DATA)
    return path


VARIES = ["coverage_threshold=1000 kL_oe/yr,1500,2500kL_oe/yr",
          "reduction_factor[office,first]=8%,20",
          "limit[outside_tokyo]=0 tCO2e,1000 tCO2,1 ktCO2e"]


def test_columnar_sweep_equals_the_reference_per_scenario(tokyo: CompiledScheme,
                                                           data: Path) -> None:
    grid = sweep.parse_grid(tokyo, VARIES)
    assert isinstance(grid, sweep.Grid)
    outcome = sweep.sweep_file(tokyo, grid, data, {}, None)
    assert isinstance(outcome, sweep.SweepOutcome) and outcome.engine == "columnar"
    dataset, _ = load_dataset(data, tokyo)
    assert dataset is not None
    expected = sweep.reference_sweep(tokyo, grid, dataset, None)
    assert len(outcome.scenarios) == 3 * 2 * 3
    for ours, theirs in zip(outcome.scenarios, expected.scenarios, strict=True):
        assert ours.values == theirs.values
        without_categories = replace(theirs.summary, category_field=None, by_category={})
        assert ours.summary == without_categories, ours.values
    shortfalls = {s.values: s.summary.total_shortfall for s in outcome.scenarios}
    assert shortfalls[("1500", "8%", "1 ktCO2e")] < shortfalls[("1500", "20", "1 ktCO2e")]


def test_values_are_read_in_the_targets_unit(tokyo: CompiledScheme) -> None:
    grid = sweep.parse_grid(tokyo, VARIES)
    assert isinstance(grid, sweep.Grid)
    threshold, factor, limit = grid.variables
    assert threshold.values == (Decimal(1000), Decimal(1500), Decimal(2500))
    assert factor.values == (Decimal("0.08"), Decimal("0.20"))  # plain 20 is read in %
    assert limit.values == (Decimal(0), Decimal(1000), Decimal(1000))


@pytest.mark.parametrize(("vary", "message"), [
    ("threshold=1", "'threshold' is not a parameter"),
    ("coverage_threshold", "is not NAME=V1,V2"),
    ("coverage_threshold=1000 tCO2e", "is in tCO2e, but 'coverage_threshold' is in kL_oe/yr"),
    ("coverage_threshold=lots", "is not a number"),
    ("coverage_threshold=5 parsecs", "unknown unit 'parsecs'"),
    ("reduction_factor[shop,first]=1%", "has no cell [shop,first]"),
    ("factors[office]=1%", "'factors' is not a table"),
    ("limit[saitama_excess,other_gas]=5 tCO2e", "no surrender clause names exactly"),
])
def test_bad_varies_are_explained(tokyo: CompiledScheme, vary: str, message: str) -> None:
    problem = sweep.parse_grid(tokyo, [vary])
    assert isinstance(problem, sweep.GridError)
    assert message in problem.message


def test_cli_writes_table_and_chart(tmp_path: Path, data: Path) -> None:
    out, chart = tmp_path / "sweep.csv", tmp_path / "sweep.svg"
    result = CliRunner().invoke(cli, ["sweep", str(TOKYO), "--participants", str(data),
                                      "--vary", VARIES[0], "--vary", VARIES[1], "-o", str(out),
                                      "--chart", str(chart), "--metric", "fine"])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("scenario,rows,coverage_threshold,\"reduction_factor[office,")
    assert len(lines) == 1 + 6
    root = ElementTree.fromstring(chart.read_text())
    assert root.tag.endswith("svg")
    assert len([e for e in root.iter() if e.tag.endswith("circle")]) == 6
    assert "reduction_factor[office,first] = 8%" in chart.read_text()


def test_a_written_sweep_prints_its_first_50_scenarios(tmp_path: Path, data: Path) -> None:
    out = tmp_path / "sweep.csv"
    thresholds = ",".join(str(1000 + step) for step in range(60))
    result = CliRunner().invoke(cli, ["sweep", str(TOKYO), "--participants", str(data),
                                      "--vary", f"coverage_threshold={thresholds}", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 1 + 60
    assert "60 scenario(s)" in result.output and "│ 1049 " in result.output
    assert "│ 1050 " not in result.output
    assert f"… 10 more scenarios; all are in {out}" in result.output.replace("\n", "")


def test_cli_rejects_unknown_metrics_and_formats(data: Path, tmp_path: Path) -> None:
    base = ["sweep", str(TOKYO), "--participants", str(data), "--vary", VARIES[0]]
    assert CliRunner().invoke(cli, [*base, "--metric", "happiness"]).exit_code == 2
    assert CliRunner().invoke(cli, [*base, "-o", str(tmp_path / "x.txt")]).exit_code == 2
    result = CliRunner().invoke(cli, [*base, "--vary", "nope=1"])
    assert result.exit_code == 2 and "'nope' is not a parameter" in result.output


def test_charts_are_svg_only(data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sweep", str(TOKYO), "--participants", str(data),
                                      "--vary", VARIES[0], "--chart", str(tmp_path / "c.png")])
    assert result.exit_code == 2 and "write .svg files" in result.output
    assert not (tmp_path / "c.png").exists()


def test_unsupported_schemes_are_swept_by_the_reference_engine(tmp_path: Path,
                                                               data: Path) -> None:
    scheme = tmp_path / "borrow.scheme"
    scheme.write_text(TOKYO.read_text().replace("borrowing none", "borrowing next_period"))
    result = CliRunner().invoke(cli, ["sweep", str(scheme), "--participants", str(data),
                                      "--vary", VARIES[0]])
    assert result.exit_code == 0, result.output
    assert "columnar engine: borrowing between periods; evaluating each scenario with the " \
        "reference engine" in result.output
    assert "(reference engine)" in result.output


OVERFLOWING = """
scheme sw "Overflow in a sweep" {
  period p = 2020 .. 2020
  participant p { emissions: tCO2e }
  param multiplier = 2
  rule scaled = emissions * multiplier
  cap = scaled * multiplier * multiplier
}
"""


def test_an_overflow_names_the_value_participant_and_scenario(tmp_path: Path) -> None:
    """The fallback says which value did not fit DECIMAL(38), for whom and where."""
    scheme = tmp_path / "sw.scheme"
    scheme.write_text(OVERFLOWING)
    data = tmp_path / "sw.csv"
    data.write_text("id,emissions\nA,5\nB,123456789012345\n")
    result = CliRunner().invoke(cli, ["sweep", str(scheme), "--participants", str(data),
                                      "--vary", "multiplier=2,100000000000"])
    assert result.exit_code == 0, result.stderr
    assert ("columnar engine: a value does not fit DECIMAL(38): 'cap' of participant 'B' "
            "in scenario 2 (Out of Range Error: Overflow") in result.stderr
    result = CliRunner().invoke(cli, ["run", str(scheme), "--participants", str(data)])
    assert result.exit_code == 0 and "does not fit" not in result.stderr
    scheme.write_text(OVERFLOWING.replace("param multiplier = 2", "param multiplier = 10000000000000"))
    result = CliRunner().invoke(cli, ["run", str(scheme), "--participants", str(data)])
    assert result.exit_code == 0
    assert ("columnar engine: a value does not fit DECIMAL(38): 'cap' of participant 'A' (Out "
            "of Range Error" in result.stderr)
