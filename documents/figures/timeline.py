"""The period timeline: one bar per period over a calendar axis.

>>> markup = timeline([Bar("first", "FY2010–FY2014", Decimal(2010), Decimal(2015))])
>>> markup.startswith("<svg "), "FY2010–FY2014" in markup
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from etsl.documents.figures.palette import GRID, INK, MUTED, PAPER, series_colour
from etsl.documents.figures.scales import Scale, nice_step
from etsl.documents.figures.svg import n, svg, text, text_width
from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Bar:
    """One period on the timeline: name, label, and start/end as fractional years."""

    name: str
    label: str
    start: Decimal
    end: Decimal


#: The width of a full-page timeline; a narrower one (a factsheet's column) keeps the
#: same text sizes, so its labels print as large as the page's.
WIDTH = 760


def timeline(bars: Sequence[Bar], title: str = "Periods", width: int = WIDTH) -> Markup:
    """A Gantt-style chart: one row per period over a year axis. Narrower than `WIDTH`,
    the row names take only the room they need and the axis has fewer years."""
    if not bars:
        return Markup("")
    left, right, row, top, axis = 150, 24, 30, 12, 34
    if width < WIDTH:
        names = max(text_width(b.name, 12) for b in bars)
        left, right, row, top, axis = (
            int(names.to_integral_value(ROUND_CEILING)) + 18,
            14,
            22,
            4,
            24,
        )
    pad = (row - 18) // 2  # above and below each bar
    low = min(b.start for b in bars).to_integral_value(ROUND_FLOOR)
    high = max(b.end for b in bars).to_integral_value(ROUND_CEILING)
    x = Scale(low, high, Decimal(left), Decimal(width - right))
    height = top + row * len(bars) + axis
    ticks = 10 if width >= WIDTH else 5
    body = [year_axis(x, low, high, top, top + row * len(bars), ticks)]
    for index, bar in enumerate(bars):
        y = top + row * index
        colour = series_colour(index)
        body.append(text(left - 10, y + pad + 13, bar.name, 12, "end", INK, "600"))
        body.append(
            f'<rect x="{n(x(bar.start))}" y="{n(y + pad)}" '
            f'width="{n(max(x(bar.end) - x(bar.start), Decimal(2)))}" height="18" rx="3" '
            f'fill="{colour}" fill-opacity="0.85"><title>{escape(bar.label)}</title></rect>'
        )
        body.append(_bar_label(bar, x, y + pad + 13, Decimal(width), Decimal(left)))
    return svg(width, height, body, title)


def _bar_label(bar: Bar, x: Scale, baseline: int, width: Decimal, left: Decimal) -> str:
    """The label inside the bar if it fits, else after it, else before it (never over the
    row names); a shorter label is tried next, and none is drawn when nothing fits (the
    period table below the figure has every label)."""
    for label in dict.fromkeys((bar.label, bar.label.split(" · ")[0])):
        size = text_width(label, 11)
        if x(bar.end) - x(bar.start) > size + 10:
            return text(x(bar.start) + 6, baseline, label, 11, "start", PAPER, "600")
        if x(bar.end) + size + 8 <= width:
            return text(x(bar.end) + 6, baseline, label, 11, "start", MUTED)
        if x(bar.start) - size - 8 >= left:
            return text(x(bar.start) - 6, baseline, label, 11, "end", MUTED)
    return ""


def year_axis(x: Scale, low: Decimal, high: Decimal, top: int, bottom: int, ticks: int) -> str:
    span = high - low
    step = max(Decimal(1), nice_step(span, ticks))
    parts = []
    year = low
    while year <= high:
        parts.append(
            f'<line x1="{n(x(year))}" y1="{top}" x2="{n(x(year))}" y2="{bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(text(x(year), bottom + 18, str(int(year)), 11, "middle", MUTED))
        year += step
    return "".join(parts)
