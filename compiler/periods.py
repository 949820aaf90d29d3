"""Calendar arithmetic for periods: fiscal years, calendar years and dated ranges."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from etsl.compiler import ast
from etsl.compiler import program as ir
from etsl.compiler.numbers import divide

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_NUMBERS = {month: number for number, month in enumerate(MONTHS, start=1)}
_FISCAL = re.compile(r"^FY([0-9]{4})$")


def fiscal_start_month(calendar: ast.Calendar | None) -> int:
    """The month a fiscal year starts in (Japan's April unless the scheme says otherwise)."""
    if calendar and calendar.kind == "fiscal_year" and calendar.start_month:
        return MONTH_NUMBERS.get(calendar.start_month, 4)
    return 4


def bound_year(bound: ast.PeriodBound) -> int | None:
    """The year a bound names (FY2010 → 2010, 2013 → 2013), or None for dates/invalid."""
    if bound.kind == "int" and re.fullmatch(r"[0-9]{4}", bound.text):
        return int(bound.text)
    match = _FISCAL.match(bound.text) if bound.kind == "name" else None
    return int(match.group(1)) if match else None


def bound_dates(bound: ast.PeriodBound, calendar: ast.Calendar | None) -> tuple[date, date] | None:
    """First and last day covered by a bound, or None when the bound is invalid."""
    if bound.kind == "date":
        try:
            day = date.fromisoformat(bound.text)
        except ValueError:
            return None
        return day, day
    year = bound_year(bound)
    if year is None:
        return None
    if bound.kind == "name":
        month = fiscal_start_month(calendar)
        start = date(year, month, 1)
        return start, date(year + 1, month, 1) - timedelta(days=1)
    return date(year, 1, 1), date(year, 12, 31)


def period_dates(period: ast.Period, calendar: ast.Calendar | None) -> tuple[date, date] | None:
    start, end = bound_dates(period.start, calendar), bound_dates(period.end, calendar)
    if start is None or end is None:
        return None
    return start[0], end[1]


def period_years(period: ast.Period, calendar: ast.Calendar | None) -> Decimal:
    """The length of a period in years: whole years for year bounds, else months / 12 or days / 365."""
    start, end = bound_year(period.start), bound_year(period.end)
    if start is not None and end is not None:
        return Decimal(end - start + 1)
    dates = period_dates(period, calendar)
    if dates is None:
        return Decimal(0)
    first, last = dates
    following = last + timedelta(days=1)
    if first.day == 1 and following.day == 1:
        months = (following.year - first.year) * 12 + following.month - first.month
        return divide(Decimal(months), Decimal(12))
    return divide(Decimal((following - first).days), Decimal(365))


def program_periods(
    periods: Mapping[str, ast.Period], calendar: ast.Calendar | None
) -> tuple[ir.Period, ...]:
    """The periods as the Program holds them: length, first year, years kept by year."""
    return tuple(
        ir.Period(n, period_years(p, calendar), _first_year(p, calendar), _data_years(p))
        for n, p in periods.items()
    )


def _data_years(period: ast.Period) -> tuple[int, ...]:
    """The years of a period kept `by year` (FY2021 counts as 2021), else none."""
    first, last = bound_year(period.start), bound_year(period.end)
    if period.by_year is None or first is None or last is None:
        return ()
    return tuple(range(first, last + 1))


def _first_year(period: ast.Period, calendar: ast.Calendar | None) -> int | None:
    dates = period_dates(period, calendar)
    return dates[0].year if dates else None
