"""Marginal abatement cost curves: how much a group of emitters abates at a price.

    curve = ((Decimal(0), Decimal(0)), (Decimal(50), Decimal(100)))
    abatement(curve, Decimal(25))      # Decimal('50'): halfway along the first segment

A curve is points (price per tonne, abatement per year in tonnes), prices increasing and
abatement not falling (the scenario validates both). Between points the abatement is on the
straight line; below the first point it is the first point's abatement if the price reaches
it, else 0; beyond the last point it stays at the last point's. The result is rounded half
up to whole tonnes (the balance counts allowances, which are whole).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from etsl.compiler import numbers

Point = tuple[Decimal, Decimal]
ZERO = Decimal(0)


def abatement(curve: Sequence[Point], price: Decimal) -> Decimal:
    """The abatement per year at a price, in whole tonnes."""
    if price < curve[0][0]:
        return ZERO
    for (p0, a0), (p1, a1) in zip(curve, curve[1:], strict=False):
        if price <= p1:
            share = numbers.divide(numbers.subtract(price, p0), numbers.subtract(p1, p0))
            return numbers.round_half_up(numbers.add(a0, numbers.multiply(share, a1 - a0)))
    return numbers.round_half_up(curve[-1][1])


def emissions(baseline: Decimal, curve: Sequence[Point], price: Decimal) -> Decimal:
    """Covered emissions at a price: the baseline less the abatement, never below 0."""
    return max(ZERO, numbers.subtract(baseline, abatement(curve, price)))
