"""A parsed module as JSON-ready data and back, for the parse cache (compiler/cache.py).

    data = encode(module)                 # lists, strings, numbers, booleans and None
    module = decode(data, source)         # raises CodecError on anything it did not write

Nothing is evaluated or imported on the way back: a node is `[class name, field, …, start,
end, line, col, end line, end col]` (its fields but its span, then its span's six numbers)
and only the dataclasses of etsl.compiler.ast are built, with exactly their fields.
Spans leave out their path (every span of a module is in its own file) and take the path
of the source being read. Tags are not identifiers, so no class name can collide with them:

    ["()", item, …]   a tuple        ["#", "1.5"]   a Decimal
    ["@", "2024-01-01"] a date        ["^", start, end, line, col, end line, end col] another span
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
#: Each node class's field names (every node has a span).
_FIELDS = {name: tuple(f.name for f in dataclasses.fields(kind)) for name, kind in NODES.items()}
_SPAN_AT = {name: fields.index("span") for name, fields in _FIELDS.items()}
#: The length of a node's list: its tag, its other fields, then its span's six numbers.
_LENGTH = {name: len(fields) + 6 for name, fields in _FIELDS.items()}
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
        fields = (self.value(getattr(value, f)) for f in _FIELDS[name] if f != "span")
        return [name, *fields, *self.span(value.span)[1:]]  # type: ignore[attr-defined]

    def span(self, span: Span) -> list[Any]:
        if span.path != self.path:
            raise CodecError(f"a span in {span.path}, not {self.path}")
        return ["^", span.start, span.end, span.line, span.col, span.end_line, span.end_col]


def decode(data: Any, source: SourceFile) -> ast.Module:
    """The module `encode` wrote, its spans in `source` (raises CodecError otherwise)."""
    module = _decoder(source.path)(data)
    if not isinstance(module, ast.Module):
        raise CodecError("not a module")
    return module


def _decoder(path: str) -> Callable[[Any], Any]:
    """The decoding function for one file's data (a closure over the file's path: a
    module holds some hundred thousand values, and this is most of a cached compile)."""

    def value(data: Any) -> Any:
        if type(data) is list:
            tag: str = data[0] if data and type(data[0]) is str else ""
            kind = NODES.get(tag)
            if kind is not None and len(data) == _LENGTH[tag]:
                fields = list(map(value, data[1:-6]))
                fields.insert(_SPAN_AT[tag], span(data[-6:]))
                return kind(*fields)
            return special(tag, data)
        if isinstance(data, _PLAIN):
            return data
        raise CodecError(f"unexpected {type(data).__name__}")

    def special(tag: str, data: list[Any]) -> Any:
        if tag == "^":
            return span(data[1:])
        if tag == "()":
            return tuple(map(value, data[1:]))
        if tag in _SCALARS and len(data) == 2:
            return _SCALARS[tag](data[1])
        if not tag:
            raise CodecError("a list without a tag")
        raise CodecError(f"not a node: {tag!r} with {len(data) - 1} items")

    def span(items: list[Any]) -> Span:
        if len(items) != 6 or list(map(type, items)).count(int) != 6 or min(items) < 0:
            raise CodecError(f"not a span: {items!r}")
        return Span(path, *items)

    return value


def _decimal(text: Any) -> Decimal:
    try:
        return Decimal(text)
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise CodecError(f"not a number: {text!r}") from exc


def _date(text: Any) -> date:
    try:
        return date.fromisoformat(text)
    except (ValueError, TypeError) as exc:
        raise CodecError(f"not a date: {text!r}") from exc


_SCALARS: dict[str, Callable[[Any], Any]] = {"#": _decimal, "@": _date}
