"""Completion: what the grammar accepts at the cursor, and the names that fit there.

The parser is asked which terminals may come next (Lark's interactive parser, as
compiler/parse.py's `declaration_keywords` does), so keywords come from the grammar and new
declarations appear without a list to update. Where a name fits, the clause the cursor is
in says which names: units after a number, unit types after `accept`, sources after
`cite`, a vocabulary's values after `kind`, enumeration values and periods in table rows,
and otherwise the names in scope and the built-in functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lark.exceptions import UnexpectedInput
from lark.lexer import PatternStr
from lsprotocol import types

from etsl.compiler.builtins import BUILTINS
from etsl.compiler.driver import library_scheme_names
from etsl.compiler.enums import (
    ALLOCATION_METHODS,
    CALENDARS,
    META_VALUES,
    PRICE_CONTROLS,
    SCOPES,
    Vocabulary,
)
from etsl.compiler.gwp import BASES
from etsl.compiler.parse import declaration_start, parser
from etsl.compiler.periods import MONTHS
from etsl.compiler.units import GASES, SYMBOLS
from etsl.compiler.vocabulary import MEANINGS
from etsl.lsp.symbols import Corpus, Definition, analysis_corpus, definitions, lineage
from etsl.lsp.workspace import Analysis

Kind = types.CompletionItemKind
_STRINGS = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_CODE_ONLY = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')
_HEADER = re.compile(r"^[ \t]*(?:scheme|catalogue)\b[^{]*\{", re.M)
_LAST_WORD = re.compile(r"([A-Za-z_]\w*|\d[\d_.]*|[^\sA-Za-z_\d])\s*$")


@dataclass(frozen=True)
class Context:
    """Where the cursor is: the text the parser reads, the declaration so far, the prefix
    being typed."""

    header: str  # `scheme tokyo_cat "…" {`, or "" at the top of a file
    declaration: str  # the current declaration up to the start of the word being typed
    prefix: str
    scheme: str | None


def _code(text: str) -> str:
    """The text with strings and comments blanked out (same length)."""
    return _CODE_ONLY.sub(lambda m: " " * len(m.group()), text)


def context(text: str, offset: int) -> Context | None:
    """The completion context at an offset (None inside a string or a comment)."""
    line = text[text.rfind("\n", 0, offset) + 1 : offset]
    unquoted = _STRINGS.sub("", line)
    if '"' in unquoted or "#" in unquoted:
        return None
    prefix = re.search(r"[A-Za-z_]\w*$", line)
    start = offset - (len(prefix.group()) if prefix else 0)
    code = _code(text[:start])
    headers = list(_HEADER.finditer(code))
    if not headers or _depth(code, headers[-1].start()) <= 0:
        return Context("", "", prefix.group() if prefix else "", None)
    header = headers[-1]
    name = re.match(r"\s*(?:scheme|catalogue)\s+([A-Za-z_]\w*)", header.group())
    body_start = header.end()
    begin = _declaration_begin(code, body_start)
    return Context(
        header.group().strip(),
        text[begin:start],
        prefix.group() if prefix else "",
        name.group(1) if name else None,
    )


def _depth(code: str, start: int) -> int:
    """How many braces opened at `start` are still open at the end of `code`."""
    return code.count("{", start) - code.count("}", start)


def _declaration_begin(code: str, body_start: int) -> int:
    """Where the declaration holding the end of `code` begins (a keyword at depth 1)."""
    begin = body_start
    for match in declaration_start().finditer(code, body_start):
        if _depth(code[: match.start()], body_start) == 0:
            begin = match.start()
    return begin


def acceptable(ctx: Context) -> set[str] | None:
    """The terminals the grammar accepts after the context (None when it does not parse)."""
    interactive = parser().parse_interactive(f"{ctx.header}\n{ctx.declaration}")
    try:
        interactive.exhaust_lexer()
        accepted: set[str] = interactive.accepts()  # type: ignore[no-untyped-call]
    except UnexpectedInput:
        return None
    return accepted


def _keyword(name: str) -> str | None:
    pattern = parser().get_terminal(name).pattern
    if isinstance(pattern, PatternStr) and pattern.value.isidentifier():
        return pattern.value
    return None


# ---- names for a clause ----------------------------------------------------------------------

Items = list[types.CompletionItem]


def _item(
    label: str, kind: Kind, detail: str | None = None, doc: str | None = None
) -> types.CompletionItem:
    return types.CompletionItem(
        label=label,
        kind=kind,
        detail=detail,
        documentation=doc,
        sort_text=f"{_ORDER.get(kind, 9)}{label}",
    )


_ORDER = {Kind.Variable: 1, Kind.Constant: 1, Kind.Struct: 1, Kind.Function: 2, Kind.Unit: 3}


def _vocabulary(vocabulary: Vocabulary) -> Items:
    return [_item(c.value, Kind.EnumMember, vocabulary.name, c.words) for c in vocabulary]


def _values(values: Iterable[str], kind: Kind, detail: str) -> Items:
    return [_item(v, kind, detail) for v in values]


def _units() -> Items:
    return _values(SYMBOLS, Kind.Unit, "unit")


_DEFINITION_KINDS = {
    "input": Kind.Variable,
    "param": Kind.Constant,
    "table": Kind.Struct,
    "rule": Kind.Function,
    "period": Kind.Event,
    "value": Kind.EnumMember,
    "unit type": Kind.Class,
    "source": Kind.Reference,
    "scheme": Kind.Module,
    "catalogue": Kind.Module,
    "participant": Kind.Class,
}


@dataclass(frozen=True)
class Scope:
    """The definitions a scheme can see."""

    found: dict[str, list[Definition]]
    names: list[str]  # the scheme and its bases, nearest first

    def of(self, *kinds: str) -> Items:
        items, seen = [], set()
        for name, defs in self.found.items():
            for d in defs:
                if (
                    d.kind in kinds
                    and (d.scheme in self.names or d.scheme is None)
                    and name not in seen
                ):
                    seen.add(name)
                    items.append(_item(name, _DEFINITION_KINDS[d.kind], d.kind))
        return items


def scope(analysis: Analysis, scheme: str | None) -> Scope:
    corpus: Corpus = analysis_corpus(analysis)
    names = lineage(scheme, corpus.by_name()) if scheme else []
    return Scope(definitions(corpus), names)


def _expression_names(s: Scope) -> Items:
    vocabulary = [_item(n, Kind.Function, "vocabulary", m) for n, m in MEANINGS.items()]
    builtins = [_item(b.name, Kind.Function, "built-in", b.summary) for b in BUILTINS.values()]
    own = s.of("input", "param", "table", "rule", "period", "value")
    known = {i.label for i in own}
    return own + [i for i in vocabulary if i.label not in known] + builtins


def _choices(vocabulary: Vocabulary) -> Callable[[Scope], Items]:
    return lambda s: _vocabulary(vocabulary)


def _schemes(s: Scope) -> Items:
    local = s.of("scheme")
    known = {i.label for i in local}
    return local + _values(sorted(library_scheme_names() - known), Kind.Module, "library scheme")


#: The word that opens a clause → the names that fit after it.
CLAUSES: dict[str, Callable[[Scope], Items]] = {
    "accept": lambda s: s.of("unit type"),
    "limit": lambda s: s.of("unit type"),
    "held": lambda s: s.of("unit type"),
    "eligible": lambda s: s.of("unit type"),
    "for": lambda s: s.of("unit type"),
    "cite": lambda s: s.of("source"),
    "extends": _schemes,
    "uses": lambda s: s.of("catalogue"),
    "link": _schemes,
    "gases": lambda s: _values(GASES, Kind.EnumMember, "gas"),
    "gwp": lambda s: _values(BASES, Kind.EnumMember, "GWP basis"),
    "calendar": lambda s: _vocabulary(CALENDARS),
    "from": lambda s: _values(MONTHS, Kind.EnumMember, "month") + _schemes(s),
    "price": lambda s: _vocabulary(PRICE_CONTROLS),
    "allocation": lambda s: _vocabulary(ALLOCATION_METHODS),
    "scope": lambda s: _vocabulary(SCOPES),
    "by": lambda s: s.of("input") + _values(["period"], Kind.Keyword, "the period"),
    **{key: _choices(vocabulary) for key, vocabulary in META_VALUES.items()},
}


def _clause_word(declaration: str) -> str | None:
    """The last word of the declaration that opens a clause listed in CLAUSES."""
    found = None
    for match in re.finditer(r"[A-Za-z_]\w*", _code(declaration)):
        if match.group() in CLAUSES:
            found = match.group()
    return found


def _after_number(declaration: str) -> bool:
    last = _LAST_WORD.search(_code(declaration))
    return bool(last and last.group(1)[0].isdigit())


def name_items(analysis: Analysis, ctx: Context) -> Items:
    s = scope(analysis, ctx.scheme)
    if _after_number(ctx.declaration):
        return _units()
    stripped = ctx.declaration.lstrip()
    if stripped.startswith("table") and "{" in stripped:
        return s.of("value", "period")
    if stripped.startswith("participant") and re.search(r":\s*$", ctx.declaration):
        return _units()
    clause = _clause_word(ctx.declaration)
    if clause is not None and not _expression_since(ctx.declaration, clause):
        return CLAUSES[clause](s)
    return _expression_names(s)


def _expression_since(declaration: str, clause: str) -> bool:
    """Whether an expression began after the clause word (`accept x up to …` is one)."""
    tail = _code(declaration)[_code(declaration).rfind(clause) + len(clause) :]
    return bool(re.search(r"\b(up\s+to|where|when)\b|[=(]", tail)) and clause not in (
        "held",
        "eligible",
    )


def completions(analysis: Analysis, offset: int) -> types.CompletionList:
    """Everything that fits at an offset of the analysed document."""
    ctx = context(analysis.text, offset)
    if ctx is None:
        return types.CompletionList(is_incomplete=False, items=[])
    accepted = acceptable(ctx)
    if accepted is None:
        items = _expression_names(scope(analysis, ctx.scheme))
        return types.CompletionList(is_incomplete=False, items=items)
    items = [
        _item(word, Kind.Keyword, "keyword")
        for word in sorted(filter(None, (_keyword(t) for t in accepted)))
    ]
    if "NAME" in accepted:
        items += name_items(analysis, ctx)
    elif "PERCENT" in accepted:
        items += _units()
    return types.CompletionList(is_incomplete=False, items=_dedupe(items))


def _dedupe(items: Items) -> Items:
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.label not in seen:
            seen.add(item.label)
            unique.append(item)
    return unique
