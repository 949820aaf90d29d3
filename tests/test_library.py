"""The bundled scheme library: every required scheme exists, compiles clean, is formatted,
cites its sources, has at least three examples, and they pass."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from etsl.compiler.diagnostics import Severity
from etsl.compiler.driver import Compilation, compile_paths
from etsl.compiler.fmt import format_source
from etsl.compiler.render import render_text
from etsl.compiler.source import SourceFile

from tests.golden import REPO, check_golden

SCHEMES = REPO / "schemes"
JAPAN = ["tokyo_cat", "saitama_tset", "jvets", "domestic_credit", "jver", "cdm", "kyoto_japan",
         "kyoto_target_plan", "trial_integrated_market", "moe_trial_design", "meti_design",
         "keidanren_vap", "gx_ets"]
WORLD = ["eu_ets", "swiss_ets", "uk_ets", "california", "quebec", "rggi", "korea_ets",
         "china_ets", "nz_ets", "washington"]
FILES = sorted(SCHEMES.rglob("*.scheme"))


@cache
def library() -> Compilation:
    return compile_paths([SCHEMES])


def test_library_compiles_without_errors() -> None:
    errors = [d for d in library().diagnostics if d.severity is Severity.ERROR]
    assert not errors, render_text(errors, library().sources)


def test_library_has_no_warnings() -> None:
    warnings = [d for d in library().diagnostics if d.severity is Severity.WARNING]
    assert not warnings, render_text(warnings, library().sources)


@pytest.mark.parametrize("name", JAPAN + WORLD)
def test_required_scheme_exists_with_examples(name: str) -> None:
    assert name in library().schemes, f"scheme '{name}' is missing from schemes/"
    model = library().schemes[name].model
    assert len(model.examples) >= 3, f"{name} has {len(model.examples)} examples; needs 3"
    assert model.sources, f"{name} declares no sources"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SCHEMES)))
def test_file_is_formatted(path: Path) -> None:
    source = SourceFile.read(path)
    formatted, diagnostics = format_source(source)
    assert formatted == source.text, "run: etsl fmt " + str(path.relative_to(REPO))


_DECLARES_VALUE = re.compile(r"^\s*(param|table)\s+(\w+)")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SCHEMES)))
def test_every_parameter_is_sourced(path: Path) -> None:
    """A param or table cites a source, or the comment block right above it names one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    unsourced = []
    for index, text in enumerate(lines):
        match = _DECLARES_VALUE.match(text)
        if not match:
            continue
        block = _declaration_text(lines, index)
        comments = _comments_above(lines, index)
        if " cite " not in block and not re.search(r"source|cite|\[V\]|\[S\]|\[U\]", comments,
                                                   re.I):
            unsourced.append(f"line {index + 1}: {match.group(1)} {match.group(2)}")
    assert not unsourced, "no cite or source comment: " + "; ".join(unsourced)


def _declaration_text(lines: list[str], index: int) -> str:
    text = lines[index]
    if text.rstrip().endswith("{"):
        end = next((i for i in range(index + 1, len(lines)) if lines[i].strip().startswith("}")),
                   index)
        text = " ".join(lines[index:end + 1])
    return " " + text + " "


def _comments_above(lines: list[str], index: int) -> str:
    above = []
    for text in reversed(lines[:index]):
        if text.strip().startswith("#"):
            above.append(text)
        else:
            break
    return "\n".join(above)


def test_catalogue_page_is_current(update_golden: bool) -> None:
    from etsl.documents.catalogue import render

    check_golden(REPO / "docs" / "schemes.md", render(REPO), update_golden)


def test_library_examples_pass() -> None:
    run = subprocess.run([sys.executable, "-m", "etsl", "test", str(SCHEMES)],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
