"""ast.walk visits exactly the nodes a field-by-field traversal does, remembered or not.

walk skips the fields whose declared type names only leaf types (str, Decimal, Span, …),
and while a scheme compiles (ast.remembered_walks) it keeps each walk for the later passes.
Both are shortcuts: every bundled scheme and every accepted test case is walked here both
ways and compared with a traversal that looks into every field.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from etsl.compiler import ast
from etsl.compiler.parse import parse
from etsl.compiler.source import SourceFile, Span

from tests.golden import REPO

SCHEMES = sorted((REPO / "schemes").rglob("*.scheme")) + sorted(
    (REPO / "tests" / "cases").glob("*/ok/*.scheme")
)


def every_node(node: object) -> list[object]:
    """Depth first, itself first, looking into every field and every tuple item."""
    found = [node]
    for field in dataclasses.fields(node):  # type: ignore[arg-type]
        if field.name == "span":
            continue
        value = getattr(node, field.name)
        for item in value if isinstance(value, tuple) else (value,):
            if dataclasses.is_dataclass(item) and not isinstance(item, Span):
                found.extend(every_node(item))
    return found


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: str(p.relative_to(REPO)))
def test_walk_visits_every_node_in_order(path: Path) -> None:
    module, diagnostics = parse(SourceFile.read(path))
    assert module is not None, diagnostics
    expected = [id(n) for n in every_node(module)]
    assert [id(n) for n in ast.walk(module)] == expected
    with ast.remembered_walks():
        for scheme in module.schemes:
            for decl in scheme.decls:
                assert [id(n) for n in ast.walk(decl)] == [id(n) for n in every_node(decl)]
        assert [id(n) for n in ast.walk(module)] == expected
        assert [id(n) for n in ast.walk(module)] == expected  # remembered this time
