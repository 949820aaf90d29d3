"""SVG primitives: coordinates, escaped text, the `<svg>` element, standalone files.

>>> n(Decimal("12.345")), n(7)
('12.3', '7')
>>> str(text(10, 20, "<b>"))
'<text x="10" y="20" font-size="12" text-anchor="start" fill="#1d2733" font-weight="normal">&lt;b&gt;</text>'
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from etsl.documents.figures.palette import INK
from markupsafe import Markup, escape

FONT = "font-family=\"-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif\""
_NAMESPACE = 'xmlns="http://www.w3.org/2000/svg"'


def n(value: Decimal | int) -> str:
    """A coordinate as SVG text: one decimal place, no exponent, no trailing zeros."""
    digits = f"{Decimal(value).quantize(Decimal('0.1')):f}"
    return digits.rstrip("0").rstrip(".") if "." in digits else digits


def text(
    x: Decimal | int,
    y: Decimal | int,
    content: str,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    """One `<text>` element; the content is escaped."""
    return (
        f'<text x="{n(x)}" y="{n(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(content)}</text>'
    )


def svg(width: int, height: Decimal | int, body: Iterable[str], label: str) -> Markup:
    """The `<svg>` element of an inline figure: scales to its container, labelled."""
    return Markup(
        f'<svg viewBox="0 0 {width} {n(height)}" '
        f'width="100%" role="img" aria-label="{escape(label)}" {FONT} '
        f'preserveAspectRatio="xMinYMin meet" class="figure-svg">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def standalone(markup: str) -> str:
    """An inline SVG as a file of its own: with its namespace declaration.

    >>> standalone('<svg viewBox="0 0 1 1"></svg>')
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>\\n'
    """
    plain = str(markup)
    if _NAMESPACE in plain:
        return plain.rstrip("\n") + "\n"
    return plain.replace("<svg ", f"<svg {_NAMESPACE} ", 1) + "\n"


def text_width(content: str, size: int = 12) -> Decimal:
    """A rough width of `content` in a proportional sans-serif font (wide characters, such
    as Japanese, count double)."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in content)
    return Decimal(units) * Decimal(size) * Decimal("0.58")
