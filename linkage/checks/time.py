"""Time: compliance calendars and periods while the link operates."""

from __future__ import annotations

from etsl.compiler import codes
from etsl.compiler.model import PeriodModel
from etsl.linkage.checks.registry import ICAP_GUIDE, check
from etsl.linkage.facts import Hit, Pair, evidence
from etsl.linkage.said import Said, Scheme, Term, Value, template
from etsl.linkage.timing import link_window, period_window
from etsl.linkage.worded import CALENDAR_WORDS, vocabulary_words


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
            _CALENDARS(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                calendar_a=_calendar_words(ca),
                calendar_b=_calendar_words(cb),
            ),
            (
                evidence(p.a, "calendar", _calendar_words(ca)),
                evidence(p.b, "calendar", _calendar_words(cb)),
            ),
        )
    ]


_CALENDARS = template("calendar-differs", "{a} uses {calendar_a}, {b} {calendar_b}")
_CALENDAR_FROM = template("calendar-from", "{calendar} from {month}")
_PERIODS = template(
    "periods-misaligned",
    "{a} period {period_a} ({start_a} to {end_a}) overlaps {b} period {period_b} "
    "({start_b} to {end_b}) with different boundaries",
)


def _calendar_words(c: tuple[str | None, str | None]) -> Value:
    """'fiscal_year from April' (the calendar as the scheme writes it; the month translated)."""
    calendar = vocabulary_words(CALENDAR_WORDS, [str(c[0])])
    return _CALENDAR_FROM(calendar=calendar, month=Term(c[1], quoted=False)) if c[1] else calendar


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
            _PERIODS(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                period_a=Term(x.name),
                period_b=Term(y.name),
                start_a=str(x.start_date),
                end_a=str(x.end_date),
                start_b=str(y.start_date),
                end_b=str(y.end_date),
            ),
            (
                evidence(p.a, f"periods[{x.name}]", _period_words(x), x),
                evidence(p.b, f"periods[{y.name}]", _period_words(y), y),
            ),
        )
        for x, y in _misaligned(p)
    ]


_PERIOD = template("evidence-period", "{period}: {start} to {end}")


def _period_words(period: PeriodModel) -> Said:
    return _PERIOD(
        period=Term(period.name, quoted=False),
        start=str(period.start_date or period.start),
        end=str(period.end_date or period.end),
    )
