"""Chains in the columnar engine: several periods of one participant, evaluated step by step
(runtime/columnar/chains.py), must agree exactly with the reference engine
(runtime/reference/sequence.py and ledger.py define what one period hands the next).

Hypothesis writes chains of 2-4 periods with offset limits, banking none / next_period /
unlimited, make-good and deductions of `excess` and `owed_unpaid`, and participant tables
whose participants skip periods, come in any order and give their holdings as columns or
holdings rows; every value of every row must equal the reference engine's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from etsl.compiler.driver import CompiledScheme, compile_text
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.records import Dataset, Holding, Record
from etsl.runtime.reference.sequence import run as reference_run
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.test_columnar_differential import assert_same_rows

PERIODS = ("p1", "p2", "p3", "p4")
AMOUNTS = ("0", "1", "400", "1500", "333.3", "2500.5", "10000", "0.000001", "99999.99")


def scheme_text(
    periods: int, banking: str, limit: str, consequence: str, factor: str, extra: str = ""
) -> str:
    lines = [f"  period {p} = {2011 + 2 * i} .. {2012 + 2 * i}" for i, p in
             enumerate(PERIODS[:periods])]
    return "\n".join([
        "scheme chain {",
        *lines,
        "  participant entity { emissions: tCO2e  base: tCO2e/yr }",
        "  units { allowance a1  offset c1  credit c2 }",
        f"  cap = base * years(period) * {factor}",
        "  surrender {",
        "    accept a1",
        f"    accept c1, c2 up to {limit}",
        "  }",
        f"  banking {banking}",
        "  penalty late when shortfall > 0 tCO2e {",
        "    fine 100 EUR/tCO2e * ceil(shortfall)",
        f"    {consequence}",
        "  }",
        extra,
        "}",
    ]) + "\n"


@st.composite
def schemes(draw: st.DrawFn) -> tuple[int, str]:
    periods = draw(st.integers(2, 4))
    text = scheme_text(
        periods,
        draw(st.sampled_from(("none", "next_period", "unlimited"))),
        draw(st.sampled_from(("8 % of obligation", "1 / 3 of cap", "500 tCO2e", "cap / 3"))),
        draw(st.sampled_from((
            "make_good 4 * excess + owed_unpaid", "make_good excess + owed_unpaid",
            "deduct 1.3 * excess", "make_good excess\n    deduct 0.3 * excess", "publish",
        ))),
        draw(st.sampled_from(("0.92", "1", "1 / 3", "0.94"))),
    )
    return periods, text


def amounts() -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.sampled_from(AMOUNTS).map(Decimal),
        st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False,
                    allow_infinity=False),
    )


@st.composite
def chains(draw: st.DrawFn, periods: int) -> Dataset:
    records, holdings = [], []
    for index in range(draw(st.integers(1, 6))):
        participant = f"P{index}"
        steps = draw(st.lists(st.sampled_from(PERIODS[:periods]), min_size=1, max_size=periods,
                              unique=True))
        for period in steps:
            values: dict[str, Any] = {
                "emissions": draw(amounts()),
                "base": Decimal(draw(st.sampled_from(("430", "1000", "3450", "0.1", "47000")))),
            }
            if draw(st.booleans()):
                values["carry_in"] = draw(amounts())  # used only after a gap
            for unit in ("a1", "c1", "c2"):
                amount = draw(st.one_of(st.none(), amounts()))
                if amount is not None and draw(st.booleans()):
                    values[f"held.{unit}"] = amount
                elif amount is not None:
                    holdings.append(Holding(participant, period, unit, amount))
            records.append(Record(participant, period, values, len(records) + 2, "<generated>"))
        if draw(st.booleans()):
            holdings.append(Holding(participant, None, "c1", draw(amounts())))
    order = draw(st.permutations(records))
    return Dataset(tuple(order), tuple(holdings))


def compiled_of(text: str) -> CompiledScheme:
    compilation = compile_text(text, "<generated>")
    errors = [d.message for d in compilation.diagnostics if d.severity == "error"]
    assert compilation.ok, errors
    return compilation.schemes["chain"]


#: Each example runs a query per step: a fifth of the profile's examples (dev 30, nightly 400).
EXAMPLES = max(10, settings.default.max_examples // 5)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
          deadline=None, max_examples=EXAMPLES)
@given(data=st.data())
def test_generated_chains_agree(data: st.DataObject) -> None:
    periods, text = data.draw(schemes())
    dataset = data.draw(chains(periods))
    compiled = compiled_of(text)
    actual, reason = columnar.run_with_reason(compiled, dataset)
    expected = reference_run(compiled, dataset)
    event(f"engine: {actual.engine}" + (f" ({reason.reason[:40]})" if reason else ""))
    # the one fallback allowed: an exact value beyond DECIMAL(38) (docs/columnar.md, limits)
    assert reason is None or reason.reason.startswith("a value does not fit"), reason.reason
    assert actual.engine == ("columnar" if reason is None else "reference")
    assert_same_rows(actual, expected)
    assert [p.message for p in actual.problems] == [p.message for p in expected.problems]
