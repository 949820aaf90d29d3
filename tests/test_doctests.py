"""Every `>>>` example in the code runs and gives the output it shows.

Examples may use the bundled library's scheme models by scheme name (`tokyo_cat`,
`eu_ets`, …), which this test puts in their namespace; everything else they import.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest
from etsl.compiler.driver import compile_paths
from etsl.compiler.model import SchemeModel

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "etsl": "etsl",
    "compiler": "etsl.compiler",
    "runtime": "etsl.runtime",
    "documents": "etsl.documents",
    "linkage": "etsl.linkage",
    "grammar": "etsl.grammar",
}


def modules_with_examples() -> list[str]:
    """Every module of the tree whose text holds a `>>>` example."""
    found = []
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            if ">>>" in path.read_text(encoding="utf-8"):
                parts = path.relative_to(ROOT / folder).with_suffix("").parts
                name = ".".join((package, *parts)).removesuffix(".__init__")
                found.append(name)
    return found


MODULES = modules_with_examples()


@pytest.fixture(scope="module")
def library() -> dict[str, SchemeModel]:
    compilation = compile_paths([ROOT / "schemes"])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return {name: c.model for name, c in compilation.schemes.items()}


def test_examples_are_found() -> None:
    assert "etsl.documents.render" in MODULES and len(MODULES) >= 10, MODULES


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(
    name: str, library: dict[str, SchemeModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, extraglobs=dict(library), optionflags=flags, verbose=False)
    assert result.attempted > 0, f"{name}: its `>>>` lines are not doctests"
    assert result.failed == 0, f"{name}: {result.failed} example(s) failed (output above)"
