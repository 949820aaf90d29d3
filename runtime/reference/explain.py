"""Plain-language explanations: each value as its formula with the numbers filled in.

    cap = floor(10,000 t CO2e/yr × 5 yr × (1 − 8 %)) = 46,000 t CO2e — reduction_factor
          for office in period first, <citation>

`substitute` prints a formula with every name replaced by its value and unit (thousands
separators, exact decimals, percentages as %); an `if` shows only the branch taken.
`explain_text` renders a trace (runtime/trace.py) as a derivation tree; values already
shown are marked "(see above)" instead of being repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from etsl.compiler import ast
from etsl.compiler.display import display_unit, format_number, format_value
from etsl.compiler.printer import ATOM, NOT, SHARE, precedence, print_expr
from etsl.runtime.records import Value
from etsl.runtime.reference.surrender import Step
from etsl.runtime.results.model import ConsequenceResult
from etsl.runtime.results.trace import Trace, TraceEntry

_SYMBOLS = {"*": "×", "/": "÷", "-": "−", "+": "+", ">=": "≥", "<=": "≤", "!=": "≠"}
_CALL_UNITS = {"years": "yr", "held": "tCO2e", "eligible": "tCO2e"}


# ---- formulas with values -------------------------------------------------------------------


class _Substituter:
    def __init__(self, values: Mapping[int, Value], units: Mapping[str, str]) -> None:
        self.values = values
        self.units = units

    def text(self, e: ast.Expr) -> str:
        printer: Callable[[_Substituter, Any], str] = _SUBSTITUTE[type(e)]
        return printer(self, e)

    def taken(self, e: ast.Expr) -> ast.Expr:
        """The expression actually shown: an evaluated `if` is shown as its branch."""
        while isinstance(e, ast.If) and id(e) in self.values:
            e = e.then if self.values[id(e)] else e.otherwise
        return e

    def level(self, e: ast.Expr) -> int:
        shown = self.taken(e)
        if isinstance(shown, ast.Name | ast.Call) and id(shown) in self.values:
            return ATOM
        return precedence(shown)

    def wrap(self, e: ast.Expr, minimum: int) -> str:
        text = self.text(e)
        return f"({text})" if self.level(e) < minimum else text

    def name(self, e: ast.Name) -> str:
        if id(e) not in self.values:
            return e.name
        return format_value(self.values[id(e)], self.units.get(e.name, ""))

    def call(self, e: ast.Call) -> str:
        if e.func in _CALL_UNITS and id(e) in self.values:
            return format_value(self.values[id(e)], _CALL_UNITS[e.func])
        return f"{e.func}({', '.join(self.text(a) for a in e.args)})"

    def binary(self, e: ast.Binary | ast.Logical) -> str:
        level = precedence(e)
        return (
            f"{self.wrap(e.left, level)} {_SYMBOLS.get(e.op, e.op)} {self.wrap(e.right, level + 1)}"
        )

    def compare(self, e: ast.Compare) -> str:
        return f"{self.wrap(e.left, SHARE)} {_SYMBOLS.get(e.op, e.op)} {self.wrap(e.right, SHARE)}"

    def if_(self, e: ast.If) -> str:
        if id(e) in self.values:
            return self.text(self.taken(e))
        return f"if {self.text(e.condition)} then {self.text(e.then)} else {self.text(e.otherwise)}"


def _quantity(e: ast.Quantity) -> str:
    return f"{format_number(e.value)} {display_unit(e.unit)}".rstrip()


_SUBSTITUTE: dict[type, Callable[[_Substituter, Any], str]] = {
    ast.Quantity: lambda s, e: _quantity(e),
    ast.Bool: lambda s, e: "true" if e.value else "false",
    ast.DateLit: lambda s, e: e.value.isoformat(),
    ast.Name: _Substituter.name,
    ast.Attribute: lambda s, e: print_expr(e),
    ast.Call: _Substituter.call,
    ast.Binary: _Substituter.binary,
    ast.Logical: _Substituter.binary,
    ast.Compare: _Substituter.compare,
    ast.Not: lambda s, e: f"not {s.wrap(e.operand, NOT)}",
    ast.Neg: lambda s, e: f"−{s.wrap(e.operand, ATOM)}",
    ast.If: _Substituter.if_,
    ast.Member: lambda s, e: f"{s.wrap(e.operand, SHARE)} in {{{', '.join(e.values)}}}",
    ast.ShareOf: lambda s, e: f"{s.wrap(e.share, SHARE + 1)} of {s.wrap(e.whole, SHARE + 1)}",
}


def substitute(expr: ast.Expr, values: Mapping[int, Value], units: Mapping[str, str]) -> str:
    """The formula with the values it used: `floor(10,000 t CO2e/yr × 5 yr × (1 − 8 %))`."""
    return _Substituter(values, units).text(expr)


def branch_notes(expr: ast.Expr, values: Mapping[int, Value]) -> list[str]:
    """Why each `if` took its branch: `covered is true`."""
    return [
        f"{print_expr(node.condition)} is {'true' if values[id(node)] else 'false'}"
        for node in ast.walk(expr)
        if isinstance(node, ast.If) and id(node) in values
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
    return f"{c.kind} {bound}{format_value(c.amount, c.unit)}"


# ---- derivation trees -----------------------------------------------------------------------


def entry_line(entry: TraceEntry) -> str:
    """`name = formula with values = value — notes, citation`."""
    value = format_value(entry.value, entry.unit) if entry.error is None else "not computed"
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
            f"{prefix}{branch}{entry.name} = {format_value(entry.value, entry.unit)} (see above)"
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
    where = f" ({trace.source} row {trace.row})" if trace.source and trace.row else ""
    return f"{trace.scheme}: participant {trace.participant}{period}{where}"


def explain_text(trace: Trace, roots: Sequence[str] | None = None) -> str:
    """The derivation tree of the given values (default: the trace's roots)."""
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
