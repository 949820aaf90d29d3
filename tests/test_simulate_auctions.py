"""Auction outcomes in a scenario: a share of the allowances offered goes unsold, and the
scheme's own rules say what becomes of them (here: held, and all re-offered the next year).

Hand-computed: 100,000 allowances offered each year, 10 % unsold in 2021, none in 2022.
2021 supplies 90,000 and holds 10,000; 2022 re-offers them and supplies 110,000. Against a
baseline of 100,000 t and 1,000 t of abatement per EUR, the myopic price is EUR 10.00 in
2021 (10,000 t to abate) and 0.00 in 2022; with everything sold it would be 0.00 in both.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from etsl.compiler.driver import compile_text
from etsl.runtime.simulate.bind import bind_compiled
from etsl.runtime.simulate.scenario import Scenario, load_scenario
from etsl.runtime.simulate.solve import simulate

from tests.test_simulate import run_cli

SCHEME = """
scheme auctioning {
  period p1 = 2021 .. 2022 "Compliance period"
  participant emitter {
    emissions: tCO2e "Verified emissions"
  }
  rule obligation = emissions
  system {
    input auctioned: tCO2e "Allowances offered at the year's auctions"
    input unsold:    tCO2e "Allowances offered but not sold"
    input held:      tCO2e else previous held_next "Unsold allowances held at the start of the year"
    input verified:  tCO2e "Covered emissions"
    input bank:      tCO2e else previous bank_end "Bank at the start of the year"
    rule supplied = auctioned - unsold + held "Allowances sold: this year's and every held one re-offered"
    rule held_next = unsold "Unsold allowances held at the end of the year"
    rule bank_end = bank + supplied - verified "Bank at the end of the year"
  }
}
"""


def data(share: dict[int, object], **extra: Any) -> dict[str, Any]:
    return {
        "title": "auctions",
        "years": [2021, 2022],
        "prices": {"currency": "EUR", "rule": "myopic"},
        "scheme": {
            "auctioning": {
                "inputs": {"auctioned": 100000, "held": {2021: 0}, "bank": {2021: 0}, **extra},
                "auctions": {"auctioned": "auctioned", "unsold": "unsold", "share": share},
                "market": {
                    "emissions": "verified",
                    "bank": "bank_end",
                    "currency": "EUR",
                    "groups": {
                        "all": {
                            "baseline": {2021: 100000, 2022: 100000},
                            "mac": [[0, 0], [100, 100000]],
                        }
                    },
                },
            }
        },
    }


def bound(s: Scenario) -> Any:
    compilation = compile_text(SCHEME, "auctioning.scheme")
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    return bind_compiled(s, compilation.schemes, "auctions.toml")


def test_unsold_allowances_are_supplied_as_the_scheme_declares() -> None:
    s = Scenario.model_validate(data({2021: D("0.1"), 2022: 0}))
    b, problems = bound(s)
    assert not problems
    outcome = simulate(s, b)
    rows = outcome.of("auctioning")
    assert [r.values["unsold"] for r in rows] == [D(10000), D(0)]
    assert [r.values["supplied"] for r in rows] == [D(90000), D(110000)]
    assert [r.price for r in rows] == [D("10.00"), D("0.00")]


def test_everything_sold_changes_the_price() -> None:
    s = Scenario.model_validate(data({2021: 0, 2022: 0}))
    b, _ = bound(s)
    assert [r.price for r in simulate(s, b).of("auctioning")] == [D("0.00"), D("0.00")]


def test_the_unsold_allowances_are_rounded_to_whole_allowances() -> None:
    s = Scenario.model_validate(data({2021: D("0.123456"), 2022: 0}))
    b, _ = bound(s)
    rows = simulate(s, b).of("auctioning")
    assert rows[0].values["unsold"] == D(12346)  # 12,345.6 rounded half up


def test_explain_says_where_the_unsold_allowances_come_from() -> None:
    s = Scenario.model_validate(data({2021: D("0.1"), 2022: 0}))
    b, _ = bound(s)
    outcome = simulate(s, b, trace=True)
    from etsl.runtime.reference.explain import explain_text

    result = outcome.runs["auctioning"].result(2021)
    assert result.trace is not None
    text = explain_text(result.trace, ["supplied"])
    assert (
        "unsold = 10,000 t CO2e — input, auctioned times the scenario's unsold share, 2021" in text
    )


@pytest.mark.parametrize(
    ("share", "extra", "key", "message"),
    [
        ({2021: 0}, {}, "scheme.auctioning.auctions.share", "need the share for 2022"),
        ({2021: 0, 2022: 0}, {"unsold": 5}, "scheme.auctioning.inputs.unsold", "gives it too"),
    ],
)
def test_bad_auction_outcomes_are_located(
    share: dict[int, object], extra: dict[str, object], key: str, message: str
) -> None:
    s = Scenario.model_validate(data(share, **extra))
    _, problems = bound(s)
    assert [(p.column, message in p.message) for p in problems] == [(key, True)]


def test_a_share_above_one_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    scheme = tmp_path / "auctioning.scheme"
    scheme.write_text(SCHEME)
    toml = tmp_path / "auctions.toml"
    toml.write_text(
        'title = "auctions"\nyears = [2021, 2022]\n'
        "[scheme.auctioning.inputs]\nauctioned = 100000\nheld = 0\nbank = 0\nverified = 90000\n"
        '[scheme.auctioning.auctions]\nauctioned = "auctioned"\nunsold = "unsold"\n'
        "share = { 2021 = 1.5, 2022 = 0 }\n"
    )
    scenario, problems = load_scenario(toml)
    assert scenario is None
    assert [p.column for p in problems] == ["scheme.auctioning.auctions.share.2021"]
    out = tmp_path / "out"
    code, _, err = run_cli("simulate", str(scheme), "--scenario", str(toml), "-o", str(out))
    assert code == 1
    assert "scheme.auctioning.auctions.share.2021" in err and "less than or equal to 1" in err
    assert not out.exists()
