"""Source files and spans: where every node and diagnostic points."""

from __future__ import annotations

import contextlib
import sys
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: The largest scheme file ETSL reads, in characters.
MAX_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) in one source file, with 1-based line/col."""

    path: str
    start: int
    end: int
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


def newline_style(text: str) -> str:
    """The line ending `text` uses throughout ("\\n", "\\r\\n" or "\\r"); "" when it
    mixes them."""
    crlf = text.count("\r\n")
    cr, lf = text.count("\r") - crlf, text.count("\n") - crlf
    styles = [style for style, count in (("\r\n", crlf), ("\r", cr), ("\n", lf)) if count]
    return styles[0] if len(styles) == 1 else ("\n" if not styles else "")


@dataclass(frozen=True)
class SourceFile:
    """The text of one scheme file and an index of its line starts.

    Line endings are read as the file writes them (LF, CRLF, or CR alone) and the text
    holds LF only, so every pass sees one kind; `newline` is the ending the file uses
    throughout ("" when it mixes them), which `etsl fmt` writes back.
    """

    path: str
    text: str
    line_starts: tuple[int, ...] = field(default=(), compare=False)
    newline: str = field(default="\n", compare=False)

    @staticmethod
    def of(path: str, text: str) -> SourceFile:
        newline = newline_style(text)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        starts, at = [0], text.find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = text.find("\n", at + 1)
        return SourceFile(path, text, tuple(starts), newline)

    @staticmethod
    def read(path: Path) -> SourceFile:
        return SourceFile.of(str(path), path.read_text(encoding="utf-8"))

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column (1-based) of a character offset."""
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(self.path, start, end, line, col, end_line, end_col)

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        return self.text[start:end]


DEEP_RECURSION = 20_000


@contextlib.contextmanager
def deep_recursion() -> Iterator[None]:
    """Allow the recursive passes to handle long expressions (Python 3.11 frames are cheap)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, DEEP_RECURSION))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
