"""The reference engine's implementation of every built-in (compiler/builtins.py).

    IMPLEMENTATIONS[call.builtin](evaluator, call) -> value

tests/test_builtins.py fails when a registered built-in has no implementation here.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from etsl.compiler import codes, numbers
from etsl.compiler import program as ir
from etsl.runtime.records import Value
from etsl.runtime.reference.expressions import Fault, number, shown

if TYPE_CHECKING:
    from etsl.runtime.reference.engine import PeriodEvaluator

ZERO = Decimal(0)
CO2E_UNIT = "tCO2e"


def _numbers(ev: PeriodEvaluator, e: ir.Call) -> list[Decimal]:
    return [number(ev.evaluate(a), "an argument of", e) for a in e.args]


def _places(value: Decimal, e: ir.Call) -> int:
    if value != value.to_integral_value() or not -40 <= value <= 40:
        raise Fault(
            codes.EVALUATION_INVALID_ARGUMENT,
            f"{e.builtin}(): decimal places must be a whole number, not {value}",
            span=e.span,
        )
    return int(value)


def _rounding(
    function: Callable[[Decimal, int], Decimal],
) -> Callable[[PeriodEvaluator, ir.Call], Value]:
    def call(ev: PeriodEvaluator, e: ir.Call) -> Value:
        args = _numbers(ev, e)
        return function(args[0], _places(args[1], e) if len(args) > 1 else 0)

    return call


def _years(ev: PeriodEvaluator, e: ir.Call) -> Value:
    name = ev.evaluate(e.args[0])
    years = ev.program.period_years(name) if isinstance(name, str) else None
    if years is None:
        raise Fault(
            codes.EVALUATION_INVALID_ARGUMENT,
            f"years(): {shown(name)} is not a period of this scheme",
            span=e.span,
        )
    return years


def _co2e(ev: PeriodEvaluator, e: ir.Call) -> Value:
    return numbers.multiply(_numbers(ev, e)[0], e.factor or Decimal(1))


def _held(ev: PeriodEvaluator, e: ir.Call) -> Value:
    unit = e.unit or ""
    total = ZERO
    for holding in ev.context.holdings:
        if holding.unit == unit:
            total = numbers.add(total, holding.quantity)
    ev.leaf(f"held.{unit}", "runtime", total, CO2E_UNIT, description=f"units of {unit} held")
    if ev.frames:
        ev.frames[-1].children[f"held.{unit}"] = None
    return total


def _eligible(ev: PeriodEvaluator, e: ir.Call) -> Value:
    unit = e.unit or ""
    frames, ev.frames = ev.frames, []  # surrender is its own value, not a child use
    try:
        ev.lookup("surrendered")
    finally:
        ev.frames = frames
    assert ev.surrender is not None
    if ev.frames:
        ev.frames[-1].children[f"eligible.{unit}"] = None
    return ev.surrender.eligible.get(unit, ZERO)


def _earlier_years(ev: PeriodEvaluator, e: ir.Call) -> Value:
    """The sum of a value over the participant's earlier years of this period."""
    arg = e.args[0]
    name = arg.name if isinstance(arg, ir.Ref) else ""
    fault = ev.context.runtime_faults.get("earlier_years")
    if fault:
        raise Fault(codes.EVALUATION_CARRY_OVER, fault)
    total = ev.context.earlier.get(name, ZERO)
    key = f"earlier_years.{name}"
    years = ev.program.data_years(ev.context.period or "")
    before = [y for y in years if ev.context.year is not None and y < ev.context.year]
    note = (
        f"{name} summed over {', '.join(map(str, before))}" if before else "the period's first year"
    )
    ev.leaf(key, "runtime", total, ev.program.unit_of(name), (note,), f"{name} in earlier years")
    if ev.frames:
        ev.frames[-1].children[key] = None
    return total


IMPLEMENTATIONS: dict[str, Callable[[PeriodEvaluator, ir.Call], Value]] = {
    "floor": _rounding(numbers.floor),
    "ceil": _rounding(numbers.ceil),
    "round": _rounding(numbers.round_half_up),
    "min": lambda ev, e: min(_numbers(ev, e)),
    "max": lambda ev, e: max(_numbers(ev, e)),
    "abs": lambda ev, e: numbers.CONTEXT.abs(_numbers(ev, e)[0]),
    "years": _years,
    "co2e": _co2e,
    "held": _held,
    "eligible": _eligible,
    "earlier_years": _earlier_years,
}
