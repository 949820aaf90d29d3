"""numpy int64 split fixed-point peer: ETSL's own exact semantics, in 64-bit integers.

ETSL defines `/` as the quotient rounded half-even to 18 places, so `required / 3` and
everything after it carry 18 decimals: about 25 digits, more than an int64 holds. This peer
carries such a value in two int64 arrays, ``hi`` and ``lo``:

    value = hi / 10 + lo / 10**18 tonnes,   0 <= lo < 10**17

``hi`` has the inputs' scale (tenths) and ``lo`` the rest of the 18 places. Each operation
the rule set needs has a rule on the pair that cannot overflow for inputs below 10**17 t:

- the third of a scale-1 value: ``hi, r = divmod(x, 3)`` and ``lo`` the 18-place rest of
  r/3 tenths, rounded (r is 0, 1 or 2 and a third is never a tie, so that is half-even);
- minimum and comparison: lexicographic on (hi, lo);
- subtraction: hi − hi' with a borrow of one tenth when lo' > 0;
- ``ceil(1.3 × x)``: 13·hi split into hundreds and a remainder, the fraction
  (remainder·10**17 + 13·lo) / 10**19 compared in uint64 (it is below 1.12·10**19).

It computes the same outputs as ETSL's query (cap, required reduction, eligible credits,
shortfall, order, fine), value for value: bench/columnar_bench.py checks the shortfall
against the Decimal computation at 18 places, and cap, order and fine against the exact
integers. This is a measurement of the representation an exact 64-bit ETSL engine would
use, written by hand for this one rule set; it is not an ETSL engine.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from bench.peers.numpy_fixed import prepare  # the same int64 tenths and factor

__all__ = ["compute", "evaluate", "prepare", "shortfall", "tonnes"]

Arrays = dict[str, np.ndarray]
FINE_JPY = 500_000
LO = 10**17  # one tenth of a tonne in 10**-18 t: the range of `lo`


#: The 18-place rest of a third of r tenths (r = 0, 1, 2), rounded half-even: never a tie.
THIRDS = np.array([0, (LO + 1) // 3, (2 * LO + 1) // 3], dtype=np.int64)


def compute(x: Arrays) -> Arrays:
    """Evaluate prepared int64 inputs with ETSL's arithmetic (18-place quotient)."""
    base5 = x["base10"] * 5
    cap = base5 * x["factor_pct"] // 1000  # floor(base × 5 × (1 − factor))
    required = base5 - cap * 10  # tenths
    limit_hi, rest = np.divmod(required, 3)  # required / 3, half-even to 18 places
    credits = x["credits10"]
    eligible_hi = np.minimum(credits, limit_hi)  # (credits, 0) <= (limit_hi, lo) on ties
    eligible_lo = THIRDS[rest] * (credits > limit_hi)
    borrow = eligible_lo > 0
    short_hi = x["emissions10"] - cap * 10 - eligible_hi - borrow
    owed = short_hi >= 0  # the value is negative exactly when hi is
    short_lo = (LO - eligible_lo) * (borrow & owed)
    short_hi = np.maximum(short_hi, 0)
    return {
        "cap": cap,
        "required_reduction_t10": required,
        "eligible_hi": eligible_hi,
        "eligible_lo": eligible_lo,
        "shortfall_hi": short_hi,
        "shortfall_lo": short_lo,
        "order": _ceil_13_tenths(short_hi, short_lo),
        "fine": FINE_JPY * ((short_hi > 0) | (short_lo > 0)),
    }


def _ceil_13_tenths(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """ceil(1.3 × (hi / 10 + lo / 10**18)) = ceil(13·hi / 100 + 13·lo / 10**19)."""
    whole, rest = np.divmod(hi * 13, 100)
    fraction = rest.view(np.uint64) * np.uint64(LO) + (lo * 13).view(np.uint64)
    ceiling: np.ndarray = whole + (fraction > 0) + (fraction > np.uint64(10**19))
    return ceiling


def evaluate(table: Arrays) -> Arrays:
    """Evaluate a benchmark table (see ``bench.data.make_table``)."""
    return compute(prepare(table))


def shortfall(result: Arrays, index: int) -> Decimal:
    """One facility's shortfall as a Decimal (tonnes, 18 places)."""
    return tonnes(result["shortfall_hi"][index], result["shortfall_lo"][index])


def tonnes(hi: object, lo: object) -> Decimal:
    """The pair (hi, lo) as an exact Decimal number of tonnes."""
    return Decimal(f"{int(hi) * LO + int(lo)}e-18")  # from text: no context rounds it
