"""Linkage compatibility of two schemes: run every catalogue check and collect the findings.

    >>> report = check_pair(eu_ets, jvets, Rates())
    >>> report.verdict, [f.code for f in report.blockers]
    ('blocked', ['participation-voluntary'])

The checks live in `etsl.linkage.checks` (one function each, with a code registered in
compiler/codes.py). This module turns their hits into `Finding`s, orders them by severity,
and renders a pair report as rich text or as plain data for JSON and the documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from etsl.compiler.errors import EtslError
from etsl.compiler.model import SchemeModel
from etsl.compiler.units import CURRENCIES
from etsl.linkage.checks import CATALOGUE
from etsl.linkage.facts import (
    SEVERITIES,
    Check,
    Evidence,
    Pair,
    Rates,
    Reference,
    Severity,
    declared_by,
)
from etsl.linkage.said import Said, in_english
from rich.console import Console
from rich.text import Text

FORMAT_VERSION = "etsl.link/1"
STYLES: dict[str, str] = {"blocker": "bold red", "warning": "yellow", "info": "cyan"}
VERDICTS: dict[str, str] = {
    "blocked": "blocked: at least one blocker",
    "warnings": "linkable, with warnings to resolve",
    "compatible": "compatible: no blocker or warning",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One occurrence of a catalogue check, with the evidence in both schemes."""

    code: str
    severity: Severity
    title: str
    message: Said
    evidence: tuple[Evidence, ...]
    remedy: str
    rationale: str
    sources: tuple[Reference, ...]
    how_to: str = ""


@dataclass(frozen=True, slots=True)
class SchemeRef:
    name: str
    title: str | None
    path: str

    @staticmethod
    def of(model: SchemeModel) -> SchemeRef:
        return SchemeRef(model.name, model.title, model.path)


@dataclass(frozen=True, slots=True)
class LinkReport:
    """Every finding about linking scheme `a` with scheme `b`."""

    a: SchemeRef
    b: SchemeRef
    declared_by: tuple[str, ...]
    findings: tuple[Finding, ...]
    rates: tuple[str, ...]

    def of_severity(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    @property
    def blockers(self) -> list[Finding]:
        return self.of_severity("blocker")

    @property
    def verdict(self) -> str:
        if self.blockers:
            return "blocked"
        return "warnings" if self.of_severity("warning") else "compatible"

    def counts(self) -> dict[str, int]:
        return {s: len(self.of_severity(s)) for s in SEVERITIES}


def _findings(check: Check, pair: Pair) -> list[Finding]:
    def ordered(items: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        return tuple(sorted(items, key=lambda e: e.scheme != pair.a.name))

    return [
        Finding(
            check.code,
            check.severity,
            check.title,
            hit.message,
            ordered(hit.evidence),
            check.remedy,
            check.rationale,
            check.sources,
            check.how_to,
        )
        for hit in check.run(pair)
    ]


def check_pair(a: SchemeModel, b: SchemeModel, rates: Rates | None = None) -> LinkReport:
    """Run the whole catalogue on (a, b); findings ordered blocker, warning, info, then code."""
    pair = Pair(a, b, rates or Rates())
    found = [f for check in CATALOGUE.values() for f in _findings(check, pair)]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    codes = {code: i for i, code in enumerate(CATALOGUE)}
    found.sort(key=lambda f: (order[f.severity], codes[f.code]))
    return LinkReport(
        SchemeRef.of(a), SchemeRef.of(b), declared_by(a, b), tuple(found), pair.rates.texts()
    )


# ---- exchange rates ----------------------------------------------------------------------------

_RATE = re.compile(r"^\s*([A-Z]{3})\s*/\s*([A-Z]{3})\s*=\s*(\S+)\s*$")


class RateError(EtslError, ValueError):
    """A malformed `--rate` value (the message says what to write instead)."""


def parse_rate(text: str) -> tuple[str, str, Decimal]:
    """`EUR/JPY=160` → ('EUR', 'JPY', Decimal('160')): one EUR is worth 160 JPY."""
    match = _RATE.match(text)
    if not match:
        raise RateError(
            f"'{text}' is not an exchange rate; write BASE/QUOTE=VALUE, "
            "e.g. EUR/JPY=160 (1 EUR = 160 JPY)"
        )
    base, quote, value_text = match.groups()
    unknown = [c for c in (base, quote) if c not in CURRENCIES]
    if unknown:
        raise RateError(
            f"unknown currency {', '.join(unknown)} in '{text}'; known: {', '.join(CURRENCIES)}"
        )
    try:
        value = Decimal(value_text.replace("_", ""))
    except InvalidOperation:
        raise RateError(f"'{value_text}' in '{text}' is not a number") from None
    if not value.is_finite() or value <= 0 or base == quote:
        raise RateError(f"'{text}' must relate two different currencies by a positive number")
    return base, quote, value


def parse_rates(texts: Iterable[str]) -> Rates:
    return Rates(tuple(parse_rate(t) for t in texts))


# ---- rendering -----------------------------------------------------------------------------------


def report_data(report: LinkReport) -> dict[str, Any]:
    """Plain data (JSON-ready) for one pair report."""
    data = in_english(asdict(report))
    data["verdict"] = report.verdict
    data["verdict_text"] = VERDICTS[report.verdict]
    data["counts"] = report.counts()
    data["linked"] = bool(report.declared_by)
    with_where(data)
    return data


def with_where(data: Any) -> Any:
    """Add `where` (path:line:col, or path) to every evidence dict inside `data`."""
    if isinstance(data, dict):
        if {"scheme", "field", "path", "line"} <= data.keys():
            fields = Evidence.__dataclass_fields__
            data["where"] = Evidence(**{k: v for k, v in data.items() if k in fields}).where
        for value in data.values():
            with_where(value)
    elif isinstance(data, list | tuple):
        for value in data:
            with_where(value)
    return data


def headline(report: LinkReport) -> Text:
    counts = report.counts()
    line = Text(f"{report.a.name} ↔ {report.b.name}: ", style="bold")
    style = (
        "bold red"
        if report.verdict == "blocked"
        else ("yellow" if report.verdict == "warnings" else "green")
    )
    line.append(VERDICTS[report.verdict], style=style)
    line.append(
        f"  ({counts['blocker']} blocker(s), {counts['warning']} warning(s), {counts['info']} info)"
    )
    return line


def print_pair(console: Console, report: LinkReport) -> None:
    """Write one pair report as rich text (scheme text is never read as markup)."""
    console.print(headline(report))
    declared = ", ".join(report.declared_by) or "neither scheme"
    console.print(
        Text(
            f"link declared by: {declared}"
            + (f"; rates: {', '.join(report.rates)}" if report.rates else "")
        )
    )
    for finding in report.findings:
        console.print()
        _print_finding(console, finding)


def _print_finding(console: Console, finding: Finding) -> None:
    line = Text(f"{finding.severity}: ", style=STYLES[finding.severity])
    line.append(finding.message.text())
    line.append(f"  [{finding.code}]", style="dim")
    console.print(line)
    for item in finding.evidence:
        console.print(_evidence_text(item))
    console.print(Text(f"  remedy: {finding.remedy}", style="green"))
    if finding.how_to:
        console.print(Text(f"  how to: {finding.how_to}", style="dim"))


def _evidence_text(item: Evidence) -> Text:
    text = Text(f"  {item.scheme}: ", style="bold")
    text.append(str(item.value))
    text.append(f"  ({item.where})", style="dim")
    if item.source:
        cites = ((item.source, item.locator), *((c.source, c.locator) for c in item.also))
        listed = "; ".join(
            source + (f", {locator}" if locator else "") for source, locator in cites
        )
        text.append(f"  cite {listed}", style="dim")
    return text


def text_console(color: bool, width: int = 100) -> tuple[Console, Any]:
    """A console writing into a string buffer (colour only when asked)."""
    import io

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )
    return console, buffer


def pair_texts(reports: Sequence[LinkReport], color: bool = False) -> str:
    console, buffer = text_console(color)
    for index, report in enumerate(reports):
        if index:
            console.print()
        print_pair(console, report)
    return str(buffer.getvalue())
