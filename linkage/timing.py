"""When things hold: the dates a link operates and the periods in which a scheme accepts a unit.

    >>> link_window(eu_ets, swiss_ets)
    Window(start=datetime.date(2020, 1, 1), end=None)
    >>> [p.name for p in accepting_periods(eu_ets, "CER")]
    ['phase1', 'phase2', 'phase3']

A link matters only while it operates: a credit a scheme accepted only before the link
began never flows through it. A scheme accepts a unit in a period when some `accept`
clause names it whose `where` filter is not false for that period and no `up to` or `limit`
clause naming it is zero then (both read by `etsl.linkage.reading`; where data would decide,
the unit counts as accepted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etsl.compiler.model import PeriodModel, SchemeModel, SurrenderModel
from etsl.linkage.reading import Reader
from etsl.linkage.said import Said, template


@dataclass(frozen=True, slots=True)
class Window:
    """A span of dates, both ends included; None is open."""

    start: date | None = None
    end: date | None = None

    def overlaps(self, other: Window) -> bool:
        return not (
            (self.end and other.start and self.end < other.start)
            or (other.end and self.start and other.end < self.start)
        )

    def words(self) -> Said:
        """'from 2020-01-01 to 2030-12-31', 'from …', 'until …' or 'at any time'."""
        if self.start and self.end:
            return _BETWEEN(start=str(self.start), end=str(self.end))
        if self.start:
            return _FROM(start=str(self.start))
        return _UNTIL(end=str(self.end)) if self.end else _ALWAYS()


_BETWEEN = template("window-between", "from {start} to {end}")
_FROM = template("window-from", "from {start}")
_UNTIL = template("window-until", "until {end}")
_ALWAYS = template("window-always", "at any time")


ALWAYS = Window()


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def period_window(period: PeriodModel) -> Window:
    return Window(_date(period.start_date), _date(period.end_date))


def link_window(a: SchemeModel, b: SchemeModel) -> Window:
    """While the link between a and b operates: from the later declared start to the earlier
    declared end (open where neither side declares one)."""
    links = [link for m, o in ((a, b), (b, a)) for link in m.links if link.target == o.name]
    starts = [d for link in links if (d := _date(link.since))]
    ends = [d for link in links if (d := _date(link.until))]
    return Window(max(starts) if starts else None, min(ends) if ends else None)


def periods_in(m: SchemeModel, window: Window) -> list[PeriodModel]:
    """The scheme's periods that overlap the window (undated periods always do)."""
    return [p for p in m.periods if period_window(p).overlaps(window)]


def admits(m: SchemeModel, clause: SurrenderModel, unit: str, period: str | None) -> bool:
    """Whether an accept clause can admit `unit` in the period: its filter is not false and
    no limit on the unit is zero then."""
    reader = Reader(m, period)
    if clause.where is not None and reader.value(clause.where.text) is False:
        return False
    limits = [s.limit for s in m.surrender if unit in s.units and s.limit is not None]
    return not any(reader.value(limit.text) == 0 for limit in limits)


def accepting_periods(m: SchemeModel, unit: str) -> list[PeriodModel]:
    """The periods in which the scheme accepts the unit (every period if it has none)."""
    clauses = [s for s in m.surrender if s.kind == "accept" and unit in s.units]
    return [p for p in m.periods if any(admits(m, c, unit, p.name) for c in clauses)]


def accepts_during(m: SchemeModel, unit: str, window: Window) -> bool:
    """Whether the scheme accepts the unit (by name) at some time within the window."""
    clauses = [s for s in m.surrender if s.kind == "accept" and unit in s.units]
    if not clauses:
        return False
    if not m.periods:
        return any(admits(m, c, unit, None) for c in clauses)
    return any(period_window(p).overlaps(window) for p in accepting_periods(m, unit))


def accepted_span(m: SchemeModel, unit: str) -> Window:
    """From the start of the first to the end of the last period accepting the unit."""
    found = accepting_periods(m, unit)
    if not found:
        return ALWAYS
    return Window(period_window(found[0]).start, period_window(found[-1]).end)
