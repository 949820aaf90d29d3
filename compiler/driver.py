"""The compiler driver: runs the passes in order and stops between passes on errors.

compile_paths([Path("schemes/")]) -> Compilation
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from etsl.compiler import codes
from etsl.compiler.diagnostics import Diagnostic, error, has_errors, sort_key
from etsl.compiler.source import SourceFile, deep_recursion

if TYPE_CHECKING:  # the passes are imported when a scheme is compiled, not read back cached
    from etsl.compiler import ast
    from etsl.compiler.check import CheckedScheme
    from etsl.compiler.graph import RuleGraph
    from etsl.compiler.load import Loaded, Parser, Reader
    from etsl.compiler.model import SchemeModel
    from etsl.compiler.program import Program
    from etsl.compiler.resolve import ResolvedScheme


@dataclass(frozen=True)
class Passes:
    """What the passes before lowering made of one scheme."""

    resolved: ResolvedScheme
    checked: CheckedScheme
    graph: RuleGraph


@dataclass(frozen=True)
class CompiledScheme:
    """Everything the compiler knows about one scheme: its Program, which is all engines
    read, and what the earlier passes made of it. A scheme read back from the program
    cache (compiler/program_cache.py) has only its Program until something asks for more;
    `recompile` then compiles it again. The scheme model (pydantic: the public JSON
    contract) is built when first asked for; `etsl check` never needs it."""

    program: Program
    recompile: Callable[[], Passes] = field(compare=False, repr=False)

    @classmethod
    def of(cls, passes: Passes, program: Program) -> CompiledScheme:
        return cls(program, lambda: passes)

    @property
    def name(self) -> str:
        return self.program.name

    @functools.cached_property
    def passes(self) -> Passes:
        return self.recompile()

    @property
    def resolved(self) -> ResolvedScheme:
        return self.passes.resolved

    @property
    def checked(self) -> CheckedScheme:
        return self.passes.checked

    @property
    def graph(self) -> RuleGraph:
        return self.passes.graph

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
    # The package's folders on disk: importing importlib.resources costs a cold check more.
    spec = find_spec("etsl.schemes")
    roots = spec.submodule_search_locations if spec else None
    for path in sorted(p for root in roots or () for p in Path(root).rglob("*.scheme")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        names.update(re.findall(r"^\s*scheme\s+([A-Za-z_]\w*)", text, re.M))
    return frozenset(names)


def imported(loaded: Loaded, path: Path) -> list[Path]:
    """A file and, transitively, the files it imports (those that were read), in the order
    they are reached."""
    seen: dict[Path, None] = {}
    pending = [path]
    while pending:
        current = pending.pop()
        if current in seen or current not in loaded.modules:
            continue
        seen[current] = None
        module = loaded.modules[current]
        pending.extend((current.parent / imp.path).resolve() for imp in module.imports)
    return list(seen)


def _visible(loaded: Loaded, path: Path) -> dict[str, ast.Scheme]:
    """Schemes and catalogues defined in a file or, transitively, the files it imports."""
    visible: dict[str, ast.Scheme] = {}
    for current in imported(loaded, path):
        for scheme in loaded.modules[current].schemes:
            visible.setdefault(scheme.name, scheme)
    return visible


def compile_scheme(
    scheme: ast.Scheme, visible: dict[str, ast.Scheme], known: set[str]
) -> tuple[CompiledScheme | None, list[Diagnostic]]:
    """resolve → check → validate → graph → model and lower, stopping after a pass with
    errors."""
    from etsl.compiler import ast

    try:
        with deep_recursion(), ast.remembered_walks():
            return _passes(scheme, visible, known)
    except RecursionError:
        return None, [_too_deep(Path(scheme.span.path))]


def _passes(
    scheme: ast.Scheme, visible: dict[str, ast.Scheme], known: set[str]
) -> tuple[CompiledScheme | None, list[Diagnostic]]:
    from etsl.compiler.check import check
    from etsl.compiler.graph import rule_graph
    from etsl.compiler.lower import lower
    from etsl.compiler.resolve import resolve
    from etsl.compiler.validate import validate

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
    passes = Passes(resolved, checked, graph)
    return CompiledScheme.of(passes, lower(checked, graph)), diagnostics


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


def compile_paths(
    paths: Iterable[Path], search_paths: Iterable[Path] = (), reuse: bool = False
) -> Compilation:
    """Compile files and folders (every .scheme below a folder). With `reuse`, schemes
    whose files are unchanged are read back from the program cache and compiled again
    only when something asks for more than their Program (compiler/program_cache.py)."""
    with paused_gc():
        if reuse:
            from etsl.compiler.program_cache import compile_reusing

            return compile_reusing(list(paths), list(search_paths))
        return _compile_paths(paths, search_paths)


def _compile_paths(paths: Iterable[Path], search_paths: Iterable[Path]) -> Compilation:
    from etsl.compiler.load import load, scheme_files

    files, problems = scheme_files(paths)
    return compile_loaded(files, problems, load(files, search_paths))


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
    from etsl.compiler.load import load, read_source, source_of

    target = path.resolve()
    fallback = read or read_source

    def reading(wanted: Path) -> tuple[SourceFile, Diagnostic | None]:
        return source_of(wanted, text) if wanted == target else fallback(wanted)

    with paused_gc():
        return compile_loaded([target], [], load([target], search_paths, reading, parse_source))


#: Told each given file's schemes and diagnostics as they are compiled (the program cache
#: stores them): (file, loaded, known scheme names, schemes, diagnostics).
FileCompiled = Callable[
    [Path, "Loaded", set[str], dict[str, CompiledScheme], list[Diagnostic]], None
]


def compile_loaded(
    files: list[Path],
    problems: list[Diagnostic],
    loaded: Loaded,
    on_file: FileCompiled | None = None,
) -> Compilation:
    """Compile every given file that was read (`loaded` holds them and their imports)."""
    result = Compilation(diagnostics=problems, files=files)
    result.sources = loaded.sources
    result.modules = loaded.modules
    result.diagnostics += loaded.diagnostics
    given = {f.resolve() for f in files}
    known = set(library_scheme_names()) | {
        s.name for m in loaded.modules.values() for s in m.schemes
    }
    for path in sorted(given & set(loaded.modules)):
        schemes, diagnostics = _compile_module(path, loaded, known)
        result.schemes.update(schemes)
        result.diagnostics += diagnostics
        if on_file is not None:
            on_file(path, loaded, known, schemes, diagnostics)
    result.diagnostics = sorted(dict.fromkeys(result.diagnostics), key=sort_key)
    return result


def _compile_module(
    path: Path, loaded: Loaded, known: set[str]
) -> tuple[dict[str, CompiledScheme], list[Diagnostic]]:
    visible = _visible(loaded, path)
    schemes: dict[str, CompiledScheme] = {}
    found: list[Diagnostic] = []
    for scheme in loaded.modules[path].schemes:
        if scheme.catalogue:
            continue
        compiled, diagnostics = compile_scheme(scheme, visible, known)
        found += diagnostics
        if compiled is not None:
            schemes[compiled.name] = compiled
    return schemes, found


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
