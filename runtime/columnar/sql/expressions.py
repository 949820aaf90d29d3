"""Compile ETSL expressions and tables to typed sqlglot expressions over a scope's columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from etsl.compiler import program as ir
from etsl.compiler.program import Program, share_terms
from etsl.compiler.types import ANY, Quant, Type
from etsl.runtime.columnar.sql.exact import (
    add,
    choose,
    compare,
    divide,
    logical,
    multiply,
    negate,
)
from etsl.runtime.columnar.sql.types import (
    KIND_TYPES,
    PERIOD,
    Flavour,
    Kind,
    Num,
    ScenarioLayout,
    SystemLayout,
    Typed,
    Unsupported,
    as_num,
    cast,
    cell_column,
    col,
    common,
    decimal_literal,
    declared,
    is_atomic,
    is_constant,
    null_of,
    param_column,
    text,
    wrap,
)
from sqlglot import exp


@dataclass
class Scope:
    """What names mean while compiling: columns computed so far, parameters, constants.

    `hoist` adds a projection computing a value once (a column), so that a value used several
    times inside one expression (the division rewrite, null guards) is not recomputed.
    """

    program: Program
    flavour: Flavour
    hoist: Callable[[Typed], Typed]
    columns: dict[str, Typed] = field(default_factory=dict)
    fixed_period: str | None = None
    scenario: ScenarioLayout | None = None
    attributes: Mapping[str, Typed] | None = None  # holding.X inside a surrender filter
    params: dict[str, Typed] = field(default_factory=dict)
    checked: bool = False  # enumerations and periods in the data are known to be valid
    system: SystemLayout | None = None  # the system values of each year (the system level)

    def column(self, name: str) -> Typed:
        if name not in self.columns:
            raise Unsupported(f"'{name}' is not available to the columnar engine")
        return self.columns[name]

    def define(self, name: str, typed: Typed) -> Typed:
        """Register a computed column; later expressions refer to it by name (constants are
        used as they are)."""
        if is_constant(typed):
            self.columns[name] = declared(typed)
            return self.columns[name]
        reference = replace(typed, sql=col(name), declared=typed.kind is Kind.NUM)
        self.columns[name] = reference
        return reference

    def atom(self, typed: Typed) -> Typed:
        return typed if is_atomic(typed.sql) else self.hoist(typed)

    def param(self, name: str) -> Typed:
        if name not in self.params:
            self.params[name] = self._param(name)
        return self.params[name]

    def _param(self, name: str) -> Typed:
        if self.scenario is not None and name in self.scenario.params:
            num = self.scenario.params[name]
            return Typed(
                cast(col(param_column(name)), num.sql_type()), Kind.NUM, num, declared=True
            )
        return compile_expr(self.program.params[name].expr, self)


def constant(e: ir.Const) -> Typed:
    """A literal (numbers already in base units)."""
    return value_constant(e.value)


def value_constant(value: object) -> Typed:
    """A value known before the query (a literal, a system value) as a typed constant."""
    if isinstance(value, bool):
        return Typed(exp.Boolean(this=value), Kind.BOOL)
    if isinstance(value, Decimal):
        return decimal_literal(value)
    if isinstance(value, str):
        return Typed(text(value), Kind.TEXT)
    assert isinstance(value, date), value
    return Typed(cast(text(value.isoformat()), KIND_TYPES[Kind.DATE]()), Kind.DATE)


def _ref(e: ir.Ref, scope: Scope) -> Typed:
    if e.kind is ir.RefKind.PARAM:
        return scope.param(e.name)
    if e.kind is ir.RefKind.PERIOD:
        return current_period(scope)
    if e.kind is ir.RefKind.STEP:
        return _step(e.name, scope)
    if e.kind in (ir.RefKind.PERIOD_NAME, ir.RefKind.ENUM):
        return Typed(text(e.name), Kind.TEXT)
    if e.kind is ir.RefKind.SYSTEM:
        return system_value(e.name, scope)
    return scope.column(e.name)


def system_value(name: str, scope: Scope) -> Typed:
    """A system value: the constant of the row's year, chosen by its `year` column (a period
    kept by year) or its period (the period's first year); NULL for a year without it."""
    system = scope.system
    if system is None:
        raise Unsupported(f"the system value '{name}' without the system level's values")
    values = system.values.get(name, {})
    cells: dict[tuple[str, ...], Typed]
    if scope.program.by_year and "year" in scope.columns:
        key = Typed(cast(scope.column("year").sql, KIND_TYPES[Kind.TEXT]()), Kind.TEXT)
        cells = {(str(year),): value_constant(v) for year, v in values.items()}
    else:
        key = current_period(scope)
        cells = {
            (period,): value_constant(values[year])
            for period, year in system.periods.items()
            if year in values
        }
    if not cells:  # no year the rows read has the value
        kind = kind_of_type(_system_type(scope.program, name))
        num = Num(1, 0) if kind is Kind.NUM else None
        return Typed(null_of(kind, num), kind, num, True, num is not None)
    return lookup([key], cells, [domain(scope, "period") if key.kind is Kind.TEXT else None])


def _step(name: str, scope: Scope) -> Typed:
    """A row's `year` and `final_year` are columns of a chain's step query (runtime/columnar/
    chains.py); elsewhere every row closes its period and has no year."""
    if name in scope.columns:
        return scope.column(name)
    if name == "final_year":
        return Typed(exp.Boolean(this=True), Kind.BOOL)
    raise Unsupported(f"'{name}' without its column (the reference engine reports it)")


def _system_type(program: Program, name: str) -> Type:
    level = program.system
    assert level is not None
    inner = level.program
    for table in (inner.inputs, inner.params, inner.tables, inner.rules):
        item = table.get(name)
        if item is not None:
            return item.type
    return ANY


def kind_of_type(kind: Type) -> Kind:
    """The SQL kind of a value of a static type."""
    if isinstance(kind, Quant):
        return Kind.NUM
    return {"bool": Kind.BOOL, "date": Kind.DATE}.get(getattr(kind, "name", ""), Kind.TEXT)


def current_period(scope: Scope) -> Typed:
    if scope.fixed_period is not None:
        return Typed(text(scope.fixed_period), Kind.TEXT)
    return scope.column(PERIOD)


def _binary(e: ir.Binary, scope: Scope) -> Typed:
    return arithmetic(e.op, compile_num(e.left, scope), compile_num(e.right, scope), scope)


def arithmetic(op: str, left: Typed, right: Typed, scope: Scope) -> Typed:
    if op in "+-":
        return add(op, left, right)
    if op == "*":
        return multiply(left, right)
    return divide(left, right, scope)


MAX_SQL_DEPTH = 48  # deeper SQL expressions are cut into columns (sqlglot recurses per level)


def bounded(typed: Typed, scope: Scope) -> Typed:
    """`typed`, or a column holding it when its SQL is deeper than MAX_SQL_DEPTH: a sum of
    hundreds of terms becomes a chain of columns, so that generating, parsing and planning
    the SQL never recurses deeper than a few hundred frames."""
    return scope.atom(declared(typed)) if sql_depth(typed.sql) > MAX_SQL_DEPTH else typed


def sql_depth(node: exp.Expr) -> int:
    """The depth of a sqlglot tree, counted without recursion."""
    deepest, pending = 0, [(node, 1)]
    while pending:
        current, depth = pending.pop()
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in current.iter_expressions())
    return deepest


def _compare(e: ir.Compare, scope: Scope) -> Typed:
    return compare(e.op, compile_expr(e.left, scope), compile_expr(e.right, scope))


def _logical(e: ir.Logical, scope: Scope) -> Typed:
    return logical(e.op, compile_expr(e.left, scope), compile_expr(e.right, scope), scope)


def _not(e: ir.Not, scope: Scope) -> Typed:
    operand = compile_expr(e.operand, scope)
    return Typed(exp.Not(this=wrap(operand.sql)), Kind.BOOL, None, operand.nullable)


def _neg(e: ir.Neg, scope: Scope) -> Typed:
    return negate(compile_num(e.operand, scope))


def _if(e: ir.If, scope: Scope) -> Typed:
    return choose(
        compile_expr(e.condition, scope),
        compile_expr(e.then, scope),
        compile_expr(e.otherwise, scope),
        scope,
    )


def _member(e: ir.Member, scope: Scope) -> Typed:
    operand = compile_expr(e.operand, scope)
    if operand.kind is Kind.ABSENT:
        return Typed(exp.false(), Kind.BOOL)
    node = exp.In(this=wrap(operand.sql), expressions=[text(v) for v in e.values])
    return Typed(node, Kind.BOOL, None, operand.nullable)


def _share(e: ir.Share, scope: Scope) -> Typed:
    """`a / b of X` is `a × X / b`; `P of X` is `P × X` (program.share_terms)."""
    share, divisor = share_terms(e)
    product = multiply(compile_num(share, scope), compile_num(e.whole, scope))
    if divisor is None:
        return product
    return divide(product, compile_num(divisor, scope), scope)


def _attribute(e: ir.Attribute, scope: Scope) -> Typed:
    """`holding.X` / `issuer.X` in a filter on a wide table's holding row.

    The row's attributes are the ones its unit type declares; any other is absent.
    """
    if scope.attributes is None:
        raise Unsupported(f"'{e.base}.{e.name}' outside a surrender filter")
    key = e.name if e.base == "holding" else f"issuer_{e.name}"
    return scope.attributes.get(key, Typed(exp.Null(), Kind.ABSENT))


def _call(e: ir.Call, scope: Scope) -> Typed:
    from etsl.runtime.columnar.sql.builtins import IMPLEMENTATIONS

    handler = IMPLEMENTATIONS.get(e.builtin)
    if handler is None:
        raise Unsupported(f"the function '{e.builtin}'")
    return handler(e, scope)


_COMPILERS: dict[type, Callable[[Any, Scope], Typed]] = {
    ir.Const: lambda e, scope: constant(e),
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


def compile_expr(expr: ir.Expr, scope: Scope) -> Typed:
    """A Program expression as SQL over the columns of the current projection."""
    return bounded(_COMPILERS[type(expr)](expr, scope), scope)


def compile_num(expr: ir.Expr, scope: Scope) -> Typed:
    typed = compile_expr(expr, scope)
    if typed.kind is not Kind.NUM:
        raise Unsupported(f"arithmetic on a {typed.kind.value}")
    return typed


# ---- tables -------------------------------------------------------------------------------


Domain = tuple[str, ...] | None  # the values a key can take (checked data), None: unknown


def lookup(
    keys: Sequence[Typed], cells: Mapping[tuple[str, ...], Typed], domains: Sequence[Domain] = ()
) -> Typed:
    """A value chosen by key(s): the exact key, else '*', else NULL (a missing row).

    When the data has been checked, each key's domain is known: if every value of it has a
    branch, the last branch needs no test and no row can be missing.
    """
    kinds = {v.kind for v in cells.values()}
    if len(kinds) != 1:
        raise Unsupported("a table whose cells have different kinds")
    kind = kinds.pop()
    num = common(*(v.number for v in cells.values())) if kind is Kind.NUM else None
    domains = list(domains) or [None] * len(keys)
    return _lookup_level(list(keys), dict(cells), domains, kind, num)


def _lookup_level(
    keys: list[Typed],
    cells: dict[tuple[str, ...], Typed],
    domains: list[Domain],
    kind: Kind,
    num: Num | None,
) -> Typed:
    if not keys:
        value = cells[()]
        return Typed(
            as_num(value, num) if num else value.sql, kind, num, value.nullable, num is not None
        )
    key, rest = keys[0], keys[1:]
    branches = {
        first: _lookup_level(
            rest, {k[1:]: v for k, v in cells.items() if k[0] == first}, domains[1:], kind, num
        )
        for first in dict.fromkeys(k[0] for k in cells)
    }
    missing = Typed(null_of(kind, num), kind, num, True, num is not None)
    fallback = branches.pop("*", missing)
    if isinstance(key.sql, exp.Literal):  # a constant key (a fixed period) picks its branch
        return branches.get(key.sql.name, fallback)
    domain = domains[0]
    if (
        domain is not None
        and not key.nullable
        and fallback is missing
        and set(domain) <= set(branches)
    ):
        branches = {k: v for k, v in branches.items() if k in domain}
        fallback = branches.pop(list(branches)[-1])  # every other value has its own branch
    if not branches:
        return fallback
    ifs = [
        exp.If(this=exp.EQ(this=key.sql, expression=text(k)), true=v.sql)
        for k, v in branches.items()
    ]
    nullable = key.nullable or fallback.nullable or any(b.nullable for b in branches.values())
    return Typed(exp.Case(ifs=ifs, default=fallback.sql), kind, num, nullable)


def table_cells(table: ir.Table, scope: Scope) -> dict[tuple[str, ...], Typed]:
    """(row key[, column key]) → compiled cell, sweep overrides included."""
    return {keys: _cell(table.name, keys, cell, scope) for keys, cell in table.cells.items()}


def _cell(table: str, keys: tuple[str, ...], cell: ir.Const, scope: Scope) -> Typed:
    if scope.scenario is not None and (table, keys) in scope.scenario.cells:
        num = scope.scenario.cells[table, keys]
        return Typed(
            cast(col(cell_column(table, keys)), num.sql_type()), Kind.NUM, num, declared=True
        )
    if cell.value == "*":
        raise Unsupported("'*' as a table value")
    return constant(cell)


def compile_table(table: ir.Table, scope: Scope) -> Typed:
    keys = [current_period(scope) if dim == "period" else scope.column(dim) for dim in table.dims]
    return lookup(keys, table_cells(table, scope), [domain(scope, d) for d in table.dims])


def domain(scope: Scope, dim: str) -> Domain:
    """The values a table dimension can take in checked data (None when unchecked)."""
    if not scope.checked:
        return None
    if dim == "period":
        return scope.program.period_names or None
    source = scope.program.inputs.get(dim)
    return source.choices if source is not None else None
