"""Lower a checked scheme to its Program (compiler/program.py), the last compiler pass.

    program = lower(checked, graph)

Every expression is rebuilt as typed Program nodes (names bound, literals in base units,
built-ins resolved, GWP factors attached); declarations become Program declarations with
their display units and citations; the rule graph gives the evaluation order. Lowering
runs only on schemes that checked without errors, so it reports nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from etsl.compiler import ast
from etsl.compiler import program as ir
from etsl.compiler.graph import RuleGraph, evaluation_order
from etsl.compiler.gwp import gwp
from etsl.compiler.infer import CheckedScheme, Checker
from etsl.compiler.lower_system import (
    is_percent_table,
    kinds_of,
    lower_system,
    system_kinds,
    table_of,
)
from etsl.compiler.numbers import multiply
from etsl.compiler.percent_shown import percent_rules
from etsl.compiler.periods import program_periods
from etsl.compiler.printer import print_expr
from etsl.compiler.program import attribute_value
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.source import Span
from etsl.compiler.system import AGGREGATES, constant_names, is_system_example
from etsl.compiler.types import ANY, BOOL, NAMED_TYPES, SYMBOL, Quant, Type
from etsl.compiler.units import dims_name, parse_unit
from etsl.compiler.vocabulary import MEANINGS, RUNTIME_INPUTS, STEP_VALUES, is_default

CO2E_UNIT = "tCO2e"
#: Consequences whose amount is always tonnes of CO2e.
_TONNE_CONSEQUENCES = ("make_good", "deduct", "order")


def lower(checked: CheckedScheme, graph: RuleGraph) -> ir.Program:
    """The Program of a scheme that compiled without errors."""
    return _Lowering(checked).program(graph)


def type_unit(kind: Type | None) -> str:
    """The unit text of a static type: `tCO2e/yr`, `JPY`, `` for numbers and non-quantities."""
    return dims_name(kind.dims) if isinstance(kind, Quant) else ""


def literal_value(q: ast.Quantity) -> Decimal:
    """A literal in base units: `8 %` → 0.08, `1 ktCO2e` → 1000."""
    return q.value if q.unit is None else multiply(q.value, parse_unit(q.unit).scale)


def citation_text(cite: ast.Cite | None, sources: Mapping[str, ast.SourceDecl]) -> str | None:
    """A citation as readers see it: the source's citation, then the locator (several,
    `cite a "x", b "y"`, joined by "; ")."""
    if cite is None:
        return None
    return "; ".join(_one_citation_text(c, sources) for c in cite.all())


def _one_citation_text(cite: ast.Cite, sources: Mapping[str, ast.SourceDecl]) -> str:
    source = sources.get(cite.source)
    text = source.citation if source else cite.source
    return f"{text}, {cite.locator}" if cite.locator else text


def name_kinds(s: ResolvedScheme) -> dict[str, ir.RefKind]:
    """What each name in an expression reads; inputs win over parameters, tables, rules and
    runtime values, which win over the current period, period names and enumeration values
    (the priority of compiler/graph.py's node_of)."""
    kinds = dict.fromkeys(s.enum_values, ir.RefKind.ENUM)
    kinds.update(dict.fromkeys(s.periods, ir.RefKind.PERIOD_NAME))
    kinds["period"] = ir.RefKind.PERIOD
    kinds.update(dict.fromkeys(STEP_VALUES, ir.RefKind.STEP))
    for kind, names in (
        (ir.RefKind.SYSTEM, s.system.names),
        (ir.RefKind.RUNTIME, RUNTIME_INPUTS),
        (ir.RefKind.RULE, s.rules),
        (ir.RefKind.TABLE, s.tables),
        (ir.RefKind.PARAM, s.params),
        (ir.RefKind.INPUT, s.fields),
    ):
        kinds.update(dict.fromkeys(names, kind))
    return kinds


class _Lowering:
    def __init__(self, checked: CheckedScheme) -> None:
        self.s = checked.resolved
        self.types = checked.types
        self.checker = Checker.of(checked)
        self.kinds = name_kinds(self.s)
        self.counter = itertools.count()
        self.basis = self.s.gases.basis if self.s.gases else None
        self.year_sums: dict[str, None] = {}  # names read by earlier_years(…)
        self.participant_kinds = self.kinds
        self.aggregates: dict[str, ir.Aggregate] = {}  # system aggregates, by their text

    # ---- expressions --------------------------------------------------------------------
    def expr(self, e: ast.Expr) -> ir.Expr:
        build: Callable[[_Lowering, Any, Type, Span, int], ir.Expr] = _LOWER[type(e)]
        return build(self, e, self.checker.infer(e), e.span, next(self.counter))

    def next_node(self) -> int:
        return next(self.counter)

    def optional(self, e: ast.Expr | None) -> ir.Expr | None:
        return None if e is None else self.expr(e)

    def call(self, e: ast.Call, kind: Type, span: Span, node: int) -> ir.Expr:
        if e.func in AGGREGATES:
            return self.aggregate(e, kind, span, node)
        argument = e.args[0] if e.args else None
        if e.func in ("held", "eligible") and isinstance(argument, ast.Name):
            return ir.Call(e.func, (), kind, span, node, unit=argument.name)
        if e.func == "earlier_years" and isinstance(argument, ast.Name):
            self.year_sums[argument.name] = None
        args = tuple(self.expr(a) for a in e.args)
        factor = self.gas_factor(args[0].type) if e.func == "co2e" else None
        return ir.Call(e.func, args, kind, span, node, factor=factor)

    def aggregate(self, e: ast.Call, kind: Type, span: Span, node: int) -> ir.Expr:
        """An aggregate's argument is a participant expression (compiler/system.py)."""
        with kinds_of(self, self.participant_kinds):
            arg = self.expr(e.args[0])
        key = print_expr(e)
        self.aggregates[key] = ir.Aggregate(e.func, arg, key, kind, span, node)
        return self.aggregates[key]

    def gas_factor(self, kind: Type) -> Decimal:
        """The GWP factor that converts a gas to CO2e (the checker made sure one exists)."""
        if not isinstance(kind, Quant) or kind.dims == (("co2e", 1),) or len(kind.dims) != 1:
            return Decimal(1)
        factor = gwp(self.basis, kind.dims[0][0].removeprefix("gas_")) if self.basis else None
        assert factor is not None, kind
        return factor

    # ---- declarations --------------------------------------------------------------------
    def about(self, item: Any, name: str | None = None) -> ir.Described:
        description = getattr(item, "description", None) or (MEANINGS.get(name) if name else None)
        citation = citation_text(getattr(item, "cite", None), self.s.sources)
        return ir.Described(description, citation, getattr(item, "span", None))

    def units_shown(self) -> dict[str, str]:
        s = self.s
        units = {n: type_unit(self.types.get(n)) for n in (*s.fields, *s.params, *s.rules)}
        for name, table in s.tables.items():
            units[name] = "%" if is_percent_table(table) else type_unit(self.types.get(name))
        units.update({n: "%" for n, p in s.params.items() if _is_percent(p.value)})
        units.update({n: "%" for n, f in s.fields.items() if _unit_text(f) == "%"})
        rules = {n: r.expr for n, r in s.rules.items()}
        units.update(
            dict.fromkeys(percent_rules(rules, {n for n, u in units.items() if u == "%"}), "%")
        )
        return units

    def inputs(self, units: Mapping[str, str]) -> dict[str, ir.Input]:
        owners = {f.name: p.name for p in _participants(self.s) for f in p.fields}
        blocks: dict[str, tuple[str, ...]] = {}
        for p in _participants(self.s):
            for f in p.fields:
                blocks[f.name] = (*blocks.get(f.name, ()), p.name)
        return {
            name: ir.Input(
                name,
                self.types.get(name, ANY),
                units[name],
                _declared_unit(f),
                f.type.values if isinstance(f.type, ast.EnumType) else None,
                self.about(f),
                owners.get(name),
                blocks.get(name, ()),
            )
            for name, f in self.s.fields.items()
        }

    def params(self, units: Mapping[str, str]) -> dict[str, ir.Param]:
        return {
            name: ir.Param(
                name,
                self.expr(p.value),
                self.types.get(name, ANY),
                units[name],
                self.about(p, name),
            )
            for name, p in self.s.params.items()
        }

    def tables(self, units: Mapping[str, str]) -> dict[str, ir.Table]:
        return {name: table_of(self, name, t, units[name]) for name, t in self.s.tables.items()}

    def cells(self, table: ast.Table) -> dict[tuple[str, ...], ir.Const]:
        cells: dict[tuple[str, ...], ir.Const] = {}
        for key, cell in _table_entries(table):
            if key not in cells:  # the first entry written for a key counts
                cells[key] = self.cell(cell)
        return cells

    def cell(self, cell: ast.Cell) -> ir.Const:
        if isinstance(cell, ast.CellName | ast.CellAny):
            name = cell.name if isinstance(cell, ast.CellName) else "*"
            kind = self.checker.cell_type(cell) if isinstance(cell, ast.CellName) else SYMBOL
            return ir.Const(name, name, None, kind, cell.span, next(self.counter))
        lowered = self.expr(cell)
        assert isinstance(lowered, ir.Const)
        return lowered

    def rules(self, units: Mapping[str, str]) -> dict[str, ir.Rule]:
        return {
            name: ir.Rule(
                name,
                self.expr(r.expr),
                self.types.get(name, ANY),
                units[name],
                self.about(r, name),
                is_default(r),
                r.vocabulary,
            )
            for name, r in self.s.rules.items()
        }

    def clauses(self) -> tuple[ir.Clause, ...]:
        surrender = self.s.surrender
        return tuple(self.clause(item) for item in (surrender.items if surrender else ()))

    def clause(self, item: ast.SurrenderItem) -> ir.Clause:
        if isinstance(item, ast.ShareClause):
            return ir.Clause(
                "share",
                item.units,
                None,
                None,
                clause_text(item),
                item.span,
                item.description,
                share=self.expr(item.share),
                bound=item.bound,
                among=item.among,
            )
        return ir.Clause(
            "accept" if isinstance(item, ast.Accept) else "limit",
            item.units,
            self.optional(item.limit),
            self.optional(item.where) if isinstance(item, ast.Accept) else None,
            clause_text(item),
            item.span,
            item.description,
        )

    def unit_types(self) -> dict[str, ir.UnitType]:
        return {
            name: ir.UnitType(
                name,
                unit.kind,
                unit.origin,
                {
                    **({"issuer_scheme": unit.origin} if unit.origin else {}),
                    **{a.name: attribute_value(a.value) for a in unit.attrs},
                },
            )
            for name, unit in self.s.units.items()
        }

    def penalties(self) -> tuple[ir.Penalty, ...]:
        return tuple(
            ir.Penalty(
                penalty.name or str(index + 1),
                self.optional(penalty.condition),
                tuple(self.consequence(c) for c in penalty.consequences),
                self.about(penalty),
            )
            for index, penalty in enumerate(self.s.penalties)
        )

    def consequence(self, c: ast.Consequence) -> ir.Consequence:
        amount, limit = self.optional(c.amount), self.optional(c.limit)
        shown = amount or limit
        unit = (
            CO2E_UNIT if c.kind in _TONNE_CONSEQUENCES else type_unit(shown.type) if shown else ""
        )
        mix = ir.Mix(c.mix.units, c.mix.bound, self.expr(c.mix.share)) if c.mix else None
        return ir.Consequence(
            c.kind,
            amount,
            limit,
            unit,
            c.description,
            mix,
            self.optional(c.within),
            self.optional(c.lower),
        )

    def carrying(self, banking: ast.Banking | None) -> ir.Carrying | None:
        if banking is None:
            return None
        rules = tuple(
            ir.BankRule(
                r.kind,
                r.units,
                self.optional(r.where),
                self.optional(r.limit),
                print_bank_rule(r),
                r.span,
            )
            for r in banking.rules
        )
        during = tuple(
            ir.PeriodCarrying(r.periods, r.mode, self.optional(r.limit), r.span)
            for r in banking.during
        )
        limit = self.optional(banking.limit)
        return ir.Carrying(banking.mode, limit, banking.span, rules, during)

    def examples(self) -> tuple[ir.Example, ...]:
        return tuple(self.example(example) for example in self.s.examples)

    def example(self, example: ast.Example) -> ir.Example:
        system = is_system_example(self.s, example)
        kinds = system_kinds(self.s, constant_names(self.s)) if system else self.kinds
        with kinds_of(self, kinds):
            return ir.Example(
                example.title,
                tuple(self.binding(b) for b in example.given),
                tuple(self.binding(b) for b in example.expect),
                example.span,
                system,
            )

    def binding(self, b: ast.Binding) -> ir.Binding:
        return ir.Binding(b.path, self.expr(b.value), b.span)

    def program(self, graph: RuleGraph) -> ir.Program:
        s = self.s
        units = self.units_shown()
        runtime_units = dict.fromkeys((*RUNTIME_INPUTS, "borrowed"), CO2E_UNIT)
        program = ir.Program(
            name=s.name,
            span=s.scheme.span,
            inputs=self.inputs(units),
            params=self.params(units),
            tables=self.tables(units),
            rules=self.rules(units),
            surrender=self.clauses(),
            units=self.unit_types(),
            penalties=self.penalties(),
            periods=program_periods(s.periods, s.calendar),
            banking=self.carrying(s.banking),
            borrowing=self.carrying(s.borrowing),
            order=_order(graph),
            required=_required(graph, s),
            examples=self.examples(),
            participants=tuple(p.name for p in _participants(s)),
            sources={n: d.citation for n, d in s.sources.items()},
            runtime_units=runtime_units,
            runtime_meanings=dict(RUNTIME_INPUTS),
            category_field=_category_field(s),
            year_sums=tuple(self.year_sums),
            system=lower_system(self, s, graph),
        )
        return _numbered(program, next(self.counter))


def _numbered(program: ir.Program, nodes: int) -> ir.Program:
    from dataclasses import replace

    return replace(program, nodes=nodes)


def _lower_quantity(lo: _Lowering, e: ast.Quantity, kind: Type, span: Span, node: int) -> ir.Expr:
    return ir.Const(literal_value(e), e.value, e.unit, kind, span, node)


def _lower_name(lo: _Lowering, e: ast.Name, kind: Type, span: Span, node: int) -> ir.Expr:
    return ir.Ref(e.name, lo.kinds[e.name], kind, span, node)


def _lower_attribute(lo: _Lowering, e: ast.Attribute, kind: Type, span: Span, node: int) -> ir.Expr:
    base = e.base.name if isinstance(e.base, ast.Name) else print_expr(e.base)
    return ir.Attribute(base, e.name, kind, span, node)


def _binary_like(node_type: Any) -> Callable[[_Lowering, Any, Type, Span, int], ir.Expr]:
    def build(lo: _Lowering, e: Any, kind: Type, span: Span, node: int) -> ir.Expr:
        result: ir.Expr = node_type(e.op, lo.expr(e.left), lo.expr(e.right), kind, span, node)
        return result

    return build


_LOWER: dict[type, Callable[[_Lowering, Any, Type, Span, int], ir.Expr]] = {
    ast.Quantity: _lower_quantity,
    ast.Bool: lambda lo, e, k, s, n: ir.Const(e.value, e.value, None, BOOL, s, n),
    ast.DateLit: lambda lo, e, k, s, n: ir.Const(e.value, e.value, None, k, s, n),
    ast.Name: _lower_name,
    ast.Attribute: _lower_attribute,
    ast.Call: lambda lo, e, k, s, n: lo.call(e, k, s, n),
    ast.Binary: _binary_like(ir.Binary),
    ast.Compare: _binary_like(ir.Compare),
    ast.Logical: _binary_like(ir.Logical),
    ast.Not: lambda lo, e, k, s, n: ir.Not(lo.expr(e.operand), k, s, n),
    ast.Neg: lambda lo, e, k, s, n: ir.Neg(lo.expr(e.operand), k, s, n),
    ast.If: lambda lo, e, k, s, n: ir.If(
        lo.expr(e.condition), lo.expr(e.then), lo.expr(e.otherwise), k, s, n
    ),
    ast.Member: lambda lo, e, k, s, n: ir.Member(lo.expr(e.operand), e.values, k, s, n),
    ast.ShareOf: lambda lo, e, k, s, n: ir.Share(lo.expr(e.share), lo.expr(e.whole), k, s, n),
}


# ---- helpers ----------------------------------------------------------------------------------


def clause_text(item: ast.SurrenderItem) -> str:
    """The clause as written: `accept outside_tokyo up to required_reduction / 3`."""
    if isinstance(item, ast.ShareClause):
        return (
            f"limit {', '.join(item.units)} {item.bound} {print_expr(item.share)} "
            f"among {', '.join(item.among)}"
        )
    keyword = "accept" if isinstance(item, ast.Accept) else "limit"
    text = f"{keyword} {', '.join(item.units)}"
    if item.limit is not None:
        text += f" up to {print_expr(item.limit)}"
    if isinstance(item, ast.Accept) and item.where is not None:
        text += f" where {print_expr(item.where)}"
    return text


def print_bank_rule(rule: ast.BankRule) -> str:
    """`except EUA where period == phase1`, `limit CER up to 2.5 % of assigned_amount`."""
    where = f" where {print_expr(rule.where)}" if rule.where is not None else ""
    limit = f" up to {print_expr(rule.limit)}" if rule.limit is not None else ""
    return f"{rule.kind} {', '.join(rule.units)}{where}{limit}"


def _table_entries(table: ast.Table) -> Iterator[tuple[tuple[str, ...], ast.Cell]]:
    def key(cell: ast.Cell) -> str:
        if isinstance(cell, ast.Quantity) and cell.unit is None:
            return str(int(cell.value))  # a year, in a system table by year
        return cell.name if isinstance(cell, ast.CellName) else "*"

    if len(table.dims) == 2 and table.rows:
        header = [key(c) for c in table.rows[0].cells[1:]]
        for row in table.rows[1:]:
            for column, cell in zip(header, row.cells[1:], strict=False):
                yield (key(row.cells[0]), column), cell
        return
    for row in table.rows:
        if len(row.cells) >= 2:
            yield (key(row.cells[0]),), row.cells[1]


def _unit_text(f: ast.Field) -> str | None:
    return f.type.unit if isinstance(f.type, ast.UnitType) else None


def _declared_unit(f: ast.Field) -> str | None:
    unit = _unit_text(f)
    return None if unit is None or unit in NAMED_TYPES else unit


def _participants(s: ResolvedScheme) -> list[ast.Participant]:
    return [d for d in s.scheme.decls if isinstance(d, ast.Participant)]


def _is_percent(expr: ast.Expr | None) -> bool:
    return isinstance(expr, ast.Quantity) and expr.unit == "%"


#: Runtime values an engine computes in the rule graph's order (the others are given).
_RUNTIME_STEPS = ("runtime:surrendered", "runtime:credits_left")


def _order(graph: RuleGraph) -> tuple[str, ...]:
    return tuple(
        n
        for n in evaluation_order(graph)
        if n.split(":")[0] in ("param", "table", "rule") or n in _RUNTIME_STEPS
    )


def _required(graph: RuleGraph, s: ResolvedScheme) -> frozenset[str]:
    """Values the compliance outcome depends on: vocabulary rules, penalties, surrender."""
    targets = {f"rule:{n}" for n in s.rules if n in MEANINGS} | {"runtime:surrendered"}
    targets |= {n for n in graph.nodes if n.startswith("penalty:")}
    needed = set(targets)
    for target in targets:
        if graph.has_node(target):
            needed |= graph.ancestors(target)
    return frozenset(
        n.split(":", 1)[1] if not n.startswith("penalty:") else "penalty." + n.split(":", 1)[1]
        for n in needed
    )


def _category_field(s: ResolvedScheme) -> str | None:
    enums = [n for n, f in s.fields.items() if isinstance(f.type, ast.EnumType)]
    return "category" if "category" in enums else (enums[0] if enums else None)
