"""Surrender: which holdings count against the obligation after filters and limits.

    allocate(program, holdings, context) -> SurrenderOutcome

1. `held(u)` is the sum of the participant's holdings of unit type u.
2. Accept clauses, in declaration order: a holding row counts under the first clause that
   names its unit type and whose `where` filter it passes (evaluated per row). The clause's
   `up to L` caps what it accepted; for several unit types L is allocated in listed order.
   What a cap cuts off does not spill over to later clauses.
3. Each `limit U1, U2 up to L`, in declaration order: eligible(U1) = min(e1, L),
   eligible(U2) = min(e2, L − eligible(U1)), …
4. Unit types no accept clause names are not eligible. A negative limit counts as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from etsl.compiler import program as ir
from etsl.compiler.numbers import add, subtract
from etsl.compiler.source import Span
from etsl.runtime.records import Holding

ZERO = Decimal(0)


class SurrenderContext(Protocol):
    """What allocation needs from the evaluator of one participant and period."""

    def limit(self, expr: ir.Expr) -> Decimal: ...

    def passes(self, expr: ir.Expr, holding: Holding) -> bool: ...


@dataclass(frozen=True, slots=True)
class Step:
    """One clause applied to one unit type: eligible before and after it."""

    item: ir.Clause
    limit: Decimal | None
    before: Decimal
    after: Decimal

    @property
    def clause(self) -> str:
        return self.item.text

    @property
    def span(self) -> Span:
        return self.item.span


@dataclass(frozen=True)
class SurrenderOutcome:
    held: Mapping[str, Decimal]
    eligible: Mapping[str, Decimal]
    steps: Mapping[str, tuple[Step, ...]]

    @property
    def surrendered(self) -> Decimal:
        total = ZERO
        for amount in self.eligible.values():
            total = add(total, amount)
        return total


def _total(holdings: Sequence[Holding]) -> Decimal:
    total = ZERO
    for holding in holdings:
        total = add(total, holding.quantity)
    return total


def _share_out(amounts: Sequence[tuple[str, Decimal]], limit: Decimal) -> dict[str, Decimal]:
    """Allocate `limit` to the amounts in order."""
    left = max(limit, ZERO)
    shares = {}
    for unit, amount in amounts:
        shares[unit] = min(amount, left)
        left = subtract(left, shares[unit])
    return shares


class _Allocation:
    def __init__(
        self, units: Sequence[str], holdings: Sequence[Holding], context: SurrenderContext
    ) -> None:
        self.context = context
        self.remaining = {u: [h for h in holdings if h.unit == u] for u in units}
        self.held = {u: _total(rows) for u, rows in self.remaining.items()}
        self.eligible = dict.fromkeys(units, ZERO)
        self.steps: dict[str, list[Step]] = {u: [] for u in units}

    def accept(self, item: ir.Clause) -> None:
        taken = [(u, self._take(u, item.where)) for u in item.units if u in self.remaining]
        limit = self.context.limit(item.limit) if item.limit is not None else None
        shares = dict(taken) if limit is None else _share_out(taken, limit)
        for unit, amount in taken:
            self._record(
                unit,
                item,
                limit,
                add(self.eligible[unit], amount),
                add(self.eligible[unit], shares[unit]),
            )

    def _take(self, unit: str, where: ir.Expr | None) -> Decimal:
        rows = self.remaining[unit]
        passing = [h for h in rows if where is None or self.context.passes(where, h)]
        taken = {id(h) for h in passing}
        self.remaining[unit] = [h for h in rows if id(h) not in taken]
        return _total(passing)

    def limit(self, item: ir.Clause) -> None:
        assert item.limit is not None
        limit = self.context.limit(item.limit)
        amounts = [(u, self.eligible[u]) for u in item.units if u in self.eligible]
        for unit, share in _share_out(amounts, limit).items():
            self._record(unit, item, limit, self.eligible[unit], share)

    def _record(
        self,
        unit: str,
        item: ir.Clause,
        limit: Decimal | None,
        before: Decimal,
        after: Decimal,
    ) -> None:
        self.steps[unit].append(Step(item, limit, before, after))
        self.eligible[unit] = after


def allocate(
    program: ir.Program, holdings: Sequence[Holding], context: SurrenderContext
) -> SurrenderOutcome:
    """Eligible units per unit type after accept clauses and combined limits."""
    allocation = _Allocation(tuple(program.units), holdings, context)
    for item in program.surrender:
        if item.kind == "accept":
            allocation.accept(item)
        else:
            allocation.limit(item)
    return SurrenderOutcome(
        allocation.held, allocation.eligible, {u: tuple(s) for u, s in allocation.steps.items()}
    )
