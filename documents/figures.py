"""Inline SVG figures for the documentation: period timeline, rule graph and value paths.

`figures(model, lex)` picks the figures a scheme gives data for; the drawing functions
(`timeline`, `dependency_graph`, `line_chart`) know nothing about schemes.

    >>> timeline([Span("first", "FY2010–FY2014", Decimal(2010.25), Decimal(2015.25))])
    Markup('<svg ...')

Every figure is a string of SVG markup built from exact decimals (coordinates are rounded
to one decimal place when written); every text is escaped. No scripts, no external
references: the markup is safe to inline in a page and prints as vector graphics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from etsl.compiler.enums import PRICE_CONTROLS
from etsl.compiler.model import PeriodModel, SchemeModel, TableModel
from etsl.compiler.units import UnknownUnit, parse_unit
from etsl.documents.prose import Lexicon, humanize, literal_words, unit_words
from markupsafe import Markup, escape

#: Series colours (colour-blind safe, Okabe–Ito), used in order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
INK, MUTED, GRID, PAPER = "#1d2733", "#5b6b7c", "#d9e0e7", "#ffffff"
FONT = "font-family=\"-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif\""


def n(value: Decimal | int) -> str:
    """A coordinate as SVG text: one decimal place, no exponent, no trailing zeros."""
    text = f"{Decimal(value).quantize(Decimal('0.1')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(
    x: Decimal | int,
    y: Decimal | int,
    content: str,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{n(x)}" y="{n(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(content)}</text>'
    )


def _svg(width: int, height: Decimal | int, body: Iterable[str], label: str) -> Markup:
    return Markup(
        f'<svg viewBox="0 0 {width} {n(height)}" '
        f'width="100%" role="img" aria-label="{escape(label)}" {FONT} '
        f'preserveAspectRatio="xMinYMin meet" class="figure-svg">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def text_width(content: str, size: int = 12) -> Decimal:
    """A rough width of `content` in a proportional sans-serif font."""
    return Decimal(len(content)) * Decimal(size) * Decimal("0.58")


# ---- scales -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scale:
    """A linear map from a data interval onto a pixel interval."""

    low: Decimal
    high: Decimal
    start: Decimal
    end: Decimal

    def __call__(self, value: Decimal) -> Decimal:
        if self.high == self.low:
            return (self.start + self.end) / 2
        return self.start + (value - self.low) * (self.end - self.start) / (self.high - self.low)


def nice_step(span: Decimal, ticks: int = 5) -> Decimal:
    """A round tick step (1, 2 or 5 × 10ⁿ) giving about `ticks` ticks over `span`."""
    if span <= 0:
        return Decimal(1)
    raw = span / ticks
    power = Decimal(10) ** (raw.adjusted())
    for multiple in (1, 2, 5, 10):
        if power * multiple >= raw:
            return power * multiple
    return power * 10


def ticks(low: Decimal, high: Decimal, count: int = 5) -> list[Decimal]:
    """Round tick values covering [low, high]."""
    step = nice_step(high - low, count)
    first = (low / step).to_integral_value(ROUND_FLOOR) * step
    last = (high / step).to_integral_value(ROUND_CEILING) * step
    values, value = [], first
    while value <= last + step / 1000:
        values.append(value)
        value += step
    return values


def short_number(value: Decimal, percent: bool = False) -> str:
    """An axis label: 1571583007 → `1.57 bn`, 0.08 (percent) → `8 %`."""
    if percent:
        return f"{_trim(value * 100)} %"
    for size, suffix in (
        (Decimal(10) ** 9, " bn"),
        (Decimal(10) ** 6, " M"),
        (Decimal(10) ** 3, " k"),
    ):
        if abs(value) >= size:
            return f"{_trim((value / size).quantize(Decimal('0.01')))}{suffix}"
    return _trim(value.quantize(Decimal("0.01")))


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---- timeline ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One period on the timeline: name, label, and start/end as fractional years."""

    name: str
    label: str
    start: Decimal
    end: Decimal


def timeline(bars: Sequence[Bar], title: str = "Periods") -> Markup:
    """A Gantt-style chart: one row per period over a year axis."""
    if not bars:
        return Markup("")
    width, left, right, row = 760, 150, 24, 30
    low = min(b.start for b in bars).to_integral_value(ROUND_FLOOR)
    high = max(b.end for b in bars).to_integral_value(ROUND_CEILING)
    x = Scale(low, high, Decimal(left), Decimal(width - right))
    top = 12
    height = top + row * len(bars) + 34
    body = [_year_axis(x, low, high, top, top + row * len(bars))]
    for index, bar in enumerate(bars):
        y = top + row * index
        colour = PALETTE[index % len(PALETTE)]
        body.append(_text(left - 10, y + 19, bar.name, 12, "end", INK, "600"))
        body.append(
            f'<rect x="{n(x(bar.start))}" y="{n(y + 6)}" '
            f'width="{n(max(x(bar.end) - x(bar.start), Decimal(2)))}" height="18" rx="3" '
            f'fill="{colour}" fill-opacity="0.85"><title>{escape(bar.label)}</title></rect>'
        )
        body.append(_bar_label(bar, x, y + 19, Decimal(width), Decimal(left)))
    return _svg(width, height, body, title)


def _bar_label(bar: Bar, x: Scale, baseline: int, width: Decimal, left: Decimal) -> str:
    """The label inside the bar if it fits, else after it, else before it (never over the
    row names); a shorter label is tried next, and none is drawn when nothing fits (the
    period table below the figure has every label)."""
    for label in dict.fromkeys((bar.label, bar.label.split(" · ")[0])):
        size = text_width(label, 11)
        if x(bar.end) - x(bar.start) > size + 10:
            return _text(x(bar.start) + 6, baseline, label, 11, "start", PAPER, "600")
        if x(bar.end) + size + 8 <= width:
            return _text(x(bar.end) + 6, baseline, label, 11, "start", MUTED)
        if x(bar.start) - size - 8 >= left:
            return _text(x(bar.start) - 6, baseline, label, 11, "end", MUTED)
    return ""


def _year_axis(x: Scale, low: Decimal, high: Decimal, top: int, bottom: int) -> str:
    span = high - low
    step = max(Decimal(1), nice_step(span, 10))
    parts = []
    year = low
    while year <= high:
        parts.append(
            f'<line x1="{n(x(year))}" y1="{top}" x2="{n(x(year))}" y2="{bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(x(year), bottom + 18, str(int(year)), 11, "middle", MUTED))
        year += step
    return "".join(parts)


# ---- line charts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Series:
    """One line: a label and points (x = year, y = value in base units)."""

    label: str
    points: tuple[tuple[Decimal, Decimal], ...]
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """A line chart over years."""

    title: str
    series: tuple[Series, ...]
    unit: str = ""
    percent: bool = False
    notes: tuple[str, ...] = field(default=())


def line_chart(chart: Chart) -> Markup:
    """Lines over a year axis with a value axis, grid and legend."""
    points = [p for s in chart.series for p in s.points]
    if not points:
        return Markup("")
    width, height, left, right, top = 760, 310, 78, 20, 30
    bottom = height - 40
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    y_ticks = ticks(min(min(ys), Decimal(0)), max(ys) if max(ys) > 0 else Decimal(1))
    x = Scale(min(xs), max(xs), Decimal(left), Decimal(width - right))
    y = Scale(y_ticks[0], y_ticks[-1], Decimal(bottom), Decimal(top))
    body = [
        _value_grid(y, y_ticks, left, width - right, chart.percent),
        _x_ticks(x, min(xs), max(xs), bottom),
    ]
    for index, series in enumerate(chart.series):
        body.append(_polyline(series, x, y, PALETTE[index % len(PALETTE)]))
    legend, legend_height = _legend(chart.series, left, height)
    body.append(legend)
    if chart.unit:
        body.append(_text(left - 70, 14, chart.unit, 11, "start", MUTED, "600"))
    return _svg(width, height + legend_height, body, chart.title)


def _value_grid(y: Scale, values: list[Decimal], left: int, right: int, percent: bool) -> str:
    parts = []
    for value in values:
        parts.append(
            f'<line x1="{left}" y1="{n(y(value))}" x2="{right}" y2="{n(y(value))}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 8, y(value) + 4, short_number(value, percent), 11, "end", MUTED))
    return "".join(parts)


def _x_ticks(x: Scale, low: Decimal, high: Decimal, bottom: int) -> str:
    step = max(Decimal(1), nice_step(high - low, 8))
    parts = [
        f'<line x1="{n(x(low))}" y1="{bottom}" x2="{n(x(high))}" y2="{bottom}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    ]
    year = low.to_integral_value(ROUND_CEILING)
    while year <= high:
        parts.append(
            f'<line x1="{n(x(year))}" y1="{bottom}" x2="{n(x(year))}" '
            f'y2="{bottom + 4}" stroke="{MUTED}"/>'
        )
        parts.append(_text(x(year), bottom + 18, str(int(year)), 11, "middle", MUTED))
        year += step
    return "".join(parts)


def _polyline(series: Series, x: Scale, y: Scale, colour: str) -> str:
    coords = " ".join(f"{n(x(px))},{n(y(py))}" for px, py in series.points)
    dash = ' stroke-dasharray="6 4"' if series.dashed else ""
    dots = (
        "".join(
            f'<circle cx="{n(x(px))}" cy="{n(y(py))}" r="2.6" fill="{colour}"/>'
            for px, py in series.points
        )
        if len(series.points) < 40
        else ""
    )
    return (
        f'<g><title>{escape(series.label)}</title><polyline points="{coords}" fill="none" '
        f'stroke="{colour}" stroke-width="2.2" stroke-linejoin="round"{dash}/>{dots}</g>'
    )


def _legend(series: Sequence[Series], left: int, top: int) -> tuple[str, int]:
    parts, x, y = [], Decimal(left), Decimal(top)
    for index, item in enumerate(series):
        w = text_width(item.label, 11) + 34
        if x + w > 750 and x > left:
            x, y = Decimal(left), y + 18
        colour = PALETTE[index % len(PALETTE)]
        dash = ' stroke-dasharray="5 3"' if item.dashed else ""
        parts.append(
            f'<line x1="{n(x)}" y1="{n(y - 4)}" x2="{n(x + 18)}" y2="{n(y - 4)}" '
            f'stroke="{colour}" stroke-width="3"{dash}/>'
        )
        parts.append(_text(x + 24, y, item.label, 11, "start", INK))
        x += w
    return "".join(parts), int(y - top) + 12


# ---- rule dependency graph ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the dependency graph: a name and its kind (input, param, rule, …)."""

    name: str
    kind: str
    default: bool = False


_NODE_STYLE = {
    "input": ("#e8f1fb", "#0072B2"),
    "param": ("#fdf3e1", "#b07400"),
    "table": ("#fdf3e1", "#b07400"),
    "runtime": ("#eef0f2", "#5b6b7c"),
    "rule": ("#e6f5ef", "#00795a"),
    "vocabulary": ("#1d3b58", "#1d3b58"),
}


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
            (text_width(name, 11) for name in layer if not name.startswith("~")),
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
    return _svg(width, height, body, title)


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
        f'<path d="{d}" fill="none" stroke="#8a99a8" stroke-width="1.1" opacity="0.85"/>'
        f'<path d="M{n(x2 - 6)},{n(y2 - Decimal("3.5"))} L{n(x2)},{n(y2)} L{n(x2 - 6)},{n(y2 + Decimal("3.5"))} z" '
        f'fill="#8a99a8"/>'
    )


def _node(node: Node, x: Decimal, y: Decimal, width: Decimal) -> str:
    fill, stroke = _NODE_STYLE.get(node.kind, _NODE_STYLE["rule"])
    ink = PAPER if node.kind == "vocabulary" else INK
    dash = ' stroke-dasharray="4 3"' if node.default else ""
    return (
        f"<g><title>{escape(node.kind)}: {escape(node.name)}</title>"
        f'<rect x="{n(x)}" y="{n(y)}" width="{n(width)}" height="22" rx="11" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="1.2"{dash}/>'
        + _text(x + width / 2, y + 15, node.name, 11, "middle", ink, "500")
        + "</g>"
    )


def graph_legend() -> list[tuple[str, str, str]]:
    """(kind, fill, stroke) for the legend under the graph."""
    return [(kind, fill, stroke) for kind, (fill, stroke) in _NODE_STYLE.items() if kind != "table"]


# ---- figures from a scheme model ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    title: str
    svg: Markup
    caption: str = ""
    data: tuple[tuple[str, ...], ...] = ()


def fraction_year(iso: str, end: bool = False) -> Decimal:
    """A date as a fractional year; `end` dates count to the end of their day."""
    day = date.fromisoformat(iso)
    first = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - first).days
    offset = (day - first).days + (1 if end else 0)
    return Decimal(day.year) + Decimal(offset) / Decimal(length)


def period_bounds(p: PeriodModel) -> tuple[Decimal, Decimal] | None:
    if p.start_date and p.end_date:
        return fraction_year(p.start_date), fraction_year(p.end_date, end=True)
    return None


def figures(model: SchemeModel, lex: Lexicon) -> tuple[Figure, ...]:
    """Every figure the scheme gives data for."""
    out = [f for f in (_timeline(model), _graph(model, lex)) if f is not None]
    out += _table_charts(model)
    out += _cap_charts(model)
    out += _price_charts(model, lex)
    return tuple(out)


def _timeline(model: SchemeModel) -> Figure | None:
    bars = []
    for p in model.periods:
        bounds = period_bounds(p)
        if bounds is not None:
            span = p.start if p.start == p.end else f"{p.start}–{p.end}"
            bars.append(Bar(p.name, f"{span} · {p.label}" if p.label else span, *bounds))
    if not bars:
        return None
    return Figure(
        "timeline",
        "Period timeline",
        timeline(bars, "Period timeline"),
        "Compliance periods and phases on a calendar axis.",
    )


def _graph(model: SchemeModel, lex: Lexicon) -> Figure | None:
    if not model.rules:
        return None
    nodes: dict[str, Node] = {}
    edges: list[tuple[str, str]] = []
    for rule in model.rules:
        for dep in rule.depends_on:
            term = lex.terms.get(dep)
            kind = term.kind if term is not None and term.kind != "rule" else "rule"
            if model.rule(dep) is None:
                nodes.setdefault(dep, Node(dep, kind))
            edges.append((dep, rule.name))
    for rule in model.rules:
        nodes[rule.name] = Node(
            rule.name, "vocabulary" if rule.vocabulary else "rule", rule.default
        )
    return Figure(
        "graph",
        "Rule dependencies",
        dependency_graph(list(nodes.values()), edges, "Rule dependencies"),
        "Each arrow points from a value to a rule that uses it. Dashed outlines mark "
        "default rules the scheme did not write.",
    )


def _cell_value(text: str) -> tuple[Decimal, str] | None:
    match = re.fullmatch(r"(-?\d[\d_]*(?:\.\d+)?)\s*(\S+)?", text.strip())
    if not match:
        return None
    return Decimal(match.group(1).replace("_", "")), match.group(2) or ""


def _table_series(t: TableModel, periods: Sequence[PeriodModel]) -> list[Series] | None:
    """One step line per row of a period table (cells in their written unit)."""
    if "period" not in t.dims:
        return None
    other = [d for d in t.dims if d != "period"]
    groups: dict[str, dict[str, tuple[Decimal, str]]] = {}
    for key, text in t.entries.items():
        parts = key.split("/")
        value = _cell_value(text)
        if value is None:
            return None
        by = dict(zip(t.dims, parts, strict=False))
        groups.setdefault(by[other[0]] if other else t.name, {})[by["period"]] = value
    series = []
    for label, cells in groups.items():
        points: list[tuple[Decimal, Decimal]] = []
        for p in periods:
            bounds = period_bounds(p)
            found = cells.get(p.name) or cells.get("*")
            if bounds is not None and found is not None:
                points += [(bounds[0], found[0]), (bounds[1], found[0])]
        if points:
            series.append(Series(humanize(label), tuple(points)))
    return series


def _table_charts(model: SchemeModel) -> list[Figure]:
    out = []
    for t in model.tables:
        series = _table_series(t, model.periods)
        if not series:
            continue
        units = {value[1] for v in t.entries.values() if (value := _cell_value(v))}
        unit = units.pop() if len(units) == 1 else t.unit
        percent = unit == "%"
        if percent:
            series = [Series(s.label, tuple((x, y / 100) for x, y in s.points)) for s in series]
        chart = Chart(
            f"{humanize(t.name).capitalize()} by period",
            tuple(series),
            "" if percent else unit_words(unit),
            percent,
        )
        data = tuple(
            (s.label, *(short_number(y, percent) for _, y in s.points[::2])) for s in series
        )
        out.append(
            Figure(f"table-{t.name}", chart.title, line_chart(chart), t.description or "", data)
        )
    return out


def _cap_charts(model: SchemeModel) -> list[Figure]:
    """Caps given as parameters per year (`cap_2021`, …), in their written unit."""
    points = []
    unit = ""
    for p in model.params:
        match = re.fullmatch(r"cap_(\d{4})", p.name)
        value = _cell_value(p.formula.text)
        if match and value is not None and p.formula.unit.startswith("tCO2e"):
            points.append((Decimal(match.group(1)), value[0]))
            unit = value[1]
    if len(points) < 2:
        return []
    chart = Chart("Cap trajectory", (Series("cap", tuple(sorted(points))),), unit_words(unit))
    return [
        Figure(
            "cap",
            "Cap trajectory",
            line_chart(chart),
            "Annual caps the scheme states as parameters.",
            tuple((str(int(x)), literal_words(f"{y} {unit}")) for x, y in sorted(points)),
        )
    ]


def _is_money(unit: str) -> bool:
    try:
        dims = parse_unit(unit).dims
    except UnknownUnit:
        return False
    return any(name.startswith("currency_") for name, power in dims if power > 0)


def _price_charts(model: SchemeModel, lex: Lexicon) -> list[Figure]:
    """Price controls with a start year, compounded yearly at their `rising` rate."""
    horizon = max((int(p.end_date[:4]) for p in model.periods if p.end_date), default=0)
    groups: dict[str, list[Series]] = {}
    for p in model.price_controls:
        value = _cell_value(p.value.text)
        if value is None or p.from_year is None or not _is_money(value[1]):
            continue
        rate = Decimal(p.rising.constant) if p.rising and p.rising.constant else Decimal(0)
        last = max(horizon, p.from_year + 5)
        points = tuple(
            (Decimal(year), value[0] * (1 + rate) ** (year - p.from_year))
            for year in range(p.from_year, last + 1)
        )
        label = PRICE_CONTROLS.words(p.name) + (
            f" (+{literal_words(p.rising.text)} a year"
            f"{', before ' + p.rising_plus.upper() if p.rising_plus else ''})"
            if p.rising
            else ""
        )
        groups.setdefault(value[1], []).append(Series(label, points, dashed=p.name == "floor"))
    out = []
    for unit, series in groups.items():
        chart = Chart("Price-control paths", tuple(series), unit_words(unit))
        out.append(
            Figure(
                f"prices-{unit}",
                "Price-control paths",
                line_chart(chart),
                "Paths compounded yearly from the start year; inflation "
                "adjustments (CPI) are not included.",
            )
        )
    return out
