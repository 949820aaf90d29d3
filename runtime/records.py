"""Participant data as the engines see it: validated records in base units.

The data readers (runtime/data/load.py) produce a Dataset; the engines consume it. Quantities
are Decimals already converted to the base unit of the input's declared unit (t CO2e,
kL_oe, GJ, yr, currency units), so `Record.values["emissions"]` is in t CO2e.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from etsl.compiler.types import Value

__all__ = ["DataFiles", "Dataset", "Holding", "Record", "Value"]


@dataclass(frozen=True, slots=True)
class Record:
    """One participant in one period (or one year of a period kept by year): the wide
    table's row."""

    participant: str
    period: str | None
    values: Mapping[str, Value]
    row: int = 0
    source: str = ""
    year: int | None = None
    participant_type: str | None = None  # its participant block, when the data says


@dataclass(frozen=True, slots=True)
class Holding:
    """Units of one type held by a participant (the long holdings table's row)."""

    participant: str
    period: str | None
    unit: str
    quantity: Decimal
    attributes: Mapping[str, Value] = field(default_factory=dict)
    row: int = 0
    source: str = ""
    year: int | None = None  # held in this year of a period kept by year (None: its first)


@dataclass(frozen=True, slots=True)
class Dataset:
    records: tuple[Record, ...]
    holdings: tuple[Holding, ...] = ()

    def holdings_of(self, participant: str, period: str | None) -> list[Holding]:
        return [
            h
            for h in self.holdings
            if h.participant == participant and (h.period is None or h.period == period)
        ]


@dataclass(frozen=True)
class DataFiles:
    """What `etsl run` reads: the participant table and how to read it."""

    participants: Path
    holdings: Path | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    period: str | None = None
    system: Path | None = None  # the system data: one row per year (runtime/system_data.py)
