"""A small self-contained SVG line chart (sweeps: one metric per scenario).

    svg = line_chart("tokyo: total shortfall", "coverage_threshold", ["1000", "1500"],
                     [Series("", [Decimal("4434"), Decimal("3534")])])

The x axis lists the values of the first varied name; each combination of the other
varied names is one line. Positions are computed with floats (drawing only); every number
printed in the chart is the exact decimal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 760, 440
LEFT, RIGHT, TOP, BOTTOM = 96, 24, 48, 72
COLOURS = ("#1f6fb2", "#d9622b", "#2f9e44", "#9c36b5", "#c92a2a", "#495057", "#0b7285", "#e8590c")
FONT = 'font-family="Helvetica, Arial, sans-serif"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | None]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (at least two)."""
    if high <= low:
        high = low + 1
    step = 10 ** math.floor(math.log10((high - low) / count))
    for factor in (1, 2, 5, 10):
        if (high - low) / (step * factor) <= count:
            step *= factor
            break
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - 1e-9 * step:
        ticks.append(ticks[-1] + step)
    return ticks


def label(value: float) -> str:
    """A tick label with thousands separators (ticks are round numbers)."""
    if abs(value) >= 1e6 and value == int(value):
        return f"{value:,.0f}"
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def line_chart(title: str, x_name: str, x_labels: Sequence[str], series: Sequence[Series]) -> str:
    """The chart as an SVG document."""
    numbers = [float(v) for s in series for v in s.values if v is not None]
    ticks = nice_ticks(min(numbers + [0.0]), max(numbers + [0.0]))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_at(index: int) -> float:
        return LEFT + plot_w * ((index + 0.5) / max(len(x_labels), 1))

    def y_at(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="28" {FONT} font-size="16" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in ticks:
        y = y_at(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dee2e6"/>'
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" {FONT} font-size="11" '
            f'text-anchor="end">{label(tick)}</text>'
        )
    for index, text in enumerate(x_labels):
        parts.append(
            f'<text x="{x_at(index):.1f}" y="{HEIGHT - BOTTOM + 18}" {FONT} '
            f'font-size="11" text-anchor="middle">{escape(text)}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - BOTTOM + 40}" {FONT} '
        f'font-size="12" text-anchor="middle">{escape(x_name)}</text>'
    )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#495057"/>')
    for number, line in enumerate(series):
        parts += _line(line, COLOURS[number % len(COLOURS)], x_at, y_at)
    parts += _legend(series)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _line(line: Series, colour: str, x_at: object, y_at: object) -> list[str]:
    from etsl.compiler.display import format_number

    assert callable(x_at) and callable(y_at)
    points = [(x_at(i), y_at(float(v)), v) for i, v in enumerate(line.values) if v is not None]
    parts = []
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for x, y, value in points:
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(format_number(value))}</title></circle>"
        )
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    named = [s for s in series if s.name]
    parts = []
    for number, line in enumerate(named):
        x = LEFT + 180 * (number % 3)
        y = HEIGHT - 14 - 16 * (number // 3)
        colour = COLOURS[series.index(line) % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}" {FONT} font-size="11">{escape(line.name)}</text>')
    return parts
