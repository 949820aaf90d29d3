"""Two-limb integers: a wide scaled integer as two int64 arrays, `hi × 10^16 + lo`.

A quotient has 18 decimal places, so a tonnage of 10^5 t divided by 3 is a 24-digit scaled
integer: too wide for int64, and Python integers (object arrays) are about 30× slower than
int64. A `Pair` keeps such a column in two int64 arrays with `0 <= lo < BASE`; each rule
here is exact where runtime/fixed/ranges.py proves `hi` fits (runtime/fixed/evaluate.py
checks the conditions each rule states before choosing it):

- `divide`: an int64 numerator already scaled to `× BASE` by an int64 divisor of at most
  SAFE / 10, half-even (numbers.divide), by long division in chunks of digits;
- `add`, `subtract`, `negate`, `absolute`, comparisons, `minimum`/`maximum`, `where`;
- `times`: by an int64 column of magnitude at most 10^9 (the limb is split in two);
- `floor_to`, `ceil_to`, `round_to`: by 10^LIMB × f (a rounding to places at or above the
  limb), giving int64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]

LIMB = 16
BASE = 10**LIMB
#: `times` splits the limb at 10^HALF, so a factor up to 10^9 keeps every product in int64.
HALF = 8
MAX_FACTOR = 10**9
#: A scalar factor up to this multiplies `lo` (below BASE) within int64 in one step.
SMALL_FACTOR = (2**63 - 1) // BASE // 4


@dataclass(frozen=True, slots=True)
class Pair:
    """`whole`: every `lo` is 0 (an int64 value brought to the pair's scale, a sum of such):
    the rules below then skip the carries, and `hi` alone orders the values."""

    hi: Array
    lo: Array
    whole: bool = False

    def __len__(self) -> int:
        return len(self.hi)

    def item(self, row: int) -> int:
        whole: int = int(self.hi[row]) * BASE + int(self.lo[row])
        return whole

    def take(self, index: Array) -> Pair:
        return Pair(self.hi[index], self.lo[index], self.whole)


def normalized(hi: Array, lo: Array) -> Pair:
    """Carry `lo` back into [0, BASE) (|lo| below a few BASE)."""
    carry = lo // np.int64(BASE)
    hi = hi + carry
    lo = lo - carry * np.int64(BASE)
    return Pair(hi, lo)


def from_int(values: Array, shift: int) -> Pair:
    """int64 values × 10^shift as a pair (the caller proved the result's `hi` fits)."""
    if shift >= LIMB:
        hi = values * np.int64(10 ** (shift - LIMB)) if shift > LIMB else values
        return Pair(hi, no_fraction(len(values)), whole=True)
    scaled = values * np.int64(10**shift)
    hi = scaled // BASE
    return Pair(hi, scaled - hi * BASE)


def no_fraction(rows: int) -> Array:
    """The `lo` of a whole pair: one 0 broadcast over the rows (read, never written)."""
    return np.broadcast_to(np.int64(0), rows)


def from_object(values: Array) -> Pair:
    hi = values // BASE
    return Pair(hi.astype(np.int64), (values - hi * BASE).astype(np.int64))


def to_object(pair: Pair) -> Array:
    result: Array = pair.hi.astype(object) * BASE + pair.lo.astype(object)
    return result


def to_int(pair: Pair) -> Array:
    """As int64 (the caller proved the value fits)."""
    result: Array = pair.hi * np.int64(BASE)
    if not pair.whole:
        result += pair.lo
    return result


def add(a: Pair, b: Pair) -> Pair:
    """The limbs' sum is below 2·BASE: one carry at most (a comparison, no division)."""
    if b.whole or a.whole:
        return Pair(a.hi + b.hi, a.lo if b.whole else b.lo, a.whole and b.whole)
    lo = a.lo + b.lo
    over = lo >= BASE
    hi = a.hi + b.hi
    hi += over
    np.subtract(lo, BASE, out=lo, where=over)
    return Pair(hi, lo)


def subtract(a: Pair, b: Pair) -> Pair:
    if b.whole:
        return Pair(a.hi - b.hi, a.lo, a.whole)
    lo = a.lo - b.lo
    under = lo < 0
    hi = a.hi - b.hi
    hi -= under
    np.add(lo, BASE, out=lo, where=under)
    return Pair(hi, lo)


def negate(a: Pair) -> Pair:
    if a.whole:
        return Pair(-a.hi, a.lo, whole=True)
    borrow = a.lo > 0
    hi = -a.hi
    hi -= borrow
    return Pair(hi, np.where(borrow, BASE - a.lo, 0))


def negative(a: Pair) -> Array:
    result: Array = a.hi < 0
    return result


def clipped_at_zero(a: Pair) -> Pair:
    """max(a, 0): a negative pair has a negative `hi`."""
    if a.whole:
        return Pair(np.maximum(a.hi, 0), a.lo, whole=True)
    below = a.hi < 0
    return Pair(np.maximum(a.hi, 0), np.where(below, 0, a.lo))


def absolute(a: Pair) -> Pair:
    return where(negative(a), negate(a), a)


def where(condition: Array, a: Pair, b: Pair) -> Pair:
    hi = np.where(condition, a.hi, b.hi)
    if a.whole and b.whole:
        return Pair(hi, a.lo, whole=True)
    return Pair(hi, np.where(condition, a.lo, b.lo))


def less(a: Pair, b: Pair) -> Array:
    """(hi, lo) in order; against a whole `b`, `a.lo >= 0` makes `hi` decide."""
    result: Array = a.hi < b.hi
    if not b.whole:
        result |= (a.hi == b.hi) & (a.lo < b.lo)
    return result


def equal(a: Pair, b: Pair) -> Array:
    result: Array = a.hi == b.hi
    if not (a.whole and b.whole):
        result &= a.lo == b.lo
    return result


COMPARISONS: dict[str, Callable[[Pair, Pair], Array]] = {
    "<": less,
    ">": lambda a, b: less(b, a),
    "<=": lambda a, b: ~less(b, a),
    ">=": lambda a, b: ~less(a, b),
    "==": equal,
    "!=": lambda a, b: ~equal(a, b),
}


def minimum(a: Pair, b: Pair) -> Pair:
    return where(less(b, a), b, a)


def maximum(a: Pair, b: Pair) -> Pair:
    return where(less(a, b), b, a)


def times(a: Pair, factor: Array) -> Pair:
    """a × factor for |factor| <= MAX_FACTOR: lo = lh·10^HALF + ll, each product in int64."""
    if constant(factor):
        factor = factor[0]  # a scalar: numpy divides and multiplies by it faster
    if a.whole:
        return Pair(a.hi * factor, a.lo, whole=True)
    if np.ndim(factor) == 0 and abs(int(factor)) <= SMALL_FACTOR:  # lo × factor fits int64
        return normalized(a.hi * factor, a.lo * factor)
    split = np.int64(10**HALF)
    lh = a.lo // split
    ll = a.lo - lh * split
    high = lh * factor  # × 10^HALF: whole BASEs and a rest below BASE
    carry = high // split
    rest = (high - carry * split) * split + ll * factor
    return normalized(a.hi * factor + carry, rest)


def constant(values: Array) -> bool:
    """One value broadcast over every row (a literal or a parameter, runtime/fixed/evaluate.py
    `full`): a rule may then use it as a scalar."""
    return values.ndim == 1 and len(values) > 0 and values.strides[0] == 0


def divide(numerator: Array, divisor: Array) -> tuple[Pair, Array]:
    """numerator × BASE / divisor half-even, and the rows dividing by zero (they divide by
    1 and are bad). Long division: the remainder (below |divisor|) takes `chunk` digits at
    a time, as many as keep it in int64. A constant divisor divides as a scalar."""
    d: Any = np.int64(abs(int(divisor[0])) or 1) if constant(divisor) else None
    zero: Array = divisor == 0 if d is None else np.full(len(divisor), divisor[0] == 0)
    if d is None:
        d = np.abs(np.where(zero, 1, divisor))
    below = numerator < 0
    flip = below != (divisor < 0) if np.ndim(d) else (below if divisor[0] >= 0 else ~below)
    n = np.abs(numerator) if below.any() else numerator
    hi = n // d  # by a scalar: numpy's fast constant division
    r = n - hi * d
    largest = int(d) if np.ndim(d) == 0 else int(d.max(initial=1))
    chunk = max(1, len(str(np.iinfo(np.int64).max // (largest * 2))) - 1)
    lo, done = hi, 0  # replaced by the first chunk's digits
    while done < LIMB:
        step = min(chunk, LIMB - done)
        scaled = r * np.int64(10**step)
        digits = scaled // d
        r = scaled - digits * d
        lo = digits if done == 0 else lo * np.int64(10**step) + digits
        done += step
    twice = r * 2
    lo += (twice > d) | ((twice == d) & ((lo & 1) == 1))
    over = lo >= BASE  # rounding up carries at most one into hi
    hi += over
    np.subtract(lo, BASE, out=lo, where=over)
    result = Pair(hi, lo)
    if flip.any():
        result = where(flip, negate(result), result)
    return result, zero


def floor_to(a: Pair, factor: int) -> Array:
    """floor(a / (BASE × factor)) as int64."""
    result: Array = a.hi // np.int64(factor)
    return result


def ceil_to(a: Pair, factor: int) -> Array:
    result: Array = -((-a.hi - (a.lo > 0)) // np.int64(factor))
    return result


def round_to(a: Pair, factor: int) -> Array:
    """Half away from zero (numbers.round_half_up) of a / (BASE × factor)."""
    size = absolute(a)
    if factor == 1:
        whole = size.hi + (size.lo * 2 >= BASE)
    else:
        whole = (size.hi + np.int64(factor // 2)) // np.int64(factor)
    result: Array = np.where(negative(a), -whole, whole)
    return result
