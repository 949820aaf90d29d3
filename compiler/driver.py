"""The compiler driver: runs the passes in order and stops between passes on errors.

compile_paths([Path("schemes/")]) -> Compilation
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from etsl.compiler import ast, codes
from etsl.compiler.check import CheckedScheme, check
from etsl.compiler.diagnostics import Diagnostic, error, has_errors, sort_key
from etsl.compiler.graph import RuleGraph, rule_graph
from etsl.compiler.load import Loaded, Parser, Reader, load, read_source, scheme_files, source_of
from etsl.compiler.lower import lower
from etsl.compiler.program import Program
from etsl.compiler.resolve import ResolvedScheme, resolve
from etsl.compiler.source import SourceFile, deep_recursion
from etsl.compiler.validate import validate

if TYPE_CHECKING:
    from etsl.compiler.model import SchemeModel


@dataclass(frozen=True)
class CompiledScheme:
    """Everything the compiler knows about one scheme. The scheme model (pydantic: the
    public JSON contract) is built when first asked for; `etsl check` never needs it."""

    resolved: ResolvedScheme
    checked: CheckedScheme
    graph: RuleGraph
    program: Program

    @property
    def name(self) -> str:
        return self.resolved.name

    @functools.cached_property
    def model(self) -> SchemeModel:
        from etsl.compiler.model import to_model

        with deep_recursion():
            return to_model(self.checked, self.graph)


@dataclass
class Compilation:
    """The result of compiling some files: schemes that compiled, and every diagnostic."""

    schemes: dict[str, CompiledScheme] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    modules: dict[Path, ast.Module] = field(default_factory=dict)  # every file parsed, imports too

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@cache
def library_scheme_names() -> frozenset[str]:
    """Names of the schemes bundled in etsl.schemes (read cheaply, without compiling)."""
    names: set[str] = set()
    root = resources.files("etsl.schemes")
    pending = [root]
    while pending:
        folder = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                pending.append(entry)
            elif entry.name.endswith(".scheme"):
                text = entry.read_bytes().decode("utf-8", errors="replace")
                names.update(re.findall(r"^\s*scheme\s+([A-Za-z_]\w*)", text, re.M))
    return frozenset(names)


def _visible(loaded: Loaded, path: Path) -> dict[str, ast.Scheme]:
    """Schemes and catalogues defined in a file or, transitively, the files it imports."""
    seen: set[Path] = set()
    pending = [path]
    visible: dict[str, ast.Scheme] = {}
    while pending:
        current = pending.pop()
        if current in seen or current not in loaded.modules:
            continue
        seen.add(current)
        module = loaded.modules[current]
        for scheme in module.schemes:
            visible.setdefault(scheme.name, scheme)
        pending.extend((current.parent / imp.path).resolve() for imp in module.imports)
    return visible


def compile_scheme(
    scheme: ast.Scheme, visible: dict[str, ast.Scheme], known: set[str]
) -> tuple[CompiledScheme | None, list[Diagnostic]]:
    """resolve → check → validate → graph → model and lower, stopping after a pass with
    errors."""
    try:
        with deep_recursion(), ast.remembered_walks():
            return _passes(scheme, visible, known)
    except RecursionError:
        return None, [_too_deep(Path(scheme.span.path))]


def _passes(
    scheme: ast.Scheme, visible: dict[str, ast.Scheme], known: set[str]
) -> tuple[CompiledScheme | None, list[Diagnostic]]:
    resolved, diagnostics = resolve(scheme, visible)
    if has_errors(diagnostics):
        return None, diagnostics
    checked, found = check(resolved)
    diagnostics += found
    if has_errors(diagnostics):
        return None, diagnostics
    diagnostics += validate(checked, known)
    graph, cycles = rule_graph(checked)
    diagnostics += cycles
    if has_errors(diagnostics):
        return None, diagnostics
    return CompiledScheme(resolved, checked, graph, lower(checked, graph)), diagnostics


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while compiling.

    The passes allocate hundreds of thousands of small immutable objects and free them
    together; collections during that work cost about a quarter of the compile time of a
    large scheme and find nothing to free (see bench/compile_bench.py).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compile_paths(paths: Iterable[Path], search_paths: Iterable[Path] = ()) -> Compilation:
    """Compile files and folders (every .scheme below a folder)."""
    with paused_gc():
        return _compile_paths(paths, search_paths)


def _compile_paths(paths: Iterable[Path], search_paths: Iterable[Path]) -> Compilation:
    files, problems = scheme_files(paths)
    return _compile_loaded(files, problems, load(files, search_paths))


def compile_document(
    path: Path,
    text: str,
    search_paths: Iterable[Path] = (),
    read: Reader | None = None,
    parse_source: Parser | None = None,
) -> Compilation:
    """Compile one file whose text is given (an editor's unsaved buffer). The files it
    imports are read with `read` (from disk by default) and parsed with `parse_source`
    (afresh by default; an editor passes a cache)."""
    target = path.resolve()
    fallback = read or read_source

    def reading(wanted: Path) -> tuple[SourceFile, Diagnostic | None]:
        return source_of(wanted, text) if wanted == target else fallback(wanted)

    with paused_gc():
        return _compile_loaded([target], [], load([target], search_paths, reading, parse_source))


def _compile_loaded(files: list[Path], problems: list[Diagnostic], loaded: Loaded) -> Compilation:
    result = Compilation(diagnostics=problems, files=files)
    result.sources = loaded.sources
    result.modules = loaded.modules
    result.diagnostics += loaded.diagnostics
    given = {f.resolve() for f in files}
    known = set(library_scheme_names()) | {
        s.name for m in loaded.modules.values() for s in m.schemes
    }
    for path in sorted(given & set(loaded.modules)):
        _compile_module(path, loaded, known, result)
    result.diagnostics = sorted(dict.fromkeys(result.diagnostics), key=sort_key)
    return result


def _compile_module(path: Path, loaded: Loaded, known: set[str], result: Compilation) -> None:
    visible = _visible(loaded, path)
    for scheme in loaded.modules[path].schemes:
        if scheme.catalogue:
            continue
        compiled, diagnostics = compile_scheme(scheme, visible, known)
        result.diagnostics += diagnostics
        if compiled is not None:
            result.schemes[compiled.name] = compiled


def _too_deep(path: Path) -> Diagnostic:
    return error(
        codes.NESTING_TOO_DEEP,
        "an expression is too long or too deeply nested to compile",
        SourceFile.of(str(path), "").span(0, 0),
        "split it into named rules with 'rule'",
    )


def compile_text(text: str, path: str = "<text>") -> Compilation:
    """Compile scheme text held in memory (imports are not followed)."""
    with paused_gc():
        return _compile_text(text, path)


def _compile_text(text: str, path: str) -> Compilation:
    from etsl.compiler.parse import parse

    source = SourceFile.of(path, text)
    result = Compilation(sources={path: source})
    module, diagnostics = parse(source)
    result.diagnostics += diagnostics
    if module is None:
        return result
    visible = {s.name: s for s in module.schemes}
    known = set(library_scheme_names()) | set(visible)
    for scheme in module.schemes:
        if not scheme.catalogue:
            compiled, found = compile_scheme(scheme, visible, known)
            result.diagnostics += found
            if compiled is not None:
                result.schemes[compiled.name] = compiled
    result.diagnostics = sorted(dict.fromkeys(result.diagnostics), key=sort_key)
    return result
