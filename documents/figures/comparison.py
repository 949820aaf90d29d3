"""The charts of a comparison: the schemes' periods and links on one calendar, their caps
on a common index, and their price controls by year.

    >>> charts = comparison_figures([tokyo_cat, saitama_tset], {})
    >>> [c.key for c in charts]
    ['timeline', 'cap-index', 'prices']
    >>> charts[1].omitted
    (('Cap or target set for each participant, not as a total by year', ('Tokyo', 'Saitama Prefecture')),)

Every number comes from the models or from the `YearPath`s etsl computes from the schemes'
system levels (documents never evaluate). Each chart has a caption, a data table (its text
alternative) and the schemes it leaves out, with the reason in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from etsl.compiler.enums import PRICE_CONTROLS
from etsl.compiler.model import SchemeModel
from etsl.documents.figures.lanes import LINK, SHADES, Lane, Mark, lanes
from etsl.documents.figures.legend import Entry
from etsl.documents.figures.line_chart import Chart, Series, line_chart
from etsl.documents.figures.scheme import YearPath, is_money, period_bounds
from etsl.documents.figures.svg import text_width
from etsl.documents.figures.timeline import Bar
from etsl.documents.i18n import N_, current
from etsl.documents.i18n import gettext as _
from etsl.documents.scheme_text import in_own_terms
from etsl.documents.wording import (
    capital,
    date_words,
    followed_by,
    jurisdiction_words,
    label,
    literal_words,
    number_words,
    scheme_title,
    span_words,
    unit_words,
    vocab_words,
)
from etsl.linkage.facts import Rates
from markupsafe import Markup

#: The widest short name (px at 12 px): a chart's row names and legends stay readable.
SHORT = Decimal(230)


@dataclass(frozen=True, slots=True)
class ComparedFigure:
    """A chart of a comparison: its SVG, caption, data table (header and rows) and the
    schemes it does not draw, by reason (`(reason, short names)`)."""

    key: str
    title: str
    svg: Markup
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    omitted: tuple[tuple[str, tuple[str, ...]], ...] = ()
    omitted_title: str = N_("Not drawn:")


def comparison_figures(
    models: Sequence[SchemeModel],
    paths: Mapping[str, Sequence[YearPath]],
    rates: Rates | None = None,
) -> tuple[ComparedFigure, ...]:
    """The timeline, the cap index and the price controls of the compared schemes
    (`paths`: each scheme's caps and price paths by name, as etsl computes them)."""
    names = short_names(models)
    return (
        _timeline(models, names),
        _cap_index(models, names, paths),
        *_price_controls(models, names, paths, rates or Rates()),
    )


# ---- names -----------------------------------------------------------------------------------


def short_names(models: Sequence[SchemeModel]) -> dict[str, str]:
    """What a chart calls each scheme, in the language being written: the abbreviation
    its title gives (`GX-ETS`), else its title without generic words (`California`,
    `EU ETS`) when short, else its jurisdiction when no other compared scheme shares it,
    else the catalogue's name for it (`RGGI`, `経済産業省設計案`)."""
    places = sole_places(models)
    return {
        m.name: brief_name(scheme_title(m.title, m.name), m.name, places.get(m.name))
        for m in models
    }


def sole_places(models: Sequence[SchemeModel]) -> dict[str, str]:
    """The jurisdiction of each scheme that no other of `models` shares."""
    places = [m.meta["jurisdiction"].value for m in models if "jurisdiction" in m.meta]
    return {
        m.name: m.meta["jurisdiction"].value
        for m in models
        if "jurisdiction" in m.meta and places.count(m.meta["jurisdiction"].value) == 1
    }


_ABBREVIATION = re.compile(r"[(（]([A-Z][A-Za-z0-9 -]{1,11})[)）]")
#: Generic words a short name leaves out, by language.
_GENERIC = {
    "en": (
        (re.compile(r"\s*(Carbon )?Emissions Trading (System|Scheme|Market)\b"), " ETS"),
        (re.compile(r"\s+Cap-and-(Trade|Invest)\b.*"), ""),
    ),
    "ja": (
        (re.compile(r"キャップ・アンド・(トレード|インベスト)制度$"), ""),
        (re.compile(r"温室効果ガス排出枠$"), ""),
    ),
}
#: A long title cut to its core, by language: its qualifier (`… for Emissions Trading`)
#: dropped, a treaty named by its place (`Kyoto Protocol Target …` → `Kyoto Target …`).
_CUT = {
    "en": (
        (re.compile(r" (for|of) .*$"), ""),
        (re.compile(r"\bKyoto Protocol (?=\S)"), "Kyoto "),
    ),
}


def _cut(head: str) -> str:
    for pattern, words in _CUT.get(current(), ()):
        head = pattern.sub(words, head).strip()
    return head


def brief_name(title: str, name: str, place: str | None = None) -> str:
    """A scheme's name short enough for a chart or a sentence of findings: the abbreviation
    its `title` gives, else the title without generic words, else the `place` it alone
    covers among those named together, else the title cut to its core (`Trial Integrated
    Market`), else the catalogue's name for `name`."""
    found = _ABBREVIATION.search(title)
    if found and sum(ch.isupper() for ch in found.group(1)) >= 2:
        return found.group(1)
    head = re.split(r" \(|（|: |：", title)[0]
    for pattern, words in _GENERIC.get(current(), ()):
        head = pattern.sub(words, head).strip()
    where = re.split(r", |、|（| \(", jurisdiction_words(place))[0] if place else ""
    for short in (head, where, _cut(head), label(name)):
        if short and text_width(short, 12) <= SHORT:
            return capital(short)
    return head


# ---- the timeline ----------------------------------------------------------------------------


def _timeline(models: Sequence[SchemeModel], names: Mapping[str, str]) -> ComparedFigure:
    rows, data, omitted = [], [], []
    for model in models:
        bars = _bars(model)
        if bars:
            rows.append((model, Lane(names[model.name], bars)))
            data.append((names[model.name], _("; ").join(b.label for b in bars)))
        else:
            omitted.append((names[model.name], _("No dated periods or phases in the model")))
    marks, links = _link_marks([m for m, _lane in rows], names)
    title = _("Periods, phases and links")
    key = [Entry(_("Period or phase (shades alternate)"), SHADES[0])]
    key += [Entry(_("Link starts (both schemes marked)"), LINK, dashed=True)] if marks else []
    svg = lanes([lane for _m, lane in rows], marks, title, key)
    return ComparedFigure(
        "timeline",
        title,
        svg,
        _(
            "Each scheme's compliance periods or phases on one calendar axis, from the dates "
            "its model states; a dashed line marks the day a link between two compared "
            "schemes starts."
        ),
        (_("Scheme"), _("Periods or phases")),
        tuple(data) + links,
        grouped(omitted),
    )


def _bars(model: SchemeModel) -> tuple[Bar, ...]:
    """The scheme's dated periods, named in its own terms (RGGI's 遵守期間)."""
    with in_own_terms(model):
        return tuple(
            Bar(capital(label(p.name)), span_words(p.start, p.end), *bounds)
            for p in model.periods
            if (bounds := period_bounds(p)) is not None
        )


def grouped(pairs: Sequence[tuple[str, str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`(name, reason)` pairs as `(reason, names)`, reasons in the order first given.

    >>> grouped([("A", "x"), ("B", "y"), ("C", "x")])
    (('x', ('A', 'C')), ('y', ('B',)))
    """
    by_reason: dict[str, list[str]] = {}
    for name, reason in pairs:
        by_reason.setdefault(reason, []).append(name)
    return tuple((reason, tuple(names)) for reason, names in by_reason.items())


def _link_marks(
    drawn: Sequence[SchemeModel], names: Mapping[str, str]
) -> tuple[list[Mark], tuple[tuple[str, str], ...]]:
    """A mark for each link between two drawn schemes that has started or is agreed to
    start on a date (once, though both declare it), and the data rows saying its start."""
    row = {m.name: i for i, m in enumerate(drawn)}
    marks: dict[tuple[str, ...], Mark] = {}
    data = []
    for model in drawn:
        for link in model.links:
            if link.since is None or link.target not in row or link.status == "proposed":
                continue
            pair = tuple(sorted((model.name, link.target), key=row.__getitem__))
            start = date.fromisoformat(link.since)
            words = _("{a}–{b} link").format(a=names[pair[0]], b=names[pair[1]])
            if pair not in marks:
                at = Decimal(start.year) + Decimal(start.timetuple().tm_yday - 1) / 366
                label = _("{a}–{b} {year}").format(
                    a=names[pair[0]], b=names[pair[1]], year=start.year
                )
                marks[pair] = Mark(tuple(row[p] for p in pair), at, label)
                data.append((words, _("since {date}").format(date=date_words(start))))
    return list(marks.values()), tuple(data)


# ---- the cap index ---------------------------------------------------------------------------

#: The index's base value.
BASE = Decimal(100)


def _cap_index(
    models: Sequence[SchemeModel],
    names: Mapping[str, str],
    paths: Mapping[str, Sequence[YearPath]],
) -> ComparedFigure:
    drawn: list[tuple[str, YearPath]] = []
    omitted = []
    for model in models:
        caps = [p for p in paths.get(model.name, ()) if p.kind == "cap"]
        mine = [c for c in caps if len(c.points) >= 2]
        if not mine:
            omitted.append((names[model.name], _cap_reason(model, caps)))
        for cap in mine:
            name = names[model.name]
            if len(mine) > 1:
                name = _("{name}: {value}").format(name=name, value=label(cap.name))
            drawn.append((name, cap))
    common = common_base_year([cap for _name, cap in drawn])
    series, data = [], []
    for name, cap in drawn:
        since = [(y, v) for y, v in cap.points if y >= (common or own_base_year(cap))]
        points = tuple((Decimal(y), index(v, since[0][1])) for y, v in since)
        series.append(Series(name, points))
        data.append(_cap_row(name, cap, since, points))
    title = _("Caps on a common index")
    axis = (
        _("Index, {year} = 100").format(year=common)
        if common
        else _("Index, each scheme's base year = 100")
    )
    chart = Chart(title, tuple(series), axis)
    caption = (
        _cap_caption(common)
        if series
        else _("No compared scheme's model gives a cap for the whole system by year.")
    )
    return ComparedFigure(
        "cap-index",
        title,
        line_chart(chart) if series else Markup(""),
        caption,
        (_("Scheme"), _("Base year"), _("Cap in the base year"), _("Index by year")),
        tuple(data),
        grouped(omitted),
    )


def _cap_caption(common: int | None) -> str:
    if common:
        return _(
            "Each scheme's cap for the whole system by year, as an index with {year} = 100: "
            "the first year every scheme drawn has a cap for, after which no cap rises (a cap "
            "that rises, as when a scheme's coverage widens, would hide the declines compared). "
            "Computed by etsl from each scheme's system level."
        ).format(year=common)
    return _(
        "Each scheme's cap for the whole system by year, as an index with its base year = 100: "
        "the schemes drawn share no year after which no cap rises, so each is indexed to its "
        "own first year after which its cap never rises. Computed by etsl from each scheme's "
        "system level."
    )


def rises_after(cap: YearPath, year: int) -> bool:
    """Whether the cap rises in some year after `year`."""
    values = [v for y, v in cap.points if y >= year]
    return any(later > earlier for earlier, later in zip(values, values[1:], strict=False))


def own_base_year(cap: YearPath) -> int:
    """The first year of `cap` after which it never rises.

    >>> own_base_year(YearPath("cap", "t", ((2013, Decimal(5)), (2014, Decimal(9)), (2015, Decimal(8)))))
    2014
    """
    return next(y for y, _v in cap.points if not rises_after(cap, y))


def common_base_year(caps: Sequence[YearPath]) -> int | None:
    """The first year that every cap has (with a later year) after which no cap rises.

    >>> a = YearPath("a", "t", ((2013, Decimal(5)), (2015, Decimal(9)), (2021, Decimal(8)), (2022, Decimal(7))))
    >>> b = YearPath("b", "t", ((2015, Decimal(5)), (2021, Decimal(6)), (2022, Decimal(5))))
    >>> common_base_year([a, b]), common_base_year([a, YearPath("c", "t", ((2030, Decimal(1)),))])
    (2021, None)
    """
    if not caps:
        return None
    shared = set.intersection(*({y for y, _v in cap.points} for cap in caps))
    for year in sorted(shared):
        later = all(any(y > year for y, _v in cap.points) for cap in caps)
        if later and not any(rises_after(cap, year) for cap in caps):
            return year
    return None


def index(value: Decimal, base: Decimal) -> Decimal:
    """`value` as an index with `base` = 100, to one decimal place (half to even).

    >>> index(Decimal(159700000), Decimal(162800000))
    Decimal('98.1')
    """
    return (value * BASE / base).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def _cap_row(
    name: str,
    cap: YearPath,
    since: Sequence[tuple[int, Decimal]],
    points: Sequence[tuple[Decimal, Decimal]],
) -> tuple[str, ...]:
    base_year, base = since[0]
    by_year = _("; ").join(f"{int(y)}: {v}" for y, v in points)
    return (name, str(base_year), literal_words(f"{base} {cap.unit}"), by_year)


def _cap_reason(model: SchemeModel, caps: Sequence[YearPath]) -> str:
    if caps:
        return _("Cap computed for fewer than two years without participants' data")
    rule = model.rule("cap") or model.rule("target")
    if rule is not None and not rule.default:
        return _("Cap or target set for each participant, not as a total by year")
    return _("No cap for the whole system by year in the model")


# ---- price controls --------------------------------------------------------------------------


def _price_controls(
    models: Sequence[SchemeModel],
    names: Mapping[str, str],
    paths: Mapping[str, Sequence[YearPath]],
    rates: Rates,
) -> list[ComparedFigure]:
    """One chart per currency and unit (every chart whole on a printed page); the last
    lists the schemes none of them draws."""
    common = _common_currency(models, paths, rates)
    groups: dict[str, list[tuple[Series, tuple[str, ...]]]] = {}
    omitted = []
    for model in models:
        drawn = _price_series(model, names[model.name], paths.get(model.name, ()), common, rates)
        for unit, series, row in drawn:
            groups.setdefault(unit, []).append((series, row))
        if not drawn:
            omitted.append((names[model.name], _price_reason(model)))
    figures = [
        ComparedFigure(
            f"prices-{re.sub(r'[^A-Za-z0-9]+', '-', unit)}",
            _price_title(unit),
            line_chart(Chart(_price_title(unit), tuple(s for s, _r in drawn), unit_words(unit))),
            _price_caption(common, rates),
            (_("Price control"), _("Currency and unit"), _("Value by year")),
            tuple(row for _s, row in drawn),
        )
        for unit, drawn in groups.items()
    ]
    if not figures:
        title = _("Price controls by year")
        caption = _("No compared scheme states price controls in money by year.")
        none = ComparedFigure("prices", title, Markup(""), caption, (), ())
        return [replace(none, omitted=grouped(omitted))]
    last = replace(figures[-1], omitted=grouped(omitted), omitted_title=N_("In no price chart:"))
    return [*figures[:-1], last]


def _price_series(
    model: SchemeModel,
    name: str,
    paths: Sequence[YearPath],
    common: Common | None,
    rates: Rates,
) -> list[tuple[str, Series, tuple[str, ...]]]:
    """The scheme's price controls in money that its system level computes by year: each
    one's unit, line and data row."""
    prices = {p.name: p for p in paths if p.kind == "price"}
    out = []
    for control in model.price_controls:
        path = prices.get(control.name)
        if path is None or len(path.points) < 2 or not is_money(path.unit):
            continue
        unit, points = _in_currency(path, common, rates)
        words = _("{scheme}: {control}").format(
            scheme=name, control=vocab_words(PRICE_CONTROLS, control.name)
        )
        out.append(
            (
                unit,
                Series(words, points, PRICE_CONTROLS.kind(control.name) == "floor"),
                _price_row(words, unit, points),
            )
        )
    return out


def _price_title(unit: str) -> str:
    return _("Price controls in {unit}").format(unit=unit_words(unit))


def _price_row(words: str, unit: str, points: Sequence[tuple[Decimal, Decimal]]) -> tuple[str, ...]:
    values = _("; ").join(f"{int(y)}: {number_words(v)}" for y, v in points)
    return (words, unit_words(unit), values)


def _price_reason(model: SchemeModel) -> str:
    if not model.price_controls:
        statement = model.features.get("price_controls")
        if statement is not None and statement.status == "none":
            return _("States it has no price controls")
        return _("No price controls stated in the sources")
    return _("Price controls not amounts of money by year (quantities, shares or rules)")


def _currency(unit: str) -> str:
    return unit.split("/")[0]


@dataclass(frozen=True, slots=True)
class Common:
    """The currency prices are converted into, and whether every price converts."""

    currency: str
    complete: bool


def _common_currency(
    models: Sequence[SchemeModel], paths: Mapping[str, Sequence[YearPath]], rates: Rates
) -> Common | None:
    """The currency the given rates convert the most price paths' currencies into (the
    first rate's quote before its base when they tie); none without rates that join two of
    the currencies."""
    currencies = {
        _currency(p.unit)
        for m in models
        for p in paths.get(m.name, ())
        if p.kind == "price" and is_money(p.unit)
    }

    def joined(candidate: str) -> int:
        return sum(rates.convert(Decimal(1), c, candidate) is not None for c in currencies)

    candidates = [c for base, quote, _v in rates.quotes for c in (quote, base)]
    best = max(candidates, key=joined, default=None)
    if best is None or joined(best) < 2:
        return None
    return Common(best, joined(best) == len(currencies))


def _in_currency(
    path: YearPath, common: Common | None, rates: Rates
) -> tuple[str, tuple[tuple[Decimal, Decimal], ...]]:
    """The path's unit and points, in the common currency when a rate converts it (values
    converted exactly, then rounded to the cent for the chart and its table)."""
    currency = _currency(path.unit)
    target = common.currency if common else currency
    converted = [rates.convert(v, currency, target) for _y, v in path.points]
    if currency == target or None in converted:
        return path.unit, tuple((Decimal(y), v) for y, v in path.points)
    cent = Decimal("0.01")
    points = tuple(
        (Decimal(y), Decimal(v or 0).quantize(cent).normalize())
        for (y, _v), v in zip(path.points, converted, strict=True)
    )
    return target + path.unit[len(currency) :], points


def _price_caption(common: Common | None, rates: Rates) -> str:
    text = _(
        "Floors, reserve prices, ceilings and trigger prices by year, as each scheme's "
        "system level computes them (inflation adjustments not included); dashed lines are "
        "floors and reserve prices, solid lines ceilings and triggers."
    )
    if common is None:
        return followed_by(text, _("Each chart is in the schemes' own currency and unit."))
    used = ", ".join(rates.texts())
    converted = (
        _("Converted into {currency} at the rates given ({rates}).")
        if common.complete
        else _(
            "Converted into {currency} at the rates given ({rates}); a currency no rate "
            "joins to it stays as it is."
        )
    )
    return followed_by(text, converted.format(currency=common.currency, rates=used))
