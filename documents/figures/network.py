"""The link network drawn on a circle: arrows where units flow, colours for pair verdicts.

>>> from etsl.linkage.network import analyse_network
>>> markup = network_svg(analyse_network([tokyo_cat, saitama_tset]))
>>> markup.count("<circle"), "tokyo_cat" in markup
(2, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from etsl.documents.figures.legend import Entry, legend
from etsl.documents.figures.palette import INK, MUTED, VERDICT, series_colour
from etsl.documents.figures.svg import standalone, svg, text, text_width
from etsl.documents.i18n import N_
from etsl.documents.i18n import gettext as _
from etsl.linkage.network import NetworkReport
from markupsafe import escape

NODE_RADIUS = 9
WIDTH = 900
#: Pixels a scheme's label may take beside its node (the full name is in the tooltip).
LABEL_ROOM = 215
UNLINKED = "#bdc3c7"
#: What each verdict colour means, in the legend.
VERDICT_WORDS = (
    ("blocked", N_("at least one blocker")),
    ("warnings", N_("linkable, with warnings")),
    ("compatible", N_("compatible")),
)

Point = tuple[float, float]


def _layout(names: Sequence[str], centre: Point, radius: Point) -> dict[str, Point]:
    """The schemes on an ellipse, the first at the top, clockwise."""
    if len(names) == 1:
        return {names[0]: centre}
    step = 2 * math.pi / max(len(names), 1)
    return {
        name: (
            centre[0] + radius[0] * math.cos(i * step - math.pi / 2),
            centre[1] + radius[1] * math.sin(i * step - math.pi / 2),
        )
        for i, name in enumerate(names)
    }


def _short(text: str, room: int = LABEL_ROOM) -> str:
    """The label, cut with an ellipsis to fit `room` pixels at 12 px (wide characters,
    such as Japanese, count double)."""
    if text_width(text, 12) <= room:
        return text
    while text and text_width(text + "…", 12) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _shorten(p: Point, q: Point) -> tuple[float, ...]:
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = math.hypot(dx, dy) or 1.0
    gap = (NODE_RADIUS + 3) / length
    return (p[0] + dx * gap, p[1] + dy * gap, q[0] - dx * gap, q[1] - dy * gap)


def network_svg(
    report: NetworkReport,
    label: Callable[[str], str] = lambda name: name,
    title: str = "",
) -> str:
    """The network as a standalone SVG; `label` names each scheme for readers."""
    title = title or _("Link network")
    names = [name for c in report.components for name in c] + list(report.unlinked)
    count = max(len(names), 1)
    radius = (min(230.0, 60 + 12 * count), min(190.0, 50 + 10 * count))
    size = int(2 * radius[1] + 110)
    centre = (WIDTH / 2, radius[1] + 40)
    at = _layout(names, centre, radius)
    verdicts = {frozenset((p.a.name, p.b.name)): p.verdict for p in report.pairs}
    one_sided = {frozenset(i.schemes) for i in report.reciprocity if i.code == "link-one-sided"}
    directed = {(e.source, e.target) for e in report.edges}
    body = [_markers()]
    for pair in sorted({frozenset((e.source, e.target)) for e in report.edges}, key=sorted):
        u, v = sorted(pair)
        verdict = verdicts.get(pair, "none")
        body.append(
            _edge(at[u], at[v], verdict, (u, v) in directed, (v, u) in directed, pair in one_sided)
        )
    component_of = {name: i for i, c in enumerate(report.components) for name in c}
    body += [_node(label(name), at[name], centre[0], component_of.get(name)) for name in names]
    body.append(_legend(size))
    return standalone(svg(WIDTH, size + 24, body, title))


def _markers() -> str:
    defs = "".join(
        f'<marker id="arrow-{key}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" '
        f'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for key, colour in VERDICT.items()
    )
    return f"<defs>{defs}</defs>"


def _edge(p: Point, q: Point, verdict: str, forward: bool, backward: bool, dashed: bool) -> str:
    x1, y1, x2, y2 = _shorten(p, q)
    marks = (f' marker-end="url(#arrow-{verdict})"' if forward else "") + (
        f' marker-start="url(#arrow-{verdict})"' if backward else ""
    )
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{VERDICT[verdict]}" stroke-width="2.5"{dash}{marks}/>'
    )


def _node(name: str, at: Point, centre: float, component: int | None) -> str:
    x, y = at
    fill = series_colour(component) if component is not None else UNLINKED
    anchor = "middle" if abs(x - centre) < 1 else ("start" if x > centre else "end")
    dx = 0 if anchor == "middle" else (14 if anchor == "start" else -14)
    dy = -16 if y < centre and anchor == "middle" else (24 if anchor == "middle" else 5)
    return (
        f"<g><title>{escape(name)}</title>"
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_RADIUS}" fill="{fill}" '
        f'stroke="{INK}" stroke-width="1"/>'
        + text(_at(x + dx), _at(y + dy), _short(name), 12, anchor)
        + "</g>"
    )


def _at(value: float) -> Decimal:
    """A float position (drawing only) as the decimal `text` expects."""
    return Decimal(f"{value:.1f}")


def _legend(size: int) -> str:
    entries = [Entry(_(words), VERDICT[key]) for key, words in VERDICT_WORDS]
    key, _height = legend(entries, 10, size - 30, WIDTH - 10)
    note = text(
        10,
        size + 16,
        _("Arrows: where units flow. Dashed: declared by one side only."),
        11,
        "start",
        MUTED,
    )
    return key + note
