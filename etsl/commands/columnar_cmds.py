"""`etsl sql` and `etsl sweep`, and the columnar path of `etsl run`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from etsl.commands.common import (
    IMPORT_PATH,
    RAW_CSV,
    SCHEME_NAME,
    compile_or_exit,
    emit,
    one_scheme,
)
from etsl.commands.data_options import MAPPING
from etsl.commands.system_options import SYSTEM_DATA

if TYPE_CHECKING:
    from etsl.compiler.driver import CompiledScheme

SCHEME_FILE = click.argument("scheme_file", metavar="SCHEME", type=click.Path(path_type=Path))
DIALECTS = (
    "duckdb",
    "spark",
    "databricks",
    "postgres",
    "snowflake",
    "bigquery",
    "trino",
    "mysql",
    "sqlite",
    "tsql",
    "oracle",
    "redshift",
    "clickhouse",
)


# ---- etsl sql ----------------------------------------------------------------------------------


def parse_decimal(text: str) -> tuple[int, int]:
    """`18,4` → (18, 4): DECIMAL(18, 4)."""
    width, sep, places = text.partition(",")
    try:
        result = int(width), int(places or 0)
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is not WIDTH,PLACES (e.g. 18,4)", param_hint="--decimal"
        ) from None
    if not (0 <= result[1] <= result[0] <= 38 and result[0] > 0):
        raise click.BadParameter("need 0 ≤ PLACES ≤ WIDTH ≤ 38", param_hint="--decimal")
    return result


@click.command()
@SCHEME_FILE
@IMPORT_PATH
@SCHEME_NAME
@click.option(
    "--dialect",
    default="duckdb",
    show_default=True,
    metavar="NAME",
    type=click.Choice(DIALECTS),
    help="SQL dialect to write (sqlglot's dialects).",
)
@click.option(
    "--table",
    default="participants",
    show_default=True,
    metavar="NAME",
    help="The table (or view) holding one row per participant.",
)
@click.option(
    "--decimal",
    "decimal",
    default="18,4",
    show_default=True,
    metavar="W,P",
    help="The DECIMAL(W, P) type of every number column of the table.",
)
@click.option(
    "--period", default=None, metavar="P", help="Evaluate every row in period P (no period column)."
)
@click.option(
    "--shape",
    type=click.Choice(["cte", "nested"]),
    default=None,
    help="Chain the projections as CTEs or as nested sub-queries (default: cte; nested for "
    "spark, whose analyser handles it several times faster).",
)
@click.option(
    "--unverified",
    is_flag=True,
    help="Write SQL for a dialect no test runs on a real database (only duckdb and spark "
    "are verified); its numbers may differ from the reference engine's.",
)
@click.option("--pretty/--compact", default=True, show_default=True, help="Indent the query.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file (atomically) instead of stdout.",
)
def sql(
    scheme_file: Path,
    import_paths: tuple[Path, ...],
    scheme_name: str | None,
    dialect: str,
    table: str,
    decimal: str,
    period: str | None,
    shape: str | None,
    unverified: bool,
    pretty: bool,
    output: Path | None,
) -> None:
    """Print the columnar query that evaluates a scheme for every participant.

    One projection per rule, in dependency order, over a table with one column per
    participant input (`id`, `period`, inputs, `held.UNIT`). Arithmetic is exact DECIMAL;
    division is rewritten to integer arithmetic with half-even rounding to 18 places.
    A scheme the columnar engine cannot represent exactly is reported and exits 1. Only
    the duckdb and spark dialects are verified (their SQL runs on a real engine in the
    tests); the others need --unverified.
    """
    from etsl.runtime.columnar.sql.compile import Shape, compile_query, table_layout
    from etsl.runtime.columnar.sql.types import Unsupported

    if dialect not in VERIFIED and not unverified:
        raise click.BadParameter(
            f"'{dialect}' is not verified: no test runs its SQL on a real {dialect} database, "
            "so its numbers could differ from the reference engine's; verified: "
            f"{', '.join(VERIFIED)} (use --unverified to write it anyway)",
            param_hint="--dialect",
        )
    compiled = one_scheme(compile_or_exit([scheme_file], import_paths, reuse=True), scheme_name)
    if period is not None and period not in compiled.program.period_names:
        raise click.BadParameter(
            f"'{period}' is not a period of '{compiled.name}'", param_hint="--period"
        )
    layout = table_layout(compiled.program, table, parse_decimal(decimal), period)
    chosen = Shape(shape or ("nested" if dialect == "spark" else "cte"))
    query = compile_query(compiled, layout, flavour_of(dialect), chosen)
    if isinstance(query, Unsupported):
        click.echo(
            f"error: scheme '{compiled.name}' cannot be written as one exact query: {query}",
            err=True,
        )
        sys.exit(1)
    if dialect not in VERIFIED:
        click.echo(
            f"warning: SQL for {dialect} has not been run on a real {dialect} database; "
            "compare its results with `etsl run --engine reference`",
            err=True,
        )
    emit(PREAMBLES.get(dialect, "") + query.sql(dialect, pretty=pretty) + ";\n", output)


#: Dialects whose SQL the tests run on the real engine (tests/test_sql_dialects.py: DuckDB;
#: tests/test_spark.py: a local Spark session), with the settings the query needs there.
VERIFIED = ("duckdb", "spark")
PREAMBLES = {
    "spark": "-- Run with: SET spark.sql.ansi.enabled = true;\n"
    "--           SET spark.sql.decimalOperations.allowPrecisionLoss = false;\n"
    "--           SET spark.sql.analyzer.maxIterations = 10000;\n",
}


def flavour_of(dialect: str) -> Any:
    """The arithmetic a dialect computes exactly (runtime/columnar/sql/types.py)."""
    from etsl.runtime.columnar.sql.types import DUCKDB, PORTABLE, SPARK

    return {"duckdb": DUCKDB, "spark": SPARK, "databricks": SPARK}.get(dialect, PORTABLE)


# ---- etsl sweep ------------------------------------------------------------------------------

#: Scenarios printed when they are also written to a file (drawing a console table of
#: thousands of rows took longer than evaluating them).
SHOWN_SCENARIOS = 50


@click.command()
@SCHEME_FILE
@click.option(
    "--participants",
    required=True,
    metavar="DATA",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Participant data: CSV or Parquet (read by DuckDB), JSON or Excel.",
)
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    metavar="NAME=V1,V2,…",
    help="Values to try: a parameter (threshold=1000 kL_oe/yr,1500 kL_oe/yr), a "
    "table cell (reduction_factor[office,first]=8%,10%), a limit "
    "(limit[outside_tokyo]=1000 tCO2e,2000 tCO2e), a system input, the same in every "
    "year (cpi=2%,3%), or a price path's escalator (rising[ceiling]=5%,7%). Repeatable: "
    "every combination is evaluated.",
)
@click.option("--period", default=None, metavar="P", help="Evaluate period P only.")
@SYSTEM_DATA
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write one row per scenario to OUT.csv or OUT.json.",
)
@click.option(
    "--chart",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Draw METRIC per scenario to OUT.svg.",
)
@click.option(
    "--metric",
    default="total_shortfall",
    show_default=True,
    metavar="NAME",
    help="What --chart draws: total_cap, total_shortfall, non_compliant, "
    "total_obligation, total_surplus, errors, or a consequence kind (fine, "
    "fine_count, …).",
)
@RAW_CSV
@MAPPING
@IMPORT_PATH
@SCHEME_NAME
def sweep(
    scheme_file: Path,
    participants: Path,
    varies: tuple[str, ...],
    period: str | None,
    system_data: Path | None,
    output: Path | None,
    chart: Path | None,
    metric: str,
    raw_csv: bool,
    mapping: tuple[str, ...],
    import_paths: tuple[Path, ...],
    scheme_name: str | None,
) -> None:
    """Evaluate every combination of parameter values in one columnar run.

    The scenarios form a table cross-joined with the participants, so the whole sweep is
    one query; per scenario it reports the total cap, obligation, shortfall and surplus, the
    number of non-compliant participants and consequence totals by kind.

    Varying a system input (inflation) or a price's escalator, or sweeping a scheme whose
    participant values read system values (with --system-data), runs each scenario with its
    system data, and each scenario also shows every price in every year.
    """
    import etsl.runtime.sweep.evaluate as sweeping
    import etsl.runtime.sweep.system as sweeping_system
    from etsl.commands.data_options import check_period, load_data, parse_mapping
    from etsl.commands.system_options import check_system_data, system_rows_or_exit

    compiled = one_scheme(compile_or_exit([scheme_file], import_paths, reuse=True), scheme_name)
    check_period(compiled, period)
    for target, suffixes in ((output, (".csv", ".json")), (chart, (".svg",))):
        if target is not None and target.suffix.lower() not in suffixes:
            raise click.BadParameter(
                f"write {' or '.join(suffixes)} files",
                param_hint="-o" if target is output else "--chart",
            )
    grid = sweeping.parse_grid(compiled, varies)
    if isinstance(grid, sweeping.GridError):
        raise click.BadParameter(grid.message, param_hint="--vary")
    if metric not in sweeping.metric_names(compiled):
        raise click.BadParameter(
            f"unknown metric '{metric}'; one of: {', '.join(sweeping.metric_names(compiled))}",
            param_hint="--metric",
        )
    check_system_data(compiled, system_data)
    if system_sweep_needed(compiled, grid, system_data):
        dataset = load_data(participants, compiled, None, parse_mapping(mapping), False, period)
        rows = system_rows_or_exit(compiled, system_data)
        outcome = sweeping_system.system_sweep(compiled, grid, dataset, rows, period)
        for notice in outcome.notices:
            click.echo(notice, err=True)
    else:
        outcome = _sweep(compiled, grid, participants, parse_mapping(mapping), period)
    _report_sweep(outcome, output, chart, metric, raw_csv)


def system_sweep_needed(compiled: CompiledScheme, grid: Any, system_data: Path | None) -> bool:
    """A sweep of the system level: it varies one, or participants read it."""
    import etsl.runtime.sweep.system as sweeping_system

    program = compiled.program
    if program.system is None:
        return False
    return (
        sweeping_system.has_system_targets(grid) or program.reads_system or system_data is not None
    )


def _sweep(
    compiled: CompiledScheme,
    grid: Any,
    participants: Path,
    mapping: dict[str, str],
    period: str | None,
) -> Any:
    import etsl.runtime.sweep.evaluate as sweeping
    from etsl.commands.data_options import load_data

    outcome = sweeping.sweep_file(compiled, grid, participants, mapping, period)
    if isinstance(outcome, sweeping.SweepOutcome):
        return outcome
    dataset = load_data(participants, compiled, None, mapping, False, period)
    result = sweeping.sweep_dataset(compiled, grid, dataset, period)
    if result.fallback is not None and result.fallback.notice:
        click.echo(
            result.fallback.text().replace(
                "using the reference engine", "evaluating each scenario with the reference engine"
            ),
            err=True,
        )
    return result


def _report_sweep(
    outcome: Any, output: Path | None, chart: Path | None, metric: str, raw_csv: bool
) -> None:
    import etsl.runtime.sweep.evaluate as sweeping
    from etsl.commands.data_options import console

    for error in outcome.errors[:20]:
        click.echo(error.render(), err=True)
    if len(outcome.errors) > 20:
        click.echo(f"… and {len(outcome.errors) - 20} more errors", err=True)
    shown = len(outcome.scenarios) if output is None else SHOWN_SCENARIOS
    console().print(sweeping.rich_table(outcome, shown))
    if len(outcome.scenarios) > shown:
        console().print(f"… {len(outcome.scenarios) - shown:,} more scenarios; all are in {output}")
    if output is not None:
        try:
            sweeping.write_table(outcome, output, raw_csv)
        except OSError as problem:
            raise click.ClickException(
                f"cannot write '{output}': {problem.strerror or problem}"
            ) from None
        click.echo(f"wrote {len(outcome.scenarios)} scenarios to {output}", err=True)
    if chart is not None:
        _write_chart(outcome, chart, metric)
        click.echo(f"wrote {chart}", err=True)


def _write_chart(outcome: Any, path: Path, metric: str) -> None:
    """Draw one metric per scenario as an SVG line chart (documents' figures kit)."""
    import etsl.runtime.sweep.evaluate as sweeping
    from etsl.compiler.files import write_text
    from etsl.documents.figures.line_chart import values_chart

    first = outcome.variables[0]
    lines = sweeping.chart_lines(outcome, metric)
    title = f"{outcome.scheme}: {metric.replace('_', ' ')}"
    write_text(path, values_chart(title, first.target.label, list(first.texts), lines))


__all__: Sequence[str] = ("sql", "sweep")
