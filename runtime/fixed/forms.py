"""The three forms a number column is computed in, and the operations on any of them.

- `Form.INT`: int64, where runtime/fixed/ranges.py proves the step fits;
- `Form.PAIR`: two int64 limbs (runtime/fixed/pairs.py), where the step does not fit int64
  but its value fits the pair and every operand converts to it without overflow;
- `Form.WIDE`: Python integers (numpy object arrays): anything, exactly, slowly.

`choose(step, columns, scale)` picks the narrowest form the proof allows; `convert` brings an
operand to it; `minimum`, `maximum`, `add`, `subtract`, `where`, `compare` work on any form.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

import numpy as np
from etsl.runtime.fixed import pairs
from etsl.runtime.fixed.pairs import BASE, LIMB, Pair
from etsl.runtime.fixed.ranges import SAFE, Fixed, Step

Array = np.ndarray[Any, Any]
Values = Array | Pair


class Form(StrEnum):
    INT = "int64"
    PAIR = "pair"
    WIDE = "python"


def form_of(values: Values) -> Form:
    if isinstance(values, Pair):
        return Form.PAIR
    return Form.WIDE if values.dtype == object else Form.INT


def observed(values: Values, scale: int) -> Fixed:
    """The range of values present (a sound bound for an operation on exactly these),
    measured once per array."""
    array = values.hi if isinstance(values, Pair) else values
    known = _MEASURED.get(id(array))
    if known is None or known[0]() is not array:
        known = (weakref.ref(array, _forget(id(array))), _extent(array))
        _MEASURED[id(array)] = known
    low, high = known[1]
    if isinstance(values, Pair):
        return Fixed(scale, low * BASE, (high + (not values.whole)) * BASE)
    return Fixed(scale, low, high)


#: The least and greatest value of each array measured, while the array lives.
_MEASURED: dict[int, tuple[weakref.ref[Array], tuple[int, int]]] = {}


def _forget(key: int) -> Callable[[object], None]:
    def forget(_: object) -> None:
        _MEASURED.pop(key, None)

    return forget


def _extent(array: Array) -> tuple[int, int]:
    if not len(array):
        return 0, 0
    if pairs.constant(array):
        return int(array[0]), int(array[0])
    return int(array.min()), int(array.max())


def convertible(values: Values, scale: int, to: int) -> bool:
    """Whether values at `scale` become a pair at `to` with int64 limbs."""
    kind = form_of(values)
    if kind is Form.WIDE:
        return False
    magnitude = observed(values, scale).magnitude
    shift = to - scale
    if kind is Form.PAIR:
        return shift == 0
    factor = 10 ** (shift - LIMB if shift >= LIMB else shift)  # an int64 too, even for zeros
    return bool(factor <= SAFE and magnitude * factor <= SAFE)


def choose(step: Step, operands: Sequence[tuple[Values, int]], scale: int) -> Form:
    """INT when the analysis proved the step fits; PAIR when its result and every operand
    (values, their scale) fit two limbs at `scale`; WIDE otherwise."""
    if not step.wide:
        return Form.INT
    if step.result.magnitude // BASE + 2 > SAFE:
        return Form.WIDE
    if all(convertible(v, s, scale) for v, s in operands):
        return Form.PAIR
    return Form.WIDE


def convert(values: Values, scale: int, to: int, form: Form) -> Values:
    """Values at `scale` as `form` at scale `to` (the caller chose a form they fit)."""
    if form is Form.PAIR:
        if isinstance(values, Pair):
            return values
        return pairs.from_int(values, to - scale)
    if isinstance(values, Pair):
        values = pairs.to_object(values) if form is Form.WIDE else pairs.to_int(values)
    values = values.astype(object) if form is Form.WIDE else values.astype(np.int64, copy=False)
    if to == scale:
        return values
    factor: Any = 10 ** (to - scale)
    return values * (factor if form is Form.WIDE else np.int64(factor))


def zeros(rows: int, form: Form) -> Values:
    found = np.zeros(rows, dtype=np.int64)
    if form is Form.PAIR:
        return Pair(found, pairs.no_fraction(rows), whole=True)
    return found.astype(object) if form is Form.WIDE else found


def _either(
    on_pairs: Callable[[Pair, Pair], Pair], on_arrays: Callable[[Array, Array], Array]
) -> Callable[[Values, Values], Values]:
    def apply(a: Values, b: Values) -> Values:
        if isinstance(a, Pair) and isinstance(b, Pair):
            return on_pairs(a, b)
        assert not isinstance(a, Pair) and not isinstance(b, Pair), "one form per operation"
        return on_arrays(a, b)

    return apply


add = _either(pairs.add, lambda a, b: a + b)
subtract = _either(pairs.subtract, lambda a, b: a - b)
minimum = _either(pairs.minimum, np.minimum)
maximum = _either(pairs.maximum, np.maximum)

_ARRAY_COMPARISONS: dict[str, Callable[[Array, Array], Array]] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def compare(op: str, a: Values, b: Values) -> Array:
    if isinstance(a, Pair) and isinstance(b, Pair):
        return pairs.COMPARISONS[op](a, b)
    assert not isinstance(a, Pair) and not isinstance(b, Pair), "one form per operation"
    return np.asarray(_ARRAY_COMPARISONS[op](a, b), dtype=bool)


def where(condition: Array, a: Values, b: Values) -> Values:
    if isinstance(a, Pair) and isinstance(b, Pair):
        return pairs.where(condition, a, b)
    assert not isinstance(a, Pair) and not isinstance(b, Pair), "one form per operation"
    found: Array = np.where(condition, a, b)
    return found


def negate(a: Values) -> Values:
    return pairs.negate(a) if isinstance(a, Pair) else -a


def absolute(a: Values) -> Values:
    return pairs.absolute(a) if isinstance(a, Pair) else abs(a)


def clipped_at_zero(a: Values) -> Values:
    """max(a, 0)."""
    if isinstance(a, Pair):
        return pairs.clipped_at_zero(a)
    found: Array = np.maximum(a, 0)
    return found
