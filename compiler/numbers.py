"""Exact decimal arithmetic: the one definition the compiler and every engine implement.

- `+`, `-`, `*` and `of` are exact.
- `/` rounds its quotient half-even to DIVISION_PLACES (18) decimal places; the compiler
  uses the same rule for unit scales and period lengths.
- `floor`, `ceil` and `round` (half up) round to a number of places (default 0).
- Quantities are held in base units (value × the unit's scale, exactly).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

from etsl.compiler.errors import EtslError

__all__ = [
    "CONTEXT",
    "DIVISION_PLACES",
    "QUANTUM",
    "ArithmeticFault",
    "add",
    "ceil",
    "divide",
    "floor",
    "multiply",
    "round_half_up",
    "subtract",
]

DIVISION_PLACES = 18
CONTEXT = Context(prec=80, rounding=ROUND_HALF_EVEN)
QUANTUM = Decimal(1).scaleb(-DIVISION_PLACES)


class ArithmeticFault(EtslError, ArithmeticError):
    """A value cannot be computed for one participant (division by zero, …)."""


def divide(a: Decimal, b: Decimal) -> Decimal:
    """a / b rounded half-even to 18 places."""
    if b == 0:
        raise ArithmeticFault("division by zero")
    return CONTEXT.divide(a, b).quantize(QUANTUM, rounding=ROUND_HALF_EVEN, context=CONTEXT)


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
