"""A compiled Program and its diagnostics as JSON-ready data and back, for the program cache
(compiler/program_cache.py).

    data = encode(value)        # lists, strings, numbers, booleans and None
    value = decode(data)        # raises CodecError on anything it did not write

Nothing is evaluated or imported on the way back: only the classes listed in CLASSES are
built (the Program's declarations and expression nodes, types, spans, diagnostics), each
from exactly its fields, and only the enumerations in ENUMS from their values. A node is
`[class name, field, …]` with every field in declaration order. Tags are not identifiers,
so no class name can collide with them:

    ["()", item, …]   a tuple         ["{}", key, value, …]  a dict
    ["<>", item, …]   a frozenset     ["#", "1.5"]           a Decimal
    ["@", "2024-01-01"] a date        ["!", "RefKind", "rule"] an enumeration member
    ["^", path, start, end, line, col, end line, end col]    a span (its path by number,
                                                             in the table encode returns)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from etsl.compiler import diagnostics, program, types
from etsl.compiler.errors import EtslError
from etsl.compiler.source import Span


def _dataclasses(*modules: Any) -> dict[str, type]:
    return {
        name: kind
        for module in modules
        for name, kind in vars(module).items()
        if isinstance(kind, type)
        and dataclasses.is_dataclass(kind)
        and kind.__module__ == module.__name__
    }


#: Every class decode builds, by name (Span is written by its own tag).
CLASSES: dict[str, type] = _dataclasses(program, types, diagnostics)
_FIELDS = {name: tuple(f.name for f in dataclasses.fields(kind)) for name, kind in CLASSES.items()}
#: Every enumeration decode builds members of, by name.
ENUMS: dict[str, type[Enum]] = {
    kind.__name__: kind for kind in (program.RefKind, diagnostics.Severity)
}
_PLAIN = (str, int, bool, type(None))


class CodecError(EtslError):
    """Data that encode did not write (or a value it cannot write)."""


def encode(value: object) -> tuple[list[str], Any]:
    """(the table of span paths, the value as nested lists and plain values); raises
    CodecError on a value of a class it does not know."""
    paths: dict[str, int] = {}
    data = _Encoder(paths).value(value)
    return list(paths), data


@dataclasses.dataclass(frozen=True)
class _Encoder:
    paths: dict[str, int]

    def value(self, value: object) -> Any:
        if isinstance(value, Enum):  # first: a StrEnum member is also a str
            return self.member(value)
        if isinstance(value, _PLAIN):
            return value
        encoder = _CONTAINERS.get(type(value))
        if encoder is not None:
            return encoder(self, value)
        name = type(value).__name__
        if CLASSES.get(name) is not type(value):
            raise CodecError(f"cannot encode a {name}")
        return [name, *(self.value(getattr(value, f)) for f in _FIELDS[name])]

    def member(self, value: Enum) -> Any:
        name = type(value).__name__
        if ENUMS.get(name) is not type(value):
            raise CodecError(f"cannot encode a {name}")
        return ["!", name, value.value]

    def span(self, span: Span) -> list[Any]:
        number = self.paths.setdefault(span.path, len(self.paths))
        return ["^", number, span.start, span.end, span.line, span.col, span.end_line, span.end_col]

    def items(self, tag: str, values: Any) -> list[Any]:
        return [tag, *(self.value(item) for item in values)]

    def mapping(self, value: Mapping[Any, Any]) -> list[Any]:
        return ["{}", *(self.value(item) for pair in value.items() for item in pair)]


_CONTAINERS: dict[type, Callable[[_Encoder, Any], Any]] = {
    Span: _Encoder.span,
    tuple: lambda e, v: e.items("()", v),
    frozenset: lambda e, v: e.items("<>", sorted(v, key=repr)),
    dict: _Encoder.mapping,
    Decimal: lambda e, v: ["#", str(v)],
    date: lambda e, v: ["@", v.isoformat()],
}


def decode(paths: Any, data: Any) -> Any:
    """The value `encode` wrote (raises CodecError on anything else)."""
    if type(paths) is not list or not all(type(p) is str for p in paths):
        raise CodecError("not a table of paths")
    return _Decoder(tuple(paths)).value(data)


@dataclasses.dataclass(frozen=True)
class _Decoder:
    paths: tuple[str, ...]

    def value(self, data: Any) -> Any:
        if type(data) is not list:
            if isinstance(data, _PLAIN):
                return data
            raise CodecError(f"unexpected {type(data).__name__}")
        tag = data[0] if data and type(data[0]) is str else None
        if tag is None:
            raise CodecError("a list without a tag")
        kind = CLASSES.get(tag)
        if kind is not None:
            return self.node(tag, kind, data)
        special = _SPECIAL.get(tag)
        if special is None:
            raise CodecError(f"not a node: {tag!r}")
        return special(self, data)

    def node(self, tag: str, kind: type, data: list[Any]) -> Any:
        if len(data) != len(_FIELDS[tag]) + 1:
            raise CodecError(f"a {tag} with {len(data) - 1} fields")
        try:
            return kind(*map(self.value, data[1:]))
        except (TypeError, ValueError) as exc:  # a Diagnostic's code no longer registered
            raise CodecError(f"not a {tag}: {exc}") from exc

    def span(self, data: list[Any]) -> Span:
        items = data[1:]
        if len(items) != 7 or list(map(type, items)).count(int) != 7 or min(items) < 0:
            raise CodecError(f"not a span: {items!r}")
        if items[0] >= len(self.paths):
            raise CodecError(f"no path numbered {items[0]}")
        return Span(self.paths[items[0]], *items[1:])

    def mapping(self, data: list[Any]) -> dict[Any, Any]:
        items = list(map(self.value, data[1:]))
        if len(items) % 2:
            raise CodecError("a dict with a key but no value")
        try:
            return dict(zip(items[::2], items[1::2], strict=True))
        except TypeError as exc:  # an unhashable key
            raise CodecError(f"a dict key that is not a key: {exc}") from exc

    def member(self, data: list[Any]) -> Enum:
        kind = ENUMS.get(data[1]) if len(data) == 3 and type(data[1]) is str else None
        if kind is None:
            raise CodecError(f"not an enumeration member: {data[1:]!r}")
        try:
            return kind(data[2])
        except ValueError as exc:
            raise CodecError(f"not a {data[1]}: {data[2]!r}") from exc

    def frozen(self, data: list[Any]) -> frozenset[Any]:
        try:
            return frozenset(map(self.value, data[1:]))
        except TypeError as exc:
            raise CodecError(f"a set item that is not a key: {exc}") from exc


def _scalar(make: Callable[[Any], Any], what: str) -> Callable[[_Decoder, list[Any]], Any]:
    def decoded(_: _Decoder, data: list[Any]) -> Any:
        try:
            if len(data) == 2 and type(data[1]) is str:
                return make(data[1])
        except (ValueError, InvalidOperation):
            pass
        raise CodecError(f"not a {what}: {data[1:]!r}")

    return decoded


_SPECIAL: dict[str, Callable[[_Decoder, list[Any]], Any]] = {
    "^": _Decoder.span,
    "()": lambda d, data: tuple(map(d.value, data[1:])),
    "<>": _Decoder.frozen,
    "{}": _Decoder.mapping,
    "!": _Decoder.member,
    "#": _scalar(Decimal, "number"),
    "@": _scalar(date.fromisoformat, "date"),
}
