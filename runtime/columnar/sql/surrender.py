"""The query builder, and the surrender and consequence columns of the columnar compiler.

Surrender follows runtime/reference/surrender.py: accept clauses claim unit types in order (a `where`
filter reads the one holding row of a wide table), limits share an amount out in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from etsl.compiler import program as ir
from etsl.compiler.types import Value
from etsl.runtime.columnar.sql.exact import add, choose, divide, extremum, multiply
from etsl.runtime.columnar.sql.expressions import Scope, compile_expr, compile_num
from etsl.runtime.columnar.sql.types import (
    Kind,
    Typed,
    Unsupported,
    as_num,
    cast,
    col,
    decimal_literal,
    declared,
    is_constant,
    limit_column,
    text,
    zero,
)
from sqlglot import exp

# ---- the builder: one projection per computed column ------------------------------------------


@dataclass
class QueryBuilder:
    """Collects projections in order; each adds one column to the row of the previous one."""

    stages: list[tuple[str, exp.Expr]] = field(default_factory=list)
    temporaries: int = 0

    def add(self, scope: Scope, name: str, typed: Typed) -> Typed:
        if not is_constant(typed):
            self.stages.append((name, declared(typed).sql))
        return scope.define(name, typed)

    def hoister(self, scope_ref: list[Scope]) -> Callable[[Typed], Typed]:
        def hoist(typed: Typed) -> Typed:
            self.temporaries += 1
            return self.add(scope_ref[0], f"$t{self.temporaries}", typed)

        return hoist


# ---- surrender ------------------------------------------------------------------------------


def share_out(
    builder: QueryBuilder,
    scope: Scope,
    label: str,
    amounts: Sequence[tuple[str, Typed]],
    limit: Typed,
) -> dict[str, Typed]:
    """Allocate `limit` (at least 0) to the amounts in order (runtime/reference/surrender.py)."""
    left = builder.add(scope, f"$left.{label}.0", extremum("max", [limit, zero()], scope))
    shares: dict[str, Typed] = {}
    for index, (unit, amount) in enumerate(amounts, start=1):
        shares[unit] = builder.add(
            scope, f"$share.{label}.{unit}", extremum("min", [amount, left], scope)
        )
        if index < len(amounts):
            left = builder.add(scope, f"$left.{label}.{index}", add("-", left, shares[unit]))
    return shares


def filtered(amount: Typed, passes: Typed, present: Typed | None, scope: Scope) -> Typed:
    """A holding under a `where` filter, read only when there is a holding row.

    `present` says whether the row exists; without it, a row exists when the amount is not
    zero (a wide table's `held.UNIT` column gives no row for 0 or a blank).
    """
    num = amount.number
    amount = scope.atom(amount)
    taken = choose(passes, amount, zero(), scope)
    held = (
        present.sql
        if present is not None
        else exp.NEQ(this=amount.sql, expression=as_num(zero(), num))
    )
    node = exp.Case(ifs=[exp.If(this=held, true=as_num(taken, num))], default=as_num(zero(), num))
    return Typed(node, Kind.NUM, num, amount.nullable or passes.nullable)


def compile_surrender(builder: QueryBuilder, scope: Scope) -> None:
    """eligible.UNIT for every unit type, then `surrendered` (their sum)."""
    program = scope.program
    remaining = {u: scope.column(f"held.{u}") for u in program.units}
    eligible = {u: zero() for u in program.units}
    for number, item in enumerate(program.surrender, start=1):
        limit = _limit(item, scope)
        if item.kind == "accept":
            taken = _accept_takes(builder, scope, item, number, remaining)
            shares = (
                dict(taken)
                if limit is None
                else share_out(builder, scope, str(number), taken, limit)
            )
            for unit, _ in taken:
                eligible[unit] = builder.add(
                    scope, f"$eligible.{unit}.{number}", add("+", eligible[unit], shares[unit])
                )
        elif item.kind == "share":
            eligible.update(_share_clause(builder, scope, item, number, eligible))
        elif item.kind == "limit" and limit is not None:
            amounts = [(u, eligible[u]) for u in item.units if u in eligible]
            eligible.update(share_out(builder, scope, str(number), amounts, limit))
        else:
            raise Unsupported(f"the surrender clause '{item.text}'")
    total = zero()
    for unit in program.units:
        total = add("+", total, builder.add(scope, f"eligible.{unit}", eligible[unit]))
    builder.add(scope, "surrendered", total)


def compile_credits_left(builder: QueryBuilder, scope: Scope) -> None:
    """`credits_left` (runtime/reference/engine.py credits_left): eligible credits and
    offsets beyond what the obligation needs after carried-in units."""
    credits = zero()
    for unit in scope.program.credit_types:
        credits = add("+", credits, scope.column(f"eligible.{unit}"))
    needed = add("+", scope.column("obligation"), scope.column("owed_in"))
    need = extremum("max", [add("-", needed, scope.column("carry_in")), zero()], scope)
    used = extremum("min", [credits, need], scope)
    builder.add(scope, "credits_left", add("-", credits, used))


def _share_clause(
    builder: QueryBuilder,
    scope: Scope,
    item: ir.Clause,
    number: int,
    eligible: dict[str, Typed],
) -> dict[str, Typed]:
    """`limit S at least (most) p among G` (runtime/reference/surrender.py): the others
    are cut to eligible(S) × (1 − p) / p, or S to eligible(G − S) × p / (1 − p). A share
    of 0 (at least) or 1 (at most) divides by zero: the row is NULL and the reference
    engine evaluates it."""
    assert item.share is not None
    p = scope.atom(compile_num(item.share, scope))
    subject = [u for u in item.units if u in eligible]
    others = [u for u in item.among if u in eligible and u not in item.units]
    rest = add("-", decimal_literal(Decimal(1)), p)
    if item.bound == "at least":
        cut, basis, numerator, denominator = others, subject, rest, p
    else:
        cut, basis, numerator, denominator = subject, others, p, rest
    total = zero()
    for unit in basis:
        total = add("+", total, eligible[unit])
    room = divide(multiply(total, numerator), denominator, scope)
    amounts = [(u, eligible[u]) for u in cut]
    return share_out(builder, scope, f"share{number}", amounts, room)


def _limit(item: ir.Clause, scope: Scope) -> Typed | None:
    if scope.scenario is not None and tuple(item.units) in scope.scenario.limits:
        num = scope.scenario.limits[tuple(item.units)]
        return Typed(
            cast(col(limit_column(item.units)), num.sql_type()), Kind.NUM, num, declared=True
        )
    return None if item.limit is None else compile_num(item.limit, scope)


def _accept_takes(
    builder: QueryBuilder, scope: Scope, item: ir.Clause, number: int, remaining: dict[str, Typed]
) -> list[tuple[str, Typed]]:
    """What an accept clause takes of each unit type still unclaimed (first clause wins)."""
    taken = []
    for unit in (u for u in item.units if u in remaining):
        amount = remaining[unit]
        if item.where is None:
            remaining[unit] = zero()
        else:
            passes = compile_filter(item.where, unit, scope)
            amount = builder.add(
                scope,
                f"$taken.{unit}.{number}",
                filtered(amount, passes, _present(scope, unit), scope),
            )
            remaining[unit] = builder.add(
                scope, f"$remaining.{unit}.{number}", add("-", remaining[unit], amount)
            )
        taken.append((unit, amount))
    return taken


def _present(scope: Scope, unit: str) -> Typed | None:
    return scope.columns.get(f"present.{unit}")


def compile_filter(where: ir.Expr, unit: str, scope: Scope) -> Typed:
    """A `where` filter on the one holding row a wide table has per unit type.

    The row's attributes are the unit type's declared ones (constants) and its quantity;
    issuer attributes exist only in a holdings table (NULL here: the row is then evaluated
    by the reference engine).
    """
    declared = scope.program.units[unit].attributes
    attributes = {name: _attribute_value(name, value) for name, value in declared.items()}
    attributes["quantity"] = scope.column(f"held.{unit}")
    return compile_expr(where, replace(scope, attributes=attributes))


def _attribute_value(name: str, value: Value) -> Typed:
    """A declared attribute as the reference reads it (program.attribute_value)."""
    if isinstance(value, Decimal):
        return decimal_literal(value)
    if name == "vintage":
        raise Unsupported(f"the vintage '{value}' is not a plain number")
    return Typed(text(str(value)), Kind.TEXT)


# ---- consequences ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsequenceColumn:
    """One consequence of one penalty and the columns that hold it."""

    penalty: str
    index: int
    kind: str
    applies: str  # the penalty's boolean column
    amount: str | None  # the amount column (NULL when the penalty does not apply)
    maximum: bool  # `fine up to L` without an amount
    unit: str
    description: str | None
    minimum: str | None = None  # the lower bound's column (`fine from A up to B`)


def applies_column(penalty: str) -> str:
    return f"$applies.{penalty}"


def compile_penalties(builder: QueryBuilder, scope: Scope) -> list[ConsequenceColumn]:
    columns: list[ConsequenceColumn] = []
    for penalty in scope.program.penalties:
        if penalty.condition is None:
            continue
        name = penalty.name
        condition = compile_expr(penalty.condition, scope)
        if condition.kind is not Kind.BOOL:
            raise Unsupported(f"the condition of penalty '{name}' is not true or false")
        applies = builder.add(scope, applies_column(name), condition)
        for number, consequence in enumerate(penalty.consequences):
            columns.append(_consequence(builder, scope, name, number, consequence, applies))
    return columns


def _consequence(
    builder: QueryBuilder,
    scope: Scope,
    penalty: str,
    number: int,
    consequence: ir.Consequence,
    applies: Typed,
) -> ConsequenceColumn:
    amount = compile_num(consequence.amount, scope) if consequence.amount else None
    limit = compile_num(consequence.limit, scope) if consequence.limit else None
    value = (
        amount
        if limit is None
        else limit
        if amount is None
        else extremum("min", [amount, limit], scope)
    )
    column = _when_applies(builder, scope, f"$amount.{penalty}.{number}", value, applies)
    lower = compile_num(consequence.lower, scope) if consequence.lower else None
    minimum = _when_applies(builder, scope, f"$minimum.{penalty}.{number}", lower, applies)
    return ConsequenceColumn(
        penalty,
        number,
        consequence.kind,
        applies_column(penalty),
        column,
        amount is None and limit is not None,
        consequence.unit,
        consequence.description,
        minimum,
    )


def _when_applies(
    builder: QueryBuilder, scope: Scope, column: str, value: Typed | None, applies: Typed
) -> str | None:
    """A column holding the value where the penalty applies (NULL elsewhere), or None."""
    if value is None:
        return None
    node = exp.Case(ifs=[exp.If(this=applies.sql, true=declared(value).sql)])
    builder.add(scope, column, Typed(node, Kind.NUM, value.num, value.nullable, True))
    return column
