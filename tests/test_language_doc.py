"""Every `etsl` example in docs/language.md compiles without errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from etsl.compiler.diagnostics import Severity
from etsl.compiler.driver import compile_paths
from etsl.compiler.render import render_text

from tests.golden import REPO

DOC = REPO / "docs" / "language.md"
BLOCKS = re.findall(r"```etsl\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 20


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_compiles(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "docs" / "examples", tmp_path / "examples")
    path = tmp_path / f"example{index}.scheme"
    path.write_text(BLOCKS[index], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = compile_paths([path])
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert not errors, render_text(errors, result.sources)


def test_every_grammar_keyword_is_documented() -> None:
    grammar = (REPO / "grammar" / "scheme.lark").read_text(encoding="utf-8")
    keywords = set(re.findall(r'"([a-z_]+)"', grammar))
    text = DOC.read_text(encoding="utf-8")
    missing = sorted(k for k in keywords if not re.search(rf"\b{k}\b", text))
    assert not missing, f"keywords missing from docs/language.md: {missing}"


def test_readme_example_compiles(tmp_path: Path) -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"```etsl\n(scheme .*?)```", text, re.S)[0]
    path = tmp_path / "readme.scheme"
    path.write_text(block, encoding="utf-8")
    result = compile_paths([path])
    assert result.ok and not result.diagnostics, render_text(result.diagnostics, result.sources)
