"""`@frozen`: a frozen dataclass with slots, cheaper to define than `@dataclass(frozen=True,
slots=True)` and alike in every behaviour.

    @frozen
    class Name:
        name: str
        span: Span

The AST and the Program are some ninety such classes, defined on every start. The standard
decorator writes and compiles each class's own `__repr__`, `__eq__` and `__hash__` from source
text; that is about half of what defining a class costs, and a fifth of a first `etsl
check`'s imports. Here those three are closures over the class's field names, made without
compiling anything, with the standard decorator's results: the same text, equality only
between instances of the same class comparing the fields in order, and the hash of the same
tuple. `__init__`, immutability, `dataclasses.fields` and `dataclasses.replace` are the
standard decorator's own.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

_Class = TypeVar("_Class", bound=type)


@dataclass_transform(frozen_default=True)
def frozen(cls: _Class) -> _Class:
    """The class as a frozen dataclass with slots (see the module's docstring)."""
    made: Any = dataclasses.dataclass(frozen=True, slots=True, repr=False, eq=False)(cls)
    fields = dataclasses.fields(made)
    own = vars(cls)
    if "__repr__" not in own:
        made.__repr__ = _repr([f.name for f in fields if f.repr])
    if "__eq__" not in own:
        made.__eq__ = _eq(_values([f.name for f in fields if f.compare]))
    if "__hash__" not in own:
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        made.__hash__ = _hash(_values(hashed))
    result: _Class = made
    return result


def _values(names: list[str]) -> Callable[[object], tuple[Any, ...]]:
    """The named fields of an instance as a tuple (always a tuple, as the standard one)."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda instance: (one(instance),)
    if not names:
        return lambda instance: ()
    values: Callable[[object], tuple[Any, ...]] = attrgetter(*names)
    return values


def _eq(values: Callable[[object], tuple[Any, ...]]) -> Callable[[object, object], Any]:
    def __eq__(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[object], tuple[Any, ...]]) -> Callable[[object], int]:
    def __hash__(self: object) -> int:
        return hash(values(self))

    return __hash__


def _repr(names: list[str]) -> Callable[[object], str]:
    @reprlib.recursive_repr()
    def __repr__(self: object) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__
