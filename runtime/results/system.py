"""The system results file: one row per year, every system value (runtime/reference/system.py).

    write_system_results(run.results(), level, Path("out.system.csv"))

Columns: `year`, then each system value in declaration order (parameters, tables, rules,
prices), numbers in the value's display unit as exact decimals (`%` values as
percentages), and `error` (why values of the year could not be computed). Written
atomically.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from etsl.compiler import program as ir
from etsl.compiler.files import atomic_open
from etsl.compiler.numbers import divide
from etsl.runtime.records import Value
from etsl.runtime.results.model import ParticipantResult

#: How a year's system evaluation is named where participants are (errors, results).
YEAR_LABEL = "year "

#: How a value shown in a unit is divided from its base-unit value.
_PERCENT = Decimal("0.01")


def system_path(output: Path) -> Path:
    """The system results file beside a participant results file: OUT.system.csv."""
    return output.with_name(f"{output.stem}.system.csv")


def system_rows(results: Sequence[ParticipantResult], level: ir.SystemLevel) -> list[list[str]]:
    """A header and one row per year: the values in their display units."""
    program = level.program
    rows = [["year", *level.values, "error"]]
    for result in results:
        values = [cell_text(result.values.get(n), program.unit_of(n)) for n in level.values]
        error = "; ".join(f"{e.rule}: {e.message}" for e in result.errors)
        rows.append([result.participant.removeprefix(YEAR_LABEL), *values, error])
    return rows


def cell_text(value: Value | None, unit: str) -> str:
    """A value as a results file writes it: exact, in its display unit (`%` as percent)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{shown_number(value, unit).normalize():f}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def shown_number(value: Decimal, unit: str) -> Decimal:
    """A base-unit number in its display unit (a `%` value as a percentage)."""
    return divide(value, _PERCENT) if unit == "%" else value


def write_system_results(
    results: Sequence[ParticipantResult], level: ir.SystemLevel, path: Path
) -> None:
    with atomic_open(path, "w") as handle:
        csv.writer(handle, lineterminator="\n").writerows(system_rows(results, level))
