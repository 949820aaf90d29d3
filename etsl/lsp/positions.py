"""Spans (code-point offsets, 1-based lines and columns) ↔ LSP positions (0-based lines,
UTF-16 code units, as the protocol and browsers count them)."""

from __future__ import annotations

from lsprotocol import types

from etsl.compiler.source import SourceFile, Span


def utf16_units(line: str, col: int) -> int:
    """How many UTF-16 units the first `col` code points of a line take."""
    if line.isascii():
        return col
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in line[:col])


def code_points(line: str, units: int) -> int:
    """How many code points of a line the first `units` UTF-16 units cover."""
    if line.isascii():
        return min(units, len(line))
    count = 0
    for index, ch in enumerate(line):
        if count >= units:
            return index
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def position_at(source: SourceFile, offset: int) -> types.Position:
    """The LSP position of a character offset."""
    offset = max(0, min(offset, len(source.text)))
    line, col = source.position(offset)
    return types.Position(line - 1, utf16_units(source.line_text(line), col - 1))


def span_range(source: SourceFile, span: Span) -> types.Range:
    return types.Range(position_at(source, span.start), position_at(source, span.end))


def offset_at(source: SourceFile, position: types.Position) -> int:
    """The character offset of an LSP position (clamped to the text)."""
    lines = len(source.line_starts)
    if position.line >= lines:
        return len(source.text)
    line = source.line_text(position.line + 1)
    return source.line_starts[position.line] + code_points(line, position.character)


def whole_range(source: SourceFile) -> types.Range:
    return types.Range(types.Position(0, 0), position_at(source, len(source.text)))
