"""Columns of the fixed-point engine and the integer arithmetic on them.

A `Column` holds one value per row and `bad`, the rows where it could not be computed (a
missing input, a division by zero, a missing table entry, …): the engine hands those rows
to the reference engine, which reports them. Numbers are scaled integers (`scale`) in int64
arrays, or in object arrays of Python integers where runtime/fixed/ranges.py could not prove
int64 safe; every rule here is exact on both.

    numbers_column([Decimal("1.5"), None])   # Column(values=[15, 0], bad=[F, T], scale=1)
    divide_half_even(n, d)                    # numbers.divide on scaled integers
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np
from etsl.compiler.numbers import PRECISION, digit_counts
from etsl.runtime.fixed.pairs import Pair
from etsl.runtime.fixed.ranges import Fixed, fits, scaled_int

Array = np.ndarray[Any, Any]


class Kind(StrEnum):
    NUMBER = "number"
    FLAG = "flag"  # a boolean
    TEXT = "text"  # an enumeration value, a period name, a participant type


@dataclass(frozen=True, slots=True)
class Column:
    """Numbers: scaled integers at `scale`; flags: booleans; text: codes into `labels` (a
    bad row holds code 0)."""

    kind: Kind
    values: Array | Pair
    bad: Array
    scale: int = 0
    labels: tuple[str, ...] = ()

    @property
    def array(self) -> Array:
        """The values as one array (flags, text codes, numbers not in two limbs)."""
        assert not isinstance(self.values, Pair), "a number in two limbs"
        return self.values

    def value(self, row: int) -> Decimal | bool | str:
        """One row's value as the reference engine gives it."""
        if isinstance(self.values, Pair):
            return to_decimal(self.values.item(row), self.scale)
        raw = self.values[row]
        if self.kind is Kind.NUMBER:
            return to_decimal(int(raw), self.scale)
        if self.kind is Kind.FLAG:
            return bool(raw)
        return self.labels[int(raw)]


def text_column(values: Sequence[object]) -> Column:
    """Names (anything that is not text is a bad row) as codes into their labels."""
    index: dict[str, int] = {"": 0}
    codes = [index.setdefault(v, len(index)) if isinstance(v, str) else 0 for v in values]
    bad = np.array([not isinstance(v, str) for v in values], dtype=bool)
    return Column(Kind.TEXT, np.array(codes, dtype=np.int64), bad, labels=tuple(index))


def text_full(rows: int, value: str, bad: Array) -> Column:
    return Column(Kind.TEXT, np.zeros(rows, dtype=np.int64), bad, labels=(value,))


def codes_in(column: Column, labels: Sequence[str]) -> Array:
    """A text column's codes in another list of labels (-1 where a label is not in it)."""
    where = {label: i for i, label in enumerate(labels)}
    mapping = np.array([where.get(label, -1) for label in column.labels], dtype=np.int64)
    codes: Array = mapping[column.array]
    return codes


def unified(a: Column, b: Column) -> tuple[tuple[str, ...], Array, Array]:
    """Two text columns' codes in one list of labels."""
    labels = tuple(dict.fromkeys((*a.labels, *b.labels)))
    return labels, codes_in(a, labels), codes_in(b, labels)


def label_lookup(column: Column, table: Sequence[Any], dtype: Any) -> Array:
    """Each row's entry of `table`, a value per label of the column."""
    found: Array = np.array(table, dtype=dtype)[column.array]
    return found


def to_decimal(scaled: int, scale: int) -> Decimal:
    """A scaled integer as an exact Decimal (built from text: no context rounds it)."""
    return Decimal(f"{scaled}E{-scale}") if scale else Decimal(scaled)


def no_rows_bad(rows: int) -> Array:
    return np.zeros(rows, dtype=bool)


def numbers_column(values: Sequence[object]) -> tuple[Column, Fixed]:
    """Exact decimals (None or anything else is a bad row) as a number column, and its
    range: the data's own, with 0 (the value bad rows hold)."""
    good = [isinstance(v, Decimal) and v.is_finite() for v in values]
    scale = max((_places(v) for v, ok in zip(values, good, strict=True) if ok), default=0)
    ints = [scaled_int(v, scale) if ok else 0 for v, ok in zip(values, good, strict=True)]  # type: ignore[arg-type]
    low, high = min(ints, default=0), max(ints, default=0)
    found = Fixed(scale, min(low, 0), max(high, 0))
    array = np.array(ints, dtype=np.int64 if fits(found) else object)
    return Column(Kind.NUMBER, array, ~np.array(good, dtype=bool), scale), found


def _places(value: object) -> int:
    assert isinstance(value, Decimal)
    return digit_counts(value)[0]


def integer_column(scaled: Array, scale: int, bad: Array | None = None) -> tuple[Column, Fixed]:
    """Scaled int64 integers already in memory (the benchmark's form) as a number column."""
    rows = len(scaled)
    found = Fixed(scale, min(int(scaled.min(initial=0)), 0), max(int(scaled.max(initial=0)), 0))
    return Column(Kind.NUMBER, scaled, no_rows_bad(rows) if bad is None else bad, scale), found


# ---- integer arithmetic ----------------------------------------------------------------------


def as_width(values: Array, wide: bool) -> Array:
    """int64 or Python integers, as the analysis decided for the operation."""
    if wide:
        return values if values.dtype == object else values.astype(object)
    return values if values.dtype == np.int64 else values.astype(np.int64)


def settle(values: Array, result: Fixed) -> Array:
    """Back to int64 where the result's range fits (a wide step can give a narrow value)."""
    return as_width(values, not fits(result))


def rescaled(values: Array, scale: int, to: int, wide: bool) -> Array:
    values = as_width(values, wide)
    if to == scale:
        return values
    factor: Any = 10 ** (to - scale)
    return values * (factor if wide else np.int64(factor))


def divide_half_even(n: Array, d: Array) -> tuple[Array, Array]:
    """n / d rounded half-even to an integer, and the rows dividing by zero (they divide by
    1 instead and are bad)."""
    zero = d == 0
    d = np.where(zero, 1, d)
    negative = (n < 0) != (d < 0)
    n, d = abs(n), abs(d)
    q = n // d
    r = n - q * d
    twice = r * 2
    up = (twice > d) | ((twice == d) & ((q % 2) == 1))
    q = q + up
    return np.where(negative, -q, q), zero


def floor_shift(x: Array, factor: int, wide: bool) -> Array:
    return x // (factor if wide else np.int64(factor))


def ceil_shift(x: Array, factor: int, wide: bool) -> Array:
    return -((-x) // (factor if wide else np.int64(factor)))


def round_half_up_shift(x: Array, factor: int, wide: bool) -> Array:
    """Half away from zero (numbers.round_half_up)."""
    f: Any = factor if wide else np.int64(factor)
    q = (abs(x) + f // 2) // f
    rounded: Array = np.where(x < 0, -q, q)
    return rounded


#: |scaled| at or beyond this has more than PRECISION digits: the reference engine reports
#: such a value (numbers.TOO_LARGE), so the row is handed to it.
TOO_LARGE = 10**PRECISION


def too_large(values: Array) -> Array:
    if values.dtype != object:
        return np.zeros(len(values), dtype=bool)
    result: Array = abs(values) >= TOO_LARGE
    return result.astype(bool)
