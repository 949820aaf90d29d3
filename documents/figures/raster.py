"""Charts as PNG images: a standalone SVG rasterised by resvg (the `resvg-py` binding).

    png(standalone(line_chart(chart)))      # bytes of a PNG twice the SVG's viewBox size

resvg renders SVG without a browser or system libraries (a self-contained wheel), so a PNG
is the same on every machine that has the same fonts. The image is drawn at twice the
viewBox's size, for sharp lines on high-density screens and in slides, on white (a chart on
a transparent background disappears on a dark page).
"""

from __future__ import annotations

ZOOM = 2  # pixels per SVG user unit


def png(svg_text: str, zoom: int = ZOOM) -> bytes:
    """The SVG as PNG bytes (a ValueError when the SVG cannot be read)."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=svg_text, zoom=zoom, background="white"))
