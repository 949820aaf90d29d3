"""`@frozen` (compiler/frozen.py) behaves as `@dataclass(frozen=True, slots=True)`: the same
text, equality, hash, immutability and dataclass functions, on a sample class under
Hypothesis and on every AST node of the bundled schemes against a standard twin class."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import cache

import pytest
from etsl.compiler import ast, program
from etsl.compiler.frozen import frozen
from etsl.compiler.parse import parse
from etsl.compiler.source import SourceFile
from hypothesis import given
from hypothesis import strategies as st

from tests.golden import REPO
from tests.test_ast_walk import every_node


@frozen
class Point:
    x: int
    label: str
    weight: Decimal | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class StandardPoint:
    x: int
    label: str
    weight: Decimal | None = None


@frozen
class One:
    value: int


@dataclasses.dataclass(frozen=True, slots=True)
class StandardOne:
    value: int


@frozen
class Skips:
    kept: int
    ignored: int = dataclasses.field(default=0, compare=False, repr=False)


POINTS = st.tuples(st.integers(), st.text(max_size=5), st.none() | st.decimals(allow_nan=False))


def _shown(text: str) -> str:
    return text.replace("StandardPoint(", "Point(").replace("StandardOne(", "One(")


@given(POINTS, POINTS)
def test_it_behaves_as_the_standard_decorator(first: tuple, second: tuple) -> None:  # type: ignore[type-arg]
    ours, theirs = Point(*first), StandardPoint(*first)
    other, other_standard = Point(*second), StandardPoint(*second)
    assert repr(ours) == _shown(repr(theirs))
    assert hash(ours) == hash(theirs)
    assert (ours == other) == (theirs == other_standard)
    assert (ours != other) == (theirs != other_standard)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    assert dataclasses.replace(ours, x=1) == Point(1, *first[1:])


@given(st.integers())
def test_a_single_field_hashes_as_a_tuple(value: int) -> None:
    assert hash(One(value)) == hash(StandardOne(value)) == hash((value,))
    assert repr(One(value)) == _shown(repr(StandardOne(value)))


def test_instances_are_frozen_slotted_and_only_equal_to_their_own_class() -> None:
    point = Point(1, "a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.x  # type: ignore[misc]
    assert not hasattr(point, "__dict__")
    assert Point.__slots__ == ("x", "label", "weight")
    assert point != StandardPoint(1, "a") and point != (1, "a", None)
    assert Point.__match_args__ == ("x", "label", "weight")


def test_fields_left_out_of_comparison_are_left_out_of_text_equality_and_hash() -> None:
    assert Skips(1, 2) == Skips(1, 3) and hash(Skips(1, 2)) == hash(Skips(1, 3))
    assert repr(Skips(1, 2)) == "Skips(kept=1)"


def test_a_node_that_contains_itself_is_shown_without_recursing() -> None:
    @frozen
    class Box:
        items: list[object]

    box = Box([])
    box.items.append(box)
    assert repr(box).endswith(".<locals>.Box(items=[...])")


@cache
def _standard_twin(kind: type) -> type:
    """The class as the standard decorator makes it, with the same name and fields."""
    namespace = {"__annotations__": dict(kind.__annotations__), "__qualname__": kind.__qualname__}
    for field in dataclasses.fields(kind):
        if field.default is not dataclasses.MISSING:
            namespace[field.name] = field.default
    twin = type(kind.__name__, (), namespace)
    return dataclasses.dataclass(frozen=True, slots=True)(twin)


def test_every_ast_and_program_class_is_made_by_it() -> None:
    for module in (ast, program):
        for value in vars(module).values():
            if dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
                slotted = "__slots__" in vars(value)
                assert slotted == (value.__eq__.__qualname__ == "_eq.<locals>.__eq__"), value


def test_bundled_schemes_nodes_show_and_hash_as_standard_ones() -> None:
    paths = sorted((REPO / "schemes").rglob("*.scheme"))
    assert len(paths) > 10
    for path in paths:
        module, _ = parse(SourceFile.of(str(path), path.read_text(encoding="utf-8")))
        assert module is not None, path
        for node in every_node(module):
            values = [getattr(node, f.name) for f in dataclasses.fields(node)]  # type: ignore[arg-type]
            twin = _standard_twin(type(node))(*values)
            assert repr(node) == repr(twin) and hash(node) == hash(twin), (path, node)
