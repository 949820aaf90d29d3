"""Differential tests: the columnar engine must agree exactly with the reference engine.

Hypothesis writes well-typed schemes (random rule graphs over + - * /, floor/ceil/round to
places, min/max/abs, if, `of` shares, tables by an enum and by period, accept limits and
combined limits, penalties) and participant tables with float traps (430 × 5 × 0.94,
thirds, 1.3 × shortfall), zeros and large magnitudes. Every value of every row must be
equal (Decimal equality, so 46000 and 46000.00 agree), and so must eligible amounts,
consequences and errors. Every bundled scheme's examples are run through both engines too.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.examples import examples_dataset
from etsl.runtime.records import Dataset, Holding, Record
from etsl.runtime.reference.sequence import run as reference_run
from etsl.runtime.results.model import ParticipantResult, Results
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

SCHEMES = Path(__file__).resolve().parent.parent / "schemes"
CATEGORIES = ("office", "factory", "shop")
Q_INPUTS = ("emissions", "q1", "q2")
N_INPUTS = ("n1",)
TRAPS = ("0", "1", "3", "430", "3450", "1000", "2021", "0.1", "0.3", "0.92", "0.94", "1.3",
         "1234.5", "16214.9", "47000", "99999.99", "1000000000000", "123456789012.345678",
         "0.000001", "7.77", "333.3")


# ---- comparing results ------------------------------------------------------------------------


def same_value(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return type(a) is type(b) and a == b


def assert_same_rows(actual: Results, expected: Results) -> None:
    assert len(actual.rows) == len(expected.rows)
    for a, b in zip(actual.rows, expected.rows, strict=True):
        assert_same_row(a, b)


def assert_same_row(a: ParticipantResult, b: ParticipantResult) -> None:
    where = f"participant {b.participant}, period {b.period}"
    assert (a.participant, a.period) == (b.participant, b.period)
    assert list(a.values) == list(b.values), where
    for name, value in b.values.items():
        assert same_value(a.values[name], value), f"{where}: {name} = {a.values[name]!r}, " \
            f"reference {value!r}"
    for unit, value in b.eligible.items():
        assert same_value(a.eligible[unit], value), f"{where}: eligible.{unit}"
    assert [(c.penalty, c.kind, c.unit, c.maximum) for c in a.consequences] == \
        [(c.penalty, c.kind, c.unit, c.maximum) for c in b.consequences], where
    for x, y in zip(a.consequences, b.consequences, strict=True):
        assert same_value(x.amount, y.amount), f"{where}: {y.kind} amount"
        assert same_value(x.minimum, y.minimum), f"{where}: {y.kind} minimum"
    assert [(e.rule, e.message) for e in a.errors] == [(e.rule, e.message) for e in b.errors]


def both(compiled: CompiledScheme, dataset: Dataset) -> tuple[Results, Results, Any]:
    actual, reason = columnar.run_with_reason(compiled, dataset)
    return actual, reference_run(compiled, dataset), reason


# ---- generated schemes ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Names:
    quantities: tuple[str, ...]  # tCO2e
    numbers: tuple[str, ...]  # dimensionless


def q_literal() -> st.SearchStrategy[str]:
    return st.sampled_from(TRAPS[:14]).map(lambda v: f"{v} tCO2e")


def n_literal() -> st.SearchStrategy[str]:
    return st.sampled_from(("0.92", "0.94", "5", "1.3", "8 %", "17 %", "(1 / 3)", "0.5", "2",
                            "0", "(2 / 7)", "1000", "0.001"))


SHARES = ("30 %", "1 / 3", "8 %", "0.5", "100 %", "2 / 3")


def quantity(names: Names, depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(names.quantities), q_literal())
    if depth <= 0:
        return leaves
    q, n, c = quantity(names, depth - 1), number(names, depth - 1), condition(names, depth - 1)
    places = st.sampled_from(("", ", 1", ", 2", ", 0"))
    return st.one_of(
        leaves,
        st.tuples(q, st.sampled_from(("+", "-")), q).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(n, q).map(lambda t: f"({t[0]} * {t[1]})"),
        st.tuples(q, n).map(lambda t: f"({t[0]} / {t[1]})"),
        st.tuples(st.sampled_from(("floor", "ceil", "round")), q, places).map(
            lambda t: f"{t[0]}({t[1]}{t[2]})"),
        st.tuples(st.sampled_from(("min", "max")), q, q).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        q.map(lambda x: f"abs({x})"),
        st.tuples(c, q, q).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(SHARES), q).map(lambda t: f"({t[0]} of {t[1]})"),
    )


def number(names: Names, depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(names.numbers), n_literal())
    if depth <= 0:
        return leaves
    n, q = number(names, depth - 1), quantity(names, depth - 1)
    return st.one_of(
        leaves,
        st.tuples(n, st.sampled_from(("+", "-", "*")), n).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(q, q).map(lambda t: f"({t[0]} / {t[1]})"),
        st.tuples(st.sampled_from(("floor", "ceil", "round")), n).map(
            lambda t: f"{t[0]}({t[1]}, 3)"),
    )


def condition(names: Names, depth: int, covered: bool = True) -> st.SearchStrategy[str]:
    q = quantity(names, max(depth - 1, 0))
    n = number(names, max(depth - 1, 0))
    simple = st.one_of(
        st.tuples(q, st.sampled_from((">", ">=", "<", "<=", "==", "!=")), q).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(n, st.sampled_from((">", "<=")), n).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.sampled_from(("category in {office, shop}", "category == factory",
                         "period == p2", "not category in {shop}")
                        + (("covered",) if covered else ())),
    )
    if depth <= 1:
        return simple
    # nested on both sides: `(a and (b or c))` needs its brackets in SQL too
    inner = condition(names, depth - 1, covered)
    return st.one_of(simple, st.tuples(inner, st.sampled_from(("and", "or")), inner).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"))


HEADER = """scheme generated "Generated" {
  gases CO2 gwp AR5
  period p1 = 2020 .. 2020
  period p2 = 2021 .. 2022
  participant firm {
    category: {office, factory, shop}
    emissions: tCO2e
    q1: tCO2e
    q2: tCO2e
    base: tCO2e/yr
    n1: number
  }
  param share = %(share)s
  table factor by category {
    | office  | %(office)s |
    | factory | 6 %% |
    %(wildcard)s
  }
  table period_factor by category, period {
    | category | p1   | p2 |
    | office   | 1    | 0.5 |
    | *        | 0.25 | 2 |
  }
  units {
    allowance a1
    credit c1
    credit c2
    credit c3 { origin = outside, vintage = 2013 }
  }
"""


@st.composite
def schemes(draw: st.DrawFn) -> str:
    header = HEADER % {
        "share": draw(st.sampled_from(("1 / 3", "8 %", "0.92", "2"))),
        "office": draw(st.sampled_from(("8 %", "17 %", "0.333"))),
        "wildcard": draw(st.sampled_from(("| * | 5 % |", "| shop | 1 |"))),
    }
    names = Names(Q_INPUTS + ("(base * years(period))",),
                  N_INPUTS + ("share", "factor", "period_factor"))
    rules = []
    for index in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            rules.append(f"  rule r{index} = {draw(quantity(names, 2))}")
            names = Names(names.quantities + (f"r{index}",), names.numbers)
        else:
            rules.append(f"  rule k{index} = {draw(number(names, 2))}")
            names = Names(names.quantities, names.numbers + (f"k{index}",))
    body = [header, *rules, f"  cap = {draw(quantity(names, 2))}"]
    if draw(st.booleans()):
        inputs = Names(Q_INPUTS, N_INPUTS)
        body.append(f"  covered when {draw(condition(inputs, 1, covered=False))}")
    body.append(surrender(draw, names))
    body.append(draw(st.sampled_from(("  banking unlimited", "  banking none",
                                      "  banking next_period up to 1000 tCO2e"))))
    body.append(penalties(draw, names))
    return "\n".join(body) + "\n}\n"


def surrender(draw: st.DrawFn, names: Names) -> str:
    limit = draw(st.one_of(
        st.sampled_from(("1 / 3 of cap", "8 % of obligation", "500 tCO2e", "cap / 3")),
        quantity(names, 1)))
    where = draw(st.sampled_from(("", " where holding.origin in {outside}",
                                  " where not holding.origin in {outside}",
                                  " where holding.vintage >= 2015",
                                  " where issuer.base > 0 tCO2e/yr")))
    combined = draw(st.sampled_from(("", "    limit c1, c2 up to 1000 tCO2e",
                                     f"    limit c2, c1 up to {draw(quantity(names, 1))}")))
    return (f"  surrender {{\n    accept a1\n    accept c1 up to {limit}\n    accept c2, c3"
            f"{where}\n{combined}\n  }}")


def penalties(draw: st.DrawFn, names: Names) -> str:
    fine = draw(st.sampled_from(("fine 100 EUR/tCO2e * shortfall",
                                 "fine 100 EUR/tCO2e * shortfall up to 250000 EUR",
                                 "fine up to 500000 EUR",
                                 "fine from 50 EUR/tCO2e * shortfall up to "
                                 "100 EUR/tCO2e * shortfall",
                                 "fine from 5 * 10 EUR/tCO2e * shortfall up to 250000 EUR")))
    order = draw(st.sampled_from(("order ceil(1.3 * shortfall)", "deduct 1.3 * shortfall",
                                  "make_good shortfall", "")))
    second = draw(st.sampled_from((
        "", f"  penalty report when {draw(condition(names, 1))} {{\n    publish\n    "
            "refund 10 EUR\n  }")))
    return (f"  penalty late when shortfall > 0 tCO2e {{\n    {fine}\n    publish\n"
            f"    {order}\n  }}\n{second}")


def decimals() -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.sampled_from(TRAPS).map(Decimal),
        st.decimals(min_value=-10**6, max_value=10**9, places=2, allow_nan=False,
                    allow_infinity=False),
        st.decimals(min_value=0, max_value=10**12, places=0, allow_nan=False,
                    allow_infinity=False),
        st.integers(0, 10**6).map(lambda i: Decimal(i) / 10),
    )


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    records, holdings = [], []
    for index in range(draw(st.integers(1, 8))):
        participant = f"P{index}"
        values: dict[str, Any] = {
            "category": draw(st.sampled_from(CATEGORIES)),
            **{name: draw(decimals()) for name in (*Q_INPUTS, "base", "n1")},
        }
        period = draw(st.sampled_from(("p1", "p2")))
        records.append(Record(participant, period, values, index + 2, "<generated>"))
        for unit in ("a1", "c1", "c2", "c3"):
            amount = draw(st.one_of(st.none(), st.sampled_from(("0", "400", "1500", "333.3",
                                                                "2500.5")).map(Decimal)))
            if amount is not None:
                holdings.append(Holding(participant, None, unit, amount))
    return Dataset(tuple(records), tuple(holdings))


STATS: Counter[str] = Counter()


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
          deadline=None)
@given(text=schemes(), dataset=datasets())
def test_generated_schemes_agree(text: str, dataset: Dataset) -> None:
    compilation = compile_text(text, "<generated>")
    assert compilation.ok, [d.message for d in compilation.diagnostics if d.severity == "error"]
    compiled = compilation.schemes["generated"]
    actual, expected, reason = both(compiled, dataset)
    event(f"engine: {actual.engine}" + (f" ({reason.reason[:40]})" if reason else ""))
    assert reason is None or "query failed" not in reason.reason, reason
    STATS[actual.engine] += 1
    STATS["rows"] += len(actual.rows)
    STATS["rows with errors"] += sum(not r.ok for r in actual.rows)
    assert_same_rows(actual, expected)
    assert actual.summary() == expected.summary()  # the columnar summary is SQL of its own


# ---- the bundled schemes' examples ----------------------------------------------------------


def bundled() -> list[CompiledScheme]:
    compilation = compile_paths([SCHEMES])
    return [compilation.schemes[n] for n in sorted(compilation.schemes)]


@pytest.mark.parametrize("compiled", bundled(), ids=lambda c: c.name)
def test_bundled_examples_agree(compiled: CompiledScheme) -> None:
    dataset = examples_dataset(compiled)
    assert dataset.records, "every bundled scheme carries examples (tests/test_library.py)"
    actual, expected, reason = both(compiled, dataset)
    assert reason is None or "query failed" not in reason.reason, reason
    assert_same_rows(actual, expected)


def test_most_bundled_schemes_run_columnar() -> None:
    engines: Counter[str] = Counter()
    for compiled in bundled():
        dataset = examples_dataset(compiled)
        if dataset.records:
            engines[both(compiled, dataset)[0].engine] += 1
    assert engines["columnar"] >= 0.8 * sum(engines.values()), engines
