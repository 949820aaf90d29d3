"""What the workbench may read and write: the scheme files of one folder (or the bundled
library, read-only), sample data, and uploads.

Every path a request names is resolved and must stay inside the opened folder (or the
library); files are written only by `save`, atomically, only in an opened folder.
Uploads are kept in a private temporary folder under a generated name, size-limited, and
only ever read by the data readers.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from etsl.compiler.errors import EtslError
from etsl.compiler.files import write_text
from etsl.compiler.source import MAX_BYTES

#: The largest participant data file accepted for upload (bytes).
MAX_UPLOAD = 20 * 1024 * 1024
#: The largest scheme text accepted for saving (characters).
MAX_SCHEME = MAX_BYTES
DATA_SUFFIXES = (".csv", ".json", ".xlsx", ".parquet")
SOURCE_EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


class Refused(EtslError, ValueError):
    """A request the workbench will not carry out (outside the folder, read-only, too big)."""


@dataclass(frozen=True)
class Entry:
    """A file the workbench lists: its path relative to the root, and whether it saves."""

    path: str
    writable: bool


def library_root() -> Path:
    return Path(str(resources.files("etsl.schemes"))).resolve()


class Store:
    """The opened folder (writable) or the bundled library (read-only)."""

    def __init__(self, folder: Path | None) -> None:
        self.root = (folder or library_root()).resolve()
        self.writable = folder is not None
        self._uploads = Path(tempfile.mkdtemp(prefix="etsl-serve-"))

    def close(self) -> None:
        shutil.rmtree(self._uploads, ignore_errors=True)

    # ---- schemes --------------------------------------------------------------------------
    def schemes(self) -> list[Entry]:
        files = sorted(p for p in self.root.rglob("*.scheme") if p.is_file())
        return [Entry(p.relative_to(self.root).as_posix(), self.writable) for p in files]

    def resolve(self, relative: str) -> Path:
        """The file a request names, refused when it is outside the opened folder."""
        if not relative or "\x00" in relative:
            raise Refused("no file named")
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise Refused(f"'{relative}' is outside the opened folder {self.root}")
        return path

    def read(self, relative: str) -> str:
        path = self.resolve(relative)
        if path.suffix != ".scheme" or not path.is_file():
            raise Refused(f"'{relative}' is not a scheme file of the opened folder")
        if path.stat().st_size > MAX_SCHEME * 4:
            raise Refused(f"'{relative}' is larger than {MAX_SCHEME:,} characters")
        return path.read_text(encoding="utf-8", errors="replace")

    def save(self, relative: str, text: str) -> Path:
        """Write a scheme atomically, only inside an opened folder."""
        if not self.writable:
            raise Refused("the bundled library is read-only; run `etsl serve FOLDER` to edit files")
        path = self.resolve(relative)
        if path.suffix != ".scheme":
            raise Refused("only .scheme files are saved")
        if len(text) > MAX_SCHEME or "\x00" in text:
            raise Refused("the text is too large or not text; nothing was saved")
        write_text(path, text)
        return path

    # ---- data -----------------------------------------------------------------------------
    def samples(self) -> list[str]:
        """Data files offered as samples: those of the opened folder, and the source tree's
        examples/ when running from a checkout."""
        found = []
        for base, prefix in ((self.root, ""), (SOURCE_EXAMPLES, "examples:")):
            if base.is_dir() and (self.writable or prefix):
                found += [
                    prefix + p.relative_to(base).as_posix()
                    for p in sorted(base.rglob("*"))
                    if p.suffix in DATA_SUFFIXES and p.is_file()
                ]
        return found

    def sample(self, name: str) -> Path:
        if name not in self.samples():
            raise Refused(f"no sample data named '{name}'")
        if name.startswith("examples:"):
            return SOURCE_EXAMPLES / name.removeprefix("examples:")
        return self.resolve(name)

    def keep_upload(self, filename: str, data: bytes) -> str:
        """Store uploaded data under a generated name; returns its id."""
        suffix = Path(filename).suffix.lower()
        if suffix not in DATA_SUFFIXES:
            raise Refused(f"upload {', '.join(DATA_SUFFIXES)} files, not '{suffix or filename}'")
        if len(data) > MAX_UPLOAD:
            raise Refused(f"the upload is larger than {MAX_UPLOAD // (1024 * 1024)} MB")
        upload = f"{secrets.token_hex(8)}{suffix}"
        (self._uploads / upload).write_bytes(data)
        return upload

    def upload(self, upload: str) -> Path:
        path = (self._uploads / upload).resolve()
        if path.parent != self._uploads.resolve() or not path.is_file():
            raise Refused("that upload is not here any more; upload the file again")
        return path

    def data(self, choice: str) -> Path:
        """A data choice: `upload:ID` or a sample's name."""
        if choice.startswith("upload:"):
            return self.upload(choice.removeprefix("upload:"))
        return self.sample(choice)
