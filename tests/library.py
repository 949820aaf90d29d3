"""The bundled library, compiled once per test process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from etsl.compiler.driver import Compilation, compile_paths
from etsl.compiler.model import SchemeModel
from etsl.documents.figures.scheme import YearPath

from etsl.system_paths import year_paths

ROOT = Path(__file__).resolve().parent.parent


@cache
def compiled_library() -> Compilation:
    compilation = compile_paths([ROOT / "schemes"])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return compilation


@cache
def library() -> tuple[SchemeModel, ...]:
    """Every bundled scheme, in file order (the library compiles clean)."""
    schemes = compiled_library().schemes.values()
    return tuple(sorted((c.model for c in schemes), key=lambda m: m.path))


@cache
def library_paths() -> Mapping[str, Sequence[YearPath]]:
    """Each bundled scheme's caps and prices year by year, as `etsl docs` passes them to the pages."""
    return {name: year_paths(c) for name, c in compiled_library().schemes.items()}
