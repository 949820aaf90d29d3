"""Golden cases: tests/cases/<area>/{ok,err}/<name>.scheme with rendered diagnostics beside them."""

from __future__ import annotations

from pathlib import Path

import pytest
from etsl.compiler.codes import CODES
from etsl.compiler.diagnostics import Severity
from etsl.compiler.driver import compile_paths
from etsl.compiler.render import render_text

from tests.golden import REPO, check_golden

AREAS = ("syntax", "names", "imports", "types", "validation", "graph", "language")
CASES = sorted(p for area in AREAS for p in (REPO / "tests" / "cases" / area).rglob("*.scheme"))
ERR_CASES = [p for p in CASES if p.parent.name == "err"]
OK_CASES = [p for p in CASES if p.parent.name == "ok"]
#: Codes whose failing input cannot be a checked-in text file; tests/test_bad_input.py covers them.
DYNAMIC_CODES = {"file-not-found", "file-unreadable", "file-too-large"}


def _render(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list]:  # type: ignore[type-arg]
    monkeypatch.chdir(REPO)
    compilation = compile_paths([path.relative_to(REPO)])
    return render_text(compilation.diagnostics, compilation.sources) + "\n", compilation.diagnostics


@pytest.mark.parametrize("case", ERR_CASES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_err_case(case: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    text, diagnostics = _render(case, monkeypatch)
    assert diagnostics, "an err case must produce at least one diagnostic"
    if case.stem in CODES:
        assert case.stem in {d.code for d in diagnostics}, f"expected a [{case.stem}] diagnostic"
    check_golden(case.with_suffix(".expected"), text, update_golden)


@pytest.mark.parametrize("case", OK_CASES, ids=lambda p: p.stem)
def test_ok_case(case: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    text, diagnostics = _render(case, monkeypatch)
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]
    check_golden(case.with_suffix(".expected"), text, update_golden)


def test_every_code_has_a_failing_case() -> None:
    """Compiler codes here; data, evaluation and scenario codes in
    tests/test_problem_codes.py; linkage codes have their fixtures in tests/cases/linkage
    (tests/test_linkage.py)."""
    covered = {p.stem for p in ERR_CASES}
    compiler_codes = {
        n
        for n, c in CODES.items()
        if c.area not in ("data", "evaluation", "scenario", "linkage")
    }
    missing = sorted(compiler_codes - covered - DYNAMIC_CODES)
    assert not missing, f"codes without an err case: {missing}"


def test_every_code_is_documented() -> None:
    text = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"`{code}`" not in text]
    assert not missing, f"codes missing from docs/diagnostics.md: {missing}"


def test_diagnostics_doc_is_current(update_golden: bool) -> None:
    from etsl.compiler.codes_doc import render

    assert all(code.fix for code in CODES.values()), "every code needs a documented fix"
    check_golden(REPO / "docs" / "diagnostics.md", render(REPO), update_golden)
