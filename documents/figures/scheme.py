"""The figures a scheme model gives data for: timeline, rule graph, tables by period, cap
trajectory and price-control paths.

    >>> from etsl.documents.prose import lexicon
    >>> [f.key for f in figures(tokyo_cat, lexicon(tokyo_cat))][:2]
    ['timeline', 'graph']

The drawing functions (`timeline`, `dependency_graph`, `line_chart`) know nothing about
schemes; this module picks what to draw and labels it for readers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from etsl.compiler.enums import PRICE_CONTROLS
from etsl.compiler.model import PeriodModel, SchemeModel, TableModel
from etsl.compiler.units import UnknownUnit, parse_unit
from etsl.documents.figures.graph import Node, dependency_graph
from etsl.documents.figures.line_chart import Chart, Series, line_chart
from etsl.documents.figures.scales import short_number
from etsl.documents.figures.timeline import WIDTH, Bar, timeline
from etsl.documents.i18n import gettext as _
from etsl.documents.prose import Lexicon
from etsl.documents.wording import label, literal_words, span_words, unit_words, vocab_words
from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class YearPath:
    """A system value computed year by year from the scheme's system level, in the unit it
    is written in. Documents never evaluate: etsl computes these and passes them in."""

    name: str
    unit: str
    points: tuple[tuple[int, Decimal], ...]
    kind: str = "cap"  # "cap" (a cap chart) or "price" (a price path: `price NAME …`)


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


def figures(model: SchemeModel, lex: Lexicon, paths: Sequence[YearPath] = ()) -> tuple[Figure, ...]:
    """Every figure the scheme gives data for; `paths`: its caps and prices year by year."""
    out = [f for f in (_timeline(model), _graph(model, lex)) if f is not None]
    out += _table_charts(model)
    out += _cap_charts([p for p in paths if p.kind == "cap"])
    out += _price_charts(model, {p.name: p for p in paths if p.kind == "price"})
    return tuple(out)


def _timeline(model: SchemeModel, width: int = WIDTH) -> Figure | None:
    bars = []
    for p in model.periods:
        bounds = period_bounds(p)
        if bounds is not None:
            span = span_words(p.start, p.end)
            bars.append(Bar(_first_upper(label(p.name)), span, *bounds))
    if not bars:
        return None
    title = _("Period timeline")
    return Figure(
        "timeline",
        title,
        timeline(bars, title, width),
        _("Compliance periods and phases on a calendar axis."),
    )


def factsheet_timeline(model: SchemeModel) -> Figure | None:
    """The period timeline drawn for a factsheet's narrow column: its labels print at
    about 7 pt on A4, as large as the full page's."""
    return _timeline(model, FACTSHEET_WIDTH)


#: The factsheet's timeline width (its column is about 65 mm wide when printed).
FACTSHEET_WIDTH = 330


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


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
                nodes.setdefault(dep, Node(dep, kind, label=label(dep)))
            edges.append((dep, rule.name))
    for rule in model.rules:
        kind = "vocabulary" if rule.vocabulary else "rule"
        nodes[rule.name] = Node(rule.name, kind, rule.default, label(rule.name))
    title = _("Rule dependencies")
    return Figure(
        "graph",
        title,
        dependency_graph(list(nodes.values()), edges, title),
        _(
            "Each arrow points from a value to a rule that uses it. Dashed outlines mark "
            "the standard rules the scheme did not write."
        ),
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
    for row, cells in groups.items():
        points: list[tuple[Decimal, Decimal]] = []
        for p in periods:
            bounds = period_bounds(p)
            found = cells.get(p.name) or cells.get("*")
            if bounds is not None and found is not None:
                points += [(bounds[0], found[0]), (bounds[1], found[0])]
        if points:
            series.append(Series(label(row), tuple(points)))
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
            _("{table} by period").format(table=_first_upper(label(t.name))),
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


def _cap_charts(caps: Sequence[YearPath]) -> list[Figure]:
    """The cap of each year the system level computes (one line per cap value)."""
    drawn = [c for c in caps if len(c.points) >= 2]
    if not drawn:
        return []
    units = {c.unit for c in drawn}
    unit = units.pop() if len(units) == 1 else ""
    title = _("Cap trajectory")
    series = tuple(
        Series(label(c.name), tuple((Decimal(y), v) for y, v in c.points)) for c in drawn
    )
    chart = Chart(title, series, unit_words(unit))
    data = tuple(
        (str(year), literal_words(f"{value} {c.unit}")) for c in drawn for year, value in c.points
    )
    return [
        Figure(
            "cap",
            title,
            line_chart(chart),
            _(
                "The cap of each year as the scheme's system level computes it; years it "
                "does not compute without further data are left out."
            ),
            data,
        )
    ]


def is_money(unit: str) -> bool:
    try:
        dims = parse_unit(unit).dims
    except UnknownUnit:
        return False
    return any(name.startswith("currency_") for name, power in dims if power > 0)


def _price_charts(model: SchemeModel, paths: Mapping[str, YearPath]) -> list[Figure]:
    """Price paths in money, as the system level computes them year by year (`paths`)."""
    groups: dict[str, list[Series]] = {}
    for p in model.price_controls:
        path = paths.get(p.name)
        if path is None or len(path.points) < 2 or not is_money(path.unit):
            continue
        points = tuple((Decimal(year), value) for year, value in path.points)
        name = vocab_words(PRICE_CONTROLS, p.name)
        if p.rising:
            rising = literal_words(p.rising.text)
            pattern = (
                _("{name} (+{rate} a year, before {index})")
                if p.rising_plus
                else _("{name} (+{rate} a year)")
            )
            name = pattern.format(name=name, rate=rising, index=(p.rising_plus or "").upper())
        groups.setdefault(path.unit, []).append(Series(name, points, dashed=p.name == "floor"))
    out = []
    for unit, series in groups.items():
        title = _("Price-control paths")
        chart = Chart(title, tuple(series), unit_words(unit))
        data = tuple(
            (
                s.label,
                *(f"{int(year)}: {literal_words(f'{value} {unit}')}" for year, value in s.points),
            )
            for s in series
        )
        out.append(
            Figure(
                f"prices-{unit}",
                title,
                line_chart(chart),
                _(
                    "Each year's value as the scheme's system level computes it, rounded "
                    "as the scheme rounds it; inflation adjustments (CPI) are not included."
                ),
                data,
            )
        )
    return out
