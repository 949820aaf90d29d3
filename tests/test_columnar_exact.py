"""The columnar engine's arithmetic, checked value by value against compiler/numbers.py.

Division is the delicate part: DuckDB's DECIMAL division returns DOUBLE, so the compiler
rewrites it to integer arithmetic with half-even rounding to 18 places. Ties (a quotient
whose 19th decimal is exactly 5 and nothing follows) are generated on purpose.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from etsl.compiler import numbers as arith
from etsl.compiler.driver import CompiledScheme, compile_text
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.records import Dataset, Record
from etsl.runtime.results.model import Results
from hypothesis import given, settings
from hypothesis import strategies as st

SCHEME = """scheme arithmetic "Arithmetic" {
  participant p { a: number  b: number }
  rule quotient = a / b
  rule floored = floor(a, 2)
  rule ceiled = ceil(a, 1)
  rule rounded = round(a, 3)
  rule whole = round(a)
  rule product = a * b
  rule smaller = min(a, b)
  rule negated = -a
  rule chosen = if a > b then a - b else b / 3
  rule floor_quotient = floor(a / b, 3)
  rule ceil_quotient = ceil(a / b)
  rule round_quotient = round(a / b, 2)
  rule round_whole = round(a / b)
}
"""


def compiled() -> CompiledScheme:
    compilation = compile_text(SCHEME, "<arithmetic>")
    assert compilation.ok
    return compilation.schemes["arithmetic"]


COMPILED = compiled()


def run(pairs: list[tuple[Decimal, Decimal]]) -> Results:
    records = tuple(Record(f"p{i}", None, {"a": a, "b": b}) for i, (a, b) in enumerate(pairs))
    results, reason = columnar.run_with_reason(COMPILED, Dataset(records))
    assert reason is None, reason
    assert results.engine == "columnar"
    return results


def expected(a: Decimal, b: Decimal) -> dict[str, Decimal | None]:
    return {
        "quotient": arith.divide(a, b) if b else None,
        "floored": arith.floor(a, 2), "ceiled": arith.ceil(a, 1),
        "rounded": arith.round_half_up(a, 3), "whole": arith.round_half_up(a),
        "product": arith.multiply(a, b), "smaller": min(a, b), "negated": -a,
        "chosen": arith.subtract(a, b) if a > b else arith.divide(b, Decimal(3)),
        **_rounded_quotients(a, b),
    }


def _rounded_quotients(a: Decimal, b: Decimal) -> dict[str, Decimal | None]:
    if not b:
        return dict.fromkeys(("floor_quotient", "ceil_quotient", "round_quotient",
                              "round_whole"))
    q = arith.divide(a, b)
    return {"floor_quotient": arith.floor(q, 3), "ceil_quotient": arith.ceil(q),
            "round_quotient": arith.round_half_up(q, 2), "round_whole": arith.round_half_up(q)}


def check(pairs: list[tuple[Decimal, Decimal]]) -> None:
    results = run(pairs)
    for row, (a, b) in zip(results.rows, pairs, strict=True):
        for name, value in expected(a, b).items():
            assert row.values[name] == value, f"{name}({a}, {b}) = {row.values[name]}, " \
                f"expected {value}"


def test_quotients_round_half_even_at_18_places() -> None:
    ulp = Decimal("1e-18")
    ties = [(Decimal(2 * q + 1), Decimal(2) * 10**18) for q in (0, 1, 2, 7, 10**6)]
    ties += [(-a, b) for a, b in ties] + [(a, -b) for a, b in ties[:3]]
    check(ties)
    assert run([(Decimal(1), Decimal(2 * 10**18))]).rows[0].values["quotient"] == 0
    assert run([(Decimal(3), Decimal(2 * 10**18))]).rows[0].values["quotient"] == 2 * ulp
    assert run([(Decimal(-3), Decimal(2 * 10**18))]).rows[0].values["quotient"] == -2 * ulp


def test_quotients_by_small_divisors_use_64_bit_long_division() -> None:
    # 1 / 2**19 = 0.0000019073486328125: the 19th place is a 5 and nothing follows
    assert run([(Decimal(1), Decimal(2**19))]).rows[0].values["quotient"] == \
        Decimal("0.000001907348632812")
    assert run([(Decimal(3), Decimal(2**19))]).rows[0].values["quotient"] == \
        Decimal("0.000005722045898438")
    check([(Decimal(a) / 10, Decimal(b)) for a in (-7, 1, 5, 10**9 + 1, 123456789)
           for b in (3, 7, -9, 11, 2**19, 999983)])


def test_floor_and_ceil_to_places_of_a_wide_quotient() -> None:
    """floor(a / b, 3) of a quotient with 15 integer digits and 18 decimals: multiplying by
    1000 first would outgrow DECIMAL(38) (Hypothesis found 450715155526 / 0.000003)."""
    check([(Decimal("450715155526"), Decimal("0.000003")),
           (Decimal("-450715155526"), Decimal("0.000007"))])


def test_float_traps_are_exact() -> None:
    results = run([(Decimal(430) * 5, Decimal("0.94")), (Decimal(3450) * 5, Decimal("0.94")),
                   (Decimal(1000) * 5, Decimal("0.92"))])
    assert [r.values["product"] for r in results.rows] == [
        Decimal("2021.00"), Decimal("16215.00"), Decimal("4600.00")]
    check([(Decimal("10000"), Decimal(3)), (Decimal("0.1"), Decimal("0.3")),
           (Decimal("1234.5"), Decimal("-0.07"))])


def test_division_by_zero_is_an_error_of_the_row() -> None:
    results = run([(Decimal(1), Decimal(0)), (Decimal(1), Decimal(4))])
    first, second = results.rows
    assert first.errors and all("division by zero" in e.message for e in first.errors)
    assert first.values["quotient"] is None and first.values["product"] == 0
    assert second.ok and second.values["quotient"] == Decimal("0.25")


def test_rounding_128_bit_values_is_exact() -> None:
    # quotients have 18 places, so these take the DOUBLE-guess-and-correct path
    pairs = [(Decimal(a), Decimal(b)) for a in ("-7.5", "10", "1", "-1", "2.5", "-2.5",
                                                  "0.000000000000000001", "999999999999")
             for b in ("3", "7", "-3", "0.7", "2", "-2", "1", "4")]
    check(pairs)
    results = run([(Decimal(-5), Decimal(2)), (Decimal(5), Decimal(2))])
    assert [r.values["round_whole"] for r in results.rows] == [Decimal(-3), Decimal(3)]
    assert [r.values["ceil_quotient"] for r in results.rows] == [Decimal(-2), Decimal(3)]


def test_negative_rounding_is_half_away_from_zero() -> None:
    check([(Decimal("-2.5"), Decimal(1)), (Decimal("-0.0005"), Decimal(1)),
           (Decimal("-1.25"), Decimal(1)), (Decimal("-1.05"), Decimal(1))])


numbers = st.builds(
    lambda digits, places, negative: Decimal(digits).scaleb(-places) * (-1 if negative else 1),
    st.integers(0, 10**12), st.integers(0, 6), st.booleans())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(numbers, numbers), min_size=1, max_size=12))
def test_random_arithmetic_matches_arith(pairs: list[tuple[Decimal, Decimal]]) -> None:
    check([(a, b) for a, b in pairs if b != 0] or [(Decimal(1), Decimal(3))])


@pytest.mark.parametrize("shape", ["cte", "nested"])
def test_both_query_shapes_agree(shape: str) -> None:
    from etsl.runtime.columnar.sql.compile import Shape

    records = tuple(Record(f"p{i}", None, {"a": Decimal(i * 7) / 3, "b": Decimal(i + 1)})
                    for i in range(5))
    results, reason = columnar.run_with_reason(COMPILED, Dataset(records),
                                               shape=Shape(shape))
    assert reason is None
    for row, record in zip(results.rows, records, strict=True):
        assert row.values["quotient"] == arith.divide(record.values["a"], record.values["b"])
