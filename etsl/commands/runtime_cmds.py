"""`etsl run`, `explain` and `test`: evaluate schemes against data and their own examples."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from etsl.commands.common import (
    IMPORT_PATH,
    PATHS,
    RAW_CSV,
    SCHEME_NAME,
    compile_or_exit,
    emit,
    one_scheme,
    report,
    write_results,
)
from etsl.commands.data_options import (
    HOLDINGS,
    MAPPING,
    PARTICIPANTS,
    PERIOD,
    SCHEME_FILE,
    STRICT,
    check_period,
    console,
    load_data,
    parse_mapping,
    reported,
    with_progress,
)
from etsl.commands.system_options import (
    SYSTEM_DATA,
    check_system_data,
    explain_system,
    participant_system_values,
    report_system,
    system_results,
)

SHOWN_ROWS = 50


if TYPE_CHECKING:
    from etsl.compiler.driver import CompiledScheme
    from etsl.runtime.records import DataFiles, Dataset
    from etsl.runtime.results.model import ParticipantResult, Results
    from etsl.runtime.run import RunOutcome


def print_errors(results: Results) -> None:
    for error in results.errors:
        click.echo(error.render(), err=True)


# ---- run ----------------------------------------------------------------------------------------


def _consequence_text(row: ParticipantResult) -> str:
    from etsl.runtime.reference.explain import consequence_note

    return "; ".join(consequence_note(c) for c in row.consequences)


def _rows_table(results: Results) -> Any:
    from rich.table import Table

    from etsl.compiler.display import format_value

    names = [
        n
        for n in (
            "covered",
            "obligation",
            "cap",
            "target",
            "credits_issued",
            "surrendered",
            "shortfall",
            "surplus",
            "banked",
        )
        if n in results.rule_names
    ]
    table = Table(title=f"{results.scheme}: results (quantities in t CO2e)", title_justify="left")
    year = ["year"] if results.by_year else []
    for column in ["participant", "period", *year, *names, "consequences"]:
        table.add_column(column, justify="right" if column in names[1:] else "left")
    for row in results.rows[:SHOWN_ROWS]:
        cells = [
            format_value(row.values.get(n)) if row.values.get(n) is not None else "—" for n in names
        ]
        error = "error: " + row.errors[0].message if row.errors else ""
        when = [str(row.year or "")] if results.by_year else []
        table.add_row(
            row.participant, row.period or "", *when, *cells, error or _consequence_text(row)
        )
    return table


def _summary_table(results: Results) -> Any:
    from rich.table import Table

    from etsl.compiler.display import format_value

    summary = results.summary()
    table = Table(
        title=f"{results.scheme}: summary ({results.engine} engine)",
        title_justify="left",
        show_header=False,
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("rows (participant × period)", f"{summary.rows:,}")
    table.add_row("participants", f"{summary.participants:,}")
    table.add_row("participants covered", f"{summary.participants_covered:,}")
    for label, value in (
        ("total cap (covered participants)", summary.total_cap),
        ("total target (covered participants)", summary.total_target),
        ("total obligation", summary.total_obligation),
        ("total shortfall", summary.total_shortfall),
        ("total surplus", summary.total_surplus),
    ):
        if value is not None:
            table.add_row(label, format_value(value, "tCO2e"))
    table.add_row("non-compliant (shortfall > 0)", f"{summary.non_compliant:,}")
    for kind, total in summary.consequences.items():
        amount = f", {format_value(total.amount, total.unit)}" if total.amount else ""
        if total.minimum is not None:
            amount += f" (at least {format_value(total.minimum, total.unit)})"
        applied = f"{total.count:,} row{'' if total.count == 1 else 's'}"
        table.add_row(f"consequence: {kind}", f"{applied}{amount}")
    for category, part in summary.by_category.items():
        table.add_row(
            f"{summary.category_field} = {category}",
            f"{part.rows:,} row{'' if part.rows == 1 else 's'}, "
            f"{part.covered:,} covered, "
            f"shortfall {format_value(part.shortfall, 'tCO2e')}",
        )
    if summary.errors:
        table.add_row("rows with errors", f"{summary.errors:,}")
    return table


def _engine(name: str) -> Callable[..., Results]:
    from etsl.runtime.run import EngineUnavailable, UnknownEngine, engine

    try:
        return engine(name)
    except (UnknownEngine, EngineUnavailable) as exc:
        raise click.BadParameter(str(exc), param_hint="--engine") from None


def _check_output(output: Path | None) -> None:
    from etsl.runtime.results.writers import WRITERS

    if output is not None and output.suffix.lower() not in WRITERS:
        raise click.BadParameter(
            f"cannot write '{output.suffix or output.name}' files; use "
            f"{', '.join(sorted(WRITERS))}",
            param_hint="-o",
        )


def _run_files(
    compiled: CompiledScheme, files: DataFiles, engine_name: str, progress: Any
) -> RunOutcome:
    """run_files, with an engine that cannot start (a Spark session) reported, not raised."""
    from etsl.runtime.run import EngineUnavailable, run_files

    try:
        return run_files(compiled, files, engine_name, progress)
    except EngineUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@click.command()
@SCHEME_FILE
@PARTICIPANTS
@HOLDINGS
@PERIOD
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write every row to OUT.csv, OUT.json, OUT.jsonl (JSON Lines) or OUT.parquet "
    "(atomically; CSV and JSON are streamed as the rows are computed).",
)
@click.option(
    "--engine",
    "engine_name",
    default="columnar",
    show_default=True,
    metavar="NAME",
    help="Evaluation engine (columnar: the whole scheme as one exact DuckDB query, "
    "falling back to the reference engine with a notice when it cannot; reference: "
    "exact, one participant at a time; fixed: exact fixed-point integers in numpy, every "
    "participant at once, handing what it does not cover to the columnar engine with a "
    "notice (docs/fixed.md); auto: the fixed engine where it covers the scheme and the "
    "file reads into its columns, else columnar, with a notice naming the engine; spark: "
    "the columnar query on a Spark session, local unless Spark is configured, with the "
    "spark extra and Java 17+).",
)
@click.option(
    "--allow-errors",
    is_flag=True,
    help="Write results even when some values could not be computed (those cells "
    "stay empty and the 'error' column says why); exit 0.",
)
@SYSTEM_DATA
@RAW_CSV
@MAPPING
@STRICT
@IMPORT_PATH
@SCHEME_NAME
def run(
    scheme_file: Path,
    participants: Path,
    holdings: Path | None,
    period: str | None,
    output: Path | None,
    engine_name: str,
    allow_errors: bool,
    system_data: Path | None,
    raw_csv: bool,
    mapping: tuple[str, ...],
    strict: bool,
    import_paths: tuple[Path, ...],
    scheme_name: str | None,
) -> None:
    """Evaluate a scheme against participant data.

    Prints a table of results and a summary, or writes every row (every rule value,
    eligible.UNIT, consequence totals) to -o FILE. A value that cannot be computed for a
    participant (division by zero, missing table row or input) is reported with the
    participant, period and rule; the run then exits 1 without writing a file unless
    --allow-errors is given.

    With --system-data (one row per year: `year` and the system inputs), the system level
    is evaluated for every year of the file, participant rows read the system values of
    their year, and the system values are printed, or written to OUT.system.csv beside -o.
    """
    from etsl.runtime.records import DataFiles

    compiled = one_scheme(compile_or_exit([scheme_file], import_paths, reuse=True), scheme_name)
    check_period(compiled, period)
    _check_output(output)
    _engine(engine_name)
    check_system_data(compiled, system_data)
    files = DataFiles(participants, holdings, parse_mapping(mapping), strict, period, system_data)

    def evaluate(progress: Any) -> None:
        outcome = _run_files(compiled, files, engine_name, progress)
        system = system_results(outcome, allow_errors)
        _run_and_report(outcome, output, raw_csv, allow_errors)
        if system is not None:
            report_system(system, outcome.system.level, output)

    with_progress("evaluating", evaluate)


def _run_and_report(
    outcome: RunOutcome, output: Path | None, raw_csv: bool, allow_errors: bool
) -> None:
    """Write (while the rows are computed, for streamed results), then report."""
    from etsl.runtime.results.model import ResultsHaveErrors, WriteOptions

    results = reported(outcome)
    written = False
    if output is not None:
        with contextlib.suppress(ResultsHaveErrors):
            write_results(results, output, WriteOptions(raw_csv, allow_errors))
            written = True
    print_errors(results)
    if results.errors and not allow_errors:
        click.echo(
            f"{len(results.errors)} value(s) could not be computed; nothing written "
            "(use --allow-errors to write the other results)",
            err=True,
        )
        sys.exit(1)
    out = console()
    if written:
        click.echo(f"wrote {len(results.rows):,} rows to {output}", err=True)
    else:
        out.print(_rows_table(results))
        if len(results.rows) > SHOWN_ROWS:
            out.print(
                f"… {len(results.rows) - SHOWN_ROWS:,} more rows; write them all with -o FILE.csv"
            )
    out.print(_summary_table(results))


# ---- explain --------------------------------------------------------------------------------------


def _check_participant(dataset: Dataset, participant: str) -> None:
    from etsl.compiler.diagnostics import did_you_mean

    known = {r.participant for r in dataset.records}
    if participant not in known:
        hint = did_you_mean(participant, known) or f"{len(known)} participants in the data"
        raise click.BadParameter(
            f"no participant '{participant}' in the data ({hint})", param_hint="--id"
        )


@click.command()
@SCHEME_FILE
@click.option(
    "--participants",
    "participants",
    default=None,
    metavar="DATA",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Participant data (required unless --system is given: then the participants of "
    "the year its aggregates sum over).",
)
@HOLDINGS
@click.option(
    "--id",
    "participant",
    default=None,
    metavar="ID",
    help="The participant to explain (required unless --system is given).",
)
@PERIOD
@click.option(
    "--rule",
    "rule_name",
    default=None,
    metavar="NAME",
    help="Explain this value only (a rule, input, eligible.UNIT or penalty.NAME).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A derivation tree, or the trace as JSON (etsl.trace/1).",
)
@click.option(
    "--system",
    "system_name",
    default=None,
    metavar="NAME",
    help="Explain a system value (a value of the whole scheme in a year) instead of a "
    "participant's; with --year and --system-data.",
)
@click.option("--year", type=int, default=None, help="The year of the system value (--system).")
@SYSTEM_DATA
@MAPPING
@STRICT
@IMPORT_PATH
@SCHEME_NAME
def explain(
    scheme_file: Path,
    participants: Path | None,
    holdings: Path | None,
    participant: str | None,
    period: str | None,
    rule_name: str | None,
    output_format: str,
    system_name: str | None,
    year: int | None,
    system_data: Path | None,
    mapping: tuple[str, ...],
    strict: bool,
    import_paths: tuple[Path, ...],
    scheme_name: str | None,
) -> None:
    """Explain how one participant's values were derived, step by step.

    Each line shows a value as its formula with the numbers filled in, the table entries
    it used and the legal source it cites, e.g.
    `cap = floor(10,000 t CO2e/yr × 5 yr × (1 − 8 %)) = 46,000 t CO2e — reduction_factor
    for office in period first, <citation>`.
    """
    from etsl.runtime.reference.explain import explain_json, explain_text
    from etsl.runtime.reference.sequence import run as run_reference
    from etsl.runtime.results.model import RunOptions

    compiled = one_scheme(compile_or_exit([scheme_file], import_paths, reuse=True), scheme_name)
    check_period(compiled, period)
    check_system_data(compiled, system_data)
    if system_name is not None:
        dataset = (
            load_data(participants, compiled, holdings, parse_mapping(mapping), strict, period)
            if participants is not None
            else None
        )
        explain_system(compiled, system_name, year, system_data, dataset, output_format)
        return
    if participants is None or participant is None:
        missing = "--participants" if participants is None else "--id"
        raise click.BadParameter("required to explain a participant", param_hint=missing)
    dataset = load_data(participants, compiled, holdings, parse_mapping(mapping), strict, period)
    _check_participant(dataset, participant)
    options = RunOptions(
        period=period,
        trace=True,
        participants=frozenset({participant}),
        system=participant_system_values(compiled, system_data, dataset),
    )
    results = run_reference(compiled, dataset, options)
    print_errors(results)
    traces = [row.trace for row in results.rows if row.trace is not None]
    if not traces:
        raise click.BadParameter(
            f"participant '{participant}' has no row for period '{period}'", param_hint="--period"
        )
    _check_rule(traces[0].entries, rule_name)
    if output_format == "json":
        import json

        emit(json.dumps(explain_json(traces, rule_name), indent=2, ensure_ascii=False), None)
        return
    texts = [explain_text(trace, [rule_name] if rule_name else None) for trace in traces]
    click.echo("\n\n".join(texts))


def _check_rule(entries: Any, rule_name: str | None) -> None:
    from etsl.compiler.diagnostics import did_you_mean

    if rule_name is not None and rule_name not in entries:
        hint = (
            did_you_mean(rule_name, entries) or "give a rule, input, eligible.UNIT or penalty.NAME"
        )
        raise click.BadParameter(f"no value named '{rule_name}' ({hint})", param_hint="--rule")


# ---- test ------------------------------------------------------------------------------------------


@click.command()
@PATHS
@IMPORT_PATH
@click.option(
    "-k",
    "pattern",
    default=None,
    metavar="TEXT",
    help="Only examples whose scheme name or title contains TEXT.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print failures and the summary only.")
@click.option(
    "--engine",
    "engine_name",
    default="reference",
    show_default=True,
    metavar="NAME",
    help="Evaluate the examples with this engine (reference, columnar, fixed); the "
    "reference engine explains each failure.",
)
def test(
    paths: tuple[Path, ...],
    import_paths: tuple[Path, ...],
    pattern: str | None,
    quiet: bool,
    engine_name: str,
) -> None:
    """Run the example blocks of schemes; print pass/fail with diffs; exit 1 on any failure.

    Schemes that do not compile are reported and count as failures.
    """
    from etsl.compiler.driver import compile_paths
    from etsl.runtime.examples import render_outcome, run_examples

    _engine(engine_name)
    compilation = compile_paths(paths, import_paths, reuse=True)
    if not compilation.ok:
        report(compilation, quiet_ok=True)
    passed = failed = 0
    for name in sorted(compilation.schemes):
        for outcome in run_examples(compilation.schemes[name], engine_name):
            if pattern and pattern not in f"{name} {outcome.title}":
                continue
            passed, failed = passed + outcome.passed, failed + (not outcome.passed)
            if not (quiet and outcome.passed):
                click.echo(render_outcome(outcome))
    total = passed + failed
    click.echo(
        f"{total} example(s): {passed} passed, {failed} failed"
        + ("" if compilation.ok else "; some schemes did not compile")
    )
    sys.exit(0 if compilation.ok and not failed else 1)
