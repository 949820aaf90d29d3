"""The program cache: each scheme file's compiled Programs and diagnostics, stored by content
hash, so `etsl run`, `check`, `sweep`, `explain`, `sql`, `test` and the API's `check` and
`load` skip parsing and every pass for files that have not changed since they were last
compiled. (`simulate` reads the scheme model's links, so it compiles.)

    compilation = compile_paths([path], reuse=True)   # compile_reusing, through the driver

An entry belongs to one file given to the compiler. Its key is the SHA-256 of this format,
the source of every compiler module and the grammar (cache.code_digest), the GWP data,
the working folder (diagnostics show paths relative to it), the import search paths, and
the file's path and text. The entry lists every file the scheme reads (the file
and, transitively, its imports) with the SHA-256 of its text, its scheme tree root and
where each of its imports led; a hit needs every one to be as recorded, so changing,
moving or shadowing any imported file is a miss. The schemes its schemes link to must still be
known (a file linking to an unknown scheme is not stored: the warning's hint depends on
every scheme compiled with it). A miss compiles every given
file afresh and stores each file that compiled without an error.

Where: the parse cache's folder (compiler/cache.py), in `program-1`; `ETSL_NO_CACHE=1`
turns both off.

Safety: as the parse cache. An entry is JSON, never a pickle, written only by ETSL,
atomically, in a folder only the user may enter; reading checks the format line, key and
the payload's SHA-256, and decoding builds nothing but the Program's own classes, types,
spans and diagnostics (compiler/program_codec.py). An entry that fails any check —
corrupt, truncated, stale or foreign — is ignored and rebuilt, never an error.

A scheme read back has its Program and name; anything that asks for its earlier passes
(the scheme model, the rule graph) compiles its file again, once.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etsl.compiler.cache import cache_dir, code_digest, read_payload, write_payload
from etsl.compiler.diagnostics import Diagnostic, has_errors, sort_key
from etsl.compiler.driver import (
    Compilation,
    CompiledScheme,
    Passes,
    compile_loaded,
    imported,
    library_scheme_names,
)
from etsl.compiler.errors import EtslError
from etsl.compiler.load import display_path, load, read_source, scheme_files, tree_root
from etsl.compiler.program_codec import CodecError, decode, encode, loads
from etsl.compiler.source import SourceFile, deep_recursion

if TYPE_CHECKING:
    from etsl.compiler.load import Loaded
    from etsl.compiler.program import Program

FORMAT = "etsl.program-cache/1"
FOLDER = "program-1"


class StaleScheme(EtslError):
    """A scheme read back from the cache whose file no longer compiles to it."""


@dataclass(frozen=True)
class Entry:
    """What one file compiled to, and what that depended on."""

    programs: tuple[Program, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[
        tuple[str, str, str, tuple[tuple[str, str], ...]], ...
    ]  # path, hash, root, imports
    defines: tuple[str, ...]  # the schemes and catalogues its files define
    links: tuple[str, ...]  # the schemes its schemes link to (each was known)


def compile_reusing(paths: list[Path], search_paths: list[Path]) -> Compilation:
    """compile_paths(paths, search_paths), reading unchanged files' schemes back from the
    cache; when any file misses, every file is compiled and stored afresh."""
    folder = cache_dir(FOLDER)
    files, problems = scheme_files(paths)
    extra = [p.resolve() for p in search_paths]
    if folder is None or problems:
        return compile_loaded(files, problems, load(files, extra))
    keys = {path.resolve(): _key(path, extra) for path in files}
    hits = [_read(folder, keys[path.resolve()]) for path in files]
    if all(hits) and _still_known(hits):
        return _from_entries(files, [hit for hit in hits if hit], extra)

    def store(
        path: Path,
        loaded: Loaded,
        known: set[str],
        schemes: dict[str, CompiledScheme],
        diagnostics: list[Diagnostic],
    ) -> None:
        entry = _entry(path, loaded, known, schemes, diagnostics)
        if entry is not None:
            _write(folder / f"{keys[path]}.json", entry)

    return compile_loaded(files, problems, load(files, extra), store)


# ---- keys and entries ---------------------------------------------------------------------------


def _key(path: Path, extra: Iterable[Path]) -> str:
    try:
        text = path.read_bytes()
    except OSError:
        text = b""
    parts = [FORMAT, code_digest(), _data_digest(), os.getcwd(), str(path.resolve())]
    parts += [str(p) for p in extra]
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", errors="surrogatepass") + b"\0")
    digest.update(text)
    return digest.hexdigest()


def _data_digest() -> str:
    """The SHA-256 of the data compiling reads besides the scheme files: the GWP values
    (found without importing their package)."""
    from etsl.compiler.gwp import csv_path

    path = csv_path()
    if path is None:
        return ""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(data).hexdigest()


def _entry(
    path: Path,
    loaded: Loaded,
    known: set[str],
    schemes: dict[str, CompiledScheme],
    diagnostics: list[Diagnostic],
) -> Entry | None:
    """What to store for a file, or None when it did not compile cleanly."""
    closure = imported(loaded, path)
    shown = {display_path(p) for p in closure}
    found = [d for d in loaded.diagnostics if d.span.path in shown] + diagnostics
    module = loaded.modules.get(path)
    if module is None or has_errors(found):
        return None
    names = [s.name for s in module.schemes if not s.catalogue]
    targets = {link.target for c in schemes.values() for link in c.resolved.links}
    if sorted(names) != sorted(schemes) or not targets <= known:
        return None  # an unknown link's hint depends on every scheme compiled with it
    return Entry(
        programs=tuple(c.program for c in schemes.values()),
        diagnostics=tuple(dict.fromkeys(found)),
        files=tuple(_file_record(p, loaded) for p in closure),
        defines=tuple(s.name for p in closure for s in loaded.modules[p].schemes),
        links=tuple(sorted(targets)),
    )


def _file_record(path: Path, loaded: Loaded) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    source = loaded.sources[display_path(path)]
    module = loaded.modules[path]
    imports = tuple((i.path, str((path.parent / i.path).resolve())) for i in module.imports)
    return (str(path), _text_hash(source.text), str(tree_root(path)), imports)


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _write(entry_path: Path, entry: Entry) -> None:
    try:
        with deep_recursion():
            program = encode((entry.programs, entry.diagnostics))
    except (CodecError, RecursionError):
        return
    data = {
        "files": entry.files,
        "defines": entry.defines,
        "links": entry.links,
        "program": program,
    }
    key = entry_path.stem
    write_payload(entry_path, key, FORMAT, json.dumps(data, separators=(",", ":")))


@dataclass(frozen=True)
class _Hit:
    entry: Entry
    sources: dict[str, SourceFile]


def _read(folder: Path, key: str) -> _Hit | None:
    """The entry stored for a file, when it is sound and every file it read is unchanged."""
    payload = read_payload(folder / f"{key}.json", key, FORMAT)
    if payload is None:
        return None
    try:
        data = loads(payload)
        with deep_recursion():
            programs, diagnostics = decode(data["program"])
        entry = Entry(
            programs=programs,
            diagnostics=diagnostics,
            files=_files(data["files"]),
            defines=tuple(data["defines"]),
            links=tuple(data["links"]),
        )
    except (ValueError, KeyError, TypeError, CodecError, RecursionError):
        return None
    sources = _unchanged(entry)
    return None if sources is None else _Hit(entry, sources)


def _files(data: Any) -> tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...]:
    return tuple(
        (str(path), str(digest), str(root), tuple((str(i), str(t)) for i, t in imports))
        for path, digest, root, imports in data
    )


def _unchanged(entry: Entry) -> dict[str, SourceFile] | None:
    """The sources of an entry's files, when each still has its text, its tree root and
    its imports' targets; else None."""
    sources: dict[str, SourceFile] = {}
    try:
        for path_text, digest, root, imports in entry.files:
            path = Path(path_text)
            source, problem = read_source(path)
            if problem is not None or _text_hash(source.text) != digest:
                return None
            if str(tree_root(path)) != root:
                return None
            if any(str((path.parent / i).resolve()) != t for i, t in imports):
                return None
            sources[source.path] = source
    except OSError:
        return None
    return sources


def _still_known(hits: list[_Hit | None]) -> bool:
    """Whether every scheme linked to is still known (the bundled library's or one defined
    by the files read)."""
    known = set(library_scheme_names())
    known.update(name for hit in hits if hit for name in hit.entry.defines)
    return all(target in known for hit in hits if hit for target in hit.entry.links)


def _from_entries(files: list[Path], hits: list[_Hit], extra: list[Path]) -> Compilation:
    result = Compilation(files=files)
    for path, hit in zip(files, hits, strict=True):
        result.sources.update(hit.sources)
        result.diagnostics += hit.entry.diagnostics
        for program in hit.entry.programs:
            result.schemes[program.name] = CompiledScheme(
                program, _recompiler(path, extra, program)
            )
    result.diagnostics = sorted(dict.fromkeys(result.diagnostics), key=sort_key)
    return result


def _recompiler(path: Path, extra: list[Path], program: Program) -> Any:
    def recompile() -> Passes:
        from etsl.compiler.driver import compile_paths

        fresh = compile_paths([path], extra).schemes.get(program.name)
        if fresh is None or fresh.program != program:
            raise StaleScheme(f"'{display_path(path)}' changed while '{program.name}' was in use")
        return fresh.passes

    return recompile
