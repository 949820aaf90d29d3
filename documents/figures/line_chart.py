"""Line charts: values over years (scheme pages) or over named values (sweeps).

    >>> chart = Chart("Cap", (Series("cap", ((Decimal(2021), Decimal(100)),
    ...                                      (Decimal(2022), Decimal(90)))),), "t CO₂e")
    >>> str(line_chart(chart))[:44]
    '<svg viewBox="0 0 760 322" width="100%" role'

With `labels`, x values are positions 0, 1, 2, … and each position is labelled with its
text (a sweep's varied values); without, x values are years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from etsl.documents.figures.legend import Entry, legend
from etsl.documents.figures.palette import GRID, MUTED, series_colour
from etsl.documents.figures.scales import Scale, short_number, ticks, year_ticks
from etsl.documents.figures.svg import n, standalone, svg, text, text_width
from markupsafe import Markup, escape

WIDTH, HEIGHT, LEFT, RIGHT, TOP = 760, 310, 78, 20, 30
#: Extra room for a heading inside the figure, an x-axis title, named x values' margin.
HEADING, X_TITLE, LABEL_MARGIN = 24, 22, 24


@dataclass(frozen=True, slots=True)
class Series:
    """One line: a label and points (x = year or position, y = value)."""

    label: str
    points: tuple[tuple[Decimal, Decimal], ...]
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """A line chart: title, lines, the value unit, and (for named x values) their labels."""

    title: str
    series: tuple[Series, ...]
    unit: str = ""
    percent: bool = False
    notes: tuple[str, ...] = field(default=())
    labels: tuple[str, ...] = ()
    x_title: str = ""
    heading: bool = False


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where the plot sits: its scales and the vertical positions around it."""

    x: Scale
    y: Scale
    top: int
    bottom: int
    legend_top: int


def _frame(chart: Chart, y_ticks: list[Decimal]) -> _Frame:
    offset = HEADING if chart.heading else 0
    top, bottom = TOP + offset, HEIGHT - 40 + offset
    if chart.labels:
        low, high = Decimal(0), Decimal(len(chart.labels) - 1)
        widest = max(text_width(label, 11) for label in chart.labels)
        margin = max(LABEL_MARGIN, int(widest / 2) + 4)
    else:
        xs = [p[0] for s in chart.series for p in s.points]
        low, high, margin = min(xs), max(xs), 0
    x = Scale(low, high, Decimal(LEFT + margin), Decimal(WIDTH - RIGHT - margin))
    y = Scale(y_ticks[0], y_ticks[-1], Decimal(bottom), Decimal(top))
    legend_top = HEIGHT + offset + (X_TITLE if chart.x_title else 0)
    return _Frame(x, y, top, bottom, legend_top)


def line_chart(chart: Chart) -> Markup:
    """Lines over an x axis with a value axis, grid and legend."""
    ys = [p[1] for s in chart.series for p in s.points]
    if not ys and not chart.labels:
        return Markup("")
    ys = ys or [Decimal(0)]
    y_ticks = ticks(min(min(ys), Decimal(0)), max(ys) if max(ys) > 0 else Decimal(1))
    frame = _frame(chart, y_ticks)
    body = [_value_grid(frame, y_ticks, chart.percent), _x_axis(chart, frame)]
    body += [_polyline(s, frame, series_colour(i)) for i, s in enumerate(chart.series)]
    entries = [
        Entry(s.label, series_colour(i), s.dashed) for i, s in enumerate(chart.series) if s.label
    ]
    key, key_height = legend(entries, LEFT, frame.legend_top, WIDTH - 10)
    body.append(key)
    if chart.heading:
        body.append(text(LEFT, 26, chart.title, 16, "start", weight="bold"))
    if chart.unit:
        body.append(text(LEFT - 70, frame.top - 16, chart.unit, 11, "start", MUTED, "600"))
    return svg(WIDTH, frame.legend_top + key_height, body, chart.title)


def _value_grid(frame: _Frame, values: list[Decimal], percent: bool) -> str:
    parts = []
    for value in values:
        at = frame.y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{n(at)}" x2="{WIDTH - RIGHT}" y2="{n(at)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(text(LEFT - 8, at + 4, short_number(value, percent), 11, "end", MUTED))
    return "".join(parts)


def _x_axis(chart: Chart, frame: _Frame) -> str:
    low, high = frame.x.low, frame.x.high
    bottom = frame.bottom
    parts = [
        f'<line x1="{n(frame.x(low) if not chart.labels else LEFT)}" y1="{bottom}" '
        f'x2="{n(frame.x(high) if not chart.labels else WIDTH - RIGHT)}" y2="{bottom}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    ]
    marks = (
        [(Decimal(i), label) for i, label in enumerate(chart.labels)]
        if chart.labels
        else [(year, str(int(year))) for year in year_ticks(low, high, 8)]
    )
    for at, label in marks:
        parts.append(
            f'<line x1="{n(frame.x(at))}" y1="{bottom}" x2="{n(frame.x(at))}" '
            f'y2="{bottom + 4}" stroke="{MUTED}"/>'
        )
        parts.append(text(frame.x(at), bottom + 18, label, 11, "middle", MUTED))
    if chart.x_title:
        middle = (LEFT + WIDTH - RIGHT) // 2
        parts.append(text(middle, bottom + 40, chart.x_title, 12, "middle", MUTED, "600"))
    return "".join(parts)


def _polyline(series: Series, frame: _Frame, colour: str) -> str:
    at = [(frame.x(px), frame.y(py)) for px, py in series.points]
    coords = " ".join(f"{n(x)},{n(y)}" for x, y in at)
    dash = ' stroke-dasharray="6 4"' if series.dashed else ""
    dots = (
        "".join(f'<circle cx="{n(x)}" cy="{n(y)}" r="2.6" fill="{colour}"/>' for x, y in at)
        if len(at) < 40
        else ""
    )
    return (
        f'<g><title>{escape(series.label)}</title><polyline points="{coords}" fill="none" '
        f'stroke="{colour}" stroke-width="2.2" stroke-linejoin="round"{dash}/>{dots}</g>'
    )


def values_chart(
    title: str,
    x_title: str,
    labels: Sequence[str],
    lines: Sequence[tuple[str, Sequence[Decimal | None]]],
) -> str:
    """A chart file of values over named x values (a sweep: one line per combination of
    the other varied names; a missing value leaves its point out).

    >>> svg = values_chart("t", "threshold", ["1000", "1500"], [("", [Decimal(4), None])])
    >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.count("<circle")
    (True, 1)
    """
    series = tuple(
        Series(label, tuple((Decimal(i), v) for i, v in enumerate(values) if v is not None))
        for label, values in lines
    )
    chart = Chart(title, series, labels=tuple(labels), x_title=x_title, heading=True)
    return standalone(line_chart(chart))
