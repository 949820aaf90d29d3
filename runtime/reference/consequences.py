"""Consequences: what applies when a penalty's condition holds.

    apply_penalty(penalty, name, evaluate, unit_of) -> (ConsequenceResult, …)

For each consequence of a penalty whose `when` condition is true (`penalty none` has none):
`fine X` → X; `fine X up to L` → min(X, L); `fine up to L` → L, flagged as a maximum;
`publish`, `suspend`, `action_plan` (and `refund`/`buy_on_behalf` without an amount) →
no amount. make_good, deduct and order amounts are in t CO2e.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from etsl.compiler import program as ir
from etsl.compiler.errors import EtslError
from etsl.runtime.records import Value
from etsl.runtime.results.model import ConsequenceResult


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
        value, maximum = consequence_amount(amount, limit)
        results.append(
            ConsequenceResult(
                penalty.name,
                consequence.kind,
                value,
                consequence.unit,
                maximum,
                consequence.description,
            )
        )
    return tuple(results)
