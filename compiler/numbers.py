"""The one rule for division, shared by the compiler (unit scales, period lengths) and both
engines: the quotient is rounded half-even to DIVISION_PLACES decimal places."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

DIVISION_PLACES = 18
CONTEXT = Context(prec=80, rounding=ROUND_HALF_EVEN)
QUANTUM = Decimal(1).scaleb(-DIVISION_PLACES)


def divide(a: Decimal, b: Decimal) -> Decimal:
    """a / b rounded half-even to 18 places (b must not be zero)."""
    return CONTEXT.divide(a, b).quantize(QUANTUM, rounding=ROUND_HALF_EVEN, context=CONTEXT)
