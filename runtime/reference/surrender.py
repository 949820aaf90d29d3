"""Surrender: which holdings count against the obligation after filters and limits.

    allocate(program, holdings, context) -> SurrenderOutcome

1. `held(u)` is the sum of the participant's holdings of unit type u.
2. Accept clauses, in declaration order: a holding row counts under the first clause that
   names its unit type and whose `where` filter it passes (evaluated per row). The clause's
   `up to L` caps what it accepted; for several unit types L is allocated in listed order.
   What a cap cuts off does not spill over to later clauses.
3. Each `limit U1, U2 up to L`, in declaration order: eligible(U1) = min(e1, L),
   eligible(U2) = min(e2, L − eligible(U1)), …
4. Each `limit S at least (most) p among G`, in declaration order with the limits: the
   eligible units of G that are not S are cut to eligible(S) × (1 − p) / p (at least), or
   those of S to eligible(G − S) × p / (1 − p) (at most), in listed order.
5. Units owed from the previous period with a unit mix (`make_good … with CCA at least
   75 %`): the unit types the mix allows may count beyond the clauses' limits, up to their
   part of the amount owed (at most 25 % of 40,000 t: 10,000 t of offsets).
6. Unit types no accept clause names are not eligible. A negative limit counts as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from etsl.compiler import program as ir
from etsl.compiler.numbers import add, divide, multiply, subtract
from etsl.compiler.source import Span
from etsl.runtime.records import Holding
from etsl.runtime.results.model import OwedMix

ZERO = Decimal(0)


class SurrenderContext(Protocol):
    """What allocation needs from the evaluator of one participant and period."""

    def limit(self, expr: ir.Expr) -> Decimal: ...

    def share(self, expr: ir.Expr) -> Decimal: ...

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

    def share(self, item: ir.Clause) -> None:
        """At least (at most) a share p of the group's eligible units are the listed types:
        the others (the listed types) are cut to what keeps the share, in listed order."""
        assert item.share is not None
        p = self.context.share(item.share)
        subject = [u for u in item.units if u in self.eligible]
        others = [u for u in item.among if u in self.eligible and u not in item.units]
        if item.bound == "at least":
            cut, basis, kept = others, subject, subtract(Decimal(1), p)
            if p == 0:
                return
            room = divide(multiply(self._sum(basis), kept), p)
        else:
            cut, basis = subject, others
            if p >= 1:
                return
            room = divide(multiply(self._sum(basis), p), subtract(Decimal(1), p))
        shares = _share_out([(u, self.eligible[u]) for u in cut], room)
        for unit, share in shares.items():
            self._record(unit, item, room, self.eligible[unit], share)

    def settle(self, mix: OwedMix, clause: ir.Clause, accepted: Sequence[str]) -> None:
        """Units owed with a unit mix may also be met, beyond the clauses' limits, by the
        unit types the mix allows, up to their part of the amount owed."""
        if mix.bound == "at most":
            units, room = list(mix.units), mix.amount
        else:
            units, room = (
                [u for u in accepted if u not in mix.units],
                subtract(mix.owed, mix.amount),
            )
        for unit in (u for u in units if u in self.eligible):
            extra = min(max(subtract(self.held[unit], self.eligible[unit]), ZERO), max(room, ZERO))
            if extra > 0:
                self._record(
                    unit, clause, room, self.eligible[unit], add(self.eligible[unit], extra)
                )
                room = subtract(room, extra)

    def _sum(self, units: Sequence[str]) -> Decimal:
        total = ZERO
        for unit in units:
            total = add(total, self.eligible[unit])
        return total

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


_CLAUSES = {
    "accept": _Allocation.accept,
    "limit": _Allocation.limit,
    "share": _Allocation.share,
}


def allocate(
    program: ir.Program,
    holdings: Sequence[Holding],
    context: SurrenderContext,
    owed: Sequence[OwedMix] = (),
) -> SurrenderOutcome:
    """Eligible units per unit type after accept, limit and share clauses, then the unit
    mix of units owed from the previous period."""
    allocation = _Allocation(tuple(program.units), holdings, context)
    for item in program.surrender:
        _CLAUSES[item.kind](allocation, item)
    accepted = [u for c in program.surrender if c.kind == "accept" for u in c.units]
    for mix in owed:
        allocation.settle(mix, _settle_clause(mix, program), accepted)
    return SurrenderOutcome(
        allocation.held, allocation.eligible, {u: tuple(s) for u, s in allocation.steps.items()}
    )


def _settle_clause(mix: OwedMix, program: ir.Program) -> ir.Clause:
    """The settlement of units owed, shown in explanations like a clause."""
    units = ", ".join(mix.units)
    allowed = units if mix.bound == "at most" else f"unit types other than {units}"
    text = f"units owed from the previous period ({mix.text()}) may be met with {allowed} up to"
    return ir.Clause("settle", mix.units, None, None, text, program.span)
