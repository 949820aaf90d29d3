"""Lower a scheme's system level (compiler/system.py) to its own Program.

    level = lower_system(lowering, resolved, graph)   # SystemLevel | None
    level.program.rules["msr_intake"].expr            # the system rule, typed and bound

The system program evaluates one year the way the participant Program evaluates one
participant: its inputs are `year`, the system inputs and one input per aggregate (the
aggregate as written, `sum(free_allocation)`, filled by the engine from the participants
of the year); its parameters and tables are the system ones plus the scheme's constant
ones they read; its rules are the system rules and one rule per price, whose expression is
the price path. So the reference engine, explanations and the examples runner evaluate and
explain system values with the code they use for participants.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any, Protocol

from etsl.compiler import ast
from etsl.compiler import program as ir
from etsl.compiler.graph import RuleGraph, evaluation_order
from etsl.compiler.percent_shown import percent_rules
from etsl.compiler.periods import program_periods
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.system import YEAR, constant_names
from etsl.compiler.types import ANY, NUMBER, Quant, Type
from etsl.compiler.units import dims_name, parse_unit

#: Price paths that rise are rounded half up to this many decimal places each year (cents).
PRICE_PLACES = 2


class Lowerer(Protocol):
    """What the system lowering uses of the participant lowering (compiler/lower.py)."""

    kinds: dict[str, ir.RefKind]
    types: Mapping[str, Type]
    aggregates: dict[str, ir.Aggregate]

    def expr(self, e: ast.Expr) -> ir.Expr: ...

    def about(self, item: Any, name: str | None = None) -> ir.Described: ...

    def cells(self, table: ast.Table) -> dict[tuple[str, ...], ir.Const]: ...

    def next_node(self) -> int: ...


def system_kinds(s: ResolvedScheme, constants: set[str]) -> dict[str, ir.RefKind]:
    """What each name in a system expression reads."""
    kinds = dict.fromkeys(s.enum_values, ir.RefKind.ENUM)
    kinds.update(dict.fromkeys(s.periods, ir.RefKind.PERIOD_NAME))
    system = s.system
    for kind, names in (
        (ir.RefKind.PARAM, [n for n in s.params if n in constants]),
        (ir.RefKind.TABLE, [n for n in s.tables if n in constants]),
        (ir.RefKind.INPUT, [YEAR, *system.inputs]),
        (ir.RefKind.PARAM, list(system.params)),
        (ir.RefKind.TABLE, list(system.tables)),
        (ir.RefKind.RULE, [*system.rules, *system.prices]),
    ):
        kinds.update(dict.fromkeys(names, kind))
    return kinds


@contextmanager
def kinds_of(lo: Lowerer, kinds: dict[str, ir.RefKind]) -> Iterator[None]:
    """Lower with another binding of names (system expressions bind them differently)."""
    saved = lo.kinds
    lo.kinds = kinds
    try:
        yield
    finally:
        lo.kinds = saved


def lower_system(lo: Lowerer, s: ResolvedScheme, graph: RuleGraph) -> ir.SystemLevel | None:
    """The system level's Program, or None when the scheme declares no system value."""
    system = s.system
    if not system.names:
        return None
    constants = constant_names(s)
    with kinds_of(lo, system_kinds(s, constants)):
        params = {**_params(lo, s, constants), **_system_params(lo, s)}
        tables = _tables(lo, s, constants)
        rules = {**_rules(lo, s), **_prices(lo, s)}
    inputs = _inputs(lo, s)
    rules = _percent_rules_shown(rules, s, (params, tables, inputs))
    order = _order(graph, constants)
    values = (*system.params, *system.tables, *system.rules, *system.prices)
    program = ir.Program(
        name=s.name,
        span=s.scheme.span,
        inputs=inputs,
        params=params,
        tables=tables,
        rules=rules,
        surrender=(),
        units={},
        penalties=(),
        periods=program_periods(s.periods, s.calendar),
        banking=None,
        borrowing=None,
        order=order,
        required=frozenset((*params, *tables, *rules)),
        sources={n: d.citation for n, d in s.sources.items()},
    )
    carried = {n: d.carried for n, d in system.inputs.items() if d.carried is not None}
    optional = frozenset(n for n, d in system.inputs.items() if d.optional)
    return ir.SystemLevel(
        program, dict(lo.aggregates), values, tuple(system.inputs), carried, optional
    )


def shown_unit(lo: Lowerer, name: str, literal: ast.Expr | None = None) -> str:
    """How a system value is shown: `%` for percentages written as such, else its unit."""
    if isinstance(literal, ast.Quantity) and literal.unit == "%":
        return "%"
    kind = lo.types.get(name)
    return dims_name(kind.dims) if isinstance(kind, Quant) else ""


def _inputs(lo: Lowerer, s: ResolvedScheme) -> dict[str, ir.Input]:
    year = ir.Input(YEAR, NUMBER, "", None, None, ir.Described("The year evaluated"))
    inputs = {YEAR: year}
    for name, decl in s.system.inputs.items():
        unit = decl.type.unit if isinstance(decl.type, ast.UnitType) else None
        shown = "%" if unit == "%" else shown_unit(lo, name)
        choices = decl.type.values if isinstance(decl.type, ast.EnumType) else None
        inputs[name] = ir.Input(
            name,
            lo.types.get(name, ANY),
            shown,
            unit,
            choices,
            lo.about(decl),
            "system",
            optional=decl.optional,
        )
    for key, node in lo.aggregates.items():
        unit = dims_name(node.type.dims) if isinstance(node.type, Quant) else ""
        about = ir.Described(f"{node.func} over the participants of the year", None, node.span)
        inputs[key] = ir.Input(key, node.type, unit, None, None, about, "participants")
    return inputs


def _params(lo: Lowerer, s: ResolvedScheme, constants: set[str]) -> dict[str, ir.Param]:
    chosen = {n: p for n, p in s.params.items() if n in constants}
    return {n: _param(lo, n, p) for n, p in chosen.items()}


def _system_params(lo: Lowerer, s: ResolvedScheme) -> dict[str, ir.Param]:
    return {n: _param(lo, n, p) for n, p in s.system.params.items()}


def _param(lo: Lowerer, name: str, p: ast.Param) -> ir.Param:
    return ir.Param(
        name, lo.expr(p.value), lo.types.get(name, ANY), shown_unit(lo, name, p.value), lo.about(p)
    )


def _tables(lo: Lowerer, s: ResolvedScheme, constants: set[str]) -> dict[str, ir.Table]:
    chosen = {n: t for n, t in s.tables.items() if n in constants}
    chosen.update(s.system.tables)
    return {
        name: table_of(lo, name, t, "%" if is_percent_table(t) else shown_unit(lo, name))
        for name, t in chosen.items()
    }


def table_of(lo: Lowerer, name: str, table: ast.Table, unit: str) -> ir.Table:
    """A decision table, lowered (both levels)."""
    return ir.Table(
        name, table.dims, lo.cells(table), lo.types.get(name, ANY), unit, lo.about(table, name)
    )


def is_percent_table(table: ast.Table) -> bool:
    """Whether every value of a table is written in % (it is then shown in %)."""
    cells = [c for r in table.rows for c in r.cells[1:] if isinstance(c, ast.Quantity)]
    return bool(cells) and all(c.unit == "%" for c in cells)


def _rules(lo: Lowerer, s: ResolvedScheme) -> dict[str, ir.Rule]:
    return {
        name: ir.Rule(
            name, lo.expr(r.expr), lo.types.get(name, ANY), shown_unit(lo, name), lo.about(r)
        )
        for name, r in s.system.rules.items()
    }


def _percent_rules_shown(
    rules: dict[str, ir.Rule], s: ResolvedScheme, named: tuple[Mapping[str, Any], ...]
) -> dict[str, ir.Rule]:
    """The system rules written in % (compiler/percent_shown.py) shown in %."""
    percent = {n for values in named for n, v in values.items() if v.unit == "%"}
    written = percent_rules({n: r.expr for n, r in s.system.rules.items()}, percent)
    return {n: replace(r, unit="%") if n in written else r for n, r in rules.items()}


def _prices(lo: Lowerer, s: ResolvedScheme) -> dict[str, ir.Rule]:
    rules = {}
    for name, price in s.system.prices.items():
        kind = lo.types.get(name, ANY)
        path = ir.PricePath(
            name,
            lo.expr(price.value),
            price.from_year,
            lo.expr(price.rising) if price.rising is not None else None,
            price.rising_plus,
            PRICE_PLACES,
            _written_scale(price.value),
            kind,
            price.span,
            lo.next_node(),
        )
        unit = shown_unit(lo, name, price.value)
        rules[name] = ir.Rule(name, path, kind, unit, lo.about(price, name))
    return rules


def _written_scale(value: ast.Expr) -> Decimal:
    """The scale of the unit a price's start value is written in (1 for other forms)."""
    if isinstance(value, ast.Quantity) and value.unit is not None:
        return parse_unit(value.unit).scale
    return Decimal(1)


def _order(graph: RuleGraph, constants: set[str]) -> tuple[str, ...]:
    """System values and the constants they read, each after what it uses."""
    order = []
    for node in evaluation_order(graph):
        kind, _, name = node.partition(":")
        if kind == "system":
            sub = graph.nodes[node].get("system_kind", "rule")
            if sub != "input":
                order.append(f"{sub}:{name}")
        elif kind in ("param", "table") and name in constants:
            order.append(node)
    return tuple(order)
