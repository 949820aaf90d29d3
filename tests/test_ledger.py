"""The unit ledger and settlement over several periods (reference engine; the columnar
engine hands multi-period chains to it): credits keep their type, so limits hold for
credits carried over; banking rules; make-good without compounding and with a unit mix."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from etsl.runtime.records import Dataset, Holding, Record
from etsl.runtime.reference.sequence import run
from etsl.runtime.results.model import Results

from tests.test_reference_engine import compiled

LEDGER = """
scheme ledger {
  period first = 2021 .. 2023
  period second = 2024 .. 2026
  period third = 2027 .. 2029
  participant entity { emissions: tCO2e }
  units {
    allowance CCA
    offset ARBOC
    offset forest
  }
  surrender {
    accept CCA
    accept ARBOC, forest up to 4 % of obligation
  }
  banking MODE
}
"""


def chain(mode: str, rows: list[tuple[str, dict[str, str]]], **extra: str) -> Results:
    scheme = compiled(LEDGER.replace("MODE", mode))
    records = tuple(
        Record("E1", period, {"emissions": D(values.pop("emissions", "100000")),
                              **{k: D(v) for k, v in values.items()}})
        for period, values in rows
    )
    return run(scheme, Dataset(records))


def test_offsets_above_the_limit_stay_offsets_and_stay_limited() -> None:
    results = chain("unlimited", [
        ("first", {"held.CCA": "110000", "held.ARBOC": "10000"}),
        ("second", {"held.CCA": "80000"}),
    ])
    first, second = results.rows
    assert first.eligible["ARBOC"] == D(4000) and first.values["banked"] == D(14000)
    # 6,000 offsets were never surrendered: they are carried as offsets, and meet the
    # second period's 4 % limit again (they did not become 6,000 untyped banked units)
    assert second.values["carry_in"] == D(14000)
    assert second.eligible["ARBOC"] == D(4000)
    assert second.values["shortfall"] == D(2000)


def test_next_period_banking_lets_carried_offsets_expire() -> None:
    results = chain("next_period", [
        ("first", {"held.CCA": "100000", "held.ARBOC": "10000"}),
        ("second", {"held.CCA": "100000"}),
        ("third", {"held.CCA": "100000"}),
    ])
    assert [r.eligible["ARBOC"] for r in results.rows] == [D(4000), D(4000), D(0)]


def test_banking_none_carries_no_credits() -> None:
    results = chain("none", [
        ("first", {"held.CCA": "100000", "held.ARBOC": "10000"}),
        ("second", {"held.CCA": "100000"}),
    ])
    assert results.rows[1].eligible["ARBOC"] == 0


def test_banking_rules_drop_and_cap_lots() -> None:
    rules = ("unlimited {\n except forest where holding.vintage < 2022\n"
             " limit ARBOC up to 1000 tCO2e\n }")
    scheme = compiled(LEDGER.replace("MODE", rules))
    records = (Record("E1", "first", {"emissions": D(0)}), Record("E1", "second",
                                                                  {"emissions": D(100000)}))
    holdings = (
        Holding("E1", "first", "ARBOC", D(3000), {"vintage": D(2021)}),
        Holding("E1", "first", "forest", D(500), {"vintage": D(2021)}),
        Holding("E1", "first", "forest", D(700), {"vintage": D(2023)}),
    )
    second = run(scheme, Dataset(records, holdings)).rows[1]
    assert second.eligible["ARBOC"] == D(1000)  # capped at 1,000 when leaving the period
    assert second.eligible["forest"] == D(700)  # the 2021 vintage expired


def test_an_exception_for_the_allocation_type_folds_into_banked() -> None:
    scheme = compiled("""
scheme eu {
  phase phase1 = 2005 .. 2007
  phase phase2 = 2008 .. 2012
  participant installation { emissions: tCO2e  allocation_in: tCO2e }
  cap = allocation_in
  units { allowance EUA }
  surrender { accept EUA }
  banking unlimited {
    except EUA where period == phase1 "Phase 1 allowances could not be banked into phase 2"
  }
}
""")
    records = (
        Record("I1", "phase1", {"emissions": D(900), "allocation_in": D(1000)}),
        Record("I1", "phase2", {"emissions": D(900), "allocation_in": D(1000)}),
    )
    first, second = run(scheme, Dataset(records)).rows
    assert first.values["surplus"] == D(100) and first.values["banked"] == 0
    assert second.values["carry_in"] == 0 and second.values["banked"] == D(100)


SETTLEMENT = """
scheme settle {
  period first = 2021 .. 2023
  period second = 2024 .. 2026
  participant entity { emissions: tCO2e }
  units {
    allowance CCA
    offset ARBOC
  }
  surrender {
    accept CCA
    accept ARBOC up to 4 % of obligation
  }
  banking unlimited
  penalty untimely when shortfall > 0 tCO2e {
    make_good MAKE_GOOD
  }
}
"""


@pytest.mark.parametrize(
    ("make_good", "owed"),
    [
        # 4 × shortfall multiplies units still owed again each period (what the warning
        # make-good-compounds is about); 4 × excess + owed_unpaid does not.
        ("4 * shortfall", [D(40000), D(160000), D(640000)]),
        ("4 * excess + owed_unpaid", [D(40000), D(40000), D(40000)]),
    ],
)
def test_make_good_on_excess_does_not_compound(make_good: str, owed: list[D]) -> None:
    text = SETTLEMENT.replace("MAKE_GOOD", make_good).replace(
        "period second = 2024 .. 2026", "period second = 2024 .. 2026\n  period third = 2027 .. 2029")
    scheme = compiled(text)
    records = tuple(
        Record("E1", p, {"emissions": D(100000), "held.CCA": D(held)})
        for p, held in (("first", 90000), ("second", 100000), ("third", 100000))
    )
    results = run(scheme, Dataset(records))
    assert [r.total("make_good") for r in results.rows] == owed


def test_the_unit_mix_of_an_untimely_surrender_settles_in_the_next_period() -> None:
    scheme = compiled(SETTLEMENT.replace(
        "MAKE_GOOD", "4 * excess + owed_unpaid with CCA at least 75 %"))
    records = (
        Record("E1", "first", {"emissions": D(100000), "held.CCA": D(90000)}),
        Record("E1", "second", {"emissions": D(100000), "held.CCA": D(130000),
                                "held.ARBOC": D(15000)}),
    )
    first, second = run(scheme, Dataset(records)).rows
    (owed,) = first.consequences
    assert owed.amount == D(40000)
    assert owed.mix is not None and owed.mix.amount == D(30000)  # at least 30,000 t of CCA
    # 4,000 t of offsets under the 4 % limit, plus up to 10,000 t for the units owed
    assert second.eligible["ARBOC"] == D(14000)
    assert second.values["shortfall"] == 0
