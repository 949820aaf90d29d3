"""`etsl simulate`: inputs carried from year to year, scenarios, the market balance and prices.

The solver's promise is checked as properties (Hypothesis): the price found clears (every
year's bank at what it must be) and the cent below it does not, more supply never raises the
price, and linked schemes' net flows cancel. The bundled scenarios are run end to end and
checked against the figures they cite.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.runtime.reference.system import SystemRun
from etsl.runtime.simulate.bind import bind
from etsl.runtime.simulate.curves import abatement
from etsl.runtime.simulate.links import net_imports
from etsl.runtime.simulate.report import Report
from etsl.runtime.simulate.scenario import Scenario
from etsl.runtime.simulate.solve import CENT, Solver, simulate
from etsl.runtime.system_data import read_system_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etsl.cli import cli
from tests.golden import REPO

SCHEME = """
scheme market {
  period p1 = 2021 .. 2030 "Compliance period"
  participant emitter {
    emissions: tCO2e "Verified emissions"
  }
  rule obligation = emissions
  system {
    input issued:   tCO2e "Allowances put into circulation"
    input verified: tCO2e "Covered emissions"
    input bank:     tCO2e else previous bank_end "Bank at the start of the year"
    rule bank_end = bank + issued - verified "Bank at the end of the year"
  }
}
"""
SCENARIOS = REPO / "examples" / "scenarios"
WORLD = REPO / "schemes" / "world"


def compiled(text: str = SCHEME) -> CompiledScheme:
    compilation = compile_text(text, "market.scheme")
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    return next(iter(compilation.schemes.values()))


def scenario(issued: list[int], baseline: list[int], **prices: object) -> Scenario:
    years = range(2021, 2021 + len(issued))
    return Scenario.model_validate(
        {
            "title": "test",
            "years": [years[0], years[-1]],
            "prices": {"currency": "EUR", **prices},
            "scheme": {
                "market": {
                    "inputs": {
                        "issued": dict(zip(years, issued, strict=True)),
                        "bank": {2021: 0},
                    },
                    "market": {
                        "emissions": "verified",
                        "bank": "bank_end",
                        "currency": "EUR",
                        "groups": {
                            "all": {
                                "baseline": dict(zip(years, baseline, strict=True)),
                                "mac": [[0, 0], [100, 60]],
                            }
                        },
                    },
                }
            },
        }
    )


# ---- a system input carried from the year before ---------------------------------------------


def test_a_carried_input_takes_the_value_of_the_year_before(tmp_path: Path) -> None:
    program = compiled().program
    data = tmp_path / "system.csv"
    data.write_text("year,issued,verified,bank\n2021,100,80,10\n2022,100,90,\n2023,100,120,\n")
    rows, problems = read_system_data(data, program)
    assert not problems and rows is not None
    run = SystemRun(program, rows, trace=True)
    assert [run.value(y, "bank_end") for y in (2021, 2022, 2023)] == [D(30), D(40), D(20)]
    trace = run.result(2023).trace
    assert trace is not None
    assert trace.entries["bank"].notes == ("bank_end of 2022, carried",)


def test_given_values_win_over_carried_ones(tmp_path: Path) -> None:
    program = compiled().program
    data = tmp_path / "system.csv"
    data.write_text("year,issued,verified,bank\n2021,100,80,10\n2022,100,90,500\n")
    rows, _ = read_system_data(data, program)
    assert rows is not None
    assert SystemRun(program, rows).value(2022, "bank_end") == D(510)


def test_a_carried_input_blank_in_the_first_year_is_a_located_problem(tmp_path: Path) -> None:
    data = tmp_path / "system.csv"
    data.write_text("year,issued,verified,bank\n2021,100,80,\n2022,100,90,\n")
    rows, problems = read_system_data(data, compiled().program)
    assert rows is None
    assert [(p.code, p.row, p.column) for p in problems] == [("data-blank", 2, "bank")]
    assert "no earlier year to carry it from ('bank_end')" in problems[0].message


def test_fmt_keeps_else_previous() -> None:
    from etsl.compiler.fmt import format_source
    from etsl.compiler.source import SourceFile

    text, problems = format_source(SourceFile.of("m.scheme", SCHEME))
    assert not problems and text is not None
    assert "input bank:     tCO2e else previous bank_end" in text


def test_a_carried_input_of_another_unit_is_refused() -> None:
    text = SCHEME.replace(
        'rule bank_end = bank + issued - verified "Bank at the end of the year"',
        'rule bank_end = bank + issued - verified "Bank at the end of the year"\n'
        '    input price: EUR/tCO2e else previous bank_end "Price"',
    )
    compilation = compile_text(text, "market.scheme")
    messages = [(d.code, d.message) for d in compilation.diagnostics]
    assert messages == [
        (
            "carried-input",
            "the input 'price' is a quantity in EUR/tCO2e but is carried from 'bank_end', "
            "which is a quantity in tCO2e",
        )
    ]


# ---- the solver ---------------------------------------------------------------------------------


def test_abatement_follows_the_curve_and_rounds_to_whole_tonnes() -> None:
    curve = ((D(10), D(5)), (D(50), D(100)))
    assert abatement(curve, D(5)) == 0
    assert abatement(curve, D(10)) == 5
    assert abatement(curve, D("20.5")) == D(30)  # 5 + 10.5/40 × 95 = 29.9375 → 30
    assert abatement(curve, D(500)) == 100


def bound_of(s: Scenario) -> list:  # type: ignore[type-arg]
    bound, problems = bind(s, {"market": compiled().program}, "test.toml")
    assert not problems, [p.render() for p in problems]
    return bound


supplies = st.lists(st.integers(0, 120), min_size=2, max_size=5)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(supplies, st.sampled_from(["hotelling", "myopic"]), st.sampled_from(["0", "0.05"]))
def test_the_price_clears_and_the_cent_below_does_not(
    issued: list[int], rule: str, rate: str
) -> None:
    s = scenario(issued, [100] * len(issued), rule=rule, discount_rate=D(rate))
    bound = bound_of(s)
    solver = Solver(s, s.prices, bound)  # type: ignore[arg-type]
    try:
        prices = solver.solve()
    except Exception as failure:  # no price clears: the curve's 60 t cannot cover the gap
        assert "no price clears" in str(failure)
        if rule == "hotelling":  # (a myopic market may also run short for lack of foresight)
            assert min(_banks_at_top(solver).values()) < 0
        return
    assert max(solver.short(solver.banks(prices)).values()) <= 0
    if rule == "hotelling" and solver.start:
        lower = solver.path(solver.start - CENT)
        assert max(solver.short(solver.banks(lower)).values()) > 0
    if rule == "myopic":
        for year, price in prices.items():
            if price > 0:
                cheaper = {y: p for y, p in prices.items() if y <= year}
                cheaper[year] = price - CENT
                assert solver.short(solver.banks(cheaper))[year] > 0


def _banks_at_top(solver: Solver) -> dict[int, D]:
    return solver.banks({y: solver.top() for y in solver.years})


@settings(max_examples=25, deadline=None)
@given(supplies, st.integers(1, 30))
def test_more_supply_never_raises_the_price(issued: list[int], extra: int) -> None:
    base = scenario(issued, [100] * len(issued))
    more = scenario([i + extra for i in issued], [100] * len(issued))
    try:
        low = Solver(more, more.prices, bound_of(more)).solve()  # type: ignore[arg-type]
        high = Solver(base, base.prices, bound_of(base)).solve()  # type: ignore[arg-type]
    except Exception:
        return  # no clearing price: covered by the test above
    assert all(low[y] <= high[y] for y in low)


def test_a_ceiling_stops_the_price_and_reports_the_shortfall() -> None:
    s = scenario([50, 50], [100, 100])
    data = s.model_dump()
    data["scheme"]["market"]["market"]["ceiling"] = {2021: D(40), 2022: D(40)}
    capped = Scenario.model_validate(data)
    outcome = simulate(capped, bound_of(capped))
    rows = outcome.of("market")
    assert [r.price for r in rows] == [D("40.00"), D("40.00")]
    assert [r.bound for r in rows] == ["ceiling", "ceiling"]
    # at 40 EUR the curve abates 24 t: 76 t against 50 issued, short 26 t then 52 t
    assert [r.short_at_ceiling for r in rows] == [D(26), D(52)]


# ---- bundled scenarios --------------------------------------------------------------------------


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="etsl")
    return result.exit_code, result.stdout, result.stderr


def test_the_reserve_reproduces_the_published_intakes() -> None:
    code, out, err = run_cli(
        "simulate",
        str(WORLD / "eu_ets.scheme"),
        "--scenario",
        str(SCENARIOS / "eu_msr_history.toml"),
    )
    assert code == 0, err
    assert "397,178,358" in out  # the 2019 intake, to the allowance


def test_the_eu_outlook_meets_the_published_2026_intake(tmp_path: Path) -> None:
    code, _, err = run_cli(
        "simulate",
        str(WORLD / "eu_ets.scheme"),
        "--scenario",
        str(SCENARIOS / "eu_outlook.toml"),
        "-o",
        str(tmp_path / "out"),
    )
    assert code == 0, err
    table = (tmp_path / "out" / "eu_ets.csv").read_text().splitlines()
    header = table[0].split(",")
    first = dict(zip(header, table[1].split(","), strict=True))
    assert first["year"] == "2026"
    assert first["msr_intake_volume"] == "190494202"  # TNAC − 833 million, as published
    last = dict(zip(header, table[-1].split(","), strict=True))
    assert D(last["tnac_next"]) >= 400_000_000  # the final bank the scenario asks for
    prices = [D(row.split(",")[1]) for row in table[1:]]
    assert prices == sorted(prices)  # a Hotelling path rises
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {
        "index.html",
        "market.csv",
        "prices.svg",
    }


def test_linked_schemes_share_a_price_and_their_flows_cancel() -> None:
    compilation = compile_paths([WORLD / "california.scheme", WORLD / "quebec.scheme"])
    from etsl.runtime.simulate.scenario import load_scenario

    s, problems = load_scenario(SCENARIOS / "wci_2021_2023.toml")
    assert s is not None and not problems
    programs = {n: compilation.schemes[n].program for n in s.scheme}
    bound, problems = bind(s, programs, "wci.toml")
    assert not problems
    outcome = simulate(s, bound)
    report = Report.of(s, bound, outcome)
    positions = report.positions()
    flows = [net_imports(positions, n) for n in positions]
    for year in s.year_range:
        assert sum(f[year] for f in flows) == 0
        assert outcome.prices[year] >= D("17.71")  # the joint floor
    # Québec alone would pay more than in the linked market
    assert all(outcome.unlinked["quebec"][y] > outcome.prices[y] for y in s.year_range)


def test_explain_says_why_the_price_is_what_it_is() -> None:
    code, out, err = run_cli(
        "simulate",
        str(WORLD / "eu_ets.scheme"),
        "--scenario",
        str(SCENARIOS / "eu_outlook.toml"),
        "--explain",
        "2027",
    )
    assert code == 0, err
    assert "is the lowest start on the cent grid" in out
    assert "tnac = 733,048,775 t CO2e — input, tnac_next of 2026, carried" in out


def test_parquet_tables_hold_exact_decimals(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    code, _, err = run_cli(
        "simulate",
        str(WORLD / "eu_ets.scheme"),
        "--scenario",
        str(SCENARIOS / "eu_msr_history.toml"),
        "-o",
        str(tmp_path / "out"),
        "--format",
        "parquet",
    )
    assert code == 0, err
    table = pq.read_table(tmp_path / "out" / "eu_ets.parquet").to_pylist()
    assert table[0]["msr_intake_volume"] == D("397178358")


def test_a_check_outside_its_tolerance_fails_the_run(tmp_path: Path) -> None:
    text = (SCENARIOS / "eu_msr_history.toml").read_text()
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(text.replace("tolerance = 0.005", "tolerance = 0.001"))
    code, _, err = run_cli(
        "simulate", str(WORLD / "eu_ets.scheme"), "--scenario", str(scenario_file)
    )
    assert code == 1
    assert "1 of 3 published figure(s) outside the tolerance" in err


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        ("eu_msr_history", ("years = [2019, 2021]", "years = [2019"), "not valid TOML"),
        ("eu_msr_history", ("title =", "titel ="), "'titel' is not a key of a scenario here"),
        ("eu_msr_history", ("tnac = {", "tnax = {"), "'tnax' is not a system input of the scheme"),
        ("eu_outlook", (", 2030 = 774345587", ""), "'issued' has no value for 2030"),
        ("eu_outlook", ("years = [2026, 2030]", "years = [2026, 2031]"), "the year 2031 is"),
        ("eu_outlook", ("[200, 2731957000]", "[20, 2731957000]"), "prices must increase"),
    ],
)
def test_bad_scenarios_are_located_and_nothing_is_written(
    tmp_path: Path, file: str, edit: tuple[str, str], message: str
) -> None:
    text = (SCENARIOS / f"{file}.toml").read_text()
    assert edit[0] in text
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(text.replace(*edit, 1))
    out = tmp_path / "out"
    code, _, err = run_cli(
        "simulate", str(WORLD / "eu_ets.scheme"), "--scenario", str(scenario_file), "-o", str(out)
    )
    assert code == 1
    assert message in err and str(scenario_file) in err
    assert not out.exists()


def test_a_one_way_link_against_the_deficit_keeps_the_wci_markets_apart(tmp_path: Path) -> None:
    # declared as if California could use Québec's units but not the other way: pooled,
    # Québec would need California's, so each market clears alone and nothing moves
    quebec = tmp_path / "quebec.scheme"
    quebec.write_text(
        (WORLD / "quebec.scheme")
        .read_text()
        .replace("link california two_way", "link california outbound")
    )
    california = tmp_path / "california.scheme"
    california.write_text(
        (WORLD / "california.scheme")
        .read_text()
        .replace("link quebec two_way", "link quebec inbound")
    )
    out = tmp_path / "out"
    scenario_file = str(SCENARIOS / "wci_2021_2023.toml")
    code, _, err = run_cli(
        "simulate", str(california), str(quebec), "--scenario", scenario_file, "-o", str(out)
    )
    assert code == 0, err
    market = (out / "market.csv").read_text().splitlines()
    header = market[0].split(",")
    for line in market[1:]:
        row = dict(zip(header, line.split(","), strict=True))
        assert row["price"] == ""  # no common price
        assert row["quebec.price_unlinked"] != ""
        assert row["quebec.net_imports"] == row["california.net_imports"] == "0"


# ---- the documentation's figures --------------------------------------------------------------

DOC_FIGURES = {
    "simulate-eu-prices.svg": ("eu_outlook", "prices.svg"),
    "simulate-eu-bank.svg": ("eu_outlook", "eu-ets-the-bank-at-the-end-of-each-year.svg"),
    "simulate-eu-reserve.svg": (
        "eu_outlook",
        "eu-ets-the-reserve-s-intake-and-the-allowances-it-takes-in.svg",
    ),
    "simulate-wci-prices.svg": ("wci_2021_2023", "prices.svg"),
    "simulate-wci-flows.svg": ("wci_2021_2023", "flows.svg"),
    "simulate-wa-prices.svg": ("wci_washington_2027", "prices.svg"),
    "simulate-wa-flows.svg": ("wci_washington_2027", "flows.svg"),
}
SCHEMES_OF = {
    "eu_outlook": [WORLD / "eu_ets.scheme"],
    "wci_2021_2023": [WORLD / "california.scheme", WORLD / "quebec.scheme"],
    "wci_washington_2027": [
        WORLD / "california.scheme",
        WORLD / "quebec.scheme",
        WORLD / "washington.scheme",
    ],
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name, schemes in SCHEMES_OF.items():
        folder = tmp_path_factory.mktemp(name) / "out"
        args = [*map(str, schemes), "--scenario", str(SCENARIOS / f"{name}.toml")]
        code, _, err = run_cli("simulate", *args, "-o", str(folder))
        assert code == 0, err
        out[name] = folder
    return out


@pytest.mark.parametrize("figure", sorted(DOC_FIGURES))
def test_the_documented_figures_are_what_the_scenarios_draw(
    figure: str, written: dict[str, Path], update_golden: bool
) -> None:
    from tests.golden import check_golden

    scenario_name, file = DOC_FIGURES[figure]
    drawn = (written[scenario_name] / file).read_text()
    check_golden(REPO / "docs" / "images" / figure, drawn, update_golden)


def test_the_documented_numbers_are_what_the_scenarios_give(written: dict[str, Path]) -> None:
    doc = (REPO / "docs" / "simulate.md").read_text()
    eu = (written["eu_outlook"] / "market.csv").read_text()
    wci = (written["wci_2021_2023"] / "market.csv").read_text()
    assert "2026,54.22,EUR" in eu and "2030,79.38,EUR" in eu
    assert "EUR 54.22" in doc and "EUR 79.38" in doc
    for figure in ("316154", "4226308", "42.93", "47.33"):
        assert figure in wci
    assert "316,154" in doc and "4,226,308" in doc and "42.93–47.33" in doc


def test_the_documented_washington_figures_are_what_its_scenario_gives(
    written: dict[str, Path],
) -> None:
    doc = (REPO / "docs" / "simulate.md").read_text()
    rows = (written["wci_washington_2027"] / "market.csv").read_text().splitlines()
    table = [dict(zip(rows[0].split(","), row.split(","), strict=True)) for row in rows[1:]]
    by_year = {int(row["year"]): row for row in table}
    for name, series in {
        "california.price_links_unchanged": "37.88 | 39.77 | 41.76 | 43.85 | 46.04 | 48.35",
        "california.price": "37.88 | 39.77 | 41.76 | 47.40 | 49.77 | 52.26",
        "washington.price_links_unchanged": "57.95 | 60.85 | 63.89 | 67.08 | 70.44 | 73.96",
        "washington.price": "57.95 | 60.85 | 63.89 | 47.40 | 49.77 | 52.26",
    }.items():
        assert " | ".join(by_year[y][name] for y in range(2024, 2030)) == series
        assert series in doc
    assert by_year[2027]["quebec.price"] == "64.94" and "CAD 60.07 to 64.94" in doc
    imported = ("washington", "2445600"), ("california", "-2169918"), ("quebec", "-275682")
    for name, units in imported:
        assert by_year[2029][f"{name}.net_imports"] == units
    assert "takes in 2,445,600 units (2,169,918 from California,\n275,682 from Québec" in doc
    # before the join, the run without Washington exactly
    for year in (2024, 2025, 2026):
        for name in ("california", "washington"):  # (Québec's own price is in CAD)
            row = by_year[year]
            assert row[f"{name}.price_links_unchanged"] == row[f"{name}.price"]


def test_explain_names_the_banks_carried_into_washingtons_join() -> None:
    schemes = SCHEMES_OF["wci_washington_2027"]
    code, out, err = run_cli(
        "simulate",
        *map(str, schemes),
        "--scenario",
        str(SCENARIOS / "wci_washington_2027.toml"),
        "--explain",
        "2027",
    )
    assert code == 0, err
    assert (
        "the banks carried into 2027 from the prices before it: california 286,646,000 t, "
        "quebec 37,090,309 t, washington 13,922,800 t" in out
    )
    assert "the scenario's links.washington, an assumption" in out


def test_a_sweep_moves_the_year_washington_joins(tmp_path: Path) -> None:
    doc = (REPO / "docs" / "simulate.md").read_text()
    schemes = SCHEMES_OF["wci_washington_2027"]
    scenario = str(SCENARIOS / "wci_washington_2027.toml")
    out = tmp_path / "out"
    vary = ["--vary", "links.washington.from=2025,2026,2027,2028"]
    code, _, err = run_cli(
        "simulate", *map(str, schemes), "--scenario", scenario, *vary, "-o", str(out)
    )
    assert code == 0, err
    rows = (out / "sweep.csv").read_text().splitlines()
    header = rows[0].split(",")
    at_join = []
    for row in rows[1:]:
        cells = dict(zip(header, row.split(","), strict=True))
        join = cells["links.washington.from"]
        at_join.append(cells[f"california.price.{join}"])
    assert at_join == ["43.00", "45.14", "47.40", "49.76"]
    assert "43.00, 45.14, 47.40 and 49.76" in doc


def test_a_sweep_runs_every_combination_of_scenario_values(tmp_path: Path) -> None:
    code, out, err = run_cli(
        "simulate",
        str(WORLD / "eu_ets.scheme"),
        "--scenario",
        str(SCENARIOS / "eu_outlook.toml"),
        "--vary",
        "prices.discount_rate=0.05,0.1",
        "--vary",
        "prices.final_bank=0,400000000",
        "-o",
        str(tmp_path / "out"),
    )
    assert code == 0, err
    rows = (tmp_path / "out" / "sweep.csv").read_text().splitlines()
    assert rows[0].startswith("prices.discount_rate,prices.final_bank,price.2026")
    assert len(rows) == 5
    # the bundled scenario itself is one of the combinations
    assert "0.1,400000000,54.22,59.64,65.61,72.17,79.38,400505998," in rows
    # keeping a bank beyond 2030 costs more in every year
    by_key = {tuple(r.split(",")[:2]): r.split(",") for r in rows[1:]}
    assert D(by_key["0.05", "400000000"][2]) > D(by_key["0.05", "0"][2])


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("prices.discount_rate", "is not KEY=V1,V2"),
        ("prices.discount_rate=0.05,x", "'x' (for prices.discount_rate) is not a number"),
        ("prices.discount_rate=2", "Input should be less than or equal to 1"),
        ("title.x=1", "'x' is inside a value, not a table"),
    ],
)
def test_a_bad_sweep_is_refused(vary: str, message: str) -> None:
    code, _, err = run_cli(
        "simulate",
        str(WORLD / "eu_ets.scheme"),
        "--scenario",
        str(SCENARIOS / "eu_outlook.toml"),
        "--vary",
        vary,
    )
    assert code != 0
    assert message in err


def test_the_python_api_returns_prices_and_frames() -> None:
    import etsl.api as api

    sim = api.simulate([WORLD / "eu_ets.scheme"], SCENARIOS / "eu_outlook.toml")
    assert sim.prices[2026] == D("54.22")
    assert sim.price_of("eu_ets") == sim.prices and sim.price_of("nowhere") == {}
    frame = sim.frame("eu_ets")
    assert list(frame["year"]) == [D(y) for y in range(2026, 2031)]
    assert frame["msr_intake_volume"][0] == D("190494202")
    assert sim.checks_passed
    with pytest.raises(api.ScenarioError) as failure:
        api.simulate([WORLD / "eu_ets.scheme"], SCENARIOS / "wci_2021_2023.toml")
    assert "not among the schemes given" in str(failure.value)


def test_a_simulation_is_a_page_of_the_documentation_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    code, _, err = run_cli(
        "docs",
        str(WORLD / "eu_ets.scheme"),
        "-o",
        str(out),
        "--simulation",
        str(SCENARIOS / "eu_outlook.toml"),
    )
    assert code == 0, err
    page = (out / "simulation-eu-outlook.html").read_text()
    assert "EU ETS 2026-2030" in page and "<svg" in page and "54.22" in page
    assert 'href="simulation-eu-outlook.html"' in (out / "index.html").read_text()
    code, _, err = run_cli(
        "docs",
        str(WORLD / "eu_ets.scheme"),
        "-o",
        str(tmp_path / "md"),
        "--format",
        "md",
        "--simulation",
        str(SCENARIOS / "eu_outlook.toml"),
    )
    assert code == 2 and "simulation pages are HTML" in err
    assert not (tmp_path / "md").exists()


def test_both_engines_carry_inputs_the_same_way(tmp_path: Path) -> None:
    """A carried input in a run with system data: the columnar engine (natively or by
    falling back) writes the same system results as the reference engine."""
    scheme = tmp_path / "market.scheme"
    scheme.write_text(SCHEME)
    people = tmp_path / "people.csv"
    people.write_text("id,period,emissions\nA,p1,5\n")
    system = tmp_path / "system.csv"
    system.write_text("year,issued,verified,bank\n2021,100,80,10\n2022,100,90,\n2023,100,120,\n")
    written = {}
    for engine in ("reference", "columnar"):
        out = tmp_path / f"{engine}.csv"
        code, _, err = run_cli(
            "run",
            str(scheme),
            "--participants",
            str(people),
            "--system-data",
            str(system),
            "--engine",
            engine,
            "-o",
            str(out),
        )
        assert code == 0, err
        written[engine] = (tmp_path / f"{engine}.system.csv").read_text()
    assert written["reference"] == written["columnar"]
    assert "2023,20," in written["reference"]  # 10 + 20 + 10 − 20


def test_every_chart_is_also_a_png_twice_its_size(written: dict[str, Path]) -> None:
    import re
    import struct

    from etsl.documents.figures.raster import png

    blank = png('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 346"></svg>')
    for folder in written.values():
        charts = sorted(folder.glob("*.svg"))
        assert charts
        for svg in charts:
            image = (folder / f"{svg.stem}.png").read_bytes()
            assert image[:8] == b"\x89PNG\r\n\x1a\n"
            assert image[12:16] == b"IHDR"
            width, height = struct.unpack(">II", image[16:24])
            box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg.read_text())
            assert box is not None
            assert (width, height) == (2 * int(box[1]), 2 * int(box[2]))
            assert len(image) > 3 * len(blank)  # drawn: lines and text take room
