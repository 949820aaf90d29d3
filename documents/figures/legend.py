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
    """What a colour means: a label, the colour, and whether its line is dashed."""

    label: str
    colour: str
    dashed: bool = False


def legend(entries: Sequence[Entry], left: int, top: int, right: int) -> tuple[str, int]:
    """Line swatches with their labels from (left, top), wrapping before `right`; returns
    the markup and the height used."""
    parts, x, y = [], Decimal(left), Decimal(top)
    for entry in entries:
        width = text_width(entry.label, 11) + 34
        if x + width > right and x > left:
            x, y = Decimal(left), y + ROW
        dash = ' stroke-dasharray="5 3"' if entry.dashed else ""
        parts.append(
            f'<path d="M{n(x)},{n(y - 4)} h18" stroke="{entry.colour}" stroke-width="3"{dash}/>'
        )
        parts.append(text(x + 24, y, entry.label, 11, "start", INK))
        x += width
    return "".join(parts), int(y - top) + 12 if entries else 0
