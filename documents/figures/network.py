"""The link network drawn on a circle: arrows where units flow, colours for pair verdicts.

>>> from etsl.linkage.network import analyse_network
>>> markup = network_svg(analyse_network([tokyo_cat, saitama_tset]))
>>> markup.count("<g><title>"), "tokyo_cat" in markup
(2, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from etsl.documents.figures.legend import Entry, legend
from etsl.documents.figures.palette import INK, MARKETS, MUTED, UNLINKED, VERDICT
from etsl.documents.figures.svg import standalone, svg, text, text_width
from etsl.documents.i18n import N_
from etsl.documents.i18n import gettext as _
from etsl.linkage.network import NetworkReport
from markupsafe import escape

NODE_RADIUS = 9
WIDTH = 900
#: The distance between the two lines of a label that is broken in two.
LINE = 14
#: What each verdict colour means, in the legend (`none`: a link no pair check judged, named
#: only when one is drawn).
VERDICT_WORDS = (
    ("blocked", N_("at least one blocker")),
    ("warnings", N_("linkable, with warnings")),
    ("compatible", N_("compatible")),
    ("none", N_("not checked as a pair")),
)

Point = tuple[float, float]


def _slots(components: Sequence[Sequence[str]], unlinked: Sequence[str]) -> list[str | None]:
    """The schemes in drawing order, each linked market starting a row (a gap, None, after
    a market of odd size), so that the two schemes of a pair face each other across it."""
    slots: list[str | None] = []
    for component in components:
        slots += component
        if len(slots) % 2:
            slots.append(None)
    return slots + list(unlinked)


def _layout(slots: Sequence[str | None], centre: Point, radius: Point) -> dict[str, Point]:
    """The schemes on an ellipse, two to a row, right then left, the rows evenly spaced from
    top to bottom: every label (written outward, away from the ellipse) has a line of its
    own, and a pair of linked schemes is joined by a level line across the middle."""
    names = [name for name in slots if name is not None]
    if len(names) <= 1:
        return dict.fromkeys(names, centre)
    rows = math.ceil(len(slots) / 2)
    pitch = 2 * radius[1] / rows
    at = {}
    for i, name in enumerate(slots):
        if name is None:
            continue
        dy = -radius[1] + pitch * (i // 2 + 0.5)
        dx = radius[0] * math.sqrt(max(0.0, 1 - (dy / radius[1]) ** 2))
        at[name] = (centre[0] + (dx if i % 2 == 0 else -dx), centre[1] + dy)
    return at


def _short(text: str, room: Decimal) -> str:
    """The text, cut with an ellipsis to fit `room` pixels at 12 px."""
    if text_width(text, 12) <= room:
        return text
    while text and text_width(text + "…", 12) > room:
        text = text[:-1]
    return text.rstrip() + "…"


#: Where a label may break onto its second line: after a space, `・`, `-` or `の`, before `（`.
_AFTER, _BEFORE = " ・-の", "（("


def _lines(label: str, room: Decimal) -> list[str]:
    """The label on at most two lines of `room` pixels at 12 px: broken where a word ends
    (after a space, `・`, `-` or `の`, before `（`) nearest the middle, else in the middle; what
    still does not fit ends with `…` (the full name is in the tooltip)."""
    if text_width(label, 12) <= room:
        return [label]

    def fits(cut: int) -> bool:
        return max(text_width(label[:cut], 12), text_width(label[cut:], 12)) <= room

    ends = [i for i in range(1, len(label)) if label[i - 1] in _AFTER or label[i] in _BEFORE]
    middle = len(label) // 2
    cuts = sorted((i for i in ends if fits(i)), key=lambda i: abs(i - middle))
    cut = cuts[0] if cuts else middle
    if not fits(cut):
        cut = max(i for i in range(1, len(label)) if text_width(label[:i], 12) <= room)
    return [label[:cut].rstrip(), _short(label[cut:].lstrip(), room)]


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
    slots = _slots(report.components, report.unlinked)
    names = [name for name in slots if name is not None]
    count = max(len(slots), 1)
    rows = math.ceil(count / 2)  # a label may take two lines: a row is 2.4 lines high
    radius = (min(160.0, 60 + 12 * count), max(min(190.0, 50 + 10 * count), 17.0 * rows))
    size = int(2 * radius[1] + 110)
    centre = (WIDTH / 2, radius[1] + 40)
    at = _layout(slots, centre, radius)
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
    drawn = {verdicts.get(frozenset((e.source, e.target)), "none") for e in report.edges}
    key, height = _legend(report, label, drawn, size)
    body.append(key)
    return standalone(svg(WIDTH, size + height, body, title))


def market_colour(index: int) -> str:
    """The fill of the `index`-th linked market's circles (the colours repeat)."""
    return MARKETS[index % len(MARKETS)]


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
    fill = market_colour(component) if component is not None else UNLINKED
    if abs(x - centre) < 1:  # a single scheme: its name below it
        anchor, dx, lines, top = "middle", 0, [_short(name, Decimal(WIDTH - 20))], y + 24
    else:
        anchor, dx = ("start", 14) if x > centre else ("end", -14)
        room = Decimal(f"{(WIDTH - 10 - x - dx) if dx > 0 else (x + dx - 10):.0f}")
        lines = _lines(name, room)
        top = y + 4 - LINE / 2 * (len(lines) - 1)
    labels = "".join(
        text(_at(x + dx), _at(top + LINE * i), line, 12, anchor) for i, line in enumerate(lines)
    )
    return (
        f"<g><title>{escape(name)}</title>"
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_RADIUS}" fill="{fill}" '
        f'stroke="{INK}" stroke-width="1"/>{labels}</g>'
    )


def _at(value: float) -> Decimal:
    """A float position (drawing only) as the decimal `text` expects."""
    return Decimal(f"{value:.1f}")


def _legend(
    report: NetworkReport, label: Callable[[str], str], drawn: set[str], top: int
) -> tuple[str, int]:
    """The key below the drawing: one entry per circle colour (each linked market, named by
    its schemes, and the open circle of a scheme linked with no other), one per verdict
    colour, then the notes; returns the markup and the height it takes."""
    join = _(", ")
    nodes = [
        Entry(
            _("linked market: {schemes}").format(schemes=join.join(map(label, c))),
            market_colour(i),
            circle=True,
        )
        for i, c in enumerate(report.components)
    ]
    if report.unlinked:
        nodes.append(Entry(_("linked with no other scheme"), UNLINKED, circle=True))
    lines = [
        Entry(_("Link: {verdict}").format(verdict=_(words)), VERDICT[key])
        for key, words in VERDICT_WORDS
        if key != "none" or key in drawn
    ]
    first, high = legend(nodes, 10, top - 30, WIDTH - 10)
    second, low = legend(lines, 10, top - 30 + high + (6 if nodes else 0), WIDTH - 10)
    bottom = top - 30 + high + (6 if nodes else 0) + low
    notes = (_("Arrows: where units flow. Dashed: declared by one side only."),)
    return first + second + "".join(
        text(10, bottom + 10 + 14 * i, note, 11, "start", MUTED) for i, note in enumerate(notes)
    ), bottom + 18 + 14 * len(notes) - top
