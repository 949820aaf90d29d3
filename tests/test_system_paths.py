"""Cap trajectories and price paths from the system level, against published figures.

The figures (each cited in its scheme file):
- EU ETS: the 2021 Union-wide cap 1,571,583,007 and the annual reduction 43,003,515 (the
  Commission's "Emissions cap and allowances" page); the phase 3 caps 2013-2020 as the
  Commission published them (quoted by emissions-euets.com, a secondary source).
- RGGI: the CCR and ECR trigger prices 2021-2030 (Rhode Island, 250-RICR-120-05-47 §47.4,
  Tables 1 and 2; the 2029 ECR cell of the stored copy reads "$0.30", a lost digit of 10.30,
  which the rule text gives: 9.63 × 1.07 = 10.3041 → 10.30).
- California: the 2021 price ceiling of $65 (17 CCR §95915(f)(1)(A)) and the allowance
  budgets of §95841 (Tables 6-1 and 6-2; from 2032, 193.8 − 6.7 × n million).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.documents.scheme_page import scheme_page
from etsl.runtime.system_data import read_system_data

from etsl.cli import cli
from etsl.system_paths import cap_paths, price_paths, year_paths

ROOT = Path(__file__).resolve().parent.parent
WORLD = ROOT / "schemes" / "world"

PHASE3 = {
    2013: 2084301856,
    2014: 2046037610,
    2015: 2007773364,
    2016: 1969509118,
    2017: 1931244873,
    2018: 1892980627,
    2019: 1854716381,
    2020: 1816452135,
}
CCR = ["13.00", "13.91", "14.88", "15.92", "17.03", "18.22", "19.50", "20.87", "22.33", "23.89"]
ECR = ["6.00", "6.42", "6.87", "7.35", "7.86", "8.41", "9.00", "9.63", "10.30", "11.02"]


@cache
def scheme(name: str) -> CompiledScheme:
    compilation = compile_paths([WORLD / f"{name}.scheme"])
    assert compilation.ok, compilation.diagnostics
    return compilation.schemes[name]


def explained(name: str, value: str, year: int) -> str:
    """The line `VALUE = … = RESULT` of `etsl explain --system VALUE --year YEAR`."""
    args = ["explain", str(WORLD / f"{name}.scheme"), "--system", value, "--year", str(year)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return next(line for line in result.stdout.splitlines() if line.startswith(f"{value} = "))


def amount(line: str, unit: str) -> Decimal:
    """The last amount in `unit` on an explanation line (`… = 23.89 USD/short_tCO2 = …`)."""
    found = re.findall(rf"([\d,]+(?:\.\d+)?) {re.escape(unit)}(?![\w/])", line)
    assert found, line
    return Decimal(found[-1].replace(",", ""))


# ---- EU ETS ---------------------------------------------------------------------------------


def test_eu_phase3_caps_are_the_published_eight() -> None:
    """Base less n times the unrounded reduction, rounded per year: all eight as published
    (a chain of rounded 38,264,246 steps would miss 2017-2020 by one allowance)."""
    (path,) = cap_paths(scheme("eu_ets"))
    caps = dict(path.points)
    assert {year: caps[year] for year in PHASE3} == {y: Decimal(v) for y, v in PHASE3.items()}
    chained = {y: PHASE3[2013] - 38264246 * (y - 2013) for y in PHASE3}
    assert chained[2017] != PHASE3[2017]


@pytest.mark.parametrize(
    ("year", "cap"),
    [
        (2017, 1931244873),
        (2021, 1571583007),  # as published
        (2022, 1528579492),  # the 2021 cap less the published annual reduction
        (2023, 1485575977),
    ],
)
def test_eu_cap_comes_out_of_explain(year: int, cap: int) -> None:
    assert amount(explained("eu_ets", "union_cap", year), "t CO2e") == cap


def test_eu_cap_line_stops_where_the_sources_stop() -> None:
    """From 2024 the reference value of the 4.3 % factor is not published exactly: the cap
    is an input, so the trajectory ends in 2023 and phases 1-2 (no Union-wide cap) are
    left out."""
    (path,) = cap_paths(scheme("eu_ets"))
    assert [year for year, _ in path.points] == list(range(2013, 2024))
    args = ["explain", str(WORLD / "eu_ets.scheme"), "--system", "union_cap", "--year", "2024"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "union_cap = not computed — 'published_cap' is not given for this year" in (
        result.stdout
    )
    assert "error: 'union_cap' of 2024 is not computed" in result.stderr


SYSTEM_DATA = (
    "year,tnac,msr_holdings,previous_auction_volume,issued,verified_emissions,previous_msr_net"
)


def test_eu_system_data_may_leave_the_cap_out(tmp_path: Path) -> None:
    """`input published_cap: tCO2e else none`: a file without the column still runs; the cap
    is computed where the line states it and left empty (no error) where it does not; a
    cap given in the data is used."""
    (tmp_path / "p.csv").write_text(
        "id,emissions,compliance_year,nap_credit_limit,phase2_free_allocation,intl_credits_used,"
        "thermal_input,other_annex1_activity,period\nA,1000,2026,0,0,0,50,false,phase4\n",
        encoding="utf-8",
    )
    rows = "2022,1,0,0,0,0,0\n2026,1023494202,0,0,0,0,0\n"
    (tmp_path / "without.csv").write_text(f"{SYSTEM_DATA}\n{rows}", encoding="utf-8")
    (tmp_path / "with.csv").write_text(
        f"{SYSTEM_DATA},published_cap\n2022,1,0,0,0,0,0,\n2026,1023494202,0,0,0,0,0,1000\n",
        encoding="utf-8",
    )
    caps = {}
    for name in ("without", "with"):
        args = ["run", str(WORLD / "eu_ets.scheme"), "--participants", str(tmp_path / "p.csv")]
        args += ["--system-data", str(tmp_path / f"{name}.csv")]
        result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / f"{name}.out.csv")])
        assert result.exit_code == 0, result.output
        with (tmp_path / f"{name}.out.system.csv").open(encoding="utf-8") as handle:
            table = list(csv.DictReader(handle))
        caps[name] = [(row["year"], row["union_cap"], row["error"]) for row in table]
        assert table[1]["msr_intake_volume"] == "190494202"  # the reserve runs as before
    assert caps["without"] == [("2022", "1528579492", ""), ("2026", "", "")]
    assert caps["with"] == [("2022", "1528579492", ""), ("2026", "1000", "")]


def test_an_input_the_data_may_leave_out_is_still_checked_when_given(tmp_path: Path) -> None:
    path = tmp_path / "system.csv"
    path.write_text(f"{SYSTEM_DATA},published_cap\n2026,1,0,0,0,0,0,lots\n", encoding="utf-8")
    rows, problems = read_system_data(path, scheme("eu_ets").program)
    assert rows is None
    assert [(p.code, p.row, p.column) for p in problems] == [
        ("data-not-a-number", 2, "published_cap")
    ]


def test_explain_reports_only_the_errors_of_the_value_explained() -> None:
    """Without system data the reserve's values of 2021 cannot be computed (no TNAC); the
    cap of 2021 does not need them, so explaining it reports nothing else."""
    args = ["explain", str(WORLD / "eu_ets.scheme"), "--system", "union_cap", "--year", "2021"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and result.stderr == ""
    assert "row 2" not in result.stdout  # no system data file: no row to point at


def test_eu_reduction_factor_is_a_system_value_by_year() -> None:
    for year, lrf in [(2015, "1.74 %"), (2023, "2.2 %"), (2024, "4.3 %"), (2028, "4.4 %")]:
        assert explained("eu_ets", "lrf", year).startswith(f"lrf = {lrf} — ")


# ---- RGGI -----------------------------------------------------------------------------------


@pytest.mark.parametrize("year", range(2021, 2031))
def test_rggi_trigger_prices_come_out_of_explain_as_published(year: int) -> None:
    """Chained: 1.07 × the previous year's price, rounded to the cent each year."""
    for name, table in (("ccr_trigger", CCR), ("ecr_trigger", ECR)):
        line = explained("rggi", name, year)
        assert amount(line, "USD/short_tCO2") == Decimal(table[year - 2021]), line


def test_rggi_cap_is_drawn_in_short_tons() -> None:
    (path,) = cap_paths(scheme("rggi"))
    assert path.unit == "short_tCO2"
    assert path.points[:3] == ((2018, 82235598), (2019, 80179708), (2020, 78175215))
    assert dict(path.points)[2021] == 75147784


# ---- California ----------------------------------------------------------------------------


def test_california_ceiling_2021_comes_out_of_explain() -> None:
    assert amount(explained("california", "ceiling", 2021), "USD/t CO2e") == 65


@pytest.mark.parametrize(
    ("year", "budget"), [(2013, 162800000), (2021, 320800000), (2031, 193800000)]
)
def test_california_budgets_from_the_tables(year: int, budget: int) -> None:
    assert amount(explained("california", "annual_cap", year), "t CO2e") == budget


def test_california_budgets_after_2031_by_the_formula() -> None:
    """§95841(b): 193.8 − 6.7 × n million, n years after 2031 (2032: 187.1; 2050: 66.5)."""
    assert amount(explained("california", "annual_cap", 2032), "t CO2e") == 187100000
    assert amount(explained("california", "annual_cap", 2050), "t CO2e") == 66500000


# ---- the scheme pages -----------------------------------------------------------------------


def test_scheme_pages_draw_the_cap_from_the_system_level() -> None:
    eu = scheme("eu_ets")
    figure = next(f for f in scheme_page(eu.model, paths=cap_paths(eu)).figures if f.key == "cap")
    assert figure.data[0] == ("2013", "2,084,301,856 t CO₂e")
    assert figure.data[-1] == ("2023", "1,485,575,977 t CO₂e")
    assert "Union cap" in str(figure.svg) or "union cap" in str(figure.svg)
    rggi = scheme("rggi")
    figure = next(
        f for f in scheme_page(rggi.model, paths=cap_paths(rggi)).figures if f.key == "cap"
    )
    assert figure.data[0][0] == "2018" and "82,235,598" in figure.data[0][1]


def test_quebec_caps_are_the_secondary_figures_of_its_order() -> None:
    """Québec's caps as Near Zero's input file reports O.C. 1185-2012 (2013-2020) and
    O.C. 1126-2017 (2021-2030) (secondary), drawn for the years of its periods."""
    (path,) = cap_paths(scheme("quebec"))
    assert path.name == "annual_cap"
    points = dict(path.points)
    assert (min(points), max(points)) == (2013, 2029)
    assert points[2015] == Decimal("65300000")
    assert points[2021] == Decimal("55260000")
    assert points[2029] == Decimal("45370000")


def test_no_cap_chart_without_a_system_cap() -> None:
    """Washington's budgets were not read, so its system level has no cap: no chart, and no
    chart from parameters named like caps either (the old charts are gone)."""
    washington = scheme("washington")
    assert washington.program.system is not None
    assert cap_paths(washington) == ()
    eu = scheme("eu_ets")
    keys = [f.key for f in scheme_page(eu.model).figures]
    assert "cap" not in keys and "table-phase_lrf" not in keys


def test_price_charts_are_the_system_levels_paths_rounded_as_the_scheme_rounds() -> None:
    """RI Reg. 47 Table 1: the CCR trigger is chained and rounded to the cent each year
    (14.88 in 2023, 18.22 in 2026), which compounding 13 × 1.07ⁿ would not give (14.8837)."""
    rggi = scheme("rggi")
    figure = next(
        f
        for f in scheme_page(rggi.model, paths=year_paths(rggi)).figures
        if f.key.startswith("prices-")
    )
    (ccr,) = [row for row in figure.data if row[0].startswith("Cost containment reserve")]
    unit = "USD per short ton CO₂"
    assert ccr[1:4] == (f"2021: 13 {unit}", f"2022: 13.91 {unit}", f"2023: 14.88 {unit}")
    assert f"2026: 18.22 {unit}" in ccr


def test_a_price_with_an_index_is_drawn_before_inflation() -> None:
    (ceiling,) = [p for p in price_paths(scheme("california")) if p.name == "ceiling"]
    assert ceiling.points[:2] == ((2021, Decimal("65")), (2022, Decimal("68.25")))


def test_a_fiscal_year_price_path_ends_with_the_schemes_last_fiscal_year() -> None:
    """GX-ETS runs FY2026-FY2030 (FY2030 ends in March 2031): its chart stops at 2030, for
    which METI's outlook gives JPY 4,840 and 1,913 rounded; nothing is set for 2031."""
    compilation = compile_paths([ROOT / "schemes" / "japan" / "gx_ets.scheme"])
    paths = {p.name: p for p in price_paths(compilation.schemes["gx_ets"])}
    for name in ("ceiling", "floor"):
        assert [year for year, _ in paths[name].points] == [2026, 2027, 2028, 2029, 2030]
    assert round(paths["ceiling"].points[-1][1]) == 4840
    assert round(paths["floor"].points[-1][1]) == 1913
