"""The rule dependency graph: layered left to right, values before the rules that use them.

>>> plan = layout([Node("a", "input"), Node("b", "rule")], [("a", "b")])
>>> plan.layers
(('a',), ('b',))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from etsl.documents.figures.palette import EDGE, INK, NODE_STYLE, PAPER
from etsl.documents.figures.svg import n, svg, text, text_width
from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the dependency graph: a name and its kind (input, param, rule, …)."""

    name: str
    kind: str
    default: bool = False
    label: str = ""  # what readers call it (the name when empty)

    @property
    def shown(self) -> str:
        return self.label or self.name


@dataclass(frozen=True, slots=True)
class Layout:
    """Layers of node names (virtual waypoints start with `~`) and each edge's route."""

    layers: tuple[tuple[str, ...], ...]
    routes: tuple[tuple[str, ...], ...]


def _depths(names: Sequence[str], parents: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path depth of every node (cycles, which the compiler rejects, are cut)."""
    depth: dict[str, int] = {}

    def level(name: str, trail: frozenset[str]) -> int:
        if name not in depth:
            ups = [p for p in parents[name] if p not in trail]
            depth[name] = 1 + max((level(p, trail | {name}) for p in ups), default=-1)
        return depth[name]

    for name in names:
        level(name, frozenset())
    return depth


def layout(nodes: Sequence[Node], edges: Sequence[tuple[str, str]]) -> Layout:
    """Longest-path layering with a waypoint in every layer a long edge crosses, ordered by
    barycentre sweeps (down, then up, twice) to keep crossings few."""
    names = [node.name for node in nodes]
    known = set(names)
    kept = [(s, t) for s, t in dict.fromkeys(edges) if s in known and t in known and s != t]
    parents: dict[str, list[str]] = {name: [] for name in names}
    for source, target in kept:
        parents[target].append(source)
    depth = _depths(names, parents)
    for name in names:  # inputs sit just before their first consumer: fewer long edges
        consumers = [depth[t] for s, t in kept if s == name]
        if not parents[name] and consumers:
            depth[name] = min(consumers) - 1
    grouped: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for name in names:
        grouped[depth[name]].append(name)
    routes = []
    for source, target in kept:
        route = [source]
        for layer in range(depth[source] + 1, depth[target]):
            waypoint = f"~{source}~{target}~{layer}"
            grouped[layer].append(waypoint)
            route.append(waypoint)
        routes.append((*route, target))
    _order(grouped, routes)
    return Layout(tuple(tuple(layer) for layer in grouped), tuple(routes))


def _order(grouped: list[list[str]], routes: Sequence[tuple[str, ...]]) -> None:
    ups: dict[str, list[str]] = {}
    downs: dict[str, list[str]] = {}
    for route in routes:
        for a, b in zip(route, route[1:], strict=False):
            ups.setdefault(b, []).append(a)
            downs.setdefault(a, []).append(b)
    position = {name: Decimal(i) for layer in grouped for i, name in enumerate(layer)}
    sweeps = [(grouped[1:], ups), (grouped[-2::-1], downs)] * 2
    for layers_in_order, neighbours in sweeps:
        for layer in layers_in_order:

            def centre(name: str, near: dict[str, list[str]] = neighbours) -> Decimal:
                found = [position[p] for p in near.get(name, ())]
                return sum(found, Decimal(0)) / len(found) if found else position[name]

            layer.sort(key=lambda name: (centre(name), name))
            for i, name in enumerate(layer):
                position[name] = Decimal(i)


def dependency_graph(
    nodes: Sequence[Node], edges: Sequence[tuple[str, str]], title: str = "Rule dependencies"
) -> Markup:
    """Layered left-to-right drawing of which values each rule uses."""
    if not nodes:
        return Markup("")
    kinds = {node.name: node for node in nodes}
    plan = layout(nodes, edges)
    column = [
        max(
            (text_width(kinds[name].shown, 11) for name in layer if not name.startswith("~")),
            default=Decimal(40),
        )
        + 22
        for layer in plan.layers
    ]
    gap, row, top = Decimal(48), Decimal(30), Decimal(10)
    xs, x = [], Decimal(10)
    for w in column:
        xs.append(x)
        x += w + gap
    tallest = max(len(layer) for layer in plan.layers)
    height = top * 2 + row * tallest
    place: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    for index, layer in enumerate(plan.layers):
        offset = top + (tallest - len(layer)) * row / 2
        for i, name in enumerate(layer):
            place[name] = (xs[index], offset + row * i, column[index])
    body = [_route([place[name] for name in route]) for route in plan.routes]
    body += [_node(kinds[name], *place[name]) for name in place if not name.startswith("~")]
    width = max(int(x - gap + 10), 200)
    return svg(width, height, body, title)


def _route(stops: Sequence[tuple[Decimal, Decimal, Decimal]]) -> str:
    """A smooth path from the first box's right edge through waypoints to the last box."""
    points = [(stops[0][0] + stops[0][2], stops[0][1] + 11)]
    for x, y, w in stops[1:-1]:
        points += [(x, y + 11), (x + w, y + 11)]
    points.append((stops[-1][0] - 4, stops[-1][1] + 11))
    d = f"M{n(points[0][0])},{n(points[0][1])}"
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        if y1 == y2:
            d += f" L{n(x2)},{n(y2)}"
        else:
            bend = (x2 - x1) / 2
            d += f" C{n(x1 + bend)},{n(y1)} {n(x2 - bend)},{n(y2)} {n(x2)},{n(y2)}"
    x2, y2 = stops[-1][0], stops[-1][1] + 11
    return (
        f'<path d="{d}" fill="none" stroke="{EDGE}" stroke-width="1.1" opacity="0.85"/>'
        f'<path d="M{n(x2 - 6)},{n(y2 - Decimal("3.5"))} L{n(x2)},{n(y2)} L{n(x2 - 6)},{n(y2 + Decimal("3.5"))} z" '
        f'fill="{EDGE}"/>'
    )


def _node(node: Node, x: Decimal, y: Decimal, width: Decimal) -> str:
    fill, stroke = NODE_STYLE.get(node.kind, NODE_STYLE["rule"])
    ink = PAPER if node.kind == "vocabulary" else INK
    dash = ' stroke-dasharray="4 3"' if node.default else ""
    return (
        f"<g><title>{escape(node.shown)} ({escape(node.name)})</title>"
        f'<rect x="{n(x)}" y="{n(y)}" width="{n(width)}" height="22" rx="11" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="1.2"{dash}/>'
        + text(x + width / 2, y + 15, node.shown, 11, "middle", ink, "500")
        + "</g>"
    )


def graph_legend() -> list[tuple[str, str, str]]:
    """(kind, fill, stroke) for the legend under the graph."""
    return [(kind, fill, stroke) for kind, (fill, stroke) in NODE_STYLE.items() if kind != "table"]
