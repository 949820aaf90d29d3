"""Legends: one entry per series or colour, wrapped onto as many rows as they need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from etsl.documents.figures.palette import INK
from etsl.documents.figures.svg import n, text, text_width

ROW = 18


@dataclass(frozen=True, slots=True)
class Entry:
    """What a colour means: a label, the colour, whether its line is dashed, and whether
    its swatch is a circle (a node's colour) rather than a line."""

    label: str
    colour: str
    dashed: bool = False
    circle: bool = False


def legend(entries: Sequence[Entry], left: int, top: int, right: int) -> tuple[str, int]:
    """Line (or circle) swatches with their labels from (left, top), wrapping before `right`;
    returns the markup and the height used."""
    parts, x, y = [], Decimal(left), Decimal(top)
    for entry in entries:
        width = text_width(entry.label, 11) + 34
        if x + width > right and x > left:
            x, y = Decimal(left), y + ROW
        parts.append(_swatch(entry, x, y))
        parts.append(text(x + 24, y, entry.label, 11, "start", INK))
        x += width
    return "".join(parts), int(y - top) + 12 if entries else 0


def _swatch(entry: Entry, x: Decimal, y: Decimal) -> str:
    """The entry's colour at (x, y): a circle outlined in ink, or a line."""
    if entry.circle:
        return (
            f'<circle cx="{n(x + 9)}" cy="{n(y - 4)}" r="6" fill="{entry.colour}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
    dash = ' stroke-dasharray="5 3"' if entry.dashed else ""
    return f'<path d="M{n(x)},{n(y - 4)} h18" stroke="{entry.colour}" stroke-width="3"{dash}/>'
