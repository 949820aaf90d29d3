"""A compiled Program and its diagnostics as JSON-ready data and back, for the program cache
(compiler/program_cache.py).

    data = encode(value)        # {"paths", "shared", "value"}: lists, strings, whole
    value = decode(data)        # numbers, booleans and None; CodecError on anything else

Nothing is evaluated or imported on the way back: only the classes listed in CLASSES are
built (the Program's declarations and expression nodes, types, spans, diagnostics), each
from exactly its fields, and only the enumerations in ENUMS from their values. A node is
`[class name, field, …]` with every field in declaration order. Tags are not identifiers,
so no class name can collide with them:

    ["()", item, …]   a tuple         ["{}", key, value, …]  a dict
    ["<>", item, …]   a frozenset     ["#", "1.5"]           a Decimal
    ["@", "2024-01-01"] a date        ["!", "RefKind", "rule"] an enumeration member
    ["^", path, start, end, line, col, end line, end col]    a span (its path by number)
    ["*", number]       a shared value (a type or an enumeration member: written once, it
                        recurs on every node)
"""

from __future__ import annotations

import dataclasses
import json
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


#: Classes whose values repeat (a type on every node): written once into a table, and
#: referred to as ["*", number]; so are enumeration members.
SHARED = (types.Simple, types.Enum, types.Quant)


def encode(value: object) -> dict[str, Any]:
    """The value as nested lists and plain values, with the table of span paths and of
    shared values: `{"paths": […], "shared": […], "value": …}`; raises CodecError on a
    value of a class it does not know."""
    encoder = _Encoder({}, {}, [])
    data = encoder.value(value)
    return {"paths": list(encoder.paths), "shared": encoder.table, "value": data}


@dataclasses.dataclass(frozen=True)
class _Encoder:
    paths: dict[str, int]
    shared: dict[object, int]
    table: list[Any]

    def value(self, value: object) -> Any:
        if isinstance(value, Enum):  # first: a StrEnum member is also a str
            return self.share(value)
        if isinstance(value, _PLAIN):
            return value
        if type(value) in SHARED:
            return self.share(value)
        encoder = _CONTAINERS.get(type(value))
        if encoder is not None:
            return encoder(self, value)
        return self.node(value)

    def node(self, value: object) -> list[Any]:
        name = type(value).__name__
        if CLASSES.get(name) is not type(value):
            raise CodecError(f"cannot encode a {name}")
        return [name, *(self.value(getattr(value, f)) for f in _FIELDS[name])]

    def share(self, value: object) -> list[Any]:
        number = self.shared.get(value)
        if number is None:
            self.table.append(self.member(value) if isinstance(value, Enum) else self.node(value))
            number = self.shared[value] = len(self.table) - 1
        return ["*", number]

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


def decode(data: Any) -> Any:
    """The value `encode` wrote (raises CodecError on anything else). Read the JSON with
    `loads`, which refuses what encode never writes (fractions, NaN)."""
    if type(data) is not dict or set(data) != {"paths", "shared", "value"}:
        raise CodecError("not an encoded value")
    paths, shared = data["paths"], data["shared"]
    if type(paths) is not list or not all(type(p) is str for p in paths):
        raise CodecError("not a table of paths")
    if type(shared) is not list:
        raise CodecError("not a table of shared values")
    decoder = _Decoder(tuple(paths), [])
    for item in shared:
        tag = str(item[0]) if type(item) is list and item else ""
        if tag != "!" and CLASSES.get(tag) not in SHARED:
            raise CodecError(f"not a shared value: {item!r}")
        decoder.shared.append(decoder.value(item))
    return decoder.value(data["value"])


def loads(text: str | bytes) -> Any:
    """JSON as encode's output is written: numbers are whole, never fractions or NaN."""
    return json.loads(text, parse_float=_no_fraction, parse_constant=_no_fraction)


def _no_fraction(text: str) -> Any:
    raise CodecError(f"unexpected number {text}")


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


@dataclasses.dataclass(frozen=True)
class _Decoder:
    paths: tuple[str, ...]
    shared: list[Any]

    def value(self, data: Any) -> Any:
        if type(data) is not list:
            if type(data) in _PLAIN_TYPES:
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

    def items(self, data: list[Any]) -> list[Any]:
        """The items after the tag (plain ones as they are, without a call: most are)."""
        plain, value = _PLAIN_TYPES, self.value
        return [item if type(item) in plain else value(item) for item in data[1:]]

    def node(self, tag: str, kind: type, data: list[Any]) -> Any:
        if len(data) != _LENGTHS[tag]:
            raise CodecError(f"a {tag} with {len(data) - 1} fields")
        try:
            return kind(*self.items(data))
        except (TypeError, ValueError) as exc:  # a Diagnostic's code no longer registered
            raise CodecError(f"not a {tag}: {exc}") from exc

    def span(self, data: list[Any]) -> Span:
        items = data[1:]
        try:  # min refuses anything but numbers, and loads gives no fractions
            if len(items) != 7 or min(items) < 0:
                raise CodecError(f"not a span: {items!r}")
            return Span(self.paths[items[0]], *items[1:])
        except TypeError:
            raise CodecError(f"not a span: {items!r}") from None
        except IndexError:
            raise CodecError(f"no path numbered {items[0]}") from None

    def reference(self, data: list[Any]) -> Any:
        if len(data) != 2 or type(data[1]) is not int or not 0 <= data[1] < len(self.shared):
            raise CodecError(f"no shared value {data[1:]!r}")
        return self.shared[data[1]]

    def mapping(self, data: list[Any]) -> dict[Any, Any]:
        items = self.items(data)
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
            return frozenset(self.items(data))
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


_LENGTHS = {name: len(fields) + 1 for name, fields in _FIELDS.items()}
_SPECIAL: dict[str, Callable[[_Decoder, list[Any]], Any]] = {
    "^": _Decoder.span,
    "*": _Decoder.reference,
    "()": lambda d, data: tuple(d.items(data)),
    "<>": _Decoder.frozen,
    "{}": _Decoder.mapping,
    "!": _Decoder.member,
    "#": _scalar(Decimal, "number"),
    "@": _scalar(date.fromisoformat, "date"),
}
