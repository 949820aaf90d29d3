"""`etsl simulate` of links that start or end inside the horizon (a market that joins in a year).

Two markets over three years, the same abatement cost curve (1,000 t per EUR), no discounting
(a Hotelling path at 0 % is one price while the bank lasts), hand-computed:

- north: 100,000 allowances a year against a baseline of 150,000 t: alone it abates 50,000 t a
  year at EUR 50.00;
- south: 100,000 a year against 120,000 t: alone EUR 20.00;
- linked from 2023 (not anticipated): 2021 and 2022 are the separate prices (50.00 / 20.00,
  nothing banked); in 2023 the pooled market abates 70,000 t at 2,000 t per EUR: EUR 35.00,
  north takes 15,000 units from south.

For any two such markets and any join year (Hypothesis), the years before the join are exactly
the separate runs.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from etsl.compiler.driver import compile_text
from etsl.runtime.simulate.bind import bind_compiled
from etsl.runtime.simulate.scenario import Scenario
from etsl.runtime.simulate.solve import Outcome, simulate
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_simulate import run_cli
from tests.test_simulate_links import MARKET

YEARS = (2021, 2023)


def schemes(north_link: str = "", south_link: str = "") -> str:
    text = MARKET.format(name="north", link=north_link) + MARKET.format(
        name="south", link=south_link
    )
    return text.replace("2021 .. 2021", f"{YEARS[0]} .. {YEARS[1]}")


def part(baseline: int, bank: int = 0) -> dict[str, object]:
    return {
        "inputs": {"issued": 100000, "bank": {YEARS[0]: bank}, "credits": 0},
        "market": {
            "emissions": "verified",
            "bank": "bank_end",
            "currency": "EUR",
            "groups": {
                "all": {
                    "baseline": dict.fromkeys(range(2021, 2024), baseline),
                    "mac": [[0, 0], [100, 100000]],
                }
            },
        },
    }


def scenario(
    north: int = 150000,
    south: int = 120000,
    links: dict[str, object] | None = None,
    rate: str = "0",
    bank: int = 0,
    rule: str = "hotelling",
) -> Scenario:
    return Scenario.model_validate(
        {
            "title": "two markets that join",
            "years": list(YEARS),
            "prices": {"currency": "EUR", "rule": rule, "discount_rate": rate},
            "scheme": {"north": part(north, bank), "south": part(south, bank)},
            "links": links or {},
        }
    )


def assumed(first: int = 2023, until: int | None = None) -> dict[str, object]:
    link: dict[str, object] = {"schemes": ["north", "south"], "from": first}
    if until is not None:
        link["until"] = until
    return {"north_south": link}


COMPILED = compile_text(schemes(), "two.scheme").schemes


def run(s: Scenario, text: str | None = None) -> Outcome:
    compiled = COMPILED if text is None else compile_text(text, "two.scheme").schemes
    bound, problems = bind_compiled(s, compiled, "two.toml")
    assert not problems, [p.message for p in problems]
    return simulate(s, bound)


def alone(s: Scenario, name: str) -> Outcome:
    data = s.model_dump(by_alias=True)
    data["scheme"] = {name: data["scheme"][name]}
    data["links"] = {}
    return run(Scenario.model_validate(data))


def test_a_link_the_scenario_assumes_joins_the_markets_from_its_year() -> None:
    outcome = run(scenario(links=assumed()))
    assert outcome.own == {
        "north": {2021: D("50.00"), 2022: D("50.00"), 2023: D("35.00")},
        "south": {2021: D("20.00"), 2022: D("20.00"), 2023: D("35.00")},
    }
    assert outcome.flows == {
        "north": {2021: D(0), 2022: D(0), 2023: D(15000)},
        "south": {2021: D(0), 2022: D(0), 2023: D(-15000)},
    }
    assert outcome.unchanged["north"] == {y: D("50.00") for y in range(2021, 2024)}
    assert outcome.prices == {}  # no one price over the horizon
    assert "from 2021 north clears alone and south clears alone" in outcome.link
    assert "from 2023 north, south share one price (the scenario's links.north_south" in (
        outcome.link
    )


def test_a_link_assumed_over_the_whole_horizon_is_reported_as_an_assumption() -> None:
    outcome = run(scenario(links=assumed(2021)))
    assert outcome.prices == {y: D("35.00") for y in range(2021, 2024)}
    assert (
        outcome.link
        == "north, south share one price (the scenario's links.north_south, an assumption)"
    )


def test_a_declared_link_with_a_start_date_inside_the_horizon_joins_from_that_year() -> None:
    outcome = run(scenario(), schemes("link south two_way since 2023-01-01"))
    assert outcome.own["north"] == {2021: D("50.00"), 2022: D("50.00"), 2023: D("35.00")}
    assert "north: link south two_way" in outcome.link


def test_a_link_that_ends_inside_the_horizon_parts_the_markets() -> None:
    # the 30,000 units north took in 2021-2022 are north's (and surrendered): after the link
    # each market clears alone again, with no debt to the other
    outcome = run(scenario(), schemes("link south two_way until 2022-12-31"))
    assert outcome.own["north"] == {2021: D("35.00"), 2022: D("35.00"), 2023: D("50.00")}
    assert outcome.own["south"][2023] == D("20.00")
    assert outcome.received == {"north": {2023: D(30000)}, "south": {2023: D(-30000)}}
    outcome = run(scenario(links=assumed(2021, 2022)))
    assert outcome.own["south"] == {2021: D("35.00"), 2022: D("35.00"), 2023: D("20.00")}


def test_banks_carry_across_the_join_and_the_explanation_says_so() -> None:
    # a bank of 30,000 each at the start: alone, north spreads it over three years
    # (abates 40,000 a year at 40.00), south over three (10,000 at 10.00), so each carries
    # 10,000 into 2023; pooled in 2023: 70,000 - 20,000 to abate = 50,000 at 25.00
    outcome = run(scenario(links=assumed(), bank=30000))
    assert outcome.own["north"] == {2021: D("40.00"), 2022: D("40.00"), 2023: D("25.00")}
    assert outcome.own["south"] == {2021: D("10.00"), 2022: D("10.00"), 2023: D("25.00")}
    assert (
        "the banks carried into 2023 from the prices before it: north 10,000 t, "
        in (outcome.why[2023])
    )


def simulate_cli(folder: Path, toml_text: str, *args: str) -> tuple[int, str, str]:
    """`etsl simulate` of the two markets with a scenario file's text."""
    scheme, toml = folder / "two.scheme", folder / "two.toml"
    scheme.write_text(schemes())
    toml.write_text(toml_text)
    return run_cli("simulate", str(scheme), "--scenario", str(toml), *args)


def test_explain_names_the_banks_carried_into_the_join(tmp_path: Path) -> None:
    code, stdout, err = simulate_cli(tmp_path, TOML, "--explain", "2023")
    assert code == 0, err
    assert "the banks carried into 2023 from the prices before it: north 0 t, south 0 t" in (stdout)


def test_the_market_table_shows_the_prices_had_the_links_not_changed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = simulate_cli(tmp_path, TOML, "-o", str(out))
    assert code == 0, err
    market = (out / "market.csv").read_text().splitlines()
    assert market[0].endswith("south.price_unlinked,south.net_imports,south.price_links_unchanged")
    assert market[3] == "2023,,EUR,0,35.00,-15000,50.00,15000,50.00,35.00,15000,20.00,-15000,20.00"


TOML = """title = "two"
years = [2021, 2023]
[prices]
currency = "EUR"
[links.north_south]
schemes = ["north", "south"]
from = 2023
source = "an assumption of this test"
""" + "".join(
    f"[scheme.{n}.inputs]\nissued = 100000\nbank = {{ 2021 = 0 }}\ncredits = 0\n"
    f'[scheme.{n}.market]\nemissions = "verified"\nbank = "bank_end"\ncurrency = "EUR"\n'
    f"[scheme.{n}.market.groups.all]\nbaseline = {{ 2021 = {b}, 2022 = {b}, 2023 = {b} }}\nmac = [[0, 0], [100, 100000]]\n"
    for n, b in (("north", 150000), ("south", 120000))
)


# ---- bad input: located, nothing written ---------------------------------------------------


@pytest.mark.parametrize(
    ("links", "key", "message"),
    [
        (assumed(2025), "links.north_south.from", "the link year 2025 is outside"),
        (assumed(2022, 2030), "links.north_south.until", "the link year 2030 is outside"),
        (assumed(2023, 2022), "links.north_south.until", "ends in 2022, before it starts"),
        (
            {"x": {"schemes": ["north", "west"], "from": 2022}},
            "links.x.schemes",
            "'west' has no market in the scenario",
        ),
        (
            {"x": {"schemes": ["north", "north"], "from": 2022}},
            "links.x.schemes",
            "a market is named twice",
        ),
    ],
)
def test_bad_links_are_located(links: dict[str, object], key: str, message: str) -> None:
    s = scenario(links=links)
    _, problems = bind_compiled(s, COMPILED, "two.toml")
    assert len(problems) == 1
    assert problems[0].column == key
    assert message in problems[0].message


def test_a_one_way_link_that_starts_inside_the_horizon_is_refused() -> None:
    text = schemes("link south inbound since 2022-01-01")
    _, problems = bind_compiled(scenario(), compile_text(text, "two.scheme").schemes, "two.toml")
    assert len(problems) == 1
    assert "from 2022 'north', 'south' are linked, but not two ways" in problems[0].message


def test_a_bad_link_on_the_command_line_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = simulate_cli(
        tmp_path, TOML.replace("from = 2023", "from = 2031"), "-o", str(out)
    )
    assert code != 0
    assert "two.toml:links.north_south.from: the link year 2031 is outside" in err
    assert not out.exists()


def test_a_link_between_currencies_needs_an_exchange_rate() -> None:
    data = scenario(links=assumed()).model_dump(by_alias=True)
    data["scheme"]["south"]["market"]["currency"] = "USD"
    _, problems = bind_compiled(Scenario.model_validate(data), COMPILED, "two.toml")
    assert [p.column for p in problems] == ["scheme.south.market.exchange_rate"]
    assert "there is no exchange rate for 2021" in problems[0].message


# ---- the property: before the join, the separate runs exactly ---------------------------------


@settings(max_examples=15, deadline=None)
@given(
    st.integers(100000, 190000),
    st.integers(100000, 190000),
    st.integers(2022, 2023),
    st.sampled_from(["0", "0.05"]),
    st.integers(0, 40000),
    st.sampled_from(["hotelling", "myopic"]),
)
def test_before_the_join_the_linked_run_is_the_separate_runs(
    north: int, south: int, join: int, rate: str, bank: int, rule: str
) -> None:
    s = scenario(north, south, assumed(join), rate, bank, rule)
    linked = run(s)
    for name in ("north", "south"):
        separate = alone(s, name)
        before = [y for y in range(YEARS[0], join)]
        assert {y: linked.own[name][y] for y in before} == {y: separate.prices[y] for y in before}
        mine = {r.year: r for r in linked.of(name)}
        theirs = {r.year: r for r in separate.of(name)}
        for year in before:
            assert mine[year].values == theirs[year].values
            assert mine[year].emissions == theirs[year].emissions
        assert all(linked.flows[name][y] == 0 for y in before)
    # from the join, one price
    assert all(linked.own["north"][y] == linked.own["south"][y] for y in range(join, YEARS[1] + 1))


def test_the_page_draws_the_bank_with_the_units_kept_after_a_link_ends(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ended = TOML.replace("from = 2023", "from = 2021\nuntil = 2022")
    code, _, err = simulate_cli(tmp_path, ended, "-o", str(out))
    assert code == 0, err
    assert "bank end with the units moved over the link" in (out / "index.html").read_text()
    market = (out / "market.csv").read_text().splitlines()
    # north's own rules see a bank of -30,000; with the 30,000 units it kept, 0
    assert market[3].split(",")[4:6] == ["50.00", "0"]
