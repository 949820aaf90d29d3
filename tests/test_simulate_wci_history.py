"""California and Québec against the joint market's published history (docs/simulate.md,
"Validation against history").

`wci_history` lets the two schemes' system levels compute, from California's budgets and
Québec's caps, the allowances each vintage issues and offers at the Advance Auctions, and
California's auction reserve price. The scenario checks each scheme's own figures; the tests
below add the figures published for the two together (joint auctions, the Compliance
Instrument Report) and the settlement prices against the floor. Every comparison is exact:
the inputs (budgets, caps, shares, published prices) are exact.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import compile_paths
from etsl.runtime.simulate.bind import bind_compiled
from etsl.runtime.simulate.report import Check, Report
from etsl.runtime.simulate.scenario import load_scenario
from etsl.runtime.simulate.solve import simulate

from etsl.cli import cli
from tests.golden import REPO

WORLD = REPO / "schemes" / "world"
SCHEMES = [WORLD / "california.scheme", WORLD / "quebec.scheme"]
HISTORY = REPO / "examples" / "scenarios" / "wci_history.toml"


def report(changes: dict[str, D] | None = None) -> Report:
    loaded, problems = load_scenario(HISTORY, changes)
    assert loaded is not None, [p.render() for p in problems]
    compilation = compile_paths(SCHEMES)
    bound, problems = bind_compiled(loaded, compilation.schemes, str(HISTORY))
    assert not problems, [p.render() for p in problems]
    return Report.of(loaded, bound, simulate(loaded, bound))


def checks(r: Report) -> dict[tuple[str, str, int], Check]:
    return {(c.scheme, c.name, c.year): c for c in r.checks}


def joint(r: Report, name: str, year: int) -> D:
    """California's value plus Québec's."""
    values = [r.value(name, scheme, year) for scheme in ("california", "quebec")]
    assert all(isinstance(v, D) for v in values), values
    return sum((v for v in values if isinstance(v, D)), D(0))


@pytest.fixture(scope="module")
def history() -> Report:
    return report()


# ---- each scheme's own figures ---------------------------------------------------------------


def test_every_figure_of_the_scenario_is_reproduced_exactly(history: Report) -> None:
    found = checks(history)
    # 6 + 5 vintages of Advance Auction volumes, 9 published reserve prices
    assert len(found) == 20
    assert all(c.difference == 0 for c in found.values())
    assert found["california", "advance_auction", 2015].simulated == D(39_450_000)
    assert found["quebec", "advance_auction", 2016].simulated == D(6_319_000)


def test_the_first_advance_auctions_offered_vintage_2015_and_2016() -> None:
    # California's first Advance Auction (November 2012) offered vintage 2015, Québec's first
    # (December 2013) vintage 2016: the budgets before them offer nothing in advance
    r = report()
    assert [r.value("advance_auction", "california", y) for y in (2013, 2014)] == [0, 0]
    assert [r.value("advance_auction", "quebec", y) for y in (2013, 2014, 2015)] == [0, 0, 0]


def test_one_cent_off_in_a_rate_fails_the_published_floor() -> None:
    # 6.24 % is inside the band of rates (6.21-6.26 %) that turn 17.71 into 19.70 to the
    # cent; 6.34 % gives 19.72, and every later floor moves with it
    found = checks(report({"scheme.california.inputs.cpi.2022": D("6.34")}))
    assert found["california", "auction_reserve", 2022].difference == D("0.02")
    assert not found["california", "auction_reserve", 2023].ok


# ---- figures published for the two together ---------------------------------------------------

# vintage: allowances offered at each quarterly Advance Auction (California and Québec together)
JOINT_ADVANCE_QUARTER = {
    2020: 9_723_500,  # August 2017, offered and sold (Climate Solutions Group, secondary)
    2023: 8_672_250,  # February 2020 (Québec ministry)
    2024: 8_306_250,  # August 2021, sold (CPA newsletter relaying the ministry, secondary)
    2025: 7_942_750,  # November 2022, offered and sold (CARB)
    2026: 7_577_000,  # May 2023 (Québec ministry)
    2028: 6_847_750,  # February 2025 (Québec ministry)
    2029: 6_481_750,  # February 2026 (insightswire, secondary)
}


@pytest.mark.parametrize(("vintage", "published"), sorted(JOINT_ADVANCE_QUARTER.items()))
def test_joint_advance_auctions_offer_a_quarter_of_ten_percent(
    history: Report, vintage: int, published: int
) -> None:
    # §95910(c)(2)(B): a quarter of the vintage's Advance Auction allowances at each auction
    assert joint(history, "advance_auction", vintage) / 4 == published


def test_the_2018_notice_offers_ten_percent_of_the_2021_budgets(history: Report) -> None:
    # the joint notice (California, Québec, Ontario) offered 49,711,800 vintage-2021 allowances
    # in 2018; Ontario's part, four auctions of 3,026,450 (Near Zero's copy of CARB's results,
    # secondary), is not in the two schemes
    ontario = 4 * 3_026_450
    assert joint(history, "advance_auction", 2021) == 49_711_800 - ontario


# the Compliance Instrument Report released on 7 January 2016 (CITSS holdings on 4 January
# 2016; Near Zero's copy, secondary): all allowances of each vintage, in every account
CIR_VINTAGES = {
    2013: 184_140_000,
    2014: 181_071_000,
    2015: 441_408_000,
    2016: 427_766_400,
    2017: 414_220_800,
    2018: 388_051_800,
    2019: 374_929_500,
    2020: 361_714_200,
}
CIR_RESERVE = 141_818_300  # non-vintage Allowance Price Containment Reserve allowances


@pytest.mark.parametrize(("vintage", "published"), sorted(CIR_VINTAGES.items()))
def test_the_vintages_the_instrument_report_counts(
    history: Report, vintage: int, published: int
) -> None:
    # the budgets and caps less the reserve's share (§95870(a); Québec s. 38)
    assert joint(history, "vintage_issued", vintage) == published


def test_the_reserve_holds_the_shares_of_2013_2020(history: Report) -> None:
    placed = sum(joint(history, "reserve_placed", y) for y in CIR_VINTAGES)
    assert placed == CIR_RESERVE
    # California's share alone, as the reserve accounts of the two are reported together
    ca = sum(history.value("reserve_placed", "california", y) or 0 for y in CIR_VINTAGES)
    assert ca == 121_833_000


def test_the_reserve_after_2020_is_left_to_data() -> None:
    # §95871(a)'s Table 8-2 was not read: without data the vintages from 2021 are not computed
    r = report()
    assert r.value("vintage_issued", "california", 2021) is None
    assert r.value("vintage_issued", "quebec", 2021) == D(55_260_000 - 2_210_400)


# ---- the floor against settlement prices --------------------------------------------------------

# (year, auction, settlement price in USD, all sold)
SETTLEMENTS = [
    (2014, "August 2014 advance", D("11.34"), False),  # 6,470,000 of 9,260,000 sold
    (2017, "August 2017 current", D("14.75"), True),
    (2017, "August 2017 advance", D("14.55"), True),
    (2020, "February 2020 current", D("17.87"), True),
    (2020, "February 2020 advance", D("18.00"), True),
    (2021, "February 2021 current", D("17.80"), True),
    (2021, "August 2021 current", D("23.30"), True),
    (2021, "August 2021 advance", D("23.69"), True),
    (2022, "November 2022 current", D("26.80"), True),
    (2022, "November 2022 advance", D("26.00"), True),
]


@pytest.mark.parametrize(("year", "auction", "price", "sold_out"), SETTLEMENTS)
def test_no_auction_settles_below_the_floor_and_an_undersold_one_settles_at_it(
    history: Report, year: int, auction: str, price: D, sold_out: bool
) -> None:
    floor = history.value("auction_reserve", "california", year)
    assert isinstance(floor, D)
    assert price >= floor, auction
    if not sold_out:  # bids ran out before the allowances: the lowest accepted bid is the floor
        assert price == floor, auction


def test_the_cli_reports_every_check_passed() -> None:
    args = ["simulate", *map(str, SCHEMES), "--scenario", str(HISTORY)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "advance_auction" in result.stdout


def test_the_scenario_names_its_sources_with_their_confidence() -> None:
    loaded, _ = load_scenario(HISTORY)
    assert loaded is not None
    for key, text in loaded.sources.items():
        assert text.startswith(("[primary]", "[secondary]", "[assumption]")), key
    assert Path(HISTORY).read_text(encoding="utf-8").count("[primary]") >= 5
