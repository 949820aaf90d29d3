"""Lanes: several rows of bars on one calendar axis, with marks joining rows at a date.

    >>> row = Lane("Tokyo", (Bar("1", "First", Decimal(2010), Decimal(2015)),))
    >>> markup = lanes([row], [Mark((0,), Decimal("2010.7"), "2010")], "Periods", [])
    >>> markup.startswith("<svg "), markup.count("<rect"), "Tokyo" in markup
    (True, 1, True)

A comparison's timeline: one lane per scheme, its periods as bars (adjacent bars in
alternating shades, so that a period boundary shows), and each link's start as a line
between the rows of the linked schemes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from etsl.documents.figures.legend import Entry, legend
from etsl.documents.figures.palette import INK, PAPER
from etsl.documents.figures.scales import Scale, nice_step
from etsl.documents.figures.svg import n, svg, text, text_width
from etsl.documents.figures.timeline import Bar, year_axis
from etsl.documents.i18n import ordinal
from markupsafe import Markup, escape

WIDTH, RIGHT, ROW, BAR, AXIS, TICKS = 760, 24, 30, 18, 30, 10
#: The height of a line of mark labels above the rows: one line a mark, the earliest at the
#: top, so that no mark's line crosses another's label (each label runs right of its line).
LABEL_LINE = 15
#: The widest row name (px at 12 px); the names are short names, so this is never reached
#: in the library's comparisons.
MOST_NAME = Decimal(230)
#: Bars alternate between these two shades of the first series colour.
SHADES = ("#0072B2", "#7fb8d8")
#: Link marks: lines and diamonds in the palette's vermillion.
LINK = "#D55E00"


@dataclass(frozen=True, slots=True)
class Lane:
    """One row: its name and its bars."""

    label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """A date marked on some rows (a link's start: both linked schemes' rows)."""

    rows: tuple[int, ...]
    at: Decimal
    label: str


def lanes(rows: Sequence[Lane], marks: Sequence[Mark], title: str, key: Sequence[Entry]) -> Markup:
    """Rows of bars over a shared year axis, the marks over them, and the legend `key`."""
    if not rows:
        return Markup("")
    names = max(min(text_width(r.label, 12), MOST_NAME) for r in rows)
    left = int(names.to_integral_value(ROUND_CEILING)) + 18
    starts = [b.start for r in rows for b in r.bars] + [m.at for m in marks]
    ends = [b.end for r in rows for b in r.bars] + [m.at for m in marks]
    high = max(ends).to_integral_value(ROUND_CEILING)
    step = max(Decimal(1), nice_step(high - min(starts), TICKS))
    low = (min(starts) / step).to_integral_value(ROUND_FLOOR) * step  # ticks on round years
    x = Scale(low, high, Decimal(left), Decimal(WIDTH - RIGHT))
    top = 8 + LABEL_LINE * len(marks)
    bottom = top + ROW * len(rows)
    body = [year_axis(x, low, high, top, bottom, TICKS)]
    for index, row in enumerate(rows):
        body.append(_lane(row, x, top + ROW * index, left))
    in_order = sorted(marks, key=lambda mark: mark.at)
    body += [_mark(mark, x, top, 4 + LABEL_LINE * (1 + i)) for i, mark in enumerate(in_order)]
    drawn, height = legend(key, left, bottom + AXIS, WIDTH - 10)
    body.append(drawn)
    return svg(WIDTH, bottom + AXIS + height, body, title)


def _lane(row: Lane, x: Scale, y: int, left: int) -> str:
    pad = (ROW - BAR) // 2
    parts = [text(left - 10, y + pad + 13, row.label, 12, "end", INK, "600")]
    for index, bar in enumerate(row.bars):
        shade = SHADES[index % 2]
        width = max(x(bar.end) - x(bar.start), Decimal(2))
        parts.append(
            f'<rect x="{n(x(bar.start))}" y="{y + pad}" width="{n(width)}" height="{BAR}" '
            f'fill="{shade}" stroke="{PAPER}" stroke-width="1">'
            f"<title>{escape(row.label)}: {escape(bar.label)}</title></rect>"
        )
        shown = _fitting(bar.name, width)
        if shown:
            ink = PAPER if index % 2 == 0 else INK
            parts.append(text(x(bar.start) + 4, y + pad + 13, shown, 10, "start", ink))
    return "".join(parts)


def _fitting(name: str, width: Decimal) -> str | None:
    """The bar's name, or its ordinal alone (第1 of 第1遵守期間) where the name is too long
    for the bar; the data table under the figure gives every name in full."""
    for candidate in (name, ordinal(name)):
        if candidate and width > text_width(candidate, 10) + 8:
            return candidate
    return None


def _mark(mark: Mark, x: Scale, top: int, baseline: int) -> str:
    """A line from the label above the rows down to the last marked row, and a diamond on
    the top edge of each marked row's bars (clear of the bars' labels); the label ends at
    the line when it would run past the plot."""
    at = x(mark.at)
    centres = [top + ROW * row + (ROW - BAR) // 2 for row in mark.rows]
    anchor = "end" if at + text_width(mark.label, 10) + 4 > WIDTH - RIGHT else "start"
    parts = [
        f'<line x1="{n(at)}" y1="{baseline - 10}" x2="{n(at)}" y2="{max(centres)}" '
        f'stroke="{LINK}" stroke-width="1.5" stroke-dasharray="4 3"/>',
        text(at + (4 if anchor == "start" else -4), baseline, mark.label, 10, anchor, LINK, "600"),
    ]
    for y in centres:
        parts.append(
            f'<path d="M{n(at)},{y - 5} l5,5 l-5,5 l-5,-5 z" fill="{LINK}" '
            f'stroke="{PAPER}" stroke-width="1"/>'
        )
    return f"<g><title>{escape(mark.label)}</title>{''.join(parts)}</g>"
