"""Compile ETSL expressions and tables to typed sqlglot expressions over a scope's columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from etsl.compiler import ast
from etsl.compiler.check import Checker
from etsl.compiler.gwp import gwp
from etsl.compiler.numbers import CONTEXT
from etsl.compiler.periods import period_years
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.types import Quant
from etsl.compiler.units import parse_unit
from etsl.compiler.vocabulary import RUNTIME_INPUTS
from etsl.runtime.columnar.sql.exact import (
    add,
    choose,
    compare,
    divide,
    extremum,
    logical,
    multiply,
    negate,
    to_places,
)
from etsl.runtime.columnar.sql.types import (
    KIND_TYPES,
    PERIOD,
    Flavour,
    Kind,
    Num,
    ScenarioLayout,
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

    scheme: ResolvedScheme
    checker: Checker
    flavour: Flavour
    hoist: Callable[[Typed], Typed]
    columns: dict[str, Typed] = field(default_factory=dict)
    fixed_period: str | None = None
    scenario: ScenarioLayout | None = None
    attributes: Mapping[str, Typed] | None = None  # holding.X inside a surrender filter
    params: dict[str, Typed] = field(default_factory=dict)
    checked: bool = False  # enumerations and periods in the data are known to be valid

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
        return compile_expr(self.scheme.params[name].value, self)


def quantity_value(q: ast.Quantity) -> Decimal:
    """A literal in base units: its value times its unit's scale (exact)."""
    value: Decimal = CONTEXT.multiply(q.value, parse_unit(q.unit).scale) if q.unit else q.value
    return value


def _quantity(e: ast.Quantity, scope: Scope) -> Typed:
    return decimal_literal(quantity_value(e))


def _bool(e: ast.Bool, scope: Scope) -> Typed:
    return Typed(exp.Boolean(this=e.value), Kind.BOOL)


def _date(e: ast.DateLit, scope: Scope) -> Typed:
    return Typed(cast(text(e.value.isoformat()), KIND_TYPES[Kind.DATE]()), Kind.DATE)


def _name(e: ast.Name, scope: Scope) -> Typed:
    s, name = scope.scheme, e.name
    if name in s.fields or name in s.tables or name in s.rules or name in RUNTIME_INPUTS:
        return scope.column(name)
    if name in s.params:
        return scope.param(name)
    if name == "period":
        return current_period(scope)
    if name in s.periods or name in s.enum_values:
        return Typed(text(name), Kind.TEXT)
    raise Unsupported(f"the name '{name}'")


def current_period(scope: Scope) -> Typed:
    if scope.fixed_period is not None:
        return Typed(text(scope.fixed_period), Kind.TEXT)
    return scope.column(PERIOD)


def _binary(e: ast.Binary, scope: Scope) -> Typed:
    left, right = compile_num(e.left, scope), compile_num(e.right, scope)
    if e.op in "+-":
        return add(e.op, left, right)
    if e.op == "*":
        return multiply(left, right)
    return divide(left, right, scope)


def _compare(e: ast.Compare, scope: Scope) -> Typed:
    return compare(e.op, compile_expr(e.left, scope), compile_expr(e.right, scope))


def _logical(e: ast.Logical, scope: Scope) -> Typed:
    return logical(e.op, compile_expr(e.left, scope), compile_expr(e.right, scope), scope)


def _not(e: ast.Not, scope: Scope) -> Typed:
    operand = compile_expr(e.operand, scope)
    return Typed(exp.Not(this=wrap(operand.sql)), Kind.BOOL, None, operand.nullable)


def _neg(e: ast.Neg, scope: Scope) -> Typed:
    return negate(compile_num(e.operand, scope))


def _if(e: ast.If, scope: Scope) -> Typed:
    return choose(
        compile_expr(e.condition, scope),
        compile_expr(e.then, scope),
        compile_expr(e.otherwise, scope),
        scope,
    )


def _member(e: ast.Member, scope: Scope) -> Typed:
    operand = compile_expr(e.operand, scope)
    if operand.kind is Kind.ABSENT:
        return Typed(exp.false(), Kind.BOOL)
    node = exp.In(this=wrap(operand.sql), expressions=[text(v) for v in e.values])
    return Typed(node, Kind.BOOL, None, operand.nullable)


def _share_of(e: ast.ShareOf, scope: Scope) -> Typed:
    """`a / b of X` is `a × X / b`; `P of X` is `P × X` (ast.share_arithmetic)."""
    return compile_expr(ast.share_arithmetic(e), scope)


def _attribute(e: ast.Attribute, scope: Scope) -> Typed:
    """`holding.X` / `issuer.X` in a filter on a wide table's holding row.

    The row's attributes are the ones its unit type declares; any other is absent.
    """
    base = e.base.name if isinstance(e.base, ast.Name) else ""
    if scope.attributes is None:
        raise Unsupported(f"'{base}.{e.name}' outside a surrender filter")
    key = e.name if base == "holding" else f"issuer_{e.name}"
    return scope.attributes.get(key, Typed(exp.Null(), Kind.ABSENT))


def _call(e: ast.Call, scope: Scope) -> Typed:
    handler = _CALLS.get(e.func)
    if handler is None:
        raise Unsupported(f"the function '{e.func}'")
    return handler(e, scope)


def _places(e: ast.Call) -> int:
    if len(e.args) == 1:
        return 0
    places = e.args[1]
    if (
        isinstance(places, ast.Quantity)
        and places.unit is None
        and places.value >= 0
        and places.value == places.value.to_integral_value()
    ):
        return int(places.value)
    raise Unsupported(f"{e.func}() to a number of places that is not a literal whole number")


def _rounding(e: ast.Call, scope: Scope) -> Typed:
    return to_places(e.func, compile_num(e.args[0], scope), _places(e), scope)


def _extremum(e: ast.Call, scope: Scope) -> Typed:
    return extremum(e.func, [compile_num(a, scope) for a in e.args], scope)


def _abs(e: ast.Call, scope: Scope) -> Typed:
    x = compile_num(e.args[0], scope)
    return Typed(exp.Abs(this=x.sql), Kind.NUM, x.num, x.nullable)


def _years(e: ast.Call, scope: Scope) -> Typed:
    s = scope.scheme
    which = compile_expr(e.args[0], scope)
    lengths = {name: period_years(p, s.calendar) for name, p in s.periods.items()}
    if len(set(lengths.values())) == 1 and not which.nullable:
        return decimal_literal(next(iter(lengths.values())))
    return lookup(
        [which],
        {(name,): decimal_literal(v) for name, v in lengths.items()},
        [domain(scope, "period")],
    )


def _co2e(e: ast.Call, scope: Scope) -> Typed:
    x = compile_num(e.args[0], scope)
    dims = scope.checker.infer(e.args[0])
    if not isinstance(dims, Quant) or len(dims.dims) != 1:
        raise Unsupported("co2e() of a value whose gas is not known statically")
    gas = dims.dims[0][0]
    if gas == "co2e":
        return x
    basis = scope.scheme.gases.basis if scope.scheme.gases else None
    factor = gwp(basis, gas.removeprefix("gas_")) if basis else None
    if factor is None:
        raise Unsupported(f"no GWP for '{gas.removeprefix('gas_')}' in basis {basis}")
    return multiply(x, decimal_literal(factor))


def _unit_value(prefix: str) -> Callable[[ast.Call, Scope], Typed]:
    def handler(e: ast.Call, scope: Scope) -> Typed:
        unit = e.args[0]
        assert isinstance(unit, ast.Name)
        return scope.column(f"{prefix}.{unit.name}")

    return handler


_CALLS: dict[str, Callable[[ast.Call, Scope], Typed]] = {
    "floor": _rounding,
    "ceil": _rounding,
    "round": _rounding,
    "min": _extremum,
    "max": _extremum,
    "abs": _abs,
    "years": _years,
    "co2e": _co2e,
    "held": _unit_value("held"),
    "eligible": _unit_value("eligible"),
}

_COMPILERS: dict[type, Callable[[Any, Scope], Typed]] = {
    ast.Quantity: _quantity,
    ast.Bool: _bool,
    ast.DateLit: _date,
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


def compile_expr(expr: ast.Expr, scope: Scope) -> Typed:
    """An ETSL expression as SQL over the columns of the current projection."""
    return _COMPILERS[type(expr)](expr, scope)


def compile_num(expr: ast.Expr, scope: Scope) -> Typed:
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


def table_cells(table: ast.Table, scope: Scope) -> dict[tuple[str, ...], Typed]:
    """(row key[, column key]) → compiled cell, sweep overrides included."""
    two = len(table.dims) == 2
    rows = table.rows[1:] if two else table.rows
    header: list[str | None] = [_key(c) for c in table.rows[0].cells[1:]] if two else [None]
    cells: dict[tuple[str, ...], Typed] = {}
    for row in rows:
        for column, cell in zip(header, row.cells[1:], strict=False):
            keys = (_key(row.cells[0]),) + ((column,) if column is not None else ())
            if keys not in cells:  # the first entry for a key counts (as in runtime/plan.py)
                cells[keys] = _cell(table.name, keys, cell, scope)
    return cells


def _key(cell: ast.Cell) -> str:
    if isinstance(cell, ast.CellAny):
        return "*"
    if isinstance(cell, ast.CellName):
        name: str = cell.name
        return name
    raise Unsupported("a table key that is not a name or '*'")


def _cell(table: str, keys: tuple[str, ...], cell: ast.Cell, scope: Scope) -> Typed:
    if scope.scenario is not None and (table, keys) in scope.scenario.cells:
        num = scope.scenario.cells[table, keys]
        return Typed(
            cast(col(cell_column(table, keys)), num.sql_type()), Kind.NUM, num, declared=True
        )
    if isinstance(cell, ast.CellName):
        return Typed(text(cell.name), Kind.TEXT)
    if isinstance(cell, ast.CellAny):
        raise Unsupported("'*' as a table value")
    return compile_expr(cell, scope)


def compile_table(table: ast.Table, scope: Scope) -> Typed:
    keys = [current_period(scope) if dim == "period" else scope.column(dim) for dim in table.dims]
    return lookup(keys, table_cells(table, scope), [domain(scope, d) for d in table.dims])


def domain(scope: Scope, dim: str) -> Domain:
    """The values a table dimension can take in checked data (None when unchecked)."""
    if not scope.checked:
        return None
    if dim == "period":
        return tuple(scope.scheme.periods) or None
    field_decl = scope.scheme.fields.get(dim)
    if field_decl is not None and isinstance(field_decl.type, ast.EnumType):
        values: tuple[str, ...] = field_decl.type.values
        return values
    return None
