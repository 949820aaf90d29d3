"""`etsl simulate`: market balance and prices year by year, for one scheme or linked ones."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from etsl.commands.common import IMPORT_PATH, compile_or_exit

if TYPE_CHECKING:
    from etsl.compiler.driver import Compilation
    from etsl.runtime.simulate.report import Report
    from etsl.runtime.simulate.scenario import Scenario
    from etsl.runtime.simulate.solve import Outcome


@click.command()
@click.argument("schemes", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--scenario",
    "scenario_file",
    required=True,
    type=click.Path(path_type=Path),
    help="The scenario (TOML): the system inputs of every year, the market and its "
    "abatement cost curves, published figures to check (docs/simulate.md).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the tables (one per scheme, market, checks), the charts (SVG and PNG) and a page "
    "(index.html) to this folder.",
)
@click.option(
    "--format",
    "table_format",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="The format of the tables written with -o.",
)
@click.option(
    "--explain",
    "explain_year",
    type=int,
    default=None,
    metavar="YEAR",
    help="Explain one year: why its price is what it is, and every scheme's bank and "
    "system values with the numbers filled in.",
)
@click.option(
    "--vary",
    "varies",
    multiple=True,
    metavar="KEY=V1,V2,…",
    help="Sweep: simulate every combination of these scenario values (a dotted key of the "
    "scenario file, e.g. prices.discount_rate=0.05,0.1 or "
    "scheme.eu_ets.inputs.issued.2027=9e8,1e9; repeatable). Prints, and writes to "
    "DIR/sweep.csv with -o, one row per combination: its prices and final bank.",
)
@IMPORT_PATH
def simulate(
    schemes: tuple[Path, ...],
    scenario_file: Path,
    output: Path | None,
    table_format: str,
    explain_year: int | None,
    varies: tuple[str, ...],
    import_paths: tuple[Path, ...],
) -> None:
    """Simulate the market of one scheme, or of linked schemes, year by year.

    The scenario gives each scheme's system inputs by year. A system input declared
    `else previous NAME` carries the value NAME had the year before, so the bank and the
    reserves evolve as the scheme's system rules say. With a market, covered emissions
    respond to the price through abatement cost curves and the price is solved on the
    cent grid (Hotelling path with banking, or year by year). Exits 1 when a published
    figure is outside the stated tolerance; nothing is written when anything fails.
    """
    from etsl.runtime.simulate.report import Report
    from etsl.runtime.simulate.solve import SimulationError
    from etsl.runtime.simulate.solve import simulate as run_simulation

    scenario = _scenario(scenario_file)
    compilation = compile_or_exit(list(schemes), import_paths)
    bound = _bound(scenario, compilation, scenario_file)
    if varies:
        _sweep(scenario_file, varies, compilation, output, table_format)
        return
    try:
        outcome = _with_progress(
            lambda step: run_simulation(scenario, bound, explain_year is not None, step)
        )
    except SimulationError as failure:
        click.echo(f"{scenario_file}: {failure.message}  [{failure.code}]", err=True)
        click.echo(f"  hint: {failure.hint}", err=True)
        sys.exit(1)
    report = Report.of(scenario, bound, outcome)
    if explain_year is not None:
        _explain(report, outcome, explain_year)
        return
    _print(report)
    if output is not None:
        _write(report, output, table_format)
    failed = [c for c in report.checks if not c.ok]
    if failed:
        click.echo(
            f"{len(failed)} of {len(report.checks)} published figure(s) outside the tolerance",
            err=True,
        )
        sys.exit(1)


def _scenario(path: Path) -> Scenario:
    from etsl.runtime.simulate.scenario import load_scenario

    scenario, problems = load_scenario(path)
    _stop_on(problems)
    assert scenario is not None
    return scenario


def _stop_on(problems: Any) -> None:
    for problem in problems:
        click.echo(problem.render(), err=True)
    if problems:
        sys.exit(1)


def _bound(scenario: Scenario, compilation: Compilation, where: Path) -> Any:
    from etsl.runtime.simulate.bind import bind_compiled

    bound, problems = bind_compiled(scenario, compilation.schemes, str(where))
    _stop_on(problems)
    return bound


def _with_progress(work: Any) -> Outcome:
    from etsl.commands.data_options import with_progress

    def run(progress: Any) -> Outcome:
        done = [0]

        def step() -> None:
            done[0] += 1
            progress(done[0], max(done[0], 40))

        result: Outcome = work(step)
        return result

    outcome: Outcome = with_progress("solving prices", run)
    return outcome


def _sweep(
    path: Path,
    varies: tuple[str, ...],
    compilation: Compilation,
    output: Path | None,
    table_format: str,
) -> None:
    from etsl.commands.data_options import with_progress
    from etsl.runtime.simulate.report import write_tables
    from etsl.runtime.simulate.sweep import parse_varies, sweep_table

    grid = parse_varies(varies)
    if isinstance(grid, str):
        raise click.BadParameter(grid, param_hint="--vary")
    table, problems = with_progress(
        "simulating", lambda progress: sweep_table(path, grid, compilation.schemes, progress)
    )
    _stop_on(problems)
    assert table is not None
    _print_table("sweep: prices and the final bank of each combination", table)
    if output is not None:
        written = write_tables({"sweep": table}, output, table_format)
        click.echo(f"wrote {written[0]}", err=True)


# ---- printing -------------------------------------------------------------------------------


def _print(report: Report) -> None:
    """Each table with one column per year (values down the side), numbers grouped; the
    checks as they are."""
    from rich.table import Table

    from etsl.commands.data_options import console

    for name, rows in report.tables().items():
        if name == "checks":
            _print_table(_title(report, name), rows)
            continue
        table = Table(title=_title(report, name), title_justify="left")
        table.add_column("")
        for row in rows[1:]:
            table.add_column(row[0], justify="right")
        for index, label in enumerate(rows[0][1:], start=1):
            table.add_row(label, *(_grouped(row[index]) for row in rows[1:]))
        console().print(table)
    if report.outcome.link:
        console().print(f"links: {report.outcome.link}")


def _print_table(title: str, rows: list[list[str]]) -> None:
    """A table as it is: a row per line, the header on top."""
    from rich.table import Table

    from etsl.commands.data_options import console

    table = Table(title=title, title_justify="left")
    for column in rows[0]:
        table.add_column(column, justify="right")
    years = {i for i, column in enumerate(rows[0]) if column == "year"}
    for row in rows[1:]:
        table.add_row(*(c if i in years else _grouped(c) for i, c in enumerate(row)))
    console().print(table)


def _grouped(cell: str) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(cell)
    except InvalidOperation:
        return cell
    return f"{number:,}" if number.is_finite() else cell


def _title(report: Report, stem: str) -> str:
    if stem == "market":
        return f"market: prices in {report.currency} and the bank"
    if stem == "checks":
        return "checks against published figures"
    return f"{stem}: system inputs and values by year"


def _explain(report: Report, outcome: Outcome, year: int) -> None:
    from etsl.runtime.reference.explain import explain_text

    if year not in report.scenario.year_range:
        first, last = report.scenario.years
        raise click.BadParameter(
            f"{year} is not a year of the scenario ({first}–{last})", param_hint="--explain"
        )
    if year in outcome.why:
        click.echo(f"price in {year}: {outcome.why[year]}\n")
    for b in report.bound:
        result = outcome.runs[b.name].result(year)
        assert result.trace is not None
        names = [b.market.bank] if b.market else list(b.level.values)
        click.echo(explain_text(result.trace, names))
        click.echo()


# ---- files ----------------------------------------------------------------------------------


def _write(report: Report, folder: Path, table_format: str) -> None:
    from etsl.compiler.files import atomic_open, write_text
    from etsl.documents.figures.raster import png
    from etsl.documents.figures.svg import standalone
    from etsl.documents.simulation import render_simulation
    from etsl.runtime.simulate.report import write_tables
    from etsl.simulate_page import simulation_page

    page = simulation_page(report, table_format)
    html = render_simulation(page)  # everything is computed before anything is written
    charts = {figure.file: standalone(figure.svg) for figure in page.figures}
    images = {file.removesuffix(".svg") + ".png": png(svg) for file, svg in charts.items()}
    written = write_tables(report.tables(), folder, table_format)
    for file, svg in charts.items():
        write_text(folder / file, svg)
        written.append(folder / file)
    for file, image in images.items():
        with atomic_open(folder / file, "wb", encoding=None) as handle:
            handle.write(image)
        written.append(folder / file)
    write_text(folder / "index.html", html)
    click.echo(f"wrote {len(written) + 1} files to {folder}", err=True)
