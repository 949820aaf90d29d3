"""Consequences: what applies when a penalty's condition holds.

    apply_penalty(penalty, name, evaluate, unit_of) -> (ConsequenceResult, …)

For each consequence of a penalty whose `when` condition is true (`penalty none` has none):
`fine X` → X; `fine X up to L` → min(X, L); `fine up to L` → L, flagged as a maximum;
`fine from A up to B` → B, flagged as a maximum, with A as its minimum;
`publish`, `suspend`, `action_plan` (and `refund`/`buy_on_behalf` without an amount) →
no amount. make_good, deduct and order amounts are in t CO2e.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from etsl.compiler import program as ir
from etsl.compiler.display import format_value
from etsl.compiler.errors import EtslError
from etsl.compiler.numbers import multiply
from etsl.compiler.types import Quant
from etsl.compiler.units import dims_name
from etsl.runtime.records import Value
from etsl.runtime.results.model import ConsequenceResult, OwedMix


class ConsequenceFault(EtslError, ArithmeticError):
    """A condition or amount that is not a boolean / a number (a data problem)."""


def consequence_amount(
    amount: Decimal | None, limit: Decimal | None
) -> tuple[Decimal | None, bool]:
    """The amount of one consequence and whether it is only a maximum (`fine up to L`)."""
    if amount is None:
        return limit, limit is not None
    return (amount if limit is None else min(amount, limit)), False


def _number(value: Value, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise ConsequenceFault(f"{what} is {value!r}, not a number")
    return value


def _optional(
    expr: ir.Expr | None, evaluate: Callable[[ir.Expr], Value], what: str
) -> Decimal | None:
    return None if expr is None else _number(evaluate(expr), what)


def applies(penalty: ir.Penalty, evaluate: Callable[[ir.Expr], Value]) -> bool:
    """Whether a penalty's condition holds (never for `penalty none`)."""
    if penalty.condition is None:
        return False
    holds = evaluate(penalty.condition)
    if not isinstance(holds, bool):
        raise ConsequenceFault(f"the penalty condition is {holds!r}, not true or false")
    return holds


def apply_penalty(
    penalty: ir.Penalty, evaluate: Callable[[ir.Expr], Value]
) -> tuple[ConsequenceResult, ...]:
    """The consequences of one penalty whose condition holds."""
    results = []
    for consequence in penalty.consequences:
        amount = _optional(consequence.amount, evaluate, f"the {consequence.kind} amount")
        limit = _optional(consequence.limit, evaluate, f"the {consequence.kind} limit")
        lower = _optional(consequence.lower, evaluate, f"the {consequence.kind} lower bound")
        value, maximum = consequence_amount(amount, limit)
        results.append(
            ConsequenceResult(
                penalty.name,
                consequence.kind,
                value,
                consequence.unit,
                maximum,
                consequence.description,
                _mix(consequence.mix, value, evaluate),
                _within(consequence.within, evaluate),
                lower,
            )
        )
    return tuple(results)


def _mix(
    mix: ir.Mix | None, owed: Decimal | None, evaluate: Callable[[ir.Expr], Value]
) -> OwedMix | None:
    """The unit mix of an amount owed, as an amount of units (share × amount, exact)."""
    if mix is None or owed is None:
        return None
    share = _number(evaluate(mix.share), "the share of the unit mix")
    return OwedMix(mix.units, mix.bound, share, multiply(share, owed), owed)


def _within(within: ir.Expr | None, evaluate: Callable[[ir.Expr], Value]) -> str | None:
    if within is None:
        return None
    unit = dims_name(within.type.dims) if isinstance(within.type, Quant) else ""
    return format_value(_number(evaluate(within), "the time to settle"), unit)
