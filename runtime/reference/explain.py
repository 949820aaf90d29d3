"""Plain-language explanations: each value as its formula with the numbers filled in.

    cap = floor(10,000 t CO2e/yr × 5 yr × (1 − 8 %)) = 46,000 t CO2e — reduction_factor
          for office in period first, <citation>

`substitute` prints a formula with every name replaced by its value and unit (thousands
separators, exact decimals, percentages as %); an `if` shows only the branch taken.
`explain_text` renders a trace (runtime/results/trace.py) as a derivation tree; values already
shown are marked "(see above)" instead of being repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from etsl.compiler import numbers
from etsl.compiler import program as ir
from etsl.compiler.builtins import BUILTINS
from etsl.compiler.display import display_unit, format_number, format_value
from etsl.compiler.printer import ATOM, NOT, PRODUCT, SHARE, precedence, print_program_expr
from etsl.compiler.source import deep_recursion
from etsl.runtime.records import Value
from etsl.runtime.reference.surrender import Step
from etsl.runtime.results.model import ConsequenceResult
from etsl.runtime.results.system import YEAR_LABEL
from etsl.runtime.results.trace import Trace, TraceEntry

YEAR = "year"

_SYMBOLS = {"*": "×", "/": "÷", "-": "−", "+": "+", ">=": "≥", "<=": "≤", "!=": "≠"}


# ---- formulas with values -------------------------------------------------------------------


class _Substituter:
    def __init__(self, values: Mapping[int, Value], program: ir.Program) -> None:
        self.values = values
        self.program = program

    def text(self, e: ir.Expr) -> str:
        printer: Callable[[_Substituter, Any], str] = _SUBSTITUTE[type(e)]
        return printer(self, e)

    def taken(self, e: ir.Expr) -> ir.Expr:
        """The expression actually shown: an evaluated `if` is shown as its branch."""
        while isinstance(e, ir.If) and e.node in self.values:
            e = e.then if self.values[e.node] else e.otherwise
        return e

    def level(self, e: ir.Expr) -> int:
        shown = self.taken(e)
        if isinstance(shown, ir.Ref | ir.Call) and shown.node in self.values:
            return ATOM
        return precedence(shown)

    def wrap(self, e: ir.Expr, minimum: int) -> str:
        text = self.text(e)
        return f"({text})" if self.level(e) < minimum else text

    def ref(self, e: ir.Ref) -> str:
        if e.node not in self.values:
            return e.name
        return value_text(e.name, self.values[e.node], self.program.unit_of(e.name))

    def call(self, e: ir.Call) -> str:
        unit = BUILTINS[e.builtin].result_unit or self.summed_unit(e)
        if unit is not None and e.node in self.values:
            return format_value(self.values[e.node], unit)
        if e.unit is not None:
            return f"{e.builtin}({e.unit})"
        return f"{e.builtin}({', '.join(self.text(a) for a in e.args)})"

    def summed_unit(self, e: ir.Call) -> str | None:
        """`earlier_years(x)` is shown in x's unit."""
        arg = e.args[0] if e.builtin == "earlier_years" and e.args else None
        return self.program.unit_of(arg.name) if isinstance(arg, ir.Ref) else None

    def aggregate(self, e: ir.Aggregate) -> str:
        if e.node not in self.values:
            return e.key
        shown = format_value(self.values[e.node], self.program.unit_of(e.key))
        return f"{shown} ({e.key})"

    def price_path(self, e: ir.PricePath) -> str:
        """The path as declared and, when its unit is not a base unit, the year's value in
        the unit it is written in: `13 USD/short_tCO2 from 2021 rising 7 % = 23.89
        USD/short_tCO2` (the published figure; the value itself is in USD/t CO2e)."""
        text = print_program_expr(e)
        value = self.values.get(e.node)
        if isinstance(value, Decimal) and e.scale != 1 and isinstance(e.start, ir.Const):
            text += f" = {format_value(numbers.divide(value, e.scale), e.start.unit or '')}"
        return text

    def operand(self, e: ir.Expr, other: ir.Expr, minimum: int) -> str:
        """One side of an operator; a number beside `year` is a year (2013, not 2,013)."""
        if _is_year(other) and isinstance(e, ir.Const) and not e.unit:
            return value_text(YEAR, e.written, "")
        return self.wrap(e, minimum)

    def binary(self, e: ir.Binary | ir.Logical) -> str:
        level = precedence(e)
        left, right = self.operand(e.left, e.right, level), self.operand(e.right, e.left, level + 1)
        return f"{left} {_SYMBOLS.get(e.op, e.op)} {right}"

    def compare(self, e: ir.Compare) -> str:
        left, right = self.operand(e.left, e.right, SHARE), self.operand(e.right, e.left, SHARE)
        return f"{left} {_SYMBOLS.get(e.op, e.op)} {right}"

    def if_(self, e: ir.If) -> str:
        if e.node in self.values:
            return self.text(self.taken(e))
        return f"if {self.text(e.condition)} then {self.text(e.then)} else {self.text(e.otherwise)}"


def _is_year(e: ir.Expr) -> bool:
    return isinstance(e, ir.Ref) and e.name == YEAR


def _const(e: ir.Const) -> str:
    if isinstance(e.written, Decimal):
        return f"{format_number(e.written)} {display_unit(e.unit)}".rstrip()
    return print_program_expr(e)


_SUBSTITUTE: dict[type, Callable[[_Substituter, Any], str]] = {
    ir.Const: lambda s, e: _const(e),
    ir.Ref: _Substituter.ref,
    ir.Attribute: lambda s, e: print_program_expr(e),
    ir.Call: _Substituter.call,
    ir.Binary: _Substituter.binary,
    ir.Logical: _Substituter.binary,
    ir.Compare: _Substituter.compare,
    ir.Not: lambda s, e: f"not {s.wrap(e.operand, NOT)}",
    ir.Neg: lambda s, e: f"−{s.wrap(e.operand, ATOM)}",
    ir.If: _Substituter.if_,
    ir.Member: lambda s, e: f"{s.wrap(e.operand, SHARE)} in {{{', '.join(e.values)}}}",
    # a sum as a share or a whole is bracketed: `(1 − 30 %) of 1,000 t`, never `1 − 30 % of …`
    ir.Share: lambda s, e: f"{s.wrap(e.share, PRODUCT)} of {s.wrap(e.whole, PRODUCT)}",
    ir.Aggregate: lambda s, e: s.aggregate(e),
    ir.PricePath: lambda s, e: s.price_path(e),
}


def value_text(name: str, value: object, unit: str) -> str:
    """A value as explanations show it; a `year` is a year (2023), not an amount (2,023)."""
    if name == YEAR and isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return format_value(value, unit)  # type: ignore[arg-type]


def substitute(expr: ir.Expr, values: Mapping[int, Value], program: ir.Program) -> str:
    """The formula with the values it used: `floor(10,000 t CO2e/yr × 5 yr × (1 − 8 %))`."""
    return _Substituter(values, program).text(expr)


def branch_notes(expr: ir.Expr, values: Mapping[int, Value]) -> list[str]:
    """Why each `if` took its branch: `covered is true`."""
    return [
        f"{print_program_expr(node.condition)} is {'true' if values[node.node] else 'false'}"
        for node in ir.walk(expr)
        if isinstance(node, ir.If) and node.node in values
    ]


def step_note(step: Step) -> str:
    """One surrender clause applied to one unit type."""
    limit = f" (= {format_value(step.limit, 'tCO2e')})" if step.limit is not None else ""
    before, after = format_value(step.before, "tCO2e"), format_value(step.after, "tCO2e")
    if not step.clause.startswith("accept"):
        return f"{step.clause}{limit}: {before} → {after}"
    capped = f", capped at {after}" if step.after != step.before else ""
    return f"{step.clause}{limit}: {before} accepted{capped}"


def consequence_note(c: ConsequenceResult) -> str:
    if c.amount is None:
        return c.kind
    bound = "up to " if c.maximum else ""
    if c.minimum is not None:
        bound = f"from {format_value(c.minimum, c.unit)} {bound}"
    extras = [c.mix.text()] if c.mix else []
    extras += [f"within {c.within}"] if c.within else []
    detail = f" ({'; '.join(extras)})" if extras else ""
    return f"{c.kind} {bound}{format_value(c.amount, c.unit)}{detail}"


# ---- derivation trees -----------------------------------------------------------------------


def entry_line(entry: TraceEntry) -> str:
    """`name = formula with values = value — notes, citation`."""
    value = (
        value_text(entry.name, entry.value, entry.unit) if entry.error is None else "not computed"
    )
    head = f"{entry.name} = "
    if entry.substituted and entry.substituted != value:
        head += f"{entry.substituted} = "
    head += value
    extras = [entry.error] if entry.error else []
    extras += list(entry.notes)
    if entry.kind == "input":
        extras.insert(0, "input")
    if entry.default:
        extras.append("default rule")
    if entry.citation:
        extras.append(entry.citation)
    return head + (" — " + ", ".join(e for e in extras if e) if extras else "")


def _children(entry: TraceEntry) -> list[str]:
    return list(dict.fromkeys([*entry.children, *(name for name, _ in entry.inputs)]))


def _tree(
    trace: Trace, name: str, prefix: str, branch: str, seen: set[str], lines: list[str]
) -> None:
    entry = trace.entries[name]
    if name in seen and _children(entry):
        lines.append(
            f"{prefix}{branch}{entry.name} = {value_text(entry.name, entry.value, entry.unit)} "
            "(see above)"
        )
        return
    seen.add(name)
    lines.append(prefix + branch + entry_line(entry))
    children = [c for c in _children(entry) if c in trace.entries]
    inner = prefix + {"": "", "├─ ": "│  ", "└─ ": "   "}[branch]
    for index, child in enumerate(children):
        _tree(trace, child, inner, "└─ " if index == len(children) - 1 else "├─ ", seen, lines)


def header(trace: Trace) -> str:
    period = f", period {trace.period}" if trace.period else ""
    period += f", year {trace.year}" if trace.year is not None else ""
    where = f" ({trace.source} row {trace.row})" if trace.source and trace.row else ""
    if trace.period is None and trace.participant.startswith(YEAR_LABEL):
        year = trace.participant.removeprefix(YEAR_LABEL)
        return f"{trace.scheme}: system values of {year}{where}"
    return f"{trace.scheme}: participant {trace.participant}{period}{where}"


def explain_text(trace: Trace, roots: Sequence[str] | None = None) -> str:
    """The derivation tree of the given values (default: the trace's roots)."""
    with deep_recursion():  # formulas are printed recursively
        return _explain_text(trace, roots)


def _explain_text(trace: Trace, roots: Sequence[str] | None) -> str:
    lines = [header(trace)]
    seen: set[str] = set()
    for root in roots or trace.roots:
        if root not in trace.entries:
            continue
        lines.append("")
        description = trace.entries[root].description
        if description:
            lines.append(f"{root}: {description}")
        _tree(trace, root, "", "", seen, lines)
    return "\n".join(lines)


def explain_json(traces: Iterable[Trace], root: str | None = None) -> dict[str, Any]:
    return {"format": "etsl.explanation/1", "traces": [trace.to_json(root) for trace in traces]}
