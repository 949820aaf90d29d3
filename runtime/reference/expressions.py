"""Expressions: one evaluation function per Program node type (compiler/program.py).

    EVALUATORS[type(expr)](evaluator, expr) -> value

The functions read names through the evaluator (`ev.lookup`), so rules are computed once
per participant and period and their uses are traced; built-in calls go to the engine's
implementations (runtime/reference/builtins.py). A value that cannot be computed raises
`Fault`; a value that uses one that failed raises `Upstream`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from etsl.compiler import codes, numbers
from etsl.compiler import program as ir
from etsl.compiler.codes import Code
from etsl.compiler.errors import EtslError
from etsl.compiler.program import attribute_value, share_terms
from etsl.compiler.source import Span
from etsl.runtime.records import Value

if TYPE_CHECKING:
    from etsl.runtime.reference.engine import PeriodEvaluator

ZERO = Decimal(0)
#: The value of a holding attribute the data does not give: equal to nothing.
ABSENT = None


class Fault(EtslError):
    """A value cannot be computed for this participant (a data or scheme problem); `code`
    is its registered code (compiler/codes.py)."""

    def __init__(
        self,
        code: Code,
        message: str,
        hint: str | None = None,
        span: Span | None = None,
        missing: str | None = None,
        not_applicable: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.span = span
        self.missing = missing  # the participant input that is missing, if that is the cause
        self.not_applicable = not_applicable  # it is another participant type's input


class Upstream(EtslError):
    """A value this one uses could not be computed (the error is reported there)."""

    def __init__(self, origin: str) -> None:
        super().__init__(origin)
        self.origin = origin


# ---- checked operands ------------------------------------------------------------------------


def print_program_expr(node: ir.Expr) -> str:
    """compiler/printer.py's, imported when a message needs it: the printer imports the
    AST, which a run of a cached Program does not otherwise load (~0.1 s)."""
    from etsl.compiler.printer import print_program_expr as printed

    return printed(node)


def number(value: Value, role: str, node: ir.Expr) -> Decimal:
    if not isinstance(value, Decimal):
        raise Fault(
            codes.EVALUATION_WRONG_TYPE,
            f"{role} '{print_program_expr(node)}' is {_shown(value)}, not a number",
            span=node.span,
        )
    return value


def boolean(value: Value, role: str, node: ir.Expr) -> bool:
    if not isinstance(value, bool):
        raise Fault(
            codes.EVALUATION_WRONG_TYPE,
            f"{role} '{print_program_expr(node)}' is {_shown(value)}, not true or false",
            span=node.span,
        )
    return value


def shown(value: Value) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


_shown = shown


# ---- one function per node type -----------------------------------------------------------------


def _ref(ev: PeriodEvaluator, e: ir.Ref) -> Value:
    if e.kind in (ir.RefKind.PERIOD_NAME, ir.RefKind.ENUM):
        return ev.record_node(e, e.name)
    if e.kind is ir.RefKind.PERIOD:
        return ev.record_node(e, ev.current_period())
    if e.kind is ir.RefKind.STEP:
        return ev.record_node(e, ev.step_value(e.name))
    return ev.record_node(e, ev.lookup(e.name))


_ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": numbers.add,
    "-": numbers.subtract,
    "*": numbers.multiply,
    "/": numbers.divide,
}


def _binary(ev: PeriodEvaluator, e: ir.Binary) -> Value:
    left = number(ev.evaluate(e.left), "the left side of", e)
    right = number(ev.evaluate(e.right), "the right side of", e)
    return arithmetic(e.op, left, right, e, e.right)


def arithmetic(op: str, left: Decimal, right: Decimal, e: ir.Expr, divisor: ir.Expr) -> Decimal:
    try:
        return _ARITHMETIC[op](left, right)
    except numbers.ArithmeticFault as fault:
        if fault.code is not codes.EVALUATION_DIVISION_BY_ZERO:
            raise Fault(fault.code, f"'{print_program_expr(e)}': {fault}", span=e.span) from None
        raise Fault(
            fault.code,
            f"division by zero in '{print_program_expr(e)}' ({print_program_expr(divisor)} is 0)",
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


def _compare(ev: PeriodEvaluator, e: ir.Compare) -> Value:
    left, right = ev.evaluate(e.left), ev.evaluate(e.right)
    if left is ABSENT or right is ABSENT:
        return e.op == "!="
    ordered = e.op in _ORDERINGS
    if not _comparable(left, right) or (ordered and isinstance(left, str | bool)):
        raise Fault(
            codes.EVALUATION_WRONG_TYPE,
            f"cannot compare {_shown(left)} with {_shown(right)} in '{print_program_expr(e)}'",
            span=e.span,
        )
    return (_ORDERINGS if ordered else _EQUALITIES)[e.op](left, right)


def _logical(ev: PeriodEvaluator, e: ir.Logical) -> Value:
    left = boolean(ev.evaluate(e.left), "the left side of", e)
    if left == (e.op == "or"):
        return left
    return boolean(ev.evaluate(e.right), "the right side of", e)


def _not(ev: PeriodEvaluator, e: ir.Not) -> Value:
    return not boolean(ev.evaluate(e.operand), "the operand of", e)


def _neg(ev: PeriodEvaluator, e: ir.Neg) -> Value:
    return numbers.CONTEXT.minus(number(ev.evaluate(e.operand), "the operand of", e))


def _if(ev: PeriodEvaluator, e: ir.If) -> Value:
    condition = boolean(ev.evaluate(e.condition), "the condition of", e)
    ev.record_node(e, condition)
    return ev.evaluate(e.then if condition else e.otherwise)


def _member(ev: PeriodEvaluator, e: ir.Member) -> Value:
    value = ev.evaluate(e.operand)
    if value is ABSENT:
        return False
    if not isinstance(value, str):
        raise Fault(
            codes.EVALUATION_WRONG_TYPE,
            f"'{print_program_expr(e)}': {_shown(value)} is not a name",
            span=e.span,
        )
    return value in e.values


def _share(ev: PeriodEvaluator, e: ir.Share) -> Value:
    """`a / b of X` is `a × X / b`; `P of X` is `P × X` (program.share_terms)."""
    share, divisor = share_terms(e)
    part = number(ev.evaluate(share), "the share of", e)
    product = numbers.multiply(part, number(ev.evaluate(e.whole), "the whole of", e))
    if divisor is None:
        return product
    return arithmetic("/", product, number(ev.evaluate(divisor), "the share of", e), e, divisor)


def _attribute(ev: PeriodEvaluator, e: ir.Attribute) -> Value:
    holding = ev.holding
    if holding is None:
        raise Fault(
            codes.EVALUATION_WRONG_TYPE,
            f"'{print_program_expr(e)}' is only available in a surrender filter",
            span=e.span,
        )
    if e.base == "holding" and e.name == "quantity":
        return holding.quantity
    keys = [e.name] if e.base == "holding" else [f"issuer_{e.name}", f"issuer.{e.name}"]
    for key in keys:
        if holding.attributes.get(key) is not None:
            return attribute_value(holding.attributes[key])
    unit = ev.program.units.get(holding.unit)
    if e.base == "holding" and unit is not None and e.name in unit.attributes:
        return unit.attributes[e.name]
    return ABSENT  # type: ignore[return-value]


def _call(ev: PeriodEvaluator, e: ir.Call) -> Value:
    from etsl.runtime.reference.builtins import IMPLEMENTATIONS

    return ev.record_node(e, IMPLEMENTATIONS[e.builtin](ev, e))


def _aggregate(ev: PeriodEvaluator, e: ir.Aggregate) -> Value:
    from etsl.runtime.reference.system import evaluate_aggregate

    return evaluate_aggregate(ev, e)


def _price_path(ev: PeriodEvaluator, e: ir.PricePath) -> Value:
    from etsl.runtime.reference.system import evaluate_price_path

    return evaluate_price_path(ev, e)


EVALUATORS: dict[type, Callable[[PeriodEvaluator, Any], Value]] = {
    ir.Aggregate: _aggregate,
    ir.PricePath: _price_path,
    ir.Const: lambda ev, e: e.value,
    ir.Ref: _ref,
    ir.Attribute: _attribute,
    ir.Call: _call,
    ir.Binary: _binary,
    ir.Compare: _compare,
    ir.Logical: _logical,
    ir.Not: _not,
    ir.Neg: _neg,
    ir.If: _if,
    ir.Member: _member,
    ir.Share: _share,
}
