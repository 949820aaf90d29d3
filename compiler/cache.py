"""The parse cache: each scheme file's parsed module, stored by content hash, so repeated
runs, sweeps and checks of unchanged files skip Lark (loading its table and parsing), which
is most of what compiling a scheme costs.

    module, diagnostics = parse_cached(source)     # what parse(source) returns

Where: `$ETSL_CACHE_DIR`, else `$XDG_CACHE_HOME/etsl`, else `~/.cache/etsl`, in a folder
named after the cache's format; `ETSL_NO_CACHE=1` turns the cache off. It keeps at most
MAX_ENTRIES files, removing the oldest written beyond that. Each entry is one
file named by its key, the SHA-256 of the file's path as diagnostics show it, its text, the
grammar and the source of every compiler module (so any change to ETSL makes new keys; an
edited import is a different text and so a different key of its own). Only modules that
parsed without a diagnostic are stored.

Safety: an entry is JSON, never a pickle, and is written only by ETSL, atomically, in a
folder only the user may enter. Reading checks the format line, the key and the SHA-256 of
the payload before decoding it, and decoding builds nothing but AST nodes
(compiler/ast_codec.py). A file that fails any check — corrupted, truncated, foreign — is
ignored and replaced by a fresh parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from etsl.compiler.source import SourceFile, deep_recursion

if TYPE_CHECKING:
    from etsl.compiler import ast
    from etsl.compiler.diagnostics import Diagnostic

FORMAT = "etsl.parse-cache/1"
FOLDER = "parse-1"
#: Entries kept at the most: when a write makes more, the oldest written are removed down to
#: half (an entry is a few kilobytes for a bundled scheme).
MAX_ENTRIES = 2000
DIR_VARIABLE = "ETSL_CACHE_DIR"
OFF_VARIABLE = "ETSL_NO_CACHE"
_COMPILER = Path(__file__).resolve().parent
_GRAMMAR = _COMPILER.parent / "grammar" / "scheme.lark"


def cache_dir(folder: str = FOLDER) -> Path | None:
    """The folder entries are kept in (the parse cache's, or another's named `folder`), or
    None when the cache is off."""
    if os.environ.get(OFF_VARIABLE, "") not in ("", "0"):
        return None
    chosen = os.environ.get(DIR_VARIABLE)
    if chosen:
        return Path(chosen) / folder
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder: no cache
            return None
    return Path(base) / "etsl" / folder


@cache
def code_digest() -> str:
    """The SHA-256 of the grammar and every compiler module: what ETSL version wrote an
    entry, strictly (a development checkout changes it with every edit)."""
    digest = hashlib.sha256()
    for path in sorted(_COMPILER.glob("*.py")) + [_GRAMMAR]:
        digest.update(path.name.encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_key(source: SourceFile) -> str:
    text = f"{code_digest()}\0{source.path}\0{source.text}"
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def parse_cached(source: SourceFile) -> tuple[ast.Module | None, list[Diagnostic]]:
    """parse(source), from the cache when it holds this text."""
    folder = cache_dir()
    if folder is None:
        return _parse(source)
    key = entry_key(source)
    entry = folder / f"{key}.json"
    module = read_entry(entry, key, source)
    if module is not None:
        return module, []
    module, diagnostics = _parse(source)
    if module is not None and not diagnostics:
        write_entry(entry, key, module)
    return module, diagnostics


def _parse(source: SourceFile) -> tuple[ast.Module | None, list[Diagnostic]]:
    from etsl.compiler.parse import parse

    return parse(source)


def read_entry(entry: Path, key: str, source: SourceFile) -> ast.Module | None:
    """The module an entry holds, or None when it is missing or fails a check."""
    from etsl.compiler.ast_codec import CodecError, decode

    payload = read_payload(entry, key, FORMAT)
    if payload is None:
        return None
    try:
        with deep_recursion():
            return decode(json.loads(payload), source)
    except (ValueError, CodecError, RecursionError):
        return None


def write_entry(entry: Path, key: str, module: ast.Module) -> None:
    """Store a module (quietly nothing when it cannot be encoded or the folder written)."""
    from etsl.compiler.ast_codec import CodecError, encode

    try:
        with deep_recursion():
            payload = json.dumps(encode(module), separators=(",", ":"))
    except (CodecError, RecursionError):
        return
    write_payload(entry, key, FORMAT, payload)


def read_payload(entry: Path, key: str, format_name: str) -> bytes | None:
    """An entry's payload, or None when the entry is missing, or its format line is not
    this format and key or does not match the payload's SHA-256."""
    try:
        header, payload = entry.read_bytes().split(b"\n", 1)
        about = json.loads(header)
    except (OSError, ValueError):
        return None
    if about != {"format": format_name, "key": key, "sha256": _sha256(payload)}:
        return None
    return payload


def write_payload(entry: Path, key: str, format_name: str, payload: str) -> None:
    """Write an entry atomically under its format line, in a folder only the user may
    enter (quietly nothing when it cannot be written); prune the folder."""
    from etsl.compiler.files import write_text

    about = {"format": format_name, "key": key, "sha256": _sha256(payload.encode("utf-8"))}
    with contextlib.suppress(OSError):
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_text(entry, json.dumps(about) + "\n" + payload)
        prune(entry.parent)


def prune(folder: Path) -> None:
    """Remove the oldest entries when there are more than MAX_ENTRIES."""
    entries = list(folder.glob("*.json"))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda path: path.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES // 2]:
        old.unlink(missing_ok=True)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
