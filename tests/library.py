"""The bundled library, compiled once per test process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from etsl.compiler.driver import compile_paths
from etsl.compiler.model import SchemeModel

ROOT = Path(__file__).resolve().parent.parent


@cache
def library() -> tuple[SchemeModel, ...]:
    """Every bundled scheme, in file order (the library compiles clean)."""
    compilation = compile_paths([ROOT / "schemes"])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return tuple(sorted((c.model for c in compilation.schemes.values()), key=lambda m: m.path))
