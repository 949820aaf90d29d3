"""Traces: how every value of one participant in one period was derived (`etsl.trace/1`).

A trace is a flat map name → TraceEntry; an entry names the values it used (`children`)
and the participant inputs it read (`inputs`), so the derivation of any value is the
sub-graph below it. JSON form:

    {"format": "etsl.trace/1", "scheme": "tokyo_cat", "participant": "F001",
     "period": "first", "root": "cap",
     "values": {"cap": {"kind": "rule", "value": "46000", "unit": "tCO2e",
                        "formula": "floor(base_emissions * years(period) * (1 - reduction_factor))",
                        "substituted": "floor(10,000 t CO2e/yr × 5 yr × (1 − 8 %))",
                        "location": "tokyo.scheme:31:3", "citation": "…",
                        "inputs": {"base_emissions": "10000"},
                        "children": ["reduction_factor"], "notes": [...], "error": null}}}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from etsl.compiler.source import Span
from etsl.runtime.records import Value

TRACE_FORMAT = "etsl.trace/1"


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One value: what it is, its formula with and without values, and what it used."""

    name: str
    kind: str  # input, param, table, rule, runtime, eligible, penalty, consequence
    value: Value | None
    unit: str = ""
    formula: str | None = None
    substituted: str | None = None
    span: Span | None = None
    citation: str | None = None
    description: str | None = None
    inputs: tuple[tuple[str, Value | None], ...] = ()
    children: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    error: str | None = None
    default: bool = False

    def to_json(self) -> dict[str, Any]:
        from etsl.runtime.results.model import plain

        return {
            "kind": self.kind,
            "value": plain(self.value),
            "unit": self.unit,
            "formula": self.formula,
            "substituted": self.substituted,
            "location": str(self.span) if self.span else None,
            "citation": self.citation,
            "description": self.description,
            "inputs": {name: plain(value) for name, value in self.inputs},
            "children": list(self.children),
            "notes": list(self.notes),
            "error": self.error,
            "default": self.default,
        }


@dataclass(frozen=True)
class Trace:
    """Every traced value of one participant in one period."""

    scheme: str
    participant: str
    period: str | None
    entries: Mapping[str, TraceEntry]
    row: int = 0
    source: str = ""
    roots: tuple[str, ...] = field(default=())
    year: int | None = None  # the row's year, in a period kept by year

    def entry(self, name: str) -> TraceEntry:
        return self.entries[name]

    def below(self, root: str) -> Iterator[str]:
        """The names a value depends on (itself first), each once, depth first."""
        seen: set[str] = set()
        stack = [root]
        while stack:
            name = stack.pop()
            if name in seen or name not in self.entries:
                continue
            seen.add(name)
            yield name
            entry = self.entries[name]
            stack.extend(reversed([*entry.children, *(n for n, _ in entry.inputs)]))

    def to_json(self, root: str | None = None) -> dict[str, Any]:
        """The trace document; with `root`, only the values that root depends on."""
        names = list(self.below(root)) if root else list(self.entries)
        return {
            "format": TRACE_FORMAT,
            "scheme": self.scheme,
            "participant": self.participant,
            "period": self.period,
            **({"year": self.year} if self.year is not None else {}),
            "row": self.row or None,
            "source": self.source or None,
            "root": root,
            "roots": list(self.roots),
            "values": {n: self.entries[n].to_json() for n in names},
        }
