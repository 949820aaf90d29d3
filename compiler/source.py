"""Source files and spans: where every node and diagnostic points."""

from __future__ import annotations

import contextlib
import sys
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


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


@dataclass(frozen=True)
class SourceFile:
    """The text of one scheme file and an index of its line starts."""

    path: str
    text: str
    line_starts: tuple[int, ...] = field(default=(), compare=False)

    @staticmethod
    def of(path: str, text: str) -> SourceFile:
        starts, newline = [0], text.find("\n")
        while newline >= 0:
            starts.append(newline + 1)
            newline = text.find("\n", newline + 1)
        return SourceFile(path, text, tuple(starts))

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
