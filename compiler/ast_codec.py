"""A parsed module as JSON-ready data and back, for the parse cache (compiler/cache.py).

    data = encode(module)                 # lists, strings, numbers, booleans and None
    module = decode(data, source)         # raises CodecError on anything it did not write

Nothing is evaluated or imported on the way back: a node is `[class name, field, …]` and
only the dataclasses of etsl.compiler.ast are built, with exactly their number of fields.
Spans leave out their path (every span of a module is in its own file) and take the path
of the source being read. Tags are not identifiers, so no class name can collide with them:

    ["()", item, …]   a tuple        ["#", "1.5"]   a Decimal
    ["@", "2024-01-01"] a date        ["^", start, end, line, col, end line, end col] a span
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from etsl.compiler import ast
from etsl.compiler.errors import EtslError
from etsl.compiler.source import SourceFile, Span

#: Every AST node class, by name: the only classes decode builds.
NODES: dict[str, type] = {
    name: kind
    for name, kind in vars(ast).items()
    if isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind.__module__ == ast.__name__
}
_ARITY = {name: len(dataclasses.fields(kind)) for name, kind in NODES.items()}
_PLAIN = (str, int, bool, type(None))


class CodecError(EtslError):
    """Data that encode did not write (or a module it cannot write)."""


def encode(module: ast.Module) -> Any:
    """The module as nested lists and plain values (raises CodecError on a value it does
    not know, or a span in another file)."""
    return _Encoder(module.span.path).value(module)


@dataclasses.dataclass(frozen=True)
class _Encoder:
    path: str

    def value(self, value: object) -> Any:
        if isinstance(value, Span):
            return self.span(value)
        if isinstance(value, tuple):
            return ["()", *(self.value(item) for item in value)]
        if isinstance(value, Decimal):
            return ["#", str(value)]
        if isinstance(value, date):
            return ["@", value.isoformat()]
        if isinstance(value, _PLAIN):
            return str(value) if isinstance(value, str) else value
        name = type(value).__name__
        if NODES.get(name) is not type(value):
            raise CodecError(f"cannot encode a {name}")
        return [
            name,
            *(self.value(getattr(value, f.name)) for f in dataclasses.fields(NODES[name])),
        ]

    def span(self, span: Span) -> list[Any]:
        if span.path != self.path:
            raise CodecError(f"a span in {span.path}, not {self.path}")
        return ["^", span.start, span.end, span.line, span.col, span.end_line, span.end_col]


def decode(data: Any, source: SourceFile) -> ast.Module:
    """The module `encode` wrote, its spans in `source` (raises CodecError otherwise)."""
    module = _Decoder(source.path).value(data)
    if not isinstance(module, ast.Module):
        raise CodecError("not a module")
    return module


@dataclasses.dataclass(frozen=True)
class _Decoder:
    path: str

    def value(self, data: Any) -> Any:
        if isinstance(data, list):
            if not data or not isinstance(data[0], str):
                raise CodecError("a list without a tag")
            return self.tagged(data[0], data[1:])
        if isinstance(data, _PLAIN):
            return data
        raise CodecError(f"unexpected {type(data).__name__}")

    def tagged(self, tag: str, items: list[Any]) -> Any:
        special = _SPECIAL.get(tag)
        if special is not None:
            return special(self, items)
        kind = NODES.get(tag)
        if kind is None or len(items) != _ARITY[tag]:
            raise CodecError(f"not a node: {tag!r} with {len(items)} fields")
        return kind(*(self.value(item) for item in items))

    def tuple_of(self, items: list[Any]) -> tuple[Any, ...]:
        return tuple(self.value(item) for item in items)

    def decimal(self, items: list[Any]) -> Decimal:
        try:
            (text,) = items
            return Decimal(text)
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise CodecError(f"not a number: {items!r}") from exc

    def date(self, items: list[Any]) -> date:
        try:
            (text,) = items
            return date.fromisoformat(text)
        except (ValueError, TypeError) as exc:
            raise CodecError(f"not a date: {items!r}") from exc

    def span(self, items: list[Any]) -> Span:
        if len(items) != 6 or not all(type(n) is int and n >= 0 for n in items):
            raise CodecError(f"not a span: {items!r}")
        return Span(self.path, *items)


_SPECIAL: dict[str, Callable[[_Decoder, list[Any]], Any]] = {
    "()": _Decoder.tuple_of,
    "#": _Decoder.decimal,
    "@": _Decoder.date,
    "^": _Decoder.span,
}
