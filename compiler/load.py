"""Read scheme files and follow their imports, confined to the scheme tree.

An import is resolved against the importing file's folder. It may not leave the *scheme
tree*: the nearest folder at or above the importing file that holds a `.etslroot` marker (or
the importing file's own folder when there is none), unless a search path given explicitly
(`--import-path`) contains the target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from etsl.compiler import codes
from etsl.compiler.cache import parse_cached
from etsl.compiler.diagnostics import Diagnostic, Related, error
from etsl.compiler.display import shortened
from etsl.compiler.source import MAX_BYTES, SourceFile, Span

if TYPE_CHECKING:
    from etsl.compiler import ast

ROOT_MARKER = ".etslroot"

#: How a file's text is read: the file's SourceFile, or a diagnostic (read_source by default;
#: an editor passes one that returns its unsaved buffers).
Reader = Callable[[Path], tuple[SourceFile, Diagnostic | None]]
#: How a file's text is parsed (through the parse cache by default, compiler/cache.py; an
#: editor passes one that caches by content in memory).
Parser = Callable[[SourceFile], "tuple[ast.Module | None, list[Diagnostic]]"]


@dataclass
class Loaded:
    """Every module read, by resolved path, plus the sources for rendering diagnostics."""

    modules: dict[Path, ast.Module] = field(default_factory=dict)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    read: Reader = field(default=lambda path: read_source(path), repr=False)
    parse: Parser = field(default=lambda source: parse_cached(source), repr=False)


def scheme_files(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Expand folders into their .scheme files (sorted); report missing paths."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        try:
            if path.is_dir():
                files.extend(sorted(p for p in path.rglob("*.scheme") if p.is_file()))
                continue
            if path.is_file():
                files.append(path)
                continue
            reason = "does not exist"
        except OSError as exc:  # a name too long, a loop of links, …
            reason = f"cannot be read: {exc.strerror or exc}"
        problems.append(
            error(
                codes.FILE_NOT_FOUND,
                f"'{shortened(str(path))}' {reason}",
                SourceFile.of(str(path), "").span(0, 0),
            )
        )
    return files, problems


def load(
    paths: Iterable[Path],
    search_paths: Iterable[Path] = (),
    read: Reader | None = None,
    parse_source: Parser | None = None,
) -> Loaded:
    """Parse the given files and, transitively, everything they import (read from disk and
    parsed through the parse cache unless `read` and `parse_source` say otherwise)."""
    loaded = Loaded()
    if read is not None:
        loaded.read = read
    if parse_source is not None:
        loaded.parse = parse_source
    extra = [p.resolve() for p in search_paths]
    for path in paths:
        resolved = path.resolve()
        loaded.roots.append(resolved)
        _load_file(resolved, loaded, extra, stack=())
    return loaded


def display_path(path: Path) -> str:
    """The path as diagnostics show it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load_file(path: Path, loaded: Loaded, extra: list[Path], stack: tuple[Path, ...]) -> None:
    if path in loaded.modules:
        return
    source, problem = loaded.read(path)
    loaded.sources[source.path] = source
    if problem:
        loaded.diagnostics.append(problem)
        return
    module, diagnostics = loaded.parse(source)
    loaded.diagnostics.extend(diagnostics)
    if module is None:
        return
    loaded.modules[path] = module
    for imp in module.imports:
        target = _import_target(path, imp, loaded, extra, stack)
        if target is not None:
            _load_file(target, loaded, extra, stack + (path,))


def read_source(path: Path) -> tuple[SourceFile, Diagnostic | None]:
    """The file's text, or a diagnostic when it is too large or not UTF-8 text."""
    empty = SourceFile.of(display_path(path), "")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES * 4:
            return empty, error(
                codes.FILE_TOO_LARGE,
                f"the file has {size:,} bytes; the limit is {MAX_BYTES:,} characters",
                empty.span(0, 0),
                "split the scheme into files and import the shared parts",
            )
        data = path.read_bytes()
    except OSError as exc:
        return empty, error(
            codes.FILE_NOT_FOUND,
            f"cannot read '{shortened(str(path))}': {exc.strerror or exc}",
            empty.span(0, 0),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return empty, error(
            codes.FILE_UNREADABLE,
            f"the file is not UTF-8 text (byte {exc.start})",
            empty.span(0, 0),
            "scheme files are UTF-8 text",
        )
    return source_of(path, text)


def source_of(path: Path, text: str) -> tuple[SourceFile, Diagnostic | None]:
    """Text already read (an editor's buffer) as a source, or a diagnostic when it is too
    large or binary."""
    empty = SourceFile.of(display_path(path), "")
    if "\x00" in text:
        return empty, error(
            codes.FILE_UNREADABLE,
            "the file contains NUL bytes (binary data?)",
            empty.span(0, 0),
            "scheme files are UTF-8 text",
        )
    if len(text) > MAX_BYTES * 4:
        return empty, error(
            codes.FILE_TOO_LARGE,
            f"the file has {len(text):,} characters; the limit is {MAX_BYTES:,}",
            empty.span(0, 0),
            "split the scheme into files and import the shared parts",
        )
    return SourceFile.of(display_path(path), text), None


def tree_root(path: Path) -> Path:
    """The nearest folder at or above `path` with a .etslroot marker, else path's folder."""
    for folder in path.parents:
        if (folder / ROOT_MARKER).exists():
            return folder
    return path.parent


def _import_target(
    importer: Path, imp: ast.Import, loaded: Loaded, extra: list[Path], stack: tuple[Path, ...]
) -> Path | None:
    try:
        target = (importer.parent / imp.path).resolve()
        found = target.is_file()
    except OSError as exc:  # a name longer than the system allows, a loop of links, …
        loaded.diagnostics.append(
            error(
                codes.IMPORT_NOT_FOUND,
                f"'{shortened(imp.path)}' cannot be read: {exc.strerror or exc}",
                imp.span,
                "check the path; it is relative to the importing file",
            )
        )
        return None
    allowed = [tree_root(importer)] + extra
    if not any(target.is_relative_to(root) for root in allowed):
        loaded.diagnostics.append(
            error(
                codes.IMPORT_OUTSIDE_TREE,
                f"'{imp.path}' is outside the scheme tree '{display_path(allowed[0])}'",
                imp.span,
                f"put the file under {display_path(allowed[0])}, mark a higher folder with "
                f"{ROOT_MARKER}, or pass --import-path",
            )
        )
        return None
    if not found:
        loaded.diagnostics.append(
            error(
                codes.IMPORT_NOT_FOUND,
                f"'{imp.path}' does not exist",
                imp.span,
                f"looked for {display_path(target)}",
            )
        )
        return None
    if target in stack or target == importer:
        loaded.diagnostics.append(
            error(
                codes.IMPORT_CYCLE,
                f"'{imp.path}' imports this file back",
                imp.span,
                related=_cycle_related(stack, loaded),
            )
        )
        return None
    return target


def _cycle_related(stack: tuple[Path, ...], loaded: Loaded) -> list[Related]:
    related = []
    for path in stack:
        module = loaded.modules.get(path)
        span: Span = module.span if module else SourceFile.of(str(path), "").span(0, 0)
        related.append(Related(span, "imported from here"))
    return related
