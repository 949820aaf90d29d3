"""Compiler diagnostics as LSP diagnostics: code (docs/diagnostics.md explains each), severity,
message with the hint, related locations. A diagnostic located in an imported file is
shown on this document's `import` or `extends` line, pointing to where it is."""

from __future__ import annotations

from lsprotocol import types

from etsl.compiler.diagnostics import Diagnostic, Severity
from etsl.compiler.source import SourceFile, Span
from etsl.lsp.positions import span_range
from etsl.lsp.workspace import Analysis, path_of_span, uri_of

SOURCE = "etsl"

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}


def location(analysis: Analysis, span: Span) -> types.Location | None:
    source = analysis.source_of(span.path)
    if source is None:
        return None
    return types.Location(uri_of(path_of_span(span.path)), span_range(source, span))


def _related(analysis: Analysis, d: Diagnostic) -> list[types.DiagnosticRelatedInformation]:
    found = []
    for related in d.related:
        where = location(analysis, related.span)
        if where is not None:
            found.append(types.DiagnosticRelatedInformation(where, related.message))
    return found


def _message(d: Diagnostic) -> str:
    return f"{d.message}\nhint: {d.hint}" if d.hint else d.message


def _anchor(analysis: Analysis) -> Span:
    """Where this document shows a problem found in another file: its first import, else
    the first `extends`, else the start of the file."""
    module = analysis.module
    if module is not None and module.imports:
        return module.imports[0].span
    if module is not None and module.schemes:
        return module.schemes[0].span
    return analysis.source.span(0, 0)


def lsp_diagnostic(analysis: Analysis, d: Diagnostic) -> types.Diagnostic:
    source: SourceFile = analysis.source
    related = _related(analysis, d)
    span, message = d.span, _message(d)
    if d.span.path != source.path:
        span = _anchor(analysis)
        message = f"in {d.span}: {message}"
        where = location(analysis, d.span)
        if where is not None:
            related.insert(0, types.DiagnosticRelatedInformation(where, d.message))
    return types.Diagnostic(
        range=span_range(source, _first_line(span, source)),
        message=message,
        severity=_SEVERITIES[d.severity],
        code=d.code,
        source=SOURCE,
        related_information=related or None,
        data={"hint": d.hint} if d.hint else None,
    )


def _first_line(span: Span, source: SourceFile) -> Span:
    """A declaration-long span shown on its first line only (editors underline all of it)."""
    if span.end_line == span.line:
        return span
    end = source.line_starts[span.line] - 1 if span.line < len(source.line_starts) else span.end
    return source.span(span.start, max(span.start, end))


def lsp_diagnostics(analysis: Analysis) -> list[types.Diagnostic]:
    """Every diagnostic of a document, this file's own first."""
    return [lsp_diagnostic(analysis, d) for d in analysis.diagnostics]
