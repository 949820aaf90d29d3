"""The page of a market simulation (`etsl simulate … -o DIR` writes DIR/index.html).

    page = SimulationPage("EU ETS 2024-2030", "…", figures=(Figure("Bank", svg),), …)
    html = render_simulation(page)

The view holds plain values (titles, SVG figures drawn with the figures kit, tables of
text cells); the command computes them from the simulation, so documents never import
the runtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from etsl.documents.figures.line_chart import Chart, Series, line_chart
from etsl.documents.render import render
from etsl.documents.shell import Shell
from markupsafe import Markup


@dataclass(frozen=True)
class Figure:
    caption: str
    svg: Markup
    file: str = ""  # the standalone SVG beside the page

    @property
    def png(self) -> str:
        """The PNG written beside the SVG ("" when no file is)."""
        return self.file.removesuffix(".svg") + ".png" if self.file else ""


@dataclass(frozen=True)
class TableView:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    file: str = ""  # the CSV/Parquet file the table is written to


@dataclass(frozen=True)
class SimulationPage:
    title: str
    description: str
    method: str  # how prices were formed, in words ("" without a market)
    sources: tuple[tuple[str, str], ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[TableView, ...] = ()
    why: tuple[tuple[int, str], ...] = ()  # why each year's price is what it is
    checks: TableView | None = None
    checks_passed: int = 0
    notes: tuple[str, ...] = field(default=())


def chart(
    title: str,
    lines: Sequence[tuple[str, Sequence[tuple[int, Decimal]], bool]],
    unit: str,
) -> Markup:
    """A line chart over years: (label, points, dashed) per line."""
    series = tuple(
        Series(label, tuple((Decimal(y), v) for y, v in points), dashed)
        for label, points, dashed in lines
        if points
    )
    return line_chart(Chart(title, series, unit, heading=True))


def render_simulation(page: SimulationPage, shell: Shell | None = None) -> str:
    return render("simulation.html.j2", page=page, shell=shell or Shell())
