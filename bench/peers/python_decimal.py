"""Plain-Python ``decimal.Decimal`` loop: the exact oracle.

Every step is exact at 60 digits except ``required / 3``. That quotient is
off by < 1e-50 t, while every exact quantity here is a multiple of 1/30 t and
every threshold (floor, ceil of 1.3 x shortfall, min, max, > 0) sits on a
multiple of 1/300 t, so no decision can flip: ``cap``, ``order`` and ``fine``
are exact and ``shortfall`` is exact to 50 digits (the nearest 60-digit value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, localcontext

PRECISION = 60
OUTPUTS = ("cap", "required_reduction", "eligible_outside", "shortfall", "order", "fine")
FACTOR = {"office": Decimal("0.92"), "factory": Decimal("0.94")}
FIVE, THREE, ZERO = Decimal(5), Decimal(3), Decimal(0)
RATE = Decimal("1.3")
FINE_JPY = Decimal(500_000)

Row = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]


def facility(category: str, base: Decimal, emissions: Decimal, credits: Decimal) -> Row:
    """One facility, in the current decimal context."""
    cap = (base * FIVE * FACTOR[category]).to_integral_value(ROUND_FLOOR)
    required = base * FIVE - cap
    eligible = min(credits, required / THREE)
    shortfall = max(ZERO, emissions - cap - eligible)
    order = (RATE * shortfall).to_integral_value(ROUND_CEILING)
    fine = FINE_JPY if shortfall > ZERO else ZERO
    return cap, required, eligible, shortfall, order, fine


def evaluate(table: Mapping[str, Sequence[str]]) -> dict[str, list[Decimal]]:
    """Evaluate from the one-decimal strings of a benchmark table."""
    names = ("category", "base_emissions", "emissions", "outside_credits")
    rows = zip(*(_strings(table[name]) for name in names), strict=True)
    with localcontext(Context(prec=PRECISION)):
        results = [facility(c, Decimal(b), Decimal(e), Decimal(k)) for c, b, e, k in rows]
    columns = list(zip(*results, strict=True)) or [()] * len(OUTPUTS)
    return {name: list(col) for name, col in zip(OUTPUTS, columns, strict=True)}


def _strings(column: Sequence[str]) -> list[str]:
    tolist = getattr(column, "tolist", None)
    return tolist() if tolist is not None else list(column)
