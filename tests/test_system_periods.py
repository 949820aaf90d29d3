"""The system level's years and the scheme's periods: a system value of a year reads the
period holding that year (`table … by period`), and a value that fails for a reason other
than an input the scenario leaves out stops a simulation instead of being left blank."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from etsl.cli import cli

SCHEME = """
scheme bp {
  period p1 = 2021 .. 2022 "First period"
  period p2 = 2023 .. 2024 "Second period"
  participant emitter {
    emissions: tCO2e "Verified emissions"
  }
  rule obligation = emissions
  system {
    input issued: tCO2e "Allowances issued in the year"
    input verified: tCO2e "Covered emissions of the year"
    table share by period "Share placed in the reserve" {
      | p1 | 10 % |
      | p2 | 20 % |
    }
    rule placed = share of issued "Placed in the reserve"
    rule per_tonne = issued / verified "Allowances issued per tonne emitted"
  }
}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def scenario(tmp_path: Path, inputs: str) -> Path:
    return write(tmp_path, "s.toml", f'title = "t"\nyears = [2021, 2023]\n[scheme.bp]\n{inputs}')


def simulate(tmp_path: Path, inputs: str) -> tuple[int, str, Path]:
    scheme, out = write(tmp_path, "bp.scheme", SCHEME), tmp_path / "out"
    args = ["simulate", str(scheme), "--scenario", str(scenario(tmp_path, inputs)), "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output, out


def test_a_system_table_by_period_reads_the_period_holding_the_year(tmp_path: Path) -> None:
    code, output, out = simulate(tmp_path, "inputs.issued = 100\ninputs.verified = 50\n")
    assert code == 0, output
    with (out / "bp.csv").open(encoding="utf-8") as f:
        placed = {row["year"]: row["placed"] for row in csv.DictReader(f)}
    assert placed == {"2021": "10", "2022": "10", "2023": "20"}


def test_a_value_reading_an_input_left_out_stays_blank(tmp_path: Path) -> None:
    code, output, out = simulate(tmp_path, "inputs.issued = 100\n")
    assert code == 0, output
    with (out / "bp.csv").open(encoding="utf-8") as f:
        assert {row["per_tonne"] for row in csv.DictReader(f)} == {""}


def test_a_value_that_fails_stops_the_simulation_and_nothing_is_written(tmp_path: Path) -> None:
    code, output, out = simulate(tmp_path, "inputs.issued = 100\ninputs.verified = 0\n")
    assert code == 1
    assert "bp: 'per_tonne' of 2021: division by zero in 'issued / verified'" in output
    assert "[simulate-failed]" in output
    assert not out.exists()


def test_a_system_year_outside_every_period_is_named(tmp_path: Path) -> None:
    scheme = write(tmp_path, "bp.scheme", SCHEME)
    people = write(tmp_path, "p.csv", "id,period,emissions\nA,p1,10\n")
    system = write(tmp_path, "sys.csv", "year,issued,verified\n2021,100,50\n2030,100,50\n")
    out = tmp_path / "out.csv"
    args = ["run", str(scheme), "--participants", str(people), "--system-data", str(system)]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code != 0
    assert (
        "table 'share' is looked up by period, but 2030 is in none of the scheme's periods"
        in result.output
    )
    assert "[evaluation-no-period]" in result.output
    assert not out.exists()
