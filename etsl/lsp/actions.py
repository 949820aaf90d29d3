"""Edits: quick fixes for the diagnostics whose hint names the fix (a did-you-mean name, the
missing `rule` keyword before `NAME = …`, a unit for a plain number) and formatting."""

from __future__ import annotations

import re
from collections.abc import Callable

from lsprotocol import types

from etsl.compiler import codes
from etsl.compiler.diagnostics import suggested_name, suggested_unit
from etsl.compiler.fmt import format_source
from etsl.lsp.positions import offset_at, position_at, whole_range
from etsl.lsp.symbols import words
from etsl.lsp.workspace import Analysis

_NUMBER = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?![\w.%])(?!\s*(?:%|[A-Za-z_]))")


def _hint(d: types.Diagnostic) -> str | None:
    data = d.data if isinstance(d.data, dict) else {}
    hint = data.get("hint")
    if isinstance(hint, str):
        return hint
    _, _, after = d.message.partition("\nhint: ")
    return after or None


def _edit(
    analysis: Analysis, title: str, d: types.Diagnostic, start: int, end: int, text: str
) -> types.CodeAction:
    where = types.Range(position_at(analysis.source, start), position_at(analysis.source, end))
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[d],
        is_preferred=True,
        edit=types.WorkspaceEdit(changes={analysis.path.as_uri(): [types.TextEdit(where, text)]}),
    )


def _bounds(analysis: Analysis, d: types.Diagnostic) -> tuple[int, int]:
    start = offset_at(analysis.source, d.range.start)
    end = offset_at(analysis.source, d.range.end)
    line_end = analysis.text.find("\n", start)
    return start, max(end, line_end if line_end >= 0 else len(analysis.text))


def did_you_mean(analysis: Analysis, d: types.Diagnostic) -> list[types.CodeAction]:
    """Replace the misspelt word (quoted in the message) by the suggested one."""
    suggestion = suggested_name(_hint(d))
    if suggestion is None:
        return []
    quoted = re.findall(r"'([^']+)'", d.message)
    start, end = _bounds(analysis, d)
    for word, at in words(analysis.text, start, end):
        if word in quoted and word != suggestion:
            return [
                _edit(
                    analysis,
                    f"Change '{word}' to '{suggestion}'",
                    d,
                    at,
                    at + len(word),
                    suggestion,
                )
            ]
    return []


def missing_rule(analysis: Analysis, d: types.Diagnostic) -> list[types.CodeAction]:
    """`x = …` where a declaration is expected: insert `rule `."""
    if d.code != codes.UNKNOWN_KEYWORD.name:
        return []
    start = offset_at(analysis.source, d.range.start)
    line_end = analysis.text.find("\n", start)
    rest = analysis.text[start : line_end if line_end >= 0 else len(analysis.text)]
    match = re.match(r"([A-Za-z_]\w*)\s*=", rest)
    if match is None:
        return []
    return [_edit(analysis, f"Insert 'rule' before '{match.group(1)}'", d, start, start, "rule ")]


def missing_unit(analysis: Analysis, d: types.Diagnostic) -> list[types.CodeAction]:
    """A plain number where a quantity is expected: write the unit after it."""
    unit = suggested_unit(_hint(d))
    if unit is None:
        return []
    start = offset_at(analysis.source, d.range.start)
    end = offset_at(analysis.source, d.range.end)
    numbers = list(_NUMBER.finditer(analysis.text, start, end))
    if not numbers:
        return []
    number = numbers[-1]
    title = f"Write {number.group()} {unit}"
    return [_edit(analysis, title, d, number.end(), number.end(), f" {unit}")]


FIXES: tuple[Callable[[Analysis, types.Diagnostic], list[types.CodeAction]], ...] = (
    did_you_mean,
    missing_rule,
    missing_unit,
)


def code_actions(analysis: Analysis, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """Quick fixes for the diagnostics an editor sends with a code-action request."""
    return [action for d in diagnostics for fix in FIXES for action in fix(analysis, d)]


def formatting(analysis: Analysis) -> list[types.TextEdit] | None:
    """The document in canonical form (`etsl fmt`) as one edit; None when it does not parse."""
    text, _ = format_source(analysis.source)
    if text is None:
        return None
    return [] if text == analysis.text else [types.TextEdit(whole_range(analysis.source), text)]
