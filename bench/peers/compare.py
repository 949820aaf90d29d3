"""Count per-facility mismatches against the exact result.

``exact`` is a result of ``python_decimal`` (Decimal lists) or ``numpy_fixed``
(int arrays; ``*_t30`` keys are in thirtieths of a tonne). ``other`` may be any
peer's result: float arrays, int arrays or Decimal lists.

* ``cap``, ``order``, ``fine`` are whole numbers: a value differs unless it
  equals the exact integer (a float 2020.9999999 floored to 2020 vs 2021 counts).
* ``shortfall``: exact peers must match exactly (in 1/30 t). A float differs when
  it disagrees on "is there a shortfall" or is off by more than ``SHORTFALL_TOL``
  tonnes; ``shortfall_not_nearest`` counts floats that are not the double nearest
  to the exact value (rounding noise, informational).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Context, Decimal, localcontext
from typing import Any

import numpy as np

Result = Mapping[str, Any]
WHOLE_OUTPUTS = ("cap", "order", "fine")
SHORTFALL_TOL = 1e-6  # tonnes
_THIRTY = Decimal(30)
_T30_SLACK = Decimal("1e-30")  # Decimal oracle's bound on its 1/3 rounding, ×30


def mismatches(exact: Result, other: Result) -> dict[str, int]:
    """Per output, how many facilities ``other`` gets different from ``exact``."""
    counts = {name: _count(_whole(exact, name) != _numeric(other[name])) for name in WHOLE_OUTPUTS}
    exact30 = _t30(exact)
    other30 = _t30(other) if _is_exact(other) else None
    if other30 is not None:
        counts["shortfall"] = _count(exact30 != other30)
        counts["shortfall_not_nearest"] = 0
        return counts
    value = _numeric(other["shortfall"]).astype(np.float64)
    nearest = exact30 / 30.0  # correctly rounded: both operands are exact doubles
    wrong = ((value > 0) != (exact30 > 0)) | (np.abs(value - nearest) > SHORTFALL_TOL)
    counts["shortfall"] = _count(wrong)
    counts["shortfall_not_nearest"] = _count(value != nearest)
    return counts


def _count(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask))


def _is_exact(result: Result) -> bool:
    return "shortfall_t30" in result or _is_decimal(result.get("shortfall"))


def _is_decimal(column: Any) -> bool:
    return isinstance(column, Sequence) and len(column) > 0 and isinstance(column[0], Decimal)


def _numeric(column: Any) -> np.ndarray:
    """Whole-number Decimals become int64; arrays pass through."""
    if _is_decimal(column):
        return _decimal_ints(column)
    return np.asarray(column)


def _whole(exact: Result, name: str) -> np.ndarray:
    column = exact[name]
    return _decimal_ints(column) if _is_decimal(column) else np.asarray(column, np.int64)


def _decimal_ints(column: Sequence[Decimal]) -> np.ndarray:
    values = [int(d) for d in column]
    if any(d != v for d, v in zip(column, values, strict=True)):
        raise ValueError("expected whole-number Decimals")
    return np.array(values, dtype=np.int64)


def _t30(result: Result) -> np.ndarray:
    """Exact shortfall in thirtieths of a tonne."""
    if "shortfall_t30" in result:
        return np.asarray(result["shortfall_t30"], np.int64)
    column: Sequence[Decimal] = result["shortfall"]
    with localcontext(Context(prec=100)):
        scaled = [d * _THIRTY for d in column]
        values = [int(s.to_integral_value()) for s in scaled]
        inexact = any(abs(s - v) > _T30_SLACK for s, v in zip(scaled, values, strict=True))
    if inexact:
        raise ValueError("shortfall is not a multiple of 1/30 t: not an exact result")
    return np.array(values, dtype=np.int64)
