"""The system level: price paths, aggregates, the system data, runs and explanations.

Published figures reproduced here: RGGI's CCR and ECR trigger prices 2021-2030 (Rhode Island
Reg. 47, Tables 1 and 2) and the European Commission's TNAC-based MSR intakes.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.compiler.program import Program
from etsl.compiler.units import parse_unit
from etsl.runtime.records import Record
from etsl.runtime.reference.system import SystemRun
from etsl.runtime.system_data import read_system_data

from etsl.cli import cli
from tests.golden import REPO

WORLD = REPO / "schemes" / "world"

#: RGGI trigger prices, USD per short ton (RI 250-RICR-120-05-47 §47.4, Tables 1 and 2).
RGGI_CCR = [
    "13.00",
    "13.91",
    "14.88",
    "15.92",
    "17.03",
    "18.22",
    "19.50",
    "20.87",
    "22.33",
    "23.89",
]
RGGI_ECR = ["6.00", "6.42", "6.87", "7.35", "7.86", "8.41", "9.00", "9.63", "10.30", "11.02"]

SCHEME = """
scheme s "A system level" {
  calendar calendar_year
  period p1 = 2021 .. 2023
  period p2 = 2024 .. 2026
  participant firm {
    emissions: tCO2e
    request:   tCO2e
  }
  param base = 1000 tCO2e
  param per_firm = emissions * 2
  system {
    input tnac: tCO2e "Allowances in circulation"
    input cpi:  %     "Inflation"
    table reduction by year {
      | 2021 | 0 %  |
      | *    | 10 % |
    }
    rule total_cap = base * (1 - reduction)
    rule requests = sum(request)
    rule firms = count(request > 0 tCO2e)
    rule average = mean(request)
    rule correction = if requests > total_cap then total_cap / requests else 1
    rule intake = if tnac > 833000000 tCO2e then round(24 % of tnac) else 0 tCO2e
    price ceiling 65 USD/tCO2e from 2021 rising 5 % plus cpi
  }
  cap = floor(correction * request)
  rule upper = ceiling
}
"""


def compiled(text: str = SCHEME) -> CompiledScheme:
    compilation = compile_text(text)
    assert compilation.ok, compilation.diagnostics
    (scheme,) = compilation.schemes.values()
    return scheme


def library(name: str) -> Program:
    compilation = compile_paths([WORLD / f"{name}.scheme"])
    assert compilation.ok
    return compilation.schemes[name].program


def per(unit: str, text: str) -> Decimal:
    return Decimal(text) * parse_unit(unit).scale


# ---- price paths ----------------------------------------------------------------------------


@pytest.mark.parametrize("year", range(2021, 2031))
def test_rggi_trigger_prices_are_the_published_ones(year: int) -> None:
    """Chained rounding to the cent, in USD per short ton (not per tonne)."""
    run = SystemRun(library("rggi"), {year: {}})
    index = year - 2021
    assert run.value(year, "ccr_trigger") == per("USD/short_tCO2", RGGI_CCR[index])
    assert run.value(year, "ecr_trigger") == per("USD/short_tCO2", RGGI_ECR[index])


def test_unchained_rounding_would_differ_in_2030() -> None:
    """The published 23.89 is what makes the chained rule testable: 13 × 1.07⁹ is 23.90."""
    once = (Decimal(13) * Decimal("1.07") ** 9).quantize(Decimal("0.01"))
    assert once == Decimal("23.90") and RGGI_CCR[-1] == "23.89"


def test_price_path_with_inflation_reads_each_year() -> None:
    rows = {2021: {"cpi": Decimal("0.02")}, 2022: {"cpi": Decimal("0.08")}}
    rows[2023] = {"cpi": Decimal("0.04")}
    run = SystemRun(compiled().program, rows)
    # 65 → 65 × 1.13 = 73.45 → 73.45 × 1.09 = 80.0605 → 80.06
    assert [run.value(y, "ceiling") for y in (2021, 2022, 2023)] == [
        Decimal(65),
        Decimal("73.45"),
        Decimal("80.06"),
    ]


def test_price_path_before_its_base_year_is_an_error() -> None:
    run = SystemRun(compiled().program, {2020: {"cpi": Decimal(0)}})
    result = run.result(2020)
    (error,) = [e for e in result.errors if e.rule == "ceiling"]
    assert error.code == "evaluation-outside-price-path"
    assert "starts in 2021; it has no value in 2020" in error.message


def test_price_path_without_an_earlier_years_inflation_is_an_error() -> None:
    run = SystemRun(compiled().program, {2023: {"cpi": Decimal(0)}})
    (error,) = [e for e in run.result(2023).errors if e.rule == "ceiling"]
    assert error.code == "evaluation-outside-price-path"
    assert "needs 'cpi' of 2022" in error.message


# ---- the EU market stability reserve ----------------------------------------------------


@pytest.mark.parametrize(
    ("year", "tnac", "intake"),
    [
        (2019, 1654909824, 397178358),  # Commission, 15 May 2019
        (2023, 1134794738, 272350737),  # Commission, 15 May 2023
        (2026, 1023494202, 190494202),  # 2026 publication (band rule), secondary
    ],
)
def test_eu_msr_intake_is_the_published_one(year: int, tnac: int, intake: int) -> None:
    inputs = {"tnac": Decimal(tnac), "msr_holdings": Decimal(0)}
    inputs["previous_auction_volume"] = Decimal(0)
    run = SystemRun(library("eu_ets"), {year: inputs})
    assert run.value(year, "msr_intake_volume") == Decimal(intake)


def test_eu_msr_intake_rounds_to_the_nearest_allowance_not_down() -> None:
    """24 % of 1,654,909,824 is 397,178,357.76: floor() (the old rule) misses by one."""
    exact = Decimal("0.24") * 1654909824
    assert exact == Decimal("397178357.76") and int(exact) == 397178357


def test_the_eu_scheme_has_no_market_participant_any_more() -> None:
    program = library("eu_ets")
    assert program.participants == ("installation",)
    assert program.system is not None and "tnac" in program.system.inputs


# ---- aggregates and participants reading system values ------------------------------------


def test_aggregates_over_the_participants_of_the_year() -> None:
    scheme = compiled()
    records = [
        Record("a", "p1", {"emissions": Decimal(10), "request": Decimal(700)}),
        Record("b", "p1", {"emissions": Decimal(5), "request": Decimal(800)}),
        Record("c", "p2", {"emissions": Decimal(5), "request": Decimal(1)}),
    ]
    run = SystemRun(scheme.program, {2021: {"tnac": Decimal(0), "cpi": Decimal(0)}}, records)
    assert run.value(2021, "requests") == Decimal(1500)
    assert run.value(2021, "firms") == Decimal(2)
    assert run.value(2021, "average") == Decimal(750)
    assert run.value(2021, "correction") == Decimal("0.666666666666666667")  # 18 places


def test_a_mean_over_no_participants_is_an_error() -> None:
    run = SystemRun(compiled().program, {2021: {"tnac": Decimal(0), "cpi": Decimal(0)}})
    (error,) = [e for e in run.result(2021).errors if e.rule == "average"]
    assert "no participants" in error.message


def test_a_system_rule_may_read_a_constant_parameter_but_not_a_participant_one() -> None:
    text = SCHEME.replace("rule requests = sum(request)", "rule requests = per_firm")
    compilation = compile_text(text)
    (problem,) = [d for d in compilation.diagnostics if d.code == "system-reads-participant"]
    assert "'per_firm'" in problem.message and "sum(per_firm)" in (problem.hint or "")


def test_the_rule_graph_holds_both_levels() -> None:
    edges = compiled().graph.edges
    assert ("system:correction", "rule:cap") in edges
    assert ("input:request", "system:requests") in edges
    assert ("system:cpi", "system:ceiling") in edges


# ---- the system data -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "where"),
    [
        ("year,tnac\n2021,1\n", "data-missing-column", (1, "cpi")),
        ("year,tnac,cpi,extra\n2021,1,2,3\n", "data-unknown-column", (1, "extra")),
        ("year,tnac,cpi\n21,1,2\n", "data-not-a-number", (2, "year")),
        ("year,tnac,cpi\n2021,1,2\n2021,1,2\n", "data-duplicate-row", (3, "year")),
        ("year,tnac,cpi\n2021,,2\n", "data-blank", (2, "tnac")),
        ("year,tnac,cpi\n2021,lots,2\n", "data-not-a-number", (2, "tnac")),
        ("", "data-empty", (0, "")),
    ],
)
def test_bad_system_data_is_located(
    tmp_path: Path, text: str, code: str, where: tuple[int, str]
) -> None:
    path = tmp_path / "system.csv"
    path.write_text(text, encoding="utf-8")
    rows, problems = read_system_data(path, compiled().program)
    assert rows is None
    assert [(p.code, p.row, p.column) for p in problems][:1] == [(code, *where)]


def test_system_data_is_read_in_the_declared_unit(tmp_path: Path) -> None:
    path = tmp_path / "system.csv"
    path.write_text("year,tnac,cpi\n2021,1654909824,3.1\n", encoding="utf-8")
    rows, problems = read_system_data(path, compiled().program)
    assert not problems and rows == {2021: {"tnac": Decimal(1654909824), "cpi": Decimal("0.031")}}


# ---- the command line -------------------------------------------------------------------------


def _files(tmp_path: Path, system: str) -> list[str]:
    (tmp_path / "s.scheme").write_text(SCHEME, encoding="utf-8")
    (tmp_path / "firms.csv").write_text(
        "id,period,emissions,request\na,p1,10,700\nb,p1,5,800\n", encoding="utf-8"
    )
    (tmp_path / "system.csv").write_text(system, encoding="utf-8")
    return ["s.scheme", "--participants", "firms.csv", "--system-data", "system.csv"]


def test_run_writes_the_system_results_beside_the_participant_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = _files(tmp_path, "year,tnac,cpi\n2021,1654909824,2\n2022,800000000,8\n")
    result = CliRunner().invoke(cli, ["run", *args, "-o", "out.csv", "--allow-errors"])
    assert result.exit_code == 0, result.output
    system = (tmp_path / "out.system.csv").read_text(encoding="utf-8").splitlines()
    assert system[0] == (
        "year,reduction,total_cap,requests,firms,average,correction,intake,ceiling,error"
    )
    assert system[1].startswith("2021,0,1000,1500,2,750,0.6666666666666666")
    assert system[1].endswith(",397178358,65,")
    # no participant row starts in 2022: no mean, the error column says why
    assert system[2].startswith("2022,10,900,0,0,,") and "no participants in the year" in system[2]
    participants = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert participants[1].startswith("a,p1,") and ",466," in participants[1]  # 700 × 2/3


def test_bad_system_data_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = _files(tmp_path, "year,tnac\n2021,1\n")
    result = CliRunner().invoke(cli, ["run", *args, "-o", "out.csv"])
    assert result.exit_code == 1
    assert "system.csv:1:cpi: the system data has no column 'cpi'" in result.stderr
    assert not list(tmp_path.glob("out*"))


def test_a_system_value_error_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = _files(tmp_path, "year,tnac,cpi\n2020,1,2\n")
    result = CliRunner().invoke(cli, ["run", *args, "-o", "out.csv"])
    assert result.exit_code == 1
    assert "[evaluation-outside-price-path]" in result.stderr
    assert not list(tmp_path.glob("out*"))


def test_explain_a_system_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = _files(tmp_path, "year,tnac,cpi\n2021,1654909824,2\n")
    args += ["--system", "intake", "--year", "2021"]
    result = CliRunner().invoke(cli, ["explain", *args])
    assert result.exit_code == 0, result.output
    assert "intake = round(24 % of 1,654,909,824 t CO2e) = 397,178,358 t CO2e" in result.output


def test_explain_an_unknown_system_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = _files(tmp_path, "year,tnac,cpi\n2021,1,2\n") + ["--system", "intak", "--year", "2021"]
    result = CliRunner().invoke(cli, ["explain", *args])
    assert result.exit_code == 2
    assert "no system value named 'intak'" in result.output and "intake" in result.output


# ---- rows kept by year read the system values of their own year ----------------------------

BY_YEAR = """
scheme y "Years inside a period read the system values of their year" {
  calendar calendar_year
  period cp4 = 2021 .. 2023 by year
  participant firm { emissions: tCO2e }
  system {
    table reduction by year {
      | 2021 | 0 %  |
      | 2022 | 10 % |
      | *    | 20 % |
    }
    rule firms = count(emissions > 0 tCO2e)
  }
  cap = floor((1 - reduction) * emissions)
  rule firms_of_year = firms
}
"""


def test_a_row_kept_by_year_reads_its_own_years_system_values() -> None:
    from etsl.compiler.system import row_year
    from etsl.runtime.records import Dataset
    from etsl.runtime.reference.sequence import run as run_reference
    from etsl.runtime.results.model import RunOptions

    scheme = compiled(BY_YEAR)
    program = scheme.program
    records = tuple(
        Record("E1", None, {"emissions": Decimal(1000)}, year=year) for year in (2021, 2022, 2023)
    ) + (Record("E2", None, {"emissions": Decimal(0)}, year=2022),)
    system = SystemRun(program, {year: {} for year in (2021, 2022, 2023)}, records)

    def values_of(period: str | None, year: int | None) -> object:
        return system.year_values(row_year(program, period, year))

    results = run_reference(scheme, Dataset(records), RunOptions(system=values_of))  # type: ignore[arg-type]
    caps = {(r.participant, r.year): r.values["cap"] for r in results.rows}
    assert caps[("E1", 2021)] == 1000 and caps[("E1", 2022)] == 900 and caps[("E1", 2023)] == 800
    # count() reads the rows of the year: E2 has a 2022 row, but no emissions
    assert [system.value(y, "firms") for y in (2021, 2022, 2023)] == [1, 1, 1]
    assert row_year(program, "cp4", None) == 2021  # a row without a year: its period's first
