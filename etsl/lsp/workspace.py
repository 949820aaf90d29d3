"""Open documents, the parse cache and the analysis of one document.

    workspace = Workspace([Path("schemes")])
    analysis = workspace.analyse(Path("schemes/japan/tokyo_cat.scheme"), text)
    analysis.compilation.diagnostics      # every diagnostic, imports included
    analysis.module                       # this file's AST (None when it does not parse)

An edit re-compiles the edited file; the files it imports are parsed once per content (the
cache is keyed by path and a hash of the text), and the edited file is parsed again only
in the declarations that changed.
Unsaved buffers of other open documents are read instead of the files on disk.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from etsl.compiler import ast
from etsl.compiler.diagnostics import Diagnostic
from etsl.compiler.driver import Compilation, CompiledScheme, compile_document
from etsl.compiler.incremental import IncrementalParser
from etsl.compiler.load import display_path, read_source, source_of, tree_root
from etsl.compiler.source import SourceFile

#: How many parsed files the cache keeps (least recently used ones are dropped).
CACHE_ENTRIES = 512
#: How many files a workspace-wide search (references, rename) reads at most.
MAX_TREE_FILES = 400

ParseResult = tuple[ast.Module | None, list[Diagnostic]]


class ParseCache:
    """Parsed modules by (path, SHA-256 of the text): an unchanged file is parsed once, and
    an edited one declaration by declaration (compiler/incremental.py)."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self.incremental = IncrementalParser()
        self._parsed: OrderedDict[tuple[str, str], ParseResult] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def parse(self, source: SourceFile) -> ParseResult:
        key = (
            source.path,
            hashlib.sha256(source.text.encode("utf-8", "surrogatepass")).hexdigest(),
        )
        with self._lock:
            found = self._parsed.get(key)
            if found is not None:
                self._parsed.move_to_end(key)
                self.hits += 1
                return found[0], list(found[1])
        module, diagnostics = self.incremental.parse(source)
        with self._lock:
            self.misses += 1
            self._parsed[key] = (module, list(diagnostics))
            while len(self._parsed) > self.entries:
                self._parsed.popitem(last=False)
        return module, diagnostics


def path_of(uri: str, roots: Sequence[Path] = ()) -> Path:
    """The file a document URI names; an unsaved `untitled:` document is placed in the first
    workspace folder (so that its imports resolve there)."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path)).resolve()
    folder = roots[0] if roots else Path.cwd()
    name = Path(unquote(parsed.path or "untitled")).name or "untitled"
    return (folder / f"{name}.scheme").resolve()


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def path_of_span(span_path: str) -> Path:
    """The file a span names (spans name files relative to the working folder)."""
    return Path(span_path).resolve()


@dataclass
class Analysis:
    """One document compiled with its imports; derived views are computed on demand."""

    path: Path
    text: str
    source: SourceFile
    compilation: Compilation
    extras: dict[str, Any] = field(default_factory=dict)  # memoised views (examples, words)

    @property
    def module(self) -> ast.Module | None:
        return self.compilation.modules.get(self.path)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.compilation.diagnostics

    def modules(self) -> dict[Path, ast.Module]:
        return self.compilation.modules

    def source_of(self, span_path: str) -> SourceFile | None:
        return self.compilation.sources.get(span_path)

    def scheme_at(self, offset: int) -> ast.Scheme | None:
        """The scheme or catalogue whose braces hold an offset of this document."""
        module = self.module
        if module is None:
            return None
        return next((s for s in module.schemes if s.span.start <= offset <= s.span.end), None)

    def compiled(self, name: str) -> CompiledScheme | None:
        return self.compilation.schemes.get(name)

    def schemes(self) -> Iterator[ast.Scheme]:
        """Every scheme and catalogue this document can see (its own, then imported)."""
        own = self.module
        yield from own.schemes if own else ()
        for path, module in self.compilation.modules.items():
            if path != self.path:
                yield from module.schemes

    def memo(self, key: str, compute: Any) -> Any:
        if key not in self.extras:
            self.extras[key] = compute()
        return self.extras[key]


class Workspace:
    """The documents an editor has open and the folders it works in."""

    def __init__(self, roots: Iterable[Path] = ()) -> None:
        self.roots = [r.resolve() for r in roots]
        self.cache = ParseCache()
        self.buffers: dict[Path, str] = {}
        self._analyses: dict[Path, Analysis] = {}
        self._lock = threading.Lock()

    # ---- documents ----------------------------------------------------------------------
    def open(self, path: Path, text: str) -> None:
        with self._lock:
            self.buffers[path] = text

    def close(self, path: Path) -> None:
        with self._lock:
            self.buffers.pop(path, None)
            self._analyses.pop(path, None)

    def read(self, path: Path) -> tuple[SourceFile, Diagnostic | None]:
        """An open document's unsaved text, else the file on disk."""
        text = self.buffers.get(path)
        return source_of(path, text) if text is not None else read_source(path)

    # ---- analysis -----------------------------------------------------------------------
    def analyse(self, path: Path, text: str) -> Analysis:
        """Compile a document's text (the last analysis is reused when the text is the same)."""
        with self._lock:
            previous = self._analyses.get(path)
        if previous is not None and previous.text == text:
            return previous
        compilation = compile_document(path, text, read=self.read, parse_source=self.cache.parse)
        source = compilation.sources.get(display_path(path)) or SourceFile.of(
            display_path(path), text
        )
        analysis = Analysis(path, text, source, compilation)
        with self._lock:
            self._analyses[path] = analysis
        return analysis

    def latest(self, path: Path) -> Analysis | None:
        with self._lock:
            return self._analyses.get(path)

    def current(self, path: Path) -> Analysis | None:
        """The analysis of an open document's current text."""
        text = self.buffers.get(path)
        return None if text is None else self.analyse(path, text)

    # ---- the files around a document ----------------------------------------------------
    def tree_files(self, path: Path) -> list[Path]:
        """Scheme files of the document's scheme tree and the workspace folders (bounded)."""
        folders = {tree_root(path), *self.roots}
        found: dict[Path, None] = {}
        for folder in sorted(folders):
            for file in sorted(folder.rglob("*.scheme")):
                if len(found) >= MAX_TREE_FILES:
                    return list(found)
                if file.is_file():
                    found[file.resolve()] = None
        return list(found)

    def module_of(self, path: Path) -> tuple[SourceFile, ast.Module | None]:
        """A file's source and AST, through the buffers and the parse cache."""
        source, problem = self.read(path)
        if problem is not None:
            return source, None
        return source, self.cache.parse(source)[0]
