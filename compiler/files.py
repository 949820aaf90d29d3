"""Atomic output: a file is written to one hidden temporary beside it and renamed over it; a
folder of files (a documentation site) is written beside it and put in place with one rename.

Temporaries are named `.NAME.PID.XXXXXXXX.tmp` (hidden, and never mistaken for the result).
A process killed while writing leaves its temporary behind; the next write of the same
target removes temporaries whose process no longer runs.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from etsl.compiler.errors import EtslError

#: The file that marks a folder as a site `publish_folder` wrote (and may replace).
SITE_MARKER = ".etsl-site"


def _mode_for(target: Path, default: int = 0o666) -> int:
    """Keep an existing file's permissions; new files get the usual mode less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return default & ~umask


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove temporaries of `target` left by processes that no longer run (a killed write)."""
    removed = []
    pattern = f".{glob.escape(target.name)}.*.*.tmp"
    for leftover in target.parent.glob(pattern):
        parts = leftover.name[len(target.name) + 2 : -len(".tmp")].split(".")
        ours = len(parts) == 2 or (len(parts) == 3 and parts[2] == "old")
        if not ours or not parts[0].isdigit() or _running(int(parts[0])):
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside `target`; on success rename it over `target`.

    On any exception the temporary file is removed and `target` is left untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    try:
        handle, name = tempfile.mkstemp(
            prefix=_temporary_prefix(target), suffix=".tmp", dir=target.parent
        )
    except OSError as exc:  # say which file could not be written, not the temporary
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_open(target: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:  # type: ignore[type-arg]
    with atomic_path(target) as temporary:
        binary = "b" in mode
        with open(temporary, mode, encoding=None if binary else encoding) as stream:
            yield stream


def write_text(target: Path, text: str) -> None:
    with atomic_open(target) as stream:
        stream.write(text)


# ---- folders ---------------------------------------------------------------------------------


class FolderInUse(EtslError, OSError):
    """The target folder holds files that were not written by `publish_folder`."""


def publish_folder(files: Mapping[str, str | bytes], target: Path) -> list[Path]:
    """Make `target` a folder holding exactly `files` (name → text or bytes), atomically.

    The files are written into a hidden folder beside `target`, which then takes its place
    with one rename (on Linux, an atomic exchange when `target` exists), so a reader never
    sees a mix of old and new files and a failed or killed run leaves `target` as it was.
    An existing `target` must be empty or a folder this function wrote (it holds
    SITE_MARKER); any other folder is refused (FolderInUse) rather than replaced.
    """
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    staging = Path(
        tempfile.mkdtemp(prefix=_temporary_prefix(target), suffix=".tmp", dir=target.parent)
    )
    try:
        for name, content in {**files, SITE_MARKER: "written by etsl docs\n"}.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        os.chmod(staging, _mode_for(target, 0o777))
        _put_in_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the new folder on failure, else the old
    return [target / name for name in files]


def _check_replaceable(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise FolderInUse(f"'{target}' is a file, not a folder")
    if (target / SITE_MARKER).exists() or not any(target.iterdir()) or _earlier_site(target):
        return
    raise FolderInUse(
        f"'{target}' holds files that etsl did not write; choose a new or empty folder"
    )


#: What the sites of versions without SITE_MARKER held (pages, figures, styles).
_SITE_SUFFIXES = frozenset({".html", ".md", ".svg", ".css", ".png", ".pdf"})


def _earlier_site(folder: Path) -> bool:
    """A site written before SITE_MARKER existed: an index page and only site files."""
    if not any((folder / f"index.{suffix}").is_file() for suffix in ("html", "md")):
        return False
    files = (p for p in folder.rglob("*") if not p.is_dir())
    return all(p.suffix in _SITE_SUFFIXES or p.name.startswith(".") for p in files)


def _put_in_place(staging: Path, target: Path) -> None:
    """Rename `staging` to `target`; an existing `target` ends up at `staging`."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    old = staging.with_name(staging.name.removesuffix(".tmp") + ".old.tmp")
    os.rename(target, old)
    os.rename(staging, target)
    os.rename(old, staging)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    import ctypes.util  # here: ctypes and the subprocess module it loads cost every start

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    done = renameat2(
        _AT_FDCWD,
        os.fsencode(first),
        _AT_FDCWD,
        os.fsencode(second),
        _RENAME_EXCHANGE,
    )
    return bool(done == 0)
