"""Compare ASTs while ignoring where nodes came from (spans)."""

from __future__ import annotations

import dataclasses

from etsl.compiler.source import Span


def shape(node: object) -> object:
    """A node as nested tuples without spans, for equality tests."""
    if isinstance(node, Span):
        return None
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__,) + tuple(
            shape(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name != "span"
            and f.name != "path")
    if isinstance(node, tuple):
        return tuple(shape(n) for n in node)
    return node
