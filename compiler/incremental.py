"""Incremental parsing for editors: a file is parsed as its declarations, each once per text.

    parser = IncrementalParser()
    module, diagnostics = parser.parse(source)     # same result as parse(source)

The file's skeleton (imports, scheme headers and braces, every declaration blanked out with
its newlines kept) is parsed whole; each declaration is parsed on its own, inside a
one-line scheme header, and kept by its text. After an edit only the edited declaration is
parsed again: the others are moved to their new offset and line (a declaration starts at
the start of its line, so its columns do not change). Anything unusual (a syntax error, a
brace out of place, text between declarations that is not a comment) is parsed the usual
way, so the result, diagnostics included, is always what `parse` gives.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any

from etsl.compiler import ast
from etsl.compiler.build import Builder
from etsl.compiler.diagnostics import Diagnostic
from etsl.compiler.parse import code_only, declaration_keywords, parse, parser, precheck
from etsl.compiler.source import SourceFile, Span, deep_recursion
from lark import UnexpectedInput

HEADER = "scheme _ {\n"
ENTRIES = 4096

Parsed = tuple[ast.Module | None, list[Diagnostic]]
Placed = tuple[tuple[ast.Decl, ...], list[Diagnostic]]


@dataclass(frozen=True, slots=True)
class Chunk:
    """One declaration's text, from the start of its line to the next declaration."""

    start: int
    end: int
    line: int


@cache
def _marks() -> re.Pattern[str]:
    words = "|".join(declaration_keywords())
    return re.compile(r"\{|\}|^[ \t]*(?:" + words + r")\b", re.M)


def chunks(text: str) -> list[Chunk] | None:
    """The declarations inside every scheme's braces, or None when the braces do not pair
    up or a body holds text that no declaration keyword starts."""
    code = code_only(text)
    depth, body = 0, 0
    starts: list[int] = []
    found: list[Chunk] = []
    for mark in _marks().finditer(code):
        token = mark.group()
        if token == "{":
            depth += 1
            if depth == 1:
                body, starts = mark.end(), []
        elif token == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                ends = starts[1:] + [mark.start()]
                if code[body : starts[0] if starts else mark.start()].strip():
                    return None
                found += [
                    Chunk(s, e, text.count("\n", 0, s) + 1)
                    for s, e in zip(starts, ends, strict=True)
                ]
        elif depth == 1:
            starts.append(mark.start())
    return found if depth == 0 else None


def skeleton(text: str, parts: list[Chunk]) -> str:
    """The text with every declaration blanked out (newlines kept)."""
    pieces, previous = [], 0
    for part in parts:
        pieces += [text[previous : part.start], re.sub(r"[^\n]", " ", text[part.start : part.end])]
        previous = part.end
    return "".join(pieces + [text[previous:]])


# ---- moving nodes -----------------------------------------------------------------------------

_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def moved(node: Any, path: str, offset: int, lines: int) -> Any:
    """A node (and everything under it) with every span moved by `offset` characters and
    `lines` lines, in the file `path`."""
    if isinstance(node, Span):
        return Span(
            path,
            node.start + offset,
            node.end + offset,
            node.line + lines,
            node.col,
            node.end_line + lines,
            node.end_col,
        )
    if isinstance(node, tuple):
        return tuple(moved(item, path, offset, lines) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        kind = type(node)
        return kind(*(moved(getattr(node, name), path, offset, lines) for name in _fields(kind)))
    return node


# ---- the parser --------------------------------------------------------------------------------


class IncrementalParser:
    """Parses files declaration by declaration, keeping each declaration by its text."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self._declarations: OrderedDict[str, Placed]
        self._declarations = OrderedDict()
        self._placed: dict[tuple[str, str, int, int], Placed] = {}  # the last file's
        self._lock = threading.Lock()
        self.parsed = 0  # declarations parsed (not found by their text)

    def parse(self, source: SourceFile) -> Parsed:
        """What `parse(source)` gives, parsing only declarations not seen before."""
        if precheck(source):
            return parse(source)
        try:
            with deep_recursion():
                quick = self._assemble(source)
        except RecursionError:
            quick = None
        return quick if quick is not None else parse(source)

    def _assemble(self, source: SourceFile) -> Parsed | None:
        parts = chunks(source.text)
        if parts is None:
            return None
        frame, problems = self._build(SourceFile.of(source.path, skeleton(source.text, parts)))
        if frame is None:
            return None
        declarations, found = [], list(problems)
        placed: dict[tuple[str, str, int, int], Placed] = {}
        for part in parts:
            text = source.text[part.start : part.end]
            key = (source.path, text, part.start, part.line)
            here = self._placed.get(key) or self._place(source.path, text, part)
            if here is None:
                return None
            placed[key] = here
            declarations.append((part, here[0]))
            found += here[1]
        self._placed = placed
        return _fill(frame, declarations), found

    def _place(self, path: str, text: str, part: Chunk) -> Placed | None:
        """A declaration parsed (or found by its text) and moved to where it stands."""
        parsed = self._declaration(text)
        if parsed is None:
            return None
        here: Placed = moved(parsed, path, part.start - len(HEADER), part.line - 2)
        return here

    def _build(self, source: SourceFile) -> Parsed:
        try:
            tree = parser().parse(source.text)
        except UnexpectedInput:
            return None, []
        builder = Builder(source)
        return builder.transform(tree), builder.diagnostics

    def _declaration(self, text: str) -> Placed | None:
        with self._lock:
            found = self._declarations.get(text)
            if found is not None:
                self._declarations.move_to_end(text)
                return found
        module, diagnostics = self._build(SourceFile.of("", HEADER + text + "\n}"))
        if module is None or len(module.schemes) != 1:
            return None
        entry = (module.schemes[0].decls, diagnostics)
        with self._lock:
            self.parsed += 1
            self._declarations[text] = entry
            while len(self._declarations) > self.entries:
                self._declarations.popitem(last=False)
        return entry


def _fill(frame: ast.Module, declarations: list[tuple[Chunk, tuple[ast.Decl, ...]]]) -> ast.Module:
    """The skeleton's schemes with their declarations put back."""
    schemes = tuple(
        dataclasses.replace(
            scheme,
            decls=tuple(
                decl
                for part, decls in declarations
                if scheme.span.start < part.start < scheme.span.end
                for decl in decls
            ),
        )
        for scheme in frame.schemes
    )
    return dataclasses.replace(frame, schemes=schemes)
