"""The canonical formatter: `etsl fmt`. Idempotent, and keeps every comment.

    format_source(source) -> (text | None, diagnostics)

Comments are attached to the item (declaration, field, table row, unit, surrender line,
consequence) that follows them, or trail the item that ends on their line; comments before
a closing brace stay there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from etsl.compiler import ast
from etsl.compiler.diagnostics import Diagnostic
from etsl.compiler.parse import parse, too_deep
from etsl.compiler.printer import print_expr, quantity_text
from etsl.compiler.source import SourceFile, Span, deep_recursion

INDENT = "  "
WIDTH = 100


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _opt(prefix: str, value: object | None) -> str:
    return f" {prefix}{value}" if value is not None else ""


def _desc(text: str | None) -> str:
    return f" {_q(text)}" if text is not None else ""


def _cite(cite: ast.Cite | None) -> str:
    """` cite a "x", b "y" secondary`: every citation, in order, after one `cite`."""
    if cite is None:
        return ""
    return " cite " + ", ".join(map(_citation, cite.all()))


def _citation(cite: ast.Cite) -> str:
    return (
        cite.source + (f" {_q(cite.locator)}" if cite.locator else "") + _opt("", cite.confidence)
    )


def _up_to(expr: ast.Expr | None) -> str:
    return f" up to {print_expr(expr)}" if expr is not None else ""


# ---- comments -------------------------------------------------------------------------------

_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')


@dataclass(frozen=True)
class Comment:
    start: int
    line: int
    text: str


@dataclass
class Comments:
    leading: dict[int, list[Comment]] = field(default_factory=dict)
    trailing: dict[int, Comment] = field(default_factory=dict)
    closing: dict[int, list[Comment]] = field(default_factory=dict)
    blank_before: set[int] = field(default_factory=set)


def find_comments(source: SourceFile) -> list[Comment]:
    return [
        Comment(m.start(), source.position(m.start())[0], m.group().rstrip())
        for m in _TOKENS.finditer(source.text)
        if m.group().startswith("#")
    ]


BLOCKS = (
    ast.Scheme,
    ast.Participant,
    ast.Table,
    ast.Units,
    ast.Surrender,
    ast.Penalty,
    ast.Example,
)


def items(node: object) -> Iterator[object]:
    """Every node that can carry comments, in document order."""
    for child in ast.walk(node):
        if isinstance(
            child,
            ast.Scheme
            | ast.Import
            | ast.Field
            | ast.Row
            | ast.UnitDecl
            | ast.Accept
            | ast.Limit
            | ast.ShareClause
            | ast.BankRule
            | ast.Consequence
            | ast.Binding,
        ) or _is_decl(child):
            yield child


def _is_decl(node: object) -> bool:
    return isinstance(node, ast.Decl)


def attach(module: ast.Module, source: SourceFile) -> Comments:
    result = Comments()
    all_items = sorted(items(module), key=lambda n: n.span.start)  # type: ignore[attr-defined]
    blocks = [n for n in all_items if isinstance(n, BLOCKS)] + [module]
    for comment in find_comments(source):
        _place(comment, all_items, blocks, result, source)
    _blank_lines(all_items, source, result)
    return result


def _place(
    comment: Comment,
    all_items: list[Any],
    blocks: list[Any],
    result: Comments,
    source: SourceFile,
) -> None:
    ending = [
        n
        for n in all_items
        if n.span.end <= comment.start
        and source.position(max(n.span.end - 1, n.span.start))[0] == comment.line
    ]
    if ending and not isinstance(ending[-1], BLOCKS):
        outer = min(ending, key=lambda n: n.span.start)
        result.trailing[id(outer)] = comment
        return
    container = min(
        (b for b in blocks if b.span.start < comment.start < b.span.end),
        key=lambda b: b.span.end - b.span.start,
        default=blocks[-1],
    )
    following = [
        n
        for n in all_items
        if n.span.start > comment.start and n.span.end <= container.span.end and n is not container
    ]
    if following:
        result.leading.setdefault(id(following[0]), []).append(comment)
    else:
        result.closing.setdefault(id(container), []).append(comment)


def _blank_lines(all_items: list, source: SourceFile, result: Comments) -> None:  # type: ignore[type-arg]
    for node in all_items:
        first = result.leading.get(id(node), [])
        start_line = first[0].line if first else node.span.line
        if start_line >= 3 and source.line_text(start_line - 1).strip() == "":
            result.blank_before.add(id(node))


# ---- printing -----------------------------------------------------------------------------


class Printer:
    def __init__(self, comments: Comments) -> None:
        self.c = comments
        self.lines: list[str] = []

    def emit(self, node: object, depth: int, text: str, first: bool = False) -> None:
        pad = INDENT * depth
        if id(node) in self.c.blank_before and not first and self.lines and self.lines[-1]:
            self.lines.append("")
        self.comment_lines(self.c.leading.get(id(node), []), pad, getattr(node, "span", None))
        body = text.split("\n")
        trailing = self.c.trailing.get(id(node))
        if trailing:
            body[-1] += "  " + trailing.text
        self.lines.extend(pad + line if line else line for line in body)

    def comment_lines(self, comments: list[Comment], pad: str, span: Span | None) -> None:
        """Comments on their own lines, keeping one blank line where the source had any."""
        for index, comment in enumerate(comments):
            if index and comment.line - comments[index - 1].line > 1:
                self.lines.append("")
            self.lines.append(pad + comment.text)
        if comments and span is not None and span.line - comments[-1].line > 1:
            self.lines.append("")

    def closing(self, node: object, depth: int) -> None:
        self.comment_lines(self.c.closing.get(id(node), []), INDENT * (depth + 1), None)

    def module(self, module: ast.Module) -> str:
        for index, imp in enumerate(module.imports):
            self.emit(imp, 0, f"import {_q(imp.path)}", first=index == 0)
        for scheme in module.schemes:
            if self.lines:
                self.lines.append("")
            self.scheme(scheme)
        self.closing(module, -1)
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def scheme(self, s: ast.Scheme) -> None:
        head = "catalogue" if s.catalogue else "scheme"
        text = f"{head} {s.name}{_desc(s.title)}{_opt('extends ', s.extends)} {{"
        self.emit(s, 0, text, first=True)
        for index, decl in enumerate(s.decls):
            self.decl(decl, 1, first=index == 0)
        self.closing(s, 0)
        self.lines.append("}")

    def decl(self, decl: ast.Decl, depth: int, first: bool = False) -> None:
        printer = _DECLS.get(type(decl))
        if printer is not None:
            self.emit(decl, depth, printer(decl), first)
        else:
            _BLOCK_DECLS[type(decl)](self, decl, depth, first)

    def block(
        self,
        owner: object,
        depth: int,
        head: str,
        children: Sequence[tuple[object, str]],
        first: bool,
    ) -> None:
        self.emit(owner, depth, head + " {", first)
        for index, (child, text) in enumerate(children):
            self.emit(child, depth + 1, text, first=index == 0)
        self.closing(owner, depth)
        self.lines.append(INDENT * depth + "}")


def _meta(d: ast.Meta) -> str:
    value = _q(d.value) if d.quoted else d.value
    return f"{d.key} {value}{_cite(d.cite)}"


def _period(d: ast.Period) -> str:
    by_year = " by year" if d.by_year else ""
    return (
        f"{d.keyword} {d.name} = {d.start.text} .. {d.end.text}{by_year}"
        f"{_desc(d.label)}{_cite(d.cite)}"
    )


def _rule(d: ast.Rule) -> str:
    head = d.name if d.vocabulary else f"rule {d.name}"
    return f"{head} = {print_expr(d.expr)}{_desc(d.description)}{_cite(d.cite)}"


def _price(d: ast.Price) -> str:
    rising = ""
    if d.rising is not None:
        rising = f" rising {print_expr(d.rising)}{_opt('plus ', d.rising_plus)}"
    return (
        f"price {d.name} {print_expr(d.value)}{_opt('from ', d.from_year)}{rising}"
        f"{' paid in lieu' if d.in_lieu else ''}{_desc(d.description)}{_cite(d.cite)}"
    )


def _link(d: ast.Link) -> str:
    units = f" for {', '.join(d.units)}" if d.units else ""
    return (
        f"link {d.target} {d.direction}{_opt('', d.status)}"
        f"{_opt('since ', d.since)}{_opt('until ', d.until)}"
        f"{units}{_desc(d.conditions)}{_cite(d.cite)}"
    )


_DECLS: dict[type, Callable[[Any], str]] = {
    ast.Meta: _meta,
    ast.SourceDecl: lambda d: (
        f"source {d.name} {_q(d.citation)}"
        + (f" url {_q(d.url)}" if d.url else "")
        + _opt("", d.confidence)
    ),
    ast.Uses: lambda d: f"uses {d.name}",
    ast.Calendar: lambda d: f"calendar {d.kind}{_opt('from ', d.start_month)}",
    ast.Period: _period,
    ast.Gases: lambda d: f"gases {', '.join(d.names)}{_opt('gwp ', d.basis)}{_cite(d.cite)}",
    ast.Scope: lambda d: f"scope {', '.join(d.names)}{_cite(d.cite)}",
    ast.Covered: lambda d: f"covered when {print_expr(d.condition)}{_cite(d.cite)}",
    ast.Param: lambda d: (
        f"param {d.name} = {print_expr(d.value)}{_desc(d.description)}{_cite(d.cite)}"
    ),
    ast.Rule: _rule,
    ast.Price: _price,
    ast.HoldingLimit: lambda d: (
        f"holding_limit {', '.join(d.units)}{_up_to(d.limit)}{_desc(d.description)}{_cite(d.cite)}"
    ),
    ast.Support: lambda d: (
        f"support {d.name}{_desc(d.description)}{_up_to(d.limit)}{_opt('since ', d.since)}"
        f"{_opt('until ', d.until)}{_cite(d.cite)}"
    ),
    ast.Link: _link,
    ast.StatedNone: lambda d: f"{d.feature} none{_desc(d.description)}{_cite(d.cite)}",
    ast.NotStated: lambda d: (
        f"not_stated {', '.join(d.features)}{_desc(d.description)}{_cite(d.cite)}"
    ),
    ast.PriceMeasure: lambda d: f"price {d.name}{_desc(d.description)}{_cite(d.cite)}",
    ast.PriceKind: lambda d: f"price {d.kind} {d.status}{_desc(d.description)}{_cite(d.cite)}",
    ast.Allocation: lambda d: (
        f"allocation {', '.join(d.methods)}{_desc(d.description)}{_cite(d.cite)}"
    ),
}


def _field_lines(d: ast.Participant) -> list[tuple[object, str]]:
    return _typed_lines(d.fields)


def _typed_lines(
    fields: Sequence[ast.Field | ast.SystemInput], keyword: str = ""
) -> list[tuple[object, str]]:
    """`name: type "description"` lines, names and descriptions aligned."""
    width = max((len(f.name) for f in fields), default=0) + 1
    out: list[tuple[object, str]] = []
    for f in fields:
        if isinstance(f.type, ast.UnitType):
            type_text = f.type.unit
        else:
            type_text = "{" + ", ".join(f.type.values) + "}"
        if isinstance(f, ast.SystemInput) and f.carried is not None:
            type_text += f" else previous {f.carried}"
        if isinstance(f, ast.SystemInput) and f.optional:
            type_text += " else none"
        text = f"{(f.name + ':').ljust(width)} {type_text}{_desc(f.description)}{_cite(f.cite)}"
        out.append((f, keyword + text.rstrip()))
    return _align_descriptions(out)


def _align_descriptions(rows: Sequence[tuple[object, str]]) -> list[tuple[object, str]]:
    split = [text.split(' "', 1) for _, text in rows]
    width = max((len(parts[0]) for parts in split if len(parts) == 2), default=0)
    return [
        (node, parts[0].ljust(width) + ' "' + parts[1] if len(parts) == 2 else parts[0])
        for (node, _), parts in zip(rows, split, strict=True)
    ]


def _participant(p: Printer, d: ast.Participant, depth: int, first: bool) -> None:
    p.block(d, depth, f"participant {d.name}{_desc(d.description)}", _field_lines(d), first)


def cell_text(cell: ast.Cell) -> str:
    match cell:
        case ast.CellName(name=name):
            return name
        case ast.CellAny():
            return "*"
        case ast.Quantity(value=value, unit=unit):
            return quantity_text(value, unit)
    return print_expr(cell)


def _table(p: Printer, d: ast.Table, depth: int, first: bool) -> None:
    cells = [[cell_text(c) for c in row.cells] for row in d.rows]
    widths = [max(len(r[i]) for r in cells if i < len(r)) for i in range(max(map(len, cells)))]
    rows = [
        (row, "| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(texts)) + " |")
        for row, texts in zip(d.rows, cells, strict=True)
    ]
    head = f"table {d.name} by {', '.join(d.dims)}{_desc(d.description)}"
    p.block(d, depth, head, rows, first)
    if d.cite:
        p.lines[-1] += _cite(d.cite)


def _unit_decl(u: ast.UnitDecl) -> str:
    attrs = ""
    if u.attrs:
        attrs = " { " + ", ".join(f"{a.name} = {_attr_value(a.value)}" for a in u.attrs) + " }"
    return f"{u.kind} {u.name}{_opt('from ', u.origin)}{_desc(u.description)}{attrs}{_cite(u.cite)}"


def _attr_value(value: str) -> str:
    if re.fullmatch(
        r"[A-Za-z_][A-Za-z0-9_]*|\d[\d_]*(\.\d+)?( [A-Za-z%][\w/]*)?|true|false|"
        r"\d{4}-\d{2}-\d{2}",
        value,
    ):
        return value
    return _q(value)


def _units(p: Printer, d: ast.Units, depth: int, first: bool) -> None:
    p.block(d, depth, "units", [(u, _unit_decl(u)) for u in d.decls], first)


def _surrender_item(item: ast.SurrenderItem) -> str:
    if isinstance(item, ast.ShareClause):
        return (
            f"limit {', '.join(item.units)} {item.bound} {print_expr(item.share)} among "
            f"{', '.join(item.among)}{_desc(item.description)}{_cite(item.cite)}"
        )
    if isinstance(item, ast.Limit):
        return (
            f"limit {', '.join(item.units)}{_up_to(item.limit)}{_desc(item.description)}"
            f"{_cite(item.cite)}"
        )
    where = f" where {print_expr(item.where)}" if item.where is not None else ""
    return (
        f"accept {', '.join(item.units)}{_up_to(item.limit)}{where}{_desc(item.description)}"
        f"{_cite(item.cite)}"
    )


def _surrender(p: Printer, d: ast.Surrender, depth: int, first: bool) -> None:
    p.block(d, depth, "surrender", [(i, _surrender_item(i)) for i in d.items], first)


def _consequence(c: ast.Consequence) -> str:
    amount = f" {print_expr(c.amount)}" if c.amount is not None else ""
    mix = (
        f" with {', '.join(c.mix.units)} {c.mix.bound} {print_expr(c.mix.share)}"
        if c.mix is not None
        else ""
    )
    within = f" within {print_expr(c.within)}" if c.within is not None else ""
    lower = f" from {print_expr(c.lower)}" if c.lower is not None else ""
    bounds = f"{amount}{lower}{_up_to(c.limit)}"
    return f"{c.kind}{bounds}{mix}{within}{_desc(c.description)}{_cite(c.cite)}"


def _penalty(p: Printer, d: ast.Penalty, depth: int, first: bool) -> None:
    head = f"penalty{_opt('', d.name)}"
    tail = f"{_desc(d.description)}{_cite(d.cite)}"
    if d.condition is None:
        p.emit(d, depth, f"{head} none{tail}", first)
        return
    p.block(
        d,
        depth,
        f"{head} when {print_expr(d.condition)}",
        [(c, _consequence(c)) for c in d.consequences],
        first,
    )
    p.lines[-1] += tail


def _banking(p: Printer, d: ast.Banking, depth: int, first: bool) -> None:
    head = f"{d.keyword} {d.mode}{_up_to(d.limit)}"
    inner = [(r, _bank_rule(r)) for r in d.rules] + [(r, _during(r)) for r in d.during]
    if not inner:
        p.emit(d, depth, f"{head}{_cite(d.cite)}", first)
        return
    p.block(d, depth, head, inner, first)
    p.lines[-1] += _cite(d.cite)


def _during(r: ast.PeriodCarrying) -> str:
    return (
        f"during {', '.join(r.periods)} {r.mode}{_up_to(r.limit)}{_desc(r.description)}"
        f"{_cite(r.cite)}"
    )


def _bank_rule(r: ast.BankRule) -> str:
    where = f" where {print_expr(r.where)}" if r.where is not None else ""
    return (
        f"{r.kind} {', '.join(r.units)}{where}{_up_to(r.limit)}{_desc(r.description)}"
        f"{_cite(r.cite)}"
    )


def _bindings(word: str, bindings: tuple[ast.Binding, ...], depth: int) -> list[str]:
    texts = [f"{'.'.join(b.path)} = {print_expr(b.value)}" for b in bindings]
    one_line = f"{word} " + ", ".join(texts)
    if len(INDENT * depth + one_line) <= WIDTH:
        return [one_line]
    pad = " " * (len(word) + 1)
    return [f"{word} {texts[0]},"] + [f"{pad}{t}," for t in texts[1:-1]] + [f"{pad}{texts[-1]}"]


def _example(p: Printer, d: ast.Example, depth: int, first: bool) -> None:
    p.emit(d, depth, f"example {_q(d.title)} {{", first)
    for word, bindings in (("given", d.given), ("expect", d.expect)):
        lines = _bindings(word, bindings, depth + 1)
        for binding in bindings:  # comments inside bindings move above the line
            for comment in p.c.leading.get(id(binding), []):
                p.lines.append(INDENT * (depth + 1) + comment.text)
        text = "\n".join(lines)
        trailing = [p.c.trailing[id(b)] for b in bindings if id(b) in p.c.trailing]
        if trailing:
            text += "  " + trailing[-1].text
        p.lines.extend(INDENT * (depth + 1) + line for line in text.split("\n"))
    p.closing(d, depth)
    p.lines.append(INDENT * depth + "}")


def _system(p: Printer, d: ast.System, depth: int, first: bool) -> None:
    """`system { … }`: its inputs aligned as a participant's fields, then its declarations."""
    p.emit(d, depth, "system {", first)
    inputs = [x for x in d.decls if isinstance(x, ast.SystemInput)]
    lines = dict((id(node), text) for node, text in _typed_lines(inputs, "input "))
    for index, decl in enumerate(d.decls):
        if isinstance(decl, ast.SystemInput):
            p.emit(decl, depth + 1, lines[id(decl)], first=index == 0)
        else:
            p.decl(decl, depth + 1, first=index == 0)
    p.closing(d, depth)
    p.lines.append(INDENT * depth + "}")


_BLOCK_DECLS: dict[type, Callable[[Printer, Any, int, bool], None]] = {
    ast.System: _system,
    ast.Participant: _participant,
    ast.Table: _table,
    ast.Units: _units,
    ast.Surrender: _surrender,
    ast.Banking: _banking,
    ast.Penalty: _penalty,
    ast.Example: _example,
}


def format_module(module: ast.Module, source: SourceFile) -> str:
    return Printer(attach(module, source)).module(module)


def format_source(source: SourceFile) -> tuple[str | None, list[Diagnostic]]:
    """Canonical text for a file, or None with the syntax errors that prevent formatting."""
    module, diagnostics = parse(source)
    if module is None:
        return None, diagnostics
    try:
        with deep_recursion():
            return format_module(module, source), diagnostics
    except RecursionError:
        return None, [too_deep(source)]
