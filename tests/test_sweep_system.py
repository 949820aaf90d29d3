"""Sweeps of the system level (runtime/sweep/system.py): inflation (a system input) and a
price path's escalator varied across the grid, each scenario showing its prices by year."""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.runtime.records import Dataset, Record
from etsl.runtime.reference.system import SystemRun
from etsl.runtime.sweep.grid import GridError, parse_grid, system_rows
from etsl.runtime.sweep.system import system_sweep

from etsl.cli import cli
from tests.golden import REPO
from tests.test_system import SCHEME, compiled

FIRMS = "id,period,emissions,request\na,p1,10,700\nb,p1,5,800\nc,p2,3,900\n"
SYSTEM = "year,tnac,cpi\n2021,1654909824,2\n2022,800000000,8\n2024,1,1\n"


def _files(tmp_path: Path) -> list[str]:
    (tmp_path / "s.scheme").write_text(SCHEME, encoding="utf-8")
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    (tmp_path / "system.csv").write_text(SYSTEM, encoding="utf-8")
    return [
        str(tmp_path / "s.scheme"),
        "--participants",
        str(tmp_path / "firms.csv"),
        "--system-data",
        str(tmp_path / "system.csv"),
    ]


def test_inflation_and_the_escalator_are_swept_with_prices_by_year(tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    args = ["sweep", *_files(tmp_path), "--vary", "cpi=2%,3%", "--vary", "rising[ceiling]=5%,7%"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 scenario(s) (columnar engine)" in result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].endswith("errors,ceiling[2021],ceiling[2022],ceiling[2024]")
    # 2022: 65 × (1 + 5 % + 2 %) = 69.55; 2023: 74.4185 → 74.42; 2024: 79.6294 → 79.63
    assert rows[1].startswith("1,3,2%,5%,") and rows[1].endswith(",65,69.55,79.63")
    assert rows[2].startswith("2,3,2%,7%,") and rows[2].endswith(",65,70.85,84.18")
    assert rows[3].startswith("3,3,3%,5%,") and rows[3].endswith(",65,70.2,81.89")
    assert rows[4].startswith("4,3,3%,7%,") and rows[4].endswith(",65,71.5,86.52")
    documented = re.findall(r"```csv\n(.*?)```", (REPO / "docs" / "columnar.md").read_text(), re.S)
    assert out.read_text(encoding="utf-8") in documented  # docs/columnar.md shows this file


def test_each_scenarios_prices_are_the_system_levels_with_its_values() -> None:
    scheme = compiled()
    grid = parse_grid(scheme, ["cpi=1.5%,4%"])
    assert not isinstance(grid, GridError)
    records = (Record("a", "p2", {"emissions": D(1), "request": D(1)}),)
    rows = {2021: {"tnac": D(0), "cpi": D(0)}}
    outcome = system_sweep(scheme, grid, Dataset(records), rows)  # type: ignore[arg-type]
    for scenario, variable in zip(outcome.scenarios, grid.variables[0].values, strict=True):
        (target,) = (v.target for v in grid.variables)
        data = system_rows(scheme.program, rows, [2021, 2024], {target: variable})
        assert sorted(data) == [2021, 2022, 2023, 2024]  # every year the path reads
        expected = SystemRun(scheme.program, data).value(2024, "ceiling")
        assert dict(scenario.prices)["ceiling[2024]"] == f"{expected.normalize():f}"
    # × 1.065: 69.225 → 69.23, 73.72995 → 73.73, 78.52245 → 78.52; × 1.09: 70.85, 77.23, 84.18
    assert [dict(s.prices)["ceiling[2024]"] for s in outcome.scenarios] == ["78.52", "84.18"]


def test_a_participant_value_reading_the_ceiling_varies_with_it(tmp_path: Path) -> None:
    out = tmp_path / "sweep.json"
    text = SCHEME.replace(
        "rule upper = ceiling",
        "rule upper = ceiling\n  penalty when shortfall > 0 { fine upper * shortfall }",
    )
    (tmp_path / "s.scheme").write_text(text, encoding="utf-8")
    (tmp_path / "firms.csv").write_text("id,period,emissions,request\na,p2,1000,10\n")
    (tmp_path / "system.csv").write_text("year,tnac,cpi\n2024,1,0\n")
    args = ["sweep", str(tmp_path / "s.scheme"), "--participants", str(tmp_path / "firms.csv")]
    args += ["--system-data", str(tmp_path / "system.csv"), "--vary", "rising[ceiling]=0%,10%"]
    result = CliRunner().invoke(cli, [*args, "--vary", "cpi=0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = out.read_text(encoding="utf-8")
    # 990 t short: at 65 USD/t flat, and at 65 × 1.1³ = 86.52 (rounded each year) in 2024
    assert '"fine": "64350"' in document and '"ceiling[2024]": "65"' in document
    assert '"fine": "85654.8"' in document and '"ceiling[2024]": "86.52"' in document


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        (
            "rising[total_cap]=5%",
            "'rising[total_cap]' is not a price that rises by a rate (prices that do: ceiling)",
        ),
        ("cpi=2 tCO2e", "'2 tCO2e' is in tCO2e, but 'cpi' is in plain numbers"),
    ],
)
def test_bad_system_targets_are_reported_and_nothing_is_written(
    tmp_path: Path, vary: str, message: str
) -> None:
    out = tmp_path / "sweep.csv"
    result = CliRunner().invoke(cli, ["sweep", *_files(tmp_path), "--vary", vary, "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()
