"""Definitions, references, rename and the outline, read from the AST's spans.

Names are found as words of the text (outside strings and comments) inside the span of the
declaration or scheme that holds them, so every declaration form, present or future, is
covered without a table of where names may occur. Scope follows the language: a name is
defined in a scheme, its bases (`extends`) and the catalogues it `uses`; a reference to it
is a word in that scheme or in any scheme built on it, in this file, the files it imports
and the other scheme files of the workspace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from etsl.compiler import ast
from etsl.compiler.builtins import BUILTINS
from etsl.compiler.parse import keywords
from etsl.compiler.source import SourceFile, Span
from etsl.lsp.positions import span_range
from etsl.lsp.workspace import Analysis, Workspace, path_of_span, uri_of

_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|\d[\d_]*(?:\.\d+)?|([A-Za-z_]\w*)')
IDENTIFIER = re.compile(r"[A-Za-z_]\w*\Z")


def words(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[str, int]]:
    """(word, offset) of every identifier between two offsets, outside strings and comments."""
    for match in _TOKENS.finditer(text, start, len(text) if end is None else end):
        if match.group(1):
            yield match.group(1), match.start()


def word_at(text: str, offset: int) -> tuple[str, int] | None:
    """The identifier at (or just before) an offset, with its start."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    for word, start in words(text, line_start, len(text) if line_end < 0 else line_end):
        if start <= offset <= start + len(word):
            return word, start
    return None


@dataclass(frozen=True, slots=True)
class Definition:
    """Where a name is defined: its kind, the scheme that holds it, the name's own span."""

    name: str
    kind: str  # scheme, input, value, param, table, rule, period, unit type, source, participant
    scheme: str | None
    span: Span  # the name itself
    declaration: Span  # the whole declaration


@dataclass(frozen=True)
class Corpus:
    """Files to search: their sources and ASTs."""

    files: tuple[tuple[SourceFile, ast.Module], ...]

    def schemes(self) -> Iterator[tuple[SourceFile, ast.Scheme]]:
        for source, module in self.files:
            for scheme in module.schemes:
                yield source, scheme

    def by_name(self) -> dict[str, ast.Scheme]:
        found: dict[str, ast.Scheme] = {}
        for _, scheme in self.schemes():
            found.setdefault(scheme.name, scheme)
        return found

    def source(self, path: str) -> SourceFile | None:
        return next((s for s, _ in self.files if s.path == path), None)


def analysis_corpus(analysis: Analysis) -> Corpus:
    files = []
    for path, module in analysis.modules().items():
        source = analysis.source_of(module.path)
        if source is not None:
            files.append((source, module))
        del path
    return Corpus(tuple(files))


def workspace_corpus(analysis: Analysis, workspace: Workspace) -> Corpus:
    """The analysis's files and every other scheme file of the workspace."""
    files = list(analysis_corpus(analysis).files)
    seen = {source.path for source, _ in files}
    for path in workspace.tree_files(analysis.path):
        source, module = workspace.module_of(path)
        if module is not None and source.path not in seen:
            seen.add(source.path)
            files.append((source, module))
    return Corpus(tuple(files))


# ---- definitions -----------------------------------------------------------------------------

_KINDS: dict[type, str] = {
    ast.Field: "input",
    ast.Param: "param",
    ast.Table: "table",
    ast.Rule: "rule",
    ast.Period: "period",
    ast.UnitDecl: "unit type",
    ast.SourceDecl: "source",
    ast.Participant: "participant",
}


def _name_span(source: SourceFile, name: str, within: Span) -> Span:
    for word, start in words(source.text, within.start, within.end):
        if word == name:
            return source.span(start, start + len(name))
    return within


def _declared(scheme: ast.Scheme) -> Iterator[tuple[str, str, ast.Decl | ast.Field | ast.UnitDecl]]:
    for decl in scheme.decls:
        for node in ast.walk(decl):
            kind = _KINDS.get(type(node))
            name = getattr(node, "name", None)
            if kind is not None and isinstance(name, str):
                yield name, kind, node  # type: ignore[misc]
        if isinstance(decl, ast.Covered):
            yield "covered", "rule", decl


def scheme_definitions(source: SourceFile, scheme: ast.Scheme) -> Iterator[Definition]:
    """Every name a scheme (or catalogue) defines, with the span of the name."""
    kind = "catalogue" if scheme.catalogue else "scheme"
    yield Definition(
        scheme.name, kind, None, _name_span(source, scheme.name, scheme.span), scheme.span
    )
    for name, what, node in _declared(scheme):
        yield Definition(name, what, scheme.name, _name_span(source, name, node.span), node.span)
    for enum in (n for d in scheme.decls for n in ast.walk(d) if isinstance(n, ast.EnumType)):
        for value in enum.values:
            span = _name_span(source, value, enum.span)
            yield Definition(value, "value", scheme.name, span, enum.span)


def definitions(corpus: Corpus) -> dict[str, list[Definition]]:
    found: dict[str, list[Definition]] = {}
    for source, scheme in corpus.schemes():
        for definition in scheme_definitions(source, scheme):
            found.setdefault(definition.name, []).append(definition)
    return found


def lineage(name: str, schemes: dict[str, ast.Scheme]) -> list[str]:
    """A scheme, its bases and the catalogues it uses, nearest first (cycles cut)."""
    order: list[str] = []
    pending = [name]
    while pending:
        current = pending.pop(0)
        if current in order or current not in schemes:
            continue
        order.append(current)
        scheme = schemes[current]
        pending += [d.name for d in scheme.decls if isinstance(d, ast.Uses)]
        if scheme.extends:
            pending.append(scheme.extends)
    return order


def _choose(
    candidates: list[Definition], scheme: ast.Scheme | None, schemes: dict[str, ast.Scheme]
) -> list[Definition]:
    if scheme is None:
        return candidates
    for owner in lineage(scheme.name, schemes):
        here = [d for d in candidates if d.scheme == owner]
        if here:
            return here
    global_ones = [d for d in candidates if d.scheme is None]
    return global_ones or candidates


def definition_at(analysis: Analysis, offset: int, corpus: Corpus) -> list[Definition]:
    """The definitions of the name at an offset of the analysed document."""
    found = word_at(analysis.text, offset)
    if found is None:
        return []
    name = found[0]
    candidates = definitions(corpus).get(name, [])
    return _choose(candidates, analysis.scheme_at(offset), corpus.by_name())


def import_at(analysis: Analysis, offset: int) -> Path | None:
    """The file an `import "…"` under the cursor names."""
    module = analysis.module
    for item in module.imports if module else ():
        if item.span.start <= offset <= item.span.end:
            return (analysis.path.parent / item.path).resolve()
    return None


# ---- references ------------------------------------------------------------------------------


def references(definition: Definition, corpus: Corpus) -> list[tuple[SourceFile, Span]]:
    """Every occurrence of a defined name where it means that definition (the definition
    itself included)."""
    schemes = corpus.by_name()
    regions: list[tuple[SourceFile, Span]] = []
    if definition.scheme is None:  # a scheme's name: anywhere in any file
        regions = [(source, source.span(0, len(source.text))) for source, _ in corpus.files]
    else:
        regions = [
            (source, scheme.span)
            for source, scheme in corpus.schemes()
            if definition.scheme in lineage(scheme.name, schemes)
        ]
    found = [
        (source, source.span(start, start + len(word)))
        for source, region in regions
        for word, start in words(source.text, region.start, region.end)
        if word == definition.name
    ]
    return _unique(found)


def _unique(found: list[tuple[SourceFile, Span]]) -> list[tuple[SourceFile, Span]]:
    seen: set[tuple[str, int]] = set()
    unique = []
    for source, span in found:
        if (span.path, span.start) not in seen:
            seen.add((span.path, span.start))
            unique.append((source, span))
    return unique


def locations(found: Iterable[tuple[SourceFile, Span]]) -> list[types.Location]:
    return [
        types.Location(uri_of(path_of_span(span.path)), span_range(source, span))
        for source, span in found
    ]


def definition_locations(analysis: Analysis, offset: int) -> list[types.Location]:
    """Where the name (or the imported file) at an offset is defined."""
    target = import_at(analysis, offset)
    if target is not None:
        start = types.Range(types.Position(0, 0), types.Position(0, 0))
        return [types.Location(target.as_uri(), start)]
    corpus = analysis_corpus(analysis)
    hits = [(corpus.source(d.span.path), d.span) for d in definition_at(analysis, offset, corpus)]
    return locations((source, span) for source, span in hits if source is not None)


def reference_hits(
    analysis: Analysis, offset: int, workspace: Workspace
) -> list[tuple[SourceFile, Span]]:
    """Every use of the name at an offset, in the workspace's scheme files."""
    corpus = workspace_corpus(analysis, workspace)
    return [hit for d in definition_at(analysis, offset, corpus) for hit in references(d, corpus)]


# ---- rename ------------------------------------------------------------------------------------


def prepare_rename(analysis: Analysis, offset: int, workspace: Workspace) -> types.Range | None:
    """The name a rename would change, or None when it cannot be renamed."""
    word = word_at(analysis.text, offset)
    if word is None or rename_problem(word[0]):
        return None
    if not reference_hits(analysis, offset, workspace):
        return None
    return span_range(analysis.source, analysis.source.span(word[1], word[1] + len(word[0])))


def rename(
    analysis: Analysis, offset: int, workspace: Workspace, new_name: str
) -> types.WorkspaceEdit | str:
    """The edits renaming the name at an offset everywhere, or why it cannot be renamed."""
    word = word_at(analysis.text, offset)
    problem = rename_problem(word[0], new_name) if word else "there is no name here"
    if problem:
        return problem
    hits = reference_hits(analysis, offset, workspace)
    if not hits:
        return f"'{word[0] if word else ''}' is not defined in this workspace"
    return types.WorkspaceEdit(changes=rename_edits(hits, new_name))


def rename_problem(name: str, new_name: str | None = None) -> str | None:
    """Why a name cannot be renamed (to `new_name`), or None."""
    if name in BUILTINS or name in keywords():
        return f"'{name}' is part of the language and cannot be renamed"
    if new_name is not None:
        if not IDENTIFIER.match(new_name):
            return f"'{new_name}' is not a name (letters, digits and _, not starting with a digit)"
        if new_name in keywords() or new_name in BUILTINS:
            return f"'{new_name}' is a keyword or built-in function"
    return None


def rename_edits(
    found: list[tuple[SourceFile, Span]], new_name: str
) -> dict[str, list[types.TextEdit]]:
    edits: dict[str, list[types.TextEdit]] = {}
    for source, span in found:
        uri = uri_of(path_of_span(span.path))
        edits.setdefault(uri, []).append(types.TextEdit(span_range(source, span), new_name))
    return edits


# ---- outline ------------------------------------------------------------------------------------

_SYMBOL_KINDS: dict[type, types.SymbolKind] = {
    ast.Meta: types.SymbolKind.Property,
    ast.SourceDecl: types.SymbolKind.Key,
    ast.Period: types.SymbolKind.Event,
    ast.Participant: types.SymbolKind.Class,
    ast.Field: types.SymbolKind.Field,
    ast.Param: types.SymbolKind.Constant,
    ast.Table: types.SymbolKind.Struct,
    ast.Rule: types.SymbolKind.Function,
    ast.Units: types.SymbolKind.Module,
    ast.UnitDecl: types.SymbolKind.EnumMember,
    ast.Example: types.SymbolKind.Method,
    ast.Link: types.SymbolKind.Interface,
    ast.Penalty: types.SymbolKind.Event,
}


def _label(node: object) -> str:
    for attribute in ("name", "title", "key", "target", "keyword", "feature"):
        value = getattr(node, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(node).__name__.lower()


def _children(node: object) -> tuple[object, ...]:
    if isinstance(node, ast.Participant):
        return node.fields
    if isinstance(node, ast.Units):
        return node.decls
    return ()


def _symbol(source: SourceFile, node: object) -> types.DocumentSymbol:
    span: Span = node.span  # type: ignore[attr-defined]
    label = _label(node)
    return types.DocumentSymbol(
        name=label,
        kind=_SYMBOL_KINDS.get(type(node), types.SymbolKind.Object),
        range=span_range(source, span),
        selection_range=span_range(source, _name_span(source, label, span)),
        detail=type(node).__name__.lower(),
        children=[_symbol(source, child) for child in _children(node)] or None,
    )


def outline(analysis: Analysis) -> list[types.DocumentSymbol]:
    """The document's schemes and their declarations, as an editor's outline shows them."""
    module, source = analysis.module, analysis.source
    found = []
    for scheme in module.schemes if module else ():
        symbol = _symbol(source, scheme)
        symbol.kind = types.SymbolKind.Namespace
        symbol.detail = "catalogue" if scheme.catalogue else "scheme"
        symbol.children = [_symbol(source, decl) for decl in scheme.decls]
        found.append(symbol)
    return found
