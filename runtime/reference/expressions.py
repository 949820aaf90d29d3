"""Expressions: one evaluation function per AST node type and per built-in function.

    EVALUATORS[type(expr)](evaluator, expr) -> value

The functions read names through the evaluator (`ev.lookup`), so rules are computed once
per participant and period and their uses are traced. A value that cannot be computed
raises `Fault`; a value that uses one that failed raises `Upstream`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from etsl.compiler import ast
from etsl.compiler import numbers as arith
from etsl.compiler.periods import period_years
from etsl.compiler.printer import print_expr
from etsl.compiler.source import Span
from etsl.runtime.records import Value
from etsl.runtime.reference.plan import CO2E_UNIT, attribute_value, literal_value

if TYPE_CHECKING:
    from etsl.runtime.reference.engine import PeriodEvaluator

ZERO = Decimal(0)
#: The value of a holding attribute the data does not give: equal to nothing.
ABSENT = None


class Fault(Exception):
    """A value cannot be computed for this participant (a data or scheme problem)."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        span: Span | None = None,
        missing: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.span = span
        self.missing = missing  # the participant input that is missing, if that is the cause


class Upstream(Exception):
    """A value this one uses could not be computed (the error is reported there)."""

    def __init__(self, origin: str) -> None:
        super().__init__(origin)
        self.origin = origin


# ---- expressions: one function per AST node type ----------------------------------------------


def number(value: Value, role: str, node: ast.Expr) -> Decimal:
    if not isinstance(value, Decimal):
        raise Fault(f"{role} '{print_expr(node)}' is {_shown(value)}, not a number", span=node.span)
    return value


def boolean(value: Value, role: str, node: ast.Expr) -> bool:
    if not isinstance(value, bool):
        raise Fault(
            f"{role} '{print_expr(node)}' is {_shown(value)}, not true or false", span=node.span
        )
    return value


def _shown(value: Value) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _quantity(ev: PeriodEvaluator, e: ast.Quantity) -> Value:
    return literal_value(e)


def _name(ev: PeriodEvaluator, e: ast.Name) -> Value:
    return ev.record_node(e, ev.lookup(e.name))


_ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": arith.add,
    "-": arith.subtract,
    "*": arith.multiply,
    "/": arith.divide,
}


def _binary(ev: PeriodEvaluator, e: ast.Binary) -> Value:
    left = number(ev.evaluate(e.left), "the left side of", e)
    right = number(ev.evaluate(e.right), "the right side of", e)
    try:
        return _ARITHMETIC[e.op](left, right)
    except arith.ArithmeticFault:
        raise Fault(
            f"division by zero in '{print_expr(e)}' ({print_expr(e.right)} is 0)",
            "guard the division, e.g. 'if x > 0 then … / x else 0 tCO2e'",
            e.span,
        ) from None


_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_EQUALITIES: dict[str, Callable[[Any, Any], bool]] = {"==": operator.eq, "!=": operator.ne}


def _comparable(left: Value, right: Value) -> bool:
    kinds = (Decimal, bool, date, str)
    return any(isinstance(left, k) and isinstance(right, k) for k in kinds) and isinstance(
        left, bool
    ) == isinstance(right, bool)


def _compare(ev: PeriodEvaluator, e: ast.Compare) -> Value:
    left, right = ev.evaluate(e.left), ev.evaluate(e.right)
    if left is ABSENT or right is ABSENT:
        return e.op == "!="
    ordered = e.op in _ORDERINGS
    if not _comparable(left, right) or (ordered and isinstance(left, str | bool)):
        raise Fault(
            f"cannot compare {_shown(left)} with {_shown(right)} in '{print_expr(e)}'", span=e.span
        )
    return (_ORDERINGS if ordered else _EQUALITIES)[e.op](left, right)


def _logical(ev: PeriodEvaluator, e: ast.Logical) -> Value:
    left = boolean(ev.evaluate(e.left), "the left side of", e)
    if left == (e.op == "or"):
        return left
    return boolean(ev.evaluate(e.right), "the right side of", e)


def _not(ev: PeriodEvaluator, e: ast.Not) -> Value:
    return not boolean(ev.evaluate(e.operand), "the operand of", e)


def _neg(ev: PeriodEvaluator, e: ast.Neg) -> Value:
    return arith.CONTEXT.minus(number(ev.evaluate(e.operand), "the operand of", e))


def _if(ev: PeriodEvaluator, e: ast.If) -> Value:
    condition = boolean(ev.evaluate(e.condition), "the condition of", e)
    ev.record_node(e, condition)
    return ev.evaluate(e.then if condition else e.otherwise)


def _member(ev: PeriodEvaluator, e: ast.Member) -> Value:
    value = ev.evaluate(e.operand)
    if value is ABSENT:
        return False
    if not isinstance(value, str):
        raise Fault(f"'{print_expr(e)}': {_shown(value)} is not a name", span=e.span)
    return value in e.values


def _share_of(ev: PeriodEvaluator, e: ast.ShareOf) -> Value:
    """`a / b of X` is `a × X / b`; `P of X` is `P × X` (ast.share_arithmetic)."""
    return ev.evaluate(ast.share_arithmetic(e))


def _attribute(ev: PeriodEvaluator, e: ast.Attribute) -> Value:
    holding = ev.holding
    if holding is None or not isinstance(e.base, ast.Name):
        raise Fault(f"'{print_expr(e)}' is only available in a surrender filter", span=e.span)
    if e.base.name == "holding" and e.name == "quantity":
        return holding.quantity
    keys = [e.name] if e.base.name == "holding" else [f"issuer_{e.name}", f"issuer.{e.name}"]
    for key in keys:
        if holding.attributes.get(key) is not None:
            return attribute_value(holding.attributes[key])
    declared = ev.plan.unit_attributes.get(holding.unit, {})
    if e.base.name == "holding" and e.name in declared:
        return declared[e.name]
    return ABSENT  # type: ignore[return-value]


def _call(ev: PeriodEvaluator, e: ast.Call) -> Value:
    return ev.record_node(e, _CALLS[e.func](ev, e))


EVALUATORS: dict[type, Callable[[PeriodEvaluator, Any], Value]] = {
    ast.Quantity: _quantity,
    ast.Bool: lambda ev, e: e.value,
    ast.DateLit: lambda ev, e: e.value,
    ast.Name: _name,
    ast.Attribute: _attribute,
    ast.Call: _call,
    ast.Binary: _binary,
    ast.Compare: _compare,
    ast.Logical: _logical,
    ast.Not: _not,
    ast.Neg: _neg,
    ast.If: _if,
    ast.Member: _member,
    ast.ShareOf: _share_of,
}


# ---- built-in functions -----------------------------------------------------------------------


def _numbers(ev: PeriodEvaluator, e: ast.Call) -> list[Decimal]:
    return [number(ev.evaluate(a), "an argument of", e) for a in e.args]


def _places(value: Decimal, e: ast.Call) -> int:
    if value != value.to_integral_value() or not -40 <= value <= 40:
        raise Fault(f"{e.func}(): decimal places must be a whole number, not {value}", span=e.span)
    return int(value)


def _rounding(
    function: Callable[[Decimal, int], Decimal],
) -> Callable[[PeriodEvaluator, ast.Call], Value]:
    def call(ev: PeriodEvaluator, e: ast.Call) -> Value:
        args = _numbers(ev, e)
        return function(args[0], _places(args[1], e) if len(args) > 1 else 0)

    return call


def _years(ev: PeriodEvaluator, e: ast.Call) -> Value:
    name = ev.evaluate(e.args[0])
    s = ev.plan.resolved
    if not isinstance(name, str) or name not in s.periods:
        raise Fault(f"years(): {_shown(name)} is not a period of this scheme", span=e.span)
    return period_years(s.periods[name], s.calendar)


def _co2e(ev: PeriodEvaluator, e: ast.Call) -> Value:
    factor = ev.plan.co2e.get(id(e), Decimal(1))
    if isinstance(factor, str):
        raise Fault(factor, span=e.span)
    return arith.multiply(_numbers(ev, e)[0], factor)


def _unit_argument(e: ast.Call) -> str:
    argument = e.args[0]
    return argument.name if isinstance(argument, ast.Name) else print_expr(argument)


def _held(ev: PeriodEvaluator, e: ast.Call) -> Value:
    unit = _unit_argument(e)
    total = ZERO
    for holding in ev.context.holdings:
        if holding.unit == unit:
            total = arith.add(total, holding.quantity)
    ev.leaf(f"held.{unit}", "runtime", total, CO2E_UNIT, description=f"units of {unit} held")
    if ev.frames:
        ev.frames[-1].children[f"held.{unit}"] = None
    return total


def _eligible(ev: PeriodEvaluator, e: ast.Call) -> Value:
    unit = _unit_argument(e)
    frames, ev.frames = ev.frames, []  # surrender is its own value, not a child use
    try:
        ev.lookup("surrendered")
    finally:
        ev.frames = frames
    assert ev.surrender is not None
    if ev.frames:
        ev.frames[-1].children[f"eligible.{unit}"] = None
    return ev.surrender.eligible.get(unit, ZERO)


_CALLS: dict[str, Callable[[PeriodEvaluator, ast.Call], Value]] = {
    "floor": _rounding(arith.floor),
    "ceil": _rounding(arith.ceil),
    "round": _rounding(arith.round_half_up),
    "min": lambda ev, e: min(_numbers(ev, e)),
    "max": lambda ev, e: max(_numbers(ev, e)),
    "abs": lambda ev, e: arith.CONTEXT.abs(_numbers(ev, e)[0]),
    "years": _years,
    "co2e": _co2e,
    "held": _held,
    "eligible": _eligible,
}
