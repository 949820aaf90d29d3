"""Exact decimal arithmetic: the one definition both engines implement.

- `+`, `-`, `*` and `of` are exact.
- `/` rounds its quotient half-even to DIVISION_PLACES (18) decimal places.
- `floor`, `ceil` and `round` (half up) round to a number of places (default 0).
- Quantities are held in base units (value × the unit's scale, exactly).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from etsl.compiler.numbers import CONTEXT, DIVISION_PLACES
from etsl.compiler.numbers import divide as _divide

__all__ = [
    "CONTEXT",
    "DIVISION_PLACES",
    "ArithmeticFault",
    "add",
    "ceil",
    "divide",
    "floor",
    "multiply",
    "round_half_up",
    "subtract",
]


class ArithmeticFault(ArithmeticError):
    """A value cannot be computed for one participant (division by zero, …)."""


def divide(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise ArithmeticFault("division by zero")
    return _divide(a, b)


def multiply(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.multiply(a, b)


def add(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.add(a, b)


def subtract(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.subtract(a, b)


def _to_places(x: Decimal, places: int, rounding: str) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=CONTEXT)


def floor(x: Decimal, places: int = 0) -> Decimal:
    return _to_places(x, places, ROUND_FLOOR)


def ceil(x: Decimal, places: int = 0) -> Decimal:
    return _to_places(x, places, ROUND_CEILING)


def round_half_up(x: Decimal, places: int = 0) -> Decimal:
    return _to_places(x, places, ROUND_HALF_UP)
