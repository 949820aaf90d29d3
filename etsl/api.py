"""The Python API: load and check schemes; the runtime adds evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from etsl.compiler.diagnostics import Diagnostic
from etsl.compiler.driver import Compilation, CompiledScheme, compile_paths
from etsl.compiler.model import SchemeModel
from etsl.compiler.render import render_text


class SchemeError(Exception):
    """Raised by the API when a scheme does not compile; carries the diagnostics."""

    def __init__(self, compilation: Compilation) -> None:
        self.diagnostics: list[Diagnostic] = compilation.diagnostics
        super().__init__(render_text([d for d in compilation.diagnostics], compilation.sources))


class Scheme:
    """A compiled scheme: its model, rule graph and (with the runtime) evaluation."""

    def __init__(self, compiled: CompiledScheme) -> None:
        self.compiled = compiled

    @property
    def name(self) -> str:
        return self.compiled.name

    @property
    def model(self) -> SchemeModel:
        return self.compiled.model

    def __repr__(self) -> str:
        return f"<etsl.Scheme {self.name}>"


def check(paths: Iterable[str | PathLike[str]]) -> Compilation:
    """Compile files or folders and return every diagnostic (never raises on bad input)."""
    return compile_paths([Path(p) for p in paths])


def load(path: str | PathLike[str], scheme: str | None = None) -> Scheme:
    """Compile one file and return its scheme (the named one when the file has several)."""
    compilation = compile_paths([Path(path)])
    if not compilation.ok:
        raise SchemeError(compilation)
    if scheme is None and len(compilation.schemes) == 1:
        return Scheme(next(iter(compilation.schemes.values())))
    if scheme in compilation.schemes:
        return Scheme(compilation.schemes[scheme])
    raise KeyError(f"choose one of: {', '.join(sorted(compilation.schemes))}")
