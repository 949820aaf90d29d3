"""Diagnostics as data: every user mistake is a Diagnostic, never an exception."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from etsl.compiler.codes import CODES, Code
from etsl.compiler.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Related:
    """A secondary location that explains a diagnostic (the other definition, an edge of a cycle)."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the user's input, located by its span."""

    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None
    related: tuple[Related, ...] = ()

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code!r}")


def error(
    code: Code, message: str, span: Span, hint: str | None = None, related: Iterable[Related] = ()
) -> Diagnostic:
    return Diagnostic(code.name, Severity.ERROR, message, span, hint, tuple(related))


def warning(
    code: Code, message: str, span: Span, hint: str | None = None, related: Iterable[Related] = ()
) -> Diagnostic:
    return Diagnostic(code.name, Severity.WARNING, message, span, hint, tuple(related))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint naming the closest candidate, or None."""
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"did you mean '{matches[0]}'?" if matches else None


_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'\?")
_GIVE_UNIT = "give the number a unit, e.g. 5 "


def suggested_name(hint: str | None) -> str | None:
    """The name a did-you-mean hint suggests (editors offer it as a quick fix)."""
    found = _DID_YOU_MEAN.search(hint or "")
    return found.group(1) if found else None


def unit_suggestion(unit: str) -> str:
    """The hint for a plain number where a quantity in `unit` is expected."""
    return f"{_GIVE_UNIT}{unit}"


def suggested_unit(hint: str | None) -> str | None:
    """The unit a missing-unit hint suggests (editors offer it as a quick fix)."""
    if hint and hint.startswith(_GIVE_UNIT):
        return hint.removeprefix(_GIVE_UNIT).split()[0]
    return None


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.span.path, d.span.line, d.span.col, d.code)
