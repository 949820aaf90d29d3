"""Render diagnostics: `path:line:col: error: message [code]`, the source line, carets, the hint."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from etsl.compiler.diagnostics import Diagnostic, Severity
from etsl.compiler.source import SourceFile, Span

_COLOURS = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.NOTE: "\x1b[1;36m",
}
_BOLD, _DIM, _RESET, _CYAN = "\x1b[1m", "\x1b[2m", "\x1b[0m", "\x1b[36m"
#: The most characters of a source line a snippet shows.
SNIPPET_WIDTH = 160


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _window(line: str, col: int, width: int) -> tuple[str, int, int]:
    """At most SNIPPET_WIDTH characters of a long line around the caret (a generated or
    minified scheme can have a line of a megabyte): `…` marks what is cut."""
    if len(line) <= SNIPPET_WIDTH:
        return line, col, width
    start = max(0, min(col - 1 - SNIPPET_WIDTH // 3, len(line) - SNIPPET_WIDTH))
    shown = line[start : start + SNIPPET_WIDTH]
    lead = "…" if start > 0 else ""
    tail = "…" if start + SNIPPET_WIDTH < len(line) else ""
    col = col - start + len(lead)
    return lead + shown + tail, col, max(1, min(width, SNIPPET_WIDTH - (col - 1 - len(lead))))


def _snippet(span: Span, sources: Mapping[str, SourceFile], color: bool) -> list[str]:
    source = sources.get(span.path)
    if source is None or not source.text or span.line > len(source.line_starts):
        return []
    line = source.line_text(span.line).replace("\t", " ")
    width = (span.end_col - span.col) if span.end_line == span.line else len(line) - span.col + 1
    line, col, width = _window(line, span.col, max(1, width))
    number = str(span.line)
    gutter = " " * len(number)
    carets = " " * (col - 1) + "^" * width
    return [
        f"{gutter} |",
        f"{number} | {line}",
        f"{gutter} | " + _paint(carets, _COLOURS[Severity.ERROR], color),
    ]


def render_one(d: Diagnostic, sources: Mapping[str, SourceFile], color: bool = False) -> str:
    head = (
        f"{_paint(str(d.span), _BOLD, color)}: "
        f"{_paint(d.severity.value, _COLOURS[d.severity], color)}: {d.message}  "
        f"{_paint('[' + d.code + ']', _DIM, color)}"
    )
    lines = [head] + _snippet(d.span, sources, color)
    for related in d.related:
        lines.append(f"  {_paint('note', _CYAN, color)}: {related.span}: {related.message}")
    if d.hint:
        lines.append(f"  {_paint('hint', _CYAN, color)}: {d.hint}")
    return "\n".join(lines)


def render_text(
    diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile], color: bool = False
) -> str:
    return "\n\n".join(render_one(d, sources, color) for d in diagnostics)


def as_dict(d: Diagnostic) -> dict[str, object]:
    def location(span: Span) -> dict[str, object]:
        return {
            "path": span.path,
            "line": span.line,
            "col": span.col,
            "end_line": span.end_line,
            "end_col": span.end_col,
        }

    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint,
        **location(d.span),
        "related": [{"message": r.message, **location(r.span)} for r in d.related],
    }


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    items = [as_dict(d) for d in diagnostics]
    return json.dumps({"format": "etsl.diagnostics/1", "diagnostics": items}, indent=2)


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    plural = "s" if files != 1 else ""
    return f"{files} file{plural} checked: {errors} error(s), {warnings} warning(s)"
