"""A row's place in a participant's chain: its period, and its year when the period is kept
`by year` (one row, and one obligation, per year; the last year closes the period).

    step_problem(program, "cp4", 2025)  -> StepProblem(data-year-outside-period, …)
    missing_years(program, [("E1", "cp4", 2021, 2), ("E1", "cp4", 2023, 3)])
        -> [("E1", 2, StepProblem(data-missing-year, "… no row for 2022 …"))]

The data readers (runtime/data/load.py) and the reference engine's chains
(runtime/reference/sequence.py) report these with the same codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from etsl.compiler import codes
from etsl.compiler.codes import Code
from etsl.compiler.program import Program


@dataclass(frozen=True, slots=True)
class StepProblem:
    code: Code
    column: str
    message: str
    hint: str


def _years_text(years: tuple[int, ...]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 2 else ", ".join(map(str, years))


def step_problem(program: Program, period: str, year: int | None) -> StepProblem | None:
    """Whether (period, year) is a step of the program: a year exactly for periods kept by
    year, and one of theirs."""
    years = program.data_years(period)
    if not years and year is not None:
        return StepProblem(
            codes.DATA_YEAR_OUTSIDE_PERIOD,
            "year",
            f"the row gives year {year}, but period '{period}' is not kept by year",
            "leave the year blank for this period (it has one row per participant)",
        )
    if years and year is None:
        return StepProblem(
            codes.DATA_MISSING_YEAR,
            "year",
            f"the row gives no year, but period '{period}' is kept by year ({_years_text(years)})",
            "add a 'year' column: one row per participant and year",
        )
    if years and year not in years:
        return StepProblem(
            codes.DATA_YEAR_OUTSIDE_PERIOD,
            "year",
            f"{year} is not a year of period '{period}' ({_years_text(years)})",
            "give a year of the row's period, or leave the period blank: it follows from the year",
        )
    return None


def missing_years(
    program: Program, keys: Iterable[tuple[str, str, int | None, int]]
) -> list[tuple[str, int, StepProblem]]:
    """(participant, row, problem) for each participant that has rows for some years of a
    period kept by year but not all; `keys` are (participant, period, year, row)."""
    found: dict[tuple[str, str], tuple[int, set[int]]] = {}
    for participant, period, year, row in keys:
        if year is None or not program.data_years(period):
            continue
        found.setdefault((participant, period), (row, set()))[1].add(year)
    problems = []
    for (participant, period), (row, years) in found.items():
        absent = [y for y in program.data_years(period) if y not in years]
        if absent:
            problems.append(
                (
                    participant,
                    row,
                    StepProblem(
                        codes.DATA_MISSING_YEAR,
                        "year",
                        f"participant '{participant}' has no row for "
                        f"{', '.join(map(str, absent))} of period '{period}'",
                        "a period kept by year needs one row per year: each year's "
                        "obligation and what it leaves feed the next",
                    ),
                )
            )
    return problems
