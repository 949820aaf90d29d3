"""Colours of every figure, and what each colour means.

Series colours are the Okabe–Ito set (safe for the common forms of colour blindness).
"""

from __future__ import annotations

from typing import Final

#: Series colours, used in order.
PALETTE: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
INK: Final = "#1d2733"
MUTED: Final = "#5b6b7c"
GRID: Final = "#d9e0e7"
PAPER: Final = "#ffffff"
EDGE: Final = "#8a99a8"


def series_colour(index: int) -> str:
    """The colour of the `index`-th series (the palette repeats)."""
    return PALETTE[index % len(PALETTE)]


#: Dependency-graph nodes: kind → (fill, stroke).
NODE_STYLE: Final = {
    "input": ("#e8f1fb", "#0072B2"),
    "param": ("#fdf3e1", "#b07400"),
    "table": ("#fdf3e1", "#b07400"),
    "runtime": ("#eef0f2", "#5b6b7c"),
    "rule": ("#e6f5ef", "#00795a"),
    "vocabulary": ("#1d3b58", "#1d3b58"),
}

#: Linked markets in the network figure, used in order: blues and purples only, so that no
#: market shares a hue with a verdict's red, amber, green or grey.
MARKETS: Final = ("#0072B2", "#CC79A7", "#56B4E9", "#6A3D9A", "#1F4E79", "#9E9AC8")
#: A scheme linked with no other: an open circle.
UNLINKED: Final = PAPER

#: Linkage verdicts: verdict → colour.
VERDICT: Final = {
    "blocked": "#c0392b",
    "warnings": "#b9770e",
    "compatible": "#1e8449",
    "none": "#7f8c8d",
}
