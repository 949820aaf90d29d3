"""`etsl simulate` of two markets linked one way or for credits only, as the schemes declare.

Two one-year markets, the same abatement cost curve (1,000 t per EUR), hand-computed:

- north: 100,000 allowances against a baseline of 150,000 t: alone it must abate 50,000 t,
  EUR 50.00;
- south: 100,000 against 120,000: alone EUR 20.00;
- pooled: 70,000 t to abate at 2,000 t per EUR: EUR 35.00, north's own bank is
  100,000 − 115,000 = −15,000 (it takes 15,000 units from south).

For any two such markets (Hypothesis), units never move against the link, a credit-only
link moves at most the credits issued, and prices differ only the way the link allows: the
importer's at most the exporter's when apart, at least when a credit limit binds.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from etsl.compiler.driver import compile_text
from etsl.runtime.simulate.bind import bind_compiled
from etsl.runtime.simulate.report import Report
from etsl.runtime.simulate.scenario import Scenario
from etsl.runtime.simulate.solve import Outcome, simulate
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_simulate import run_cli

MARKET = """
scheme {name} {{
  period p1 = 2021 .. 2021 "Compliance period"
  participant emitter {{
    emissions: tCO2e "Verified emissions"
  }}
  rule obligation = emissions
  units {{ allowance {name}_allowance credit north_credit credit south_credit }}
  {link}
  system {{
    input issued:   tCO2e "Allowances put into circulation"
    input credits:  tCO2e "Credits issued"
    input verified: tCO2e "Covered emissions"
    input bank:     tCO2e else previous bank_end "Bank at the start of the year"
    rule bank_end = bank + issued - verified "Bank at the end of the year"
  }}
}}
"""


def schemes(north_link: str = "", south_link: str = "") -> str:
    return MARKET.format(name="north", link=north_link) + MARKET.format(
        name="south", link=south_link
    )


def part(baseline: int, credits: int) -> dict[str, object]:
    return {
        "inputs": {"issued": 100000, "bank": 0, "credits": credits},
        "market": {
            "emissions": "verified",
            "bank": "bank_end",
            "currency": "EUR",
            "credits": "credits",
            "groups": {"all": {"baseline": {2021: baseline}, "mac": [[0, 0], [100, 100000]]}},
        },
    }


def scenario(credits: int = 0) -> Scenario:
    return Scenario.model_validate(
        {
            "title": "two markets",
            "years": [2021, 2021],
            "prices": {"currency": "EUR", "rule": "hotelling"},
            "scheme": {"north": part(150000, credits), "south": part(120000, credits)},
        }
    )


def run(text: str, s: Scenario) -> Outcome:
    compilation = compile_text(text, "two.scheme")
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    bound, problems = bind_compiled(s, compilation.schemes, "two.toml")
    assert not problems, [p.message for p in problems]
    return simulate(s, bound)


def prices(outcome: Outcome) -> dict[str, D | None]:
    return {r.scheme: r.price for r in outcome.rows}


def flows(outcome: Outcome) -> dict[str, D]:
    return {n: f[2021] for n, f in outcome.flows.items()}


def test_two_way_links_pool_the_markets() -> None:
    outcome = run(schemes("link south two_way"), scenario())
    assert outcome.prices == {2021: D("35.00")}
    assert flows(outcome) == {"north": D(15000), "south": D(-15000)}
    assert outcome.unlinked == {"north": {2021: D("50.00")}, "south": {2021: D("20.00")}}


@pytest.mark.parametrize(
    ("north_link", "south_link"),
    [("link south inbound", ""), ("", "link north outbound")],
)
def test_a_one_way_link_the_way_units_must_move_pools_the_markets(
    north_link: str, south_link: str
) -> None:
    # north may use south's units (declared by either side): units move south → north
    outcome = run(schemes(north_link, south_link), scenario())
    assert outcome.prices == {2021: D("35.00")}
    assert flows(outcome) == {"north": D(15000), "south": D(-15000)}
    assert "so the markets share one price" in outcome.link


def test_a_one_way_link_against_the_deficit_leaves_each_market_alone() -> None:
    # south may use north's units, but it is north that would need units: nothing moves,
    # and the importing side's price (south, 20) is below the exporting side's (north, 50)
    outcome = run(schemes("link south outbound"), scenario())
    assert outcome.prices == {}
    assert prices(outcome) == {"north": D("50.00"), "south": D("20.00")}
    assert flows(outcome) == {"north": D(0), "south": D(0)}
    assert "each market clears alone" in outcome.why[2021]


def test_a_credit_only_link_moves_at_most_the_credits_issued() -> None:
    # north may use south's credits only; south issues 10,000 a year: north abates 40,000
    # (EUR 40.00), south 30,000 (EUR 30.00): the gap the limit leaves
    outcome = run(schemes("link south inbound for south_credit"), scenario(credits=10000))
    assert outcome.prices == {}
    assert prices(outcome) == {"north": D("40.00"), "south": D("30.00")}
    assert flows(outcome) == {"north": D(10000), "south": D(-10000)}
    report = Report.of(scenario(10000), [], outcome)
    assert report.outcome.received == {"north": {2021: D(10000)}, "south": {2021: D(-10000)}}


def test_a_credit_limit_that_does_not_bind_pools_the_markets() -> None:
    outcome = run(schemes("link south inbound for south_credit"), scenario(credits=20000))
    assert outcome.prices == {2021: D("35.00")}
    assert flows(outcome) == {"north": D(15000), "south": D(-15000)}


def test_a_credit_only_link_needs_the_credits_issued(tmp_path: Path) -> None:
    (tmp_path / "two.scheme").write_text(schemes("link south inbound for south_credit"))
    text = scenario().model_dump_json()
    import json

    data = json.loads(text)
    del data["scheme"]["south"]["market"]["credits"]
    s = Scenario.model_validate(data)
    compilation = compile_text(schemes("link south inbound for south_credit"), "two.scheme")
    _, problems = bind_compiled(s, compilation.schemes, "two.toml")
    assert [p.column for p in problems] == ["scheme.south.market.credits"]
    assert "only credits move from 'south' to 'north'" in problems[0].message


def test_markets_without_a_link_are_refused(tmp_path: Path) -> None:
    compilation = compile_text(schemes(), "two.scheme")
    _, problems = bind_compiled(scenario(), compilation.schemes, "two.toml")
    assert len(problems) == 1
    assert "not ones the simulation joins (no link between them)" in problems[0].message


def write_two(folder: Path, link: str, credits: int = 0) -> tuple[Path, Path]:
    scheme = folder / "two.scheme"
    scheme.write_text(schemes(link))
    toml = folder / "two.toml"
    toml.write_text(
        'title = "two"\nyears = [2021, 2021]\n[prices]\ncurrency = "EUR"\n'
        + "".join(
            f"[scheme.{n}.inputs]\nissued = 100000\nbank = 0\ncredits = {credits}\n"
            f'[scheme.{n}.market]\nemissions = "verified"\nbank = "bank_end"\ncurrency = "EUR"\n'
            'credits = "credits"\n'
            f"[scheme.{n}.market.groups.all]\nbaseline = {{ 2021 = {b} }}\n"
            "mac = [[0, 0], [100, 100000]]\n"
            for n, b in (("north", 150000), ("south", 120000))
        )
    )
    return scheme, toml


def test_the_cli_reports_each_side_and_the_flows(tmp_path: Path) -> None:
    scheme, toml = write_two(tmp_path, "link south outbound")
    out = tmp_path / "out"
    code, stdout, err = run_cli("simulate", str(scheme), "--scenario", str(toml), "-o", str(out))
    assert code == 0, err
    assert "links: south may use north's units" in stdout
    market = (out / "market.csv").read_text().splitlines()
    assert market[0].split(",")[:4] == ["year", "price", "currency", "bank"]
    assert market[1] == "2021,,EUR,0,50.00,0,50.00,0,20.00,0,20.00,0"


def test_the_page_draws_the_bank_with_the_credits_moved(tmp_path: Path) -> None:
    scheme, toml = write_two(tmp_path, "link south inbound for south_credit", credits=10000)
    out = tmp_path / "out"
    code, _, err = run_cli("simulate", str(scheme), "--scenario", str(toml), "-o", str(out))
    assert code == 0, err
    page = (out / "index.html").read_text()
    assert "bank end with the credits moved over the link" in page
    assert '<a href="prices.svg">SVG</a> · <a href="prices.png">PNG</a>' in page
    assert '<a href="market.csv">market.csv</a>' in page  # the files beside the page
    assert (out / "north.csv").read_text().splitlines()[1].endswith(",-10000")  # its own rules
    market = (out / "market.csv").read_text().splitlines()
    assert market[1] == "2021,,EUR,0,40.00,0,50.00,10000,30.00,0,20.00,-10000"


# ---- the equilibrium conditions, for any two markets ----------------------------------------

COMPILED = {
    link: compile_text(schemes(link), "two.scheme").schemes
    for link in ("link south inbound", "link south outbound", "link south inbound for south_credit")
}


def markets(north: int, south: int, credits: int) -> Scenario:
    data = scenario(credits).model_dump()
    data["scheme"]["north"]["market"]["groups"]["all"]["baseline"] = {2021: north}
    data["scheme"]["south"]["market"]["groups"]["all"]["baseline"] = {2021: south}
    return Scenario.model_validate(data)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(sorted(COMPILED)),
    st.integers(100000, 190000),
    st.integers(100000, 190000),
    st.integers(0, 50000),
)
def test_units_move_only_the_way_the_link_allows_and_prices_gap_only_that_way(
    link: str, north: int, south: int, credits: int
) -> None:
    s = markets(north, south, credits)
    bound, problems = bind_compiled(s, COMPILED[link], "two.toml")
    assert not problems
    outcome = simulate(s, bound)
    source, target = ("north", "south") if "outbound" in link else ("south", "north")
    price = prices(outcome)
    moved = flows(outcome)
    assert moved[source] + moved[target] == 0
    assert moved[target] >= 0  # never against the link
    if "credit" in link:
        assert moved[target] <= credits
    if outcome.prices:  # joined: one price
        assert price[source] == price[target]
    elif "clears alone" in outcome.link:  # apart: the importer pays at most the exporter
        assert moved[target] == 0
        assert price[target] is not None and price[source] is not None
        assert price[target] <= price[source]
    else:  # at the limit: the limit holds the importing side's price up
        assert "each market clears with them" in outcome.link
        assert moved[target] == credits
        assert price[target] is not None and price[source] is not None
        assert price[target] >= price[source]


def test_a_sweep_of_linked_markets_shows_each_markets_price(tmp_path: Path) -> None:
    scheme, toml = write_two(tmp_path, "link south inbound for south_credit", credits=10000)
    out = tmp_path / "out"
    vary = "scheme.south.inputs.credits=10000,20000"
    code, _, err = run_cli(
        "simulate", str(scheme), "--scenario", str(toml), "--vary", vary, "-o", str(out)
    )
    assert code == 0, err
    assert (out / "sweep.csv").read_text().splitlines() == [
        f"{vary.split('=')[0]},price.2021,north.price.2021,south.price.2021,bank.2021,error",
        "10000,,40.00,30.00,0,",  # at the limit: a price each
        "20000,35.00,35.00,35.00,0,",  # joined: one price
    ]
