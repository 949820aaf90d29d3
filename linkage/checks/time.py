"""Time: compliance calendars and periods while the link operates."""

from __future__ import annotations

from etsl.compiler import codes
from etsl.compiler.model import PeriodModel
from etsl.linkage.checks.registry import ICAP_GUIDE, check
from etsl.linkage.facts import Hit, Pair, evidence
from etsl.linkage.timing import link_window, period_window


@check(
    codes.CALENDAR_DIFFERS,
    "info",
    rationale="""A fiscal year starting in April and a calendar year put the two surrender
       deadlines at different times of the year.""",
    sources=(ICAP_GUIDE,),
    example="`calendar fiscal_year from April` against `calendar calendar_year`.",
)
def calendar_differs(p: Pair) -> list[Hit]:
    ca, cb = (p.a.calendar, p.a.fiscal_year_start), (p.b.calendar, p.b.fiscal_year_start)
    if None in (ca[0], cb[0]) or ca == cb:
        return []
    return [
        Hit(
            f"'{p.a.name}' uses {_calendar(ca)}, '{p.b.name}' {_calendar(cb)}",
            (evidence(p.a, "calendar", _calendar(ca)), evidence(p.b, "calendar", _calendar(cb))),
        )
    ]


def _calendar(c: tuple[str | None, str | None]) -> str:
    return f"{c[0]} from {c[1]}" if c[1] else str(c[0])


def _misaligned(p: Pair) -> list[tuple[PeriodModel, PeriodModel]]:
    window = link_window(p.a, p.b)
    out = []
    for x in p.a.periods:
        for y in p.b.periods:
            if not (x.start_date and x.end_date and y.start_date and y.end_date):
                continue
            wx, wy = period_window(x), period_window(y)
            live = wx.overlaps(window) and wy.overlaps(window)
            if wx.overlaps(wy) and live and (wx.start, wx.end) != (wy.start, wy.end):
                out.append((x, y))
    return out


@check(
    codes.PERIODS_MISALIGNED,
    "warning",
    rationale="""Overlapping compliance periods with different boundaries (while the link
       operates) mean units are surrendered for different windows on each side, complicating
       banking, surrender and the joint accounting of the linked market.""",
    sources=(ICAP_GUIDE,),
    example="`period first = FY2010 .. FY2014` against `period first = FY2011 .. FY2014`.",
)
def periods_misaligned(p: Pair) -> list[Hit]:
    return [
        Hit(
            f"'{p.a.name}' period '{x.name}' ({x.start_date} .. {x.end_date}) overlaps "
            f"'{p.b.name}' period '{y.name}' ({y.start_date} .. {y.end_date}) with different "
            "boundaries",
            (
                evidence(p.a, f"periods[{x.name}]", f"{x.start} .. {x.end}", x),
                evidence(p.b, f"periods[{y.name}]", f"{y.start} .. {y.end}", y),
            ),
        )
        for x, y in _misaligned(p)
    ]
