"""The plan: everything about a scheme the reference engine needs, computed once.

    plan = make_plan(compiled)
    plan.order          # graph nodes to compute, in dependency order
    plan.rule_names     # result columns: every rule, then carry_in, owed_in, surrendered
    plan.required       # values the compliance outcome depends on

Table indexes, GWP factors of each co2e() call, display units, citations and the declared
attributes of unit types are prepared here so that evaluating a participant only looks
them up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import networkx as nx
from etsl.compiler import ast
from etsl.compiler import numbers as arith
from etsl.compiler.check import Checker
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.graph import evaluation_order
from etsl.compiler.gwp import gwp
from etsl.compiler.types import Quant, Type
from etsl.compiler.units import Dims, dims_name, parse_unit
from etsl.compiler.vocabulary import MEANINGS, RUNTIME_INPUTS
from etsl.runtime.records import Value
from etsl.runtime.reference.consequences import penalty_name
from etsl.runtime.results.model import CONSEQUENCE_KINDS

CO2E_UNIT = "tCO2e"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class TableIndex:
    dims: tuple[str, ...]
    cells: Mapping[tuple[str, ...], tuple[Value, str | None]]  # key → (value, literal unit)


@dataclass(frozen=True)
class Plan:
    compiled: CompiledScheme
    order: tuple[str, ...]
    rule_names: tuple[str, ...]
    units: tuple[str, ...]
    kinds: Mapping[str, str]
    tables: Mapping[str, TableIndex]
    co2e: Mapping[int, Decimal | str]
    consequence_units: Mapping[int, str]
    display_units: Mapping[str, str]
    required: frozenset[str]
    citations: Mapping[str, str]
    unit_attributes: Mapping[str, Mapping[str, Value]]
    penalties: tuple[tuple[str, ast.Penalty], ...]
    category_field: str | None
    borrowing: bool
    consequence_kinds: tuple[str, ...]

    @property
    def resolved(self) -> Any:
        return self.compiled.resolved

    @property
    def name(self) -> str:
        return self.compiled.name


def _name_kinds(s: Any) -> dict[str, str]:
    """What each name in an expression refers to (priority as in compiler.graph.node_of)."""
    kinds = dict.fromkeys(s.enum_values, "enum")
    kinds.update(dict.fromkeys(s.periods, "period_name"))
    kinds["period"] = "period"
    for kind, names in (
        ("runtime", RUNTIME_INPUTS),
        ("rule", s.rules),
        ("table", s.tables),
        ("param", s.params),
        ("input", s.fields),
    ):
        kinds.update(dict.fromkeys(names, kind))
    return kinds


@cache
def unit_scale(unit: str) -> Decimal:
    return parse_unit(unit).scale


def literal_value(cell: ast.Quantity | ast.Bool | ast.DateLit) -> Value:
    """A literal in base units: `8 %` → 0.08, `1 ktCO2e` → 1000."""
    if isinstance(cell, ast.Quantity):
        return (
            cell.value if cell.unit is None else arith.multiply(cell.value, unit_scale(cell.unit))
        )
    return cell.value


def _cell_value(cell: ast.Cell) -> tuple[Value, str | None]:
    if isinstance(cell, ast.CellName):
        return cell.name, None
    if isinstance(cell, ast.CellAny):
        return "*", None
    return literal_value(cell), cell.unit if isinstance(cell, ast.Quantity) else None


def _key(cell: ast.Cell) -> str:
    return cell.name if isinstance(cell, ast.CellName) else "*"


def index_table(table: ast.Table) -> TableIndex:
    cells: dict[tuple[str, ...], tuple[Value, str | None]] = {}
    if len(table.dims) == 2 and table.rows:
        header = [_key(c) for c in table.rows[0].cells[1:]]
        for row in table.rows[1:]:
            for column, cell in zip(header, row.cells[1:], strict=False):
                cells.setdefault((_key(row.cells[0]), column), _cell_value(cell))
    else:
        for row in table.rows:
            if len(row.cells) >= 2:
                cells.setdefault((_key(row.cells[0]),), _cell_value(row.cells[1]))
    return TableIndex(table.dims, cells)


def _all_expressions(s: Any) -> list[ast.Expr]:
    exprs: list[ast.Expr] = [p.value for p in s.params.values()]
    exprs += [r.expr for r in s.rules.values()]
    for item in s.surrender.items if s.surrender else ():
        exprs += [e for e in (item.limit, getattr(item, "where", None)) if e is not None]
    for penalty in s.penalties:
        exprs += [e for e in (penalty.condition,) if e is not None]
        exprs += [e for c in penalty.consequences for e in (c.amount, c.limit) if e is not None]
    exprs += [b.limit for b in (s.banking, s.borrowing) if b is not None and b.limit is not None]
    return exprs


def _gas_factor(dims: Dims, basis: str | None) -> Decimal | str:
    if dims == (("co2e", 1),):
        return Decimal(1)
    gas = dims[0][0].removeprefix("gas_") if len(dims) == 1 else "?"
    if basis is None:
        return (
            f"converting t{gas} to t CO2e needs a GWP basis, but the scheme declares "
            "none (add e.g. 'gases CO2, CH4 gwp AR5')"
        )
    factor = gwp(basis, gas)
    return factor if factor is not None else f"there is no {basis} GWP for {gas}"


def _co2e_factors(compiled: CompiledScheme) -> dict[int, Decimal | str]:
    s = compiled.resolved
    checker = Checker(s)
    basis = s.gases.basis if s.gases else None
    factors: dict[int, Decimal | str] = {}
    for expr in _all_expressions(s):
        for node in ast.walk(expr):
            if isinstance(node, ast.Call) and node.func == "co2e" and node.args:
                kind = checker.infer(node.args[0])
                factors[id(node)] = (
                    _gas_factor(kind.dims, basis) if isinstance(kind, Quant) else Decimal(1)
                )
    return factors


def type_unit(kind: Type | None) -> str:
    """The unit text of a static type: `tCO2e/yr`, `JPY`, `` for numbers and non-quantities."""
    return dims_name(kind.dims) if isinstance(kind, Quant) else ""


def _consequence_units(compiled: CompiledScheme) -> dict[int, str]:
    checker = Checker(compiled.resolved)
    units = {}
    for penalty in compiled.resolved.penalties:
        for consequence in penalty.consequences:
            expr = consequence.amount or consequence.limit
            if consequence.kind in ("make_good", "deduct", "order"):
                units[id(consequence)] = CO2E_UNIT
            else:
                units[id(consequence)] = type_unit(checker.infer(expr)) if expr else ""
    return units


def _is_percent(expr: ast.Expr | None) -> bool:
    return isinstance(expr, ast.Quantity) and expr.unit == "%"


def _display_units(compiled: CompiledScheme) -> dict[str, str]:
    s = compiled.resolved
    types = compiled.checked.types
    units = {name: type_unit(types.get(name)) for name in (*s.fields, *s.params, *s.rules)}
    units.update(dict.fromkeys(RUNTIME_INPUTS, CO2E_UNIT))
    for name, table in s.tables.items():
        literals = [c for row in table.rows for c in row.cells[1:] if isinstance(c, ast.Quantity)]
        percent = bool(literals) and all(c.unit == "%" for c in literals)
        units[name] = "%" if percent else type_unit(types.get(name))
    units.update({n: "%" for n, p in s.params.items() if _is_percent(p.value)})
    units.update(
        {
            n: "%"
            for n, f in s.fields.items()
            if isinstance(f.type, ast.UnitType) and f.type.unit == "%"
        }
    )
    return units


def _required(graph: nx.DiGraph, s: Any) -> frozenset[str]:
    """Values the compliance outcome depends on: vocabulary rules, penalties, surrender."""
    targets = {f"rule:{n}" for n in s.rules if n in MEANINGS} | {"runtime:surrendered"}
    targets |= {n for n in graph.nodes if n.startswith("penalty:")}
    needed = set(targets)
    for target in targets:
        if graph.has_node(target):
            needed |= nx.ancestors(graph, target)
    return frozenset(
        n.split(":", 1)[1] if not n.startswith("penalty:") else "penalty." + n.split(":", 1)[1]
        for n in needed
    )


def citation_text(cite: ast.Cite | None, sources: Mapping[str, ast.SourceDecl]) -> str | None:
    if cite is None:
        return None
    source = sources.get(cite.source)
    text = source.citation if source else cite.source
    return f"{text}, {cite.locator}" if cite.locator else text


def _citations(s: Any) -> dict[str, str]:
    items = [*s.rules.values(), *s.params.values(), *s.tables.values()]
    return {i.name: text for i in items if (text := citation_text(i.cite, s.sources))}


def attribute_value(raw: Value) -> Value:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    if isinstance(raw, str) and _NUMBER.match(raw):
        return Decimal(raw)
    return raw


def _unit_attributes(s: Any) -> dict[str, dict[str, Value]]:
    """Attributes unit types declare (`{ origin = outside }`, `from SCHEME`): row defaults."""
    return {
        name: {
            **({"issuer_scheme": unit.origin} if unit.origin else {}),
            **{a.name: attribute_value(a.value) for a in unit.attrs},
        }
        for name, unit in s.units.items()
    }


def _category_field(s: Any) -> str | None:
    enums = [n for n, f in s.fields.items() if isinstance(f.type, ast.EnumType)]
    return "category" if "category" in enums else (enums[0] if enums else None)


def _rule_names(s: Any, borrowing: bool) -> tuple[str, ...]:
    rules = ["covered", *(n for n in s.rules if n != "covered")]
    runtime = ["carry_in", "owed_in", *(["borrowed"] if borrowing else []), "surrendered"]
    return tuple(rules + runtime)


def borrowing_enabled(s: Any) -> bool:
    return s.borrowing is not None and s.borrowing.mode in ("next_period", "unlimited")


def make_plan(compiled: CompiledScheme) -> Plan:
    """Precompute what evaluating any participant of a scheme needs."""
    s = compiled.resolved
    order = tuple(
        n
        for n in evaluation_order(compiled.graph)
        if n.split(":")[0] in ("param", "rule") or n == "runtime:surrendered"
    )
    borrowing = borrowing_enabled(s)
    return Plan(
        compiled=compiled,
        order=order,
        rule_names=_rule_names(s, borrowing),
        units=tuple(s.units),
        kinds=_name_kinds(s),
        tables={n: index_table(t) for n, t in s.tables.items()},
        co2e=_co2e_factors(compiled),
        consequence_units=_consequence_units(compiled),
        display_units=_display_units(compiled),
        required=_required(compiled.graph, s),
        citations=_citations(s),
        unit_attributes=_unit_attributes(s),
        penalties=tuple((penalty_name(p, i), p) for i, p in enumerate(s.penalties)),
        category_field=_category_field(s),
        borrowing=borrowing,
        consequence_kinds=tuple(
            k
            for k in CONSEQUENCE_KINDS
            if any(c.kind == k for p in s.penalties for c in p.consequences)
        ),
    )
