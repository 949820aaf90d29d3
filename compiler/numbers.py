"""Exact decimal arithmetic: the one definition the compiler and every engine implement.

- `+`, `-`, `*` and `of` are exact.
- `/` rounds its quotient half-even to DIVISION_PLACES (18) decimal places; the compiler
  uses the same rule for unit scales and period lengths.
- `floor`, `ceil` and `round` (half up) round to a number of places (default 0).
- Quantities are held in base units (value × the unit's scale, exactly).
- A result with more than PRECISION (80) significant digits is never rounded silently: it
  raises ArithmeticFault (`evaluation-number-too-large`).
- Numbers written by people (literals in schemes, cells in data) have at most MAX_DIGITS
  (38) digits, MAX_PLACES (18) of them after the point; `digit_counts` counts them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
)

from etsl.compiler import codes
from etsl.compiler.codes import Code
from etsl.compiler.errors import EtslError

__all__ = [
    "CONTEXT",
    "DIVISION_PLACES",
    "MAX_DIGITS",
    "MAX_PLACES",
    "PRECISION",
    "QUANTUM",
    "ArithmeticFault",
    "add",
    "ceil",
    "digit_counts",
    "divide",
    "floor",
    "multiply",
    "round_half_up",
    "subtract",
]

DIVISION_PLACES = 18
MAX_PLACES = 18
MAX_DIGITS = 38
PRECISION = 80
CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)
#: The context of `+ - *`: a result that would need rounding raises instead.
EXACT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, Inexact])
QUANTUM = Decimal(1).scaleb(-DIVISION_PLACES)


class ArithmeticFault(EtslError, ArithmeticError):
    """A value cannot be computed for one participant (division by zero, …)."""

    def __init__(self, message: str, code: Code = codes.EVALUATION_NUMBER_TOO_LARGE) -> None:
        super().__init__(message)
        self.code = code


TOO_LARGE = f"the result has more than {PRECISION} significant digits"


def _exact(operation: Callable[[Decimal, Decimal], Decimal], a: Decimal, b: Decimal) -> Decimal:
    try:
        return operation(a, b)
    except (Inexact, InvalidOperation):
        raise ArithmeticFault(TOO_LARGE) from None


def divide(a: Decimal, b: Decimal) -> Decimal:
    """a / b rounded half-even to 18 places."""
    if b == 0:
        raise ArithmeticFault("division by zero", codes.EVALUATION_DIVISION_BY_ZERO)
    return _to_places(CONTEXT.divide(a, b), DIVISION_PLACES, ROUND_HALF_EVEN)


def multiply(a: Decimal, b: Decimal) -> Decimal:
    return _exact(EXACT.multiply, a, b)


def add(a: Decimal, b: Decimal) -> Decimal:
    return _exact(EXACT.add, a, b)


def subtract(a: Decimal, b: Decimal) -> Decimal:
    return _exact(EXACT.subtract, a, b)


def _to_places(x: Decimal, places: int, rounding: str) -> Decimal:
    try:
        return x.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=CONTEXT)
    except InvalidOperation:  # the result would need more than PRECISION digits
        raise ArithmeticFault(TOO_LARGE) from None


def digit_counts(value: Decimal) -> tuple[int, int]:
    """(decimal places, integer digits) of a finite value, trailing zeros not counted.

    Exact at any size (no context rounds it): `digit_counts(Decimal("1e38")) == (0, 39)`.
    """
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int), "a finite value"
    coefficient = "".join(map(str, digits)).rstrip("0")
    if not coefficient:
        return 0, 0  # zero
    exponent += len(digits) - len(coefficient)
    return max(0, -exponent), max(0, len(coefficient) + exponent)


def floor(x: Decimal, places: int = 0) -> Decimal:
    return _to_places(x, places, ROUND_FLOOR)


def ceil(x: Decimal, places: int = 0) -> Decimal:
    return _to_places(x, places, ROUND_CEILING)


def round_half_up(x: Decimal, places: int = 0) -> Decimal:
    return _to_places(x, places, ROUND_HALF_UP)
