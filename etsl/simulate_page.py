"""The page and charts of a simulation: from its report (runtime) to the documents' view.

    page = simulation_page(report, "csv")     # documents.simulation.SimulationPage

Charts: for each scheme, its bank (and, when checked, the published figures dashed) and
every chart its scenario lists; with a market, the price path (the market's price, or each
market's price when linked markets clear apart; when linked, each scheme's price alone,
dashed; all in the prices' currency) and, when linked, the units each scheme took in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from etsl.documents.simulation import Figure, SimulationPage, TableView, chart
from etsl.documents.wording import label
from etsl.runtime.records import Value
from etsl.runtime.results.system import shown_number
from etsl.runtime.simulate.bind import Bound
from etsl.runtime.simulate.report import Report

Points = list[tuple[int, Decimal]]
METHOD = {
    "hotelling": "Prices follow a Hotelling path: banks look ahead, so the price rises at the "
    "discount rate of {rate} a year, from the lowest start (on the cent grid) at which no "
    "year ends with a negative bank; each year's price stays between its floor and ceiling.",
    "myopic": "Prices are formed year by year without foresight: each year's price is the "
    "lowest (on the cent grid) at which that year ends without a negative bank; it stays "
    "between the year's floor and ceiling.",
}


def simulation_page(report: Report, table_format: str | None) -> SimulationPage:
    """The page; with `table_format` (csv, parquet) it links the files written beside it,
    without (a page of a documentation site) it links none."""
    scenario = report.scenario
    figures = [f for b in report.bound for f in _scheme_figures(report, b)]
    figures += _market_figures(report)
    if table_format is None:
        figures = [replace(f, file="") for f in figures]
    tables = tuple(
        TableView(
            _table_title(stem),
            tuple(rows[0]),
            tuple(map(tuple, rows[1:])),
            _at(stem, table_format),
        )
        for stem, rows in report.tables().items()
        if stem != "checks"
    )
    checks = report.check_table() if report.checks else None
    return SimulationPage(
        scenario.title,
        scenario.description,
        _method(report),
        tuple(scenario.sources.items()),
        tuple(figures),
        tables,
        tuple(sorted(report.outcome.why.items())),
        TableView(
            "checks", tuple(checks[0]), tuple(map(tuple, checks[1:])), _at("checks", table_format)
        )
        if checks
        else None,
        sum(c.ok for c in report.checks),
    )


def _at(stem: str, table_format: str | None) -> str:
    return f"{stem}.{table_format}" if table_format else ""


def _method(report: Report) -> str:
    prices = report.scenario.prices
    if prices is None or not report.markets:
        return ""
    rate = f"{(prices.discount_rate * 100).normalize():f} %"
    link = report.outcome.link
    return METHOD[prices.rule].format(rate=rate) + (f" Links: {link}." if link else "")


def _table_title(stem: str) -> str:
    return "Market: prices and the bank" if stem == "market" else f"{stem}: by year"


def _series(report: Report, b: Bound, name: str) -> Points:
    unit = b.level.program.unit_of(name)
    points = []
    for row in report.outcome.of(b.name):
        value: Value | None = row.values.get(name)
        if isinstance(value, Decimal):
            points.append((row.year, shown_number(value, unit)))
    return points


def _scheme_figures(report: Report, b: Bound) -> list[Figure]:
    wanted: dict[str, list[str]] = {}
    if b.market is not None:
        wanted[f"{b.name}: the bank at the end of each year"] = [b.market.bank]
    wanted.update({f"{b.name}: {title}": names for title, names in b.part.charts.items()})
    checked = b.part.check.values if b.part.check else {}
    figures = []
    for title, names in wanted.items():
        lines: list[tuple[str, Sequence[tuple[int, Decimal]], bool]] = []
        for name in names:
            lines.append((f"{label(name)} (simulated)", _series(report, b, name), False))
            if name in checked:
                lines.append((f"{label(name)} (published)", sorted(checked[name].items()), True))
        moved = b.market is not None and names[0] == b.market.bank
        if moved and b.name in report.outcome.received:
            held = sorted(report.positions()[b.name].items())
            moved_what = "units" if report.outcome.unchanged else "credits"
            lines.append(
                (f"{label(names[0])} with the {moved_what} moved over the link", held, False)
            )
        unit = b.level.program.unit_of(names[0])
        figures.append(Figure(title, chart(title, lines, unit), _file(title)))
    return figures


def _market_figures(report: Report) -> list[Figure]:
    markets = report.markets
    if not markets:
        return []
    linked = len(markets) > 1
    cur = report.currency
    lines: list[tuple[str, Sequence[tuple[int, Decimal]], bool]] = []
    if report.outcome.prices or not linked:
        lines.append((f"price ({cur})", sorted(report.outcome.prices.items()), False))
    else:  # linked markets that clear apart: each market's own price
        for b in markets:
            own = sorted(report.outcome.own.get(b.name, {}).items())
            lines.append((f"{b.name} ({cur})", own, False))
    unchanged = report.outcome.unchanged  # links change inside the horizon
    if linked:
        for b in markets:
            if unchanged:
                kept = sorted(unchanged.get(b.name, {}).items())
                lines.append((f"{b.name} with the first year's links ({cur})", kept, True))
                continue
            alone = sorted(report.outcome.unlinked.get(b.name, {}).items())
            lines.append((f"{b.name} alone ({cur})", alone, True))
    figures = [Figure("Price path", chart("Price path", lines, f"{cur}/t"), "prices.svg")]
    if linked:
        taken = report.outcome.flows
        flows = [
            (f"{b.name}: units taken in", sorted(taken.get(b.name, {}).items()), False)
            for b in markets
        ]
        title = "Units moving between linked schemes"
        figures.append(Figure(title, chart(title, flows, "t CO2e"), "flows.svg"))
    return figures


def _file(title: str) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    while "--" in stem:
        stem = stem.replace("--", "-")
    return f"{stem}.svg"
