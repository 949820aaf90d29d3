"""The unit ledger: what a participant's account carries into its next period.

    lots = carried_lots(evaluator)        # after one period is evaluated

Allowances and the allocation left over are `banked` (a rule: the amount carried as
`carry_in`). Credits and offsets keep their unit type and vintage instead: the eligible ones
the obligation did not need (`credits_left`) and the ones no clause made eligible stay in
the account and are offered to the next period's surrender clauses again, so a credit limit
also holds for credits carried over. Units are used carried-in first, then credits and
offsets in clause order, oldest vintage first.

Banking decides what leaves the period: `none` and `within_period` carry nothing;
`next_period` carries only units that entered the account in this period; `unlimited`
carries everything. A banking block's rules apply last: `except U where F` drops the lots
of U that pass F (`holding.vintage`, `period` …), `limit U up to L` keeps at most L of them.

Within a period kept by year, a year that does not close the period hands every lot left to
the next year ("kept from 2021"): banking applies when the period closes, and units kept
within the period count as the period's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from etsl.compiler import numbers
from etsl.compiler import program as ir
from etsl.runtime.records import Holding

if TYPE_CHECKING:
    from etsl.runtime.reference.engine import PeriodEvaluator

ZERO = Decimal(0)
CARRIED = "carried from period "
KEPT = "kept from "
_CARRYING_MODES = ("next_period", "unlimited")


def carried_lots(ev: PeriodEvaluator) -> tuple[Holding, ...]:
    """The credit and offset lots this period (or year) hands to the next one."""
    if not ev.context.final_year and ev.surrender is not None:
        return tuple(_kept(lot, ev) for unit in ev.program.credit_types for lot in _left(ev, unit))
    banking = ev.program.banking
    if banking is None or banking.mode not in _CARRYING_MODES or ev.surrender is None:
        return ()
    lots = [lot for unit in ev.program.credit_types for lot in _left(ev, unit)]
    if banking.mode == "next_period":
        lots = [lot for lot in lots if not lot.source.startswith(CARRIED)]
    for rule in banking.rules:
        lots = _apply(ev, rule, lots)
    period = ev.context.period or ""
    return tuple(_carried(lot, period, ev) for lot in lots if lot.quantity > 0)


def _left(ev: PeriodEvaluator, unit: str) -> list[Holding]:
    """The holdings of a credit type not used: the newest ones, after the oldest were used."""
    used = _used(ev)[unit]
    rows = sorted((h for h in ev.context.holdings if h.unit == unit), key=_vintage_key)
    left = []
    for row in rows:
        take = min(row.quantity, used)
        used = numbers.subtract(used, take)
        if row.quantity > take:
            left.append(replace(row, quantity=numbers.subtract(row.quantity, take)))
    return left


def _used(ev: PeriodEvaluator) -> dict[str, Decimal]:
    """How much of each credit type covered the obligation (clause order)."""
    from etsl.runtime.reference.engine import left_after

    assert ev.surrender is not None
    units = ev.program.credit_types
    eligible = [ev.surrender.eligible[u] for u in units]
    need = _number(ev, "obligation") + _number(ev, "owed_in") - _number(ev, "carry_in")
    left, _ = left_after(eligible, max(need, ZERO))
    return {u: numbers.subtract(e, rest) for u, e, rest in zip(units, eligible, left, strict=True)}


def _number(ev: PeriodEvaluator, name: str) -> Decimal:
    value = ev.values.get(name)
    return value if isinstance(value, Decimal) else ZERO


def _vintage_key(holding: Holding) -> tuple[int, Decimal]:
    vintage = holding.attributes.get("vintage")
    return (0, vintage) if isinstance(vintage, Decimal) else (1, ZERO)


def _apply(ev: PeriodEvaluator, rule: ir.BankRule, lots: list[Holding]) -> list[Holding]:
    mine = [lot for lot in lots if lot.unit in rule.units]
    if rule.kind == "except":
        dropped = {id(lot) for lot in mine if rule.where is None or ev.passes(rule.where, lot)}
        return [lot for lot in lots if id(lot) not in dropped]
    assert rule.limit is not None
    room = max(ev.limit(rule.limit), ZERO)
    kept: dict[int, Holding] = {}
    for lot in sorted(mine, key=_vintage_key, reverse=True):  # the newest are kept
        take = min(lot.quantity, room)
        room = numbers.subtract(room, take)
        kept[id(lot)] = replace(lot, quantity=take)
    return [kept.get(id(lot), lot) for lot in lots if lot.unit not in rule.units or id(lot) in kept]


def _kept(lot: Holding, ev: PeriodEvaluator) -> Holding:
    """A lot the next year of the same period sees: a lot without a vintage gets its year."""
    attributes = dict(lot.attributes)
    if "vintage" not in attributes and ev.context.year is not None:
        attributes["vintage"] = Decimal(ev.context.year)
    source = lot.source if lot.source.startswith((CARRIED, KEPT)) else f"{KEPT}{ev.context.year}"
    return Holding(lot.participant, None, lot.unit, lot.quantity, attributes, 0, source)


def _carried(lot: Holding, period: str, ev: PeriodEvaluator) -> Holding:
    """A lot as the next period sees it: it keeps its attributes; a lot without a vintage
    gets the first year of the period it entered the account in."""
    attributes = dict(lot.attributes)
    if "vintage" not in attributes and not lot.source.startswith(CARRIED):
        first = ev.program.first_year(period)
        if first is not None:
            attributes["vintage"] = Decimal(first)
    source = lot.source if lot.source.startswith(CARRIED) else f"{CARRIED}{period}"
    return Holding(lot.participant, None, lot.unit, lot.quantity, attributes, 0, source)


def carried_total(lots: Sequence[Holding], unit: str) -> Decimal:
    total = ZERO
    for lot in lots:
        if lot.unit == unit:
            total = numbers.add(total, lot.quantity)
    return total
