"""The system level on the command line: `etsl run --system-data`, `etsl explain --system`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from etsl.commands.data_options import console

if TYPE_CHECKING:
    from etsl.compiler.driver import CompiledScheme
    from etsl.runtime.records import Dataset
    from etsl.runtime.results.model import ParticipantResult
    from etsl.runtime.run import RunOutcome

SYSTEM_DATA = click.option(
    "--system-data",
    "system_data",
    default=None,
    metavar="DATA",
    type=click.Path(path_type=Path, dir_okay=False),
    help="System data (CSV): one row per year, the column 'year' and one column per system "
    "input, in the input's declared unit.",
)


def check_system_data(compiled: CompiledScheme, system_data: Path | None) -> None:
    if system_data is not None and compiled.program.system is None:
        raise click.BadParameter(
            f"'{compiled.name}' declares no system level (system {{ … }} or price)",
            param_hint="--system-data",
        )


def system_results(outcome: RunOutcome, allow_errors: bool) -> list[ParticipantResult] | None:
    """The system values of every year; their errors printed (exit 1 unless allowed)."""
    if outcome.system is None or outcome.results is None:
        return None
    results: list[ParticipantResult] = outcome.system.results()
    errors = [e for r in results for e in r.errors]
    for error in errors:
        click.echo(error.render(), err=True)
    if errors and not allow_errors:
        click.echo(
            f"{len(errors)} system value(s) could not be computed; nothing written "
            "(use --allow-errors to write the other results)",
            err=True,
        )
        sys.exit(1)
    return results


def report_system(results: list[ParticipantResult], level: Any, output: Path | None) -> None:
    from etsl.runtime.results.system import system_path, system_rows, write_system_results

    if output is None:
        from rich.table import Table

        rows = system_rows(results, level)
        table = Table(title="system values by year", title_justify="left")
        for column in rows[0]:
            table.add_column(column)
        for row in rows[1:]:
            table.add_row(*row)
        console().print(table)
        return
    target = system_path(output)
    try:
        write_system_results(results, level, target)
    except OSError as problem:
        raise click.ClickException(
            f"cannot write '{target}': {problem.strerror or problem}"
        ) from None
    click.echo(f"wrote {len(results):,} years to {target}", err=True)


def explain_system(
    compiled: CompiledScheme,
    name: str,
    year: int | None,
    system_data: Path | None,
    dataset: Dataset | None,
    output_format: str,
) -> None:
    """Explain one system value of one year (its aggregates over the participants given)."""
    from etsl.compiler.diagnostics import did_you_mean
    from etsl.runtime.reference.explain import explain_json, explain_text
    from etsl.runtime.reference.system import SystemRun

    level = compiled.program.system
    if level is None or name not in level.names:
        known = level.names if level else ()
        hint = did_you_mean(name, known) or f"system values: {', '.join(sorted(known)) or 'none'}"
        raise click.BadParameter(f"no system value named '{name}' ({hint})", param_hint="--system")
    if year is None:
        raise click.BadParameter("give the year to explain", param_hint="--year")
    rows = system_rows_or_exit(compiled, system_data)
    if rows and year not in rows:
        raise click.BadParameter(f"the system data has no row for {year}", param_hint="--year")
    records = dataset.records if dataset else ()
    source = str(system_data) if system_data else "<no system data>"
    run = SystemRun(
        compiled.program,
        rows or {year: {}},
        records,
        trace=True,
        source=source,
        row_notes=bool(rows),  # no file: no row numbers to point at
    )
    result = run.result(year)
    assert result.trace is not None
    # only the errors of the values the explanation shows: the year's other values may lack
    # data the explained one does not need
    used = {name, *result.trace.below(name)}
    for error in result.errors:
        if error.rule in used:
            click.echo(error.render(), err=True)
    if output_format == "json":
        import json

        click.echo(json.dumps(explain_json([result.trace], name), indent=2, ensure_ascii=False))
    else:
        click.echo(explain_text(result.trace, [name]))
    entry = result.trace.entries.get(name)
    if entry is None or entry.error is not None:
        if not any(error.rule in used for error in result.errors):  # `else none` inputs
            reason = entry.error if entry else "not evaluated"
            click.echo(f"error: '{name}' of {year} is not computed: {reason}", err=True)
            click.echo(f"  hint: give what it reads for {year} in the system data", err=True)
        sys.exit(1)


def system_rows_or_exit(compiled: CompiledScheme, system_data: Path | None) -> dict[int, Any]:
    """The system data by year ({} without a file); its problems printed (exit 1)."""
    from etsl.runtime.system_data import read_system_data

    if system_data is None:
        return {}
    read, problems = read_system_data(system_data, compiled.program)
    for problem in problems:
        click.echo(problem.render(), err=True)
    if read is None:
        sys.exit(1)
    return dict(read)


def participant_system_values(
    compiled: CompiledScheme, system_data: Path | None, dataset: Dataset
) -> Any:
    """What participant rows read of the system level when explained (RunOptions.system):
    the values of each row's year, from the system data (or none: price paths still have
    values), or None when the scheme has no system level."""
    from etsl.compiler.system import row_year
    from etsl.runtime.reference.system import SystemRun

    program = compiled.program
    if program.system is None:
        return None
    rows = system_rows_or_exit(compiled, system_data)
    source = str(system_data) if system_data else "<no system data>"
    run = SystemRun(program, rows, dataset.records, source=source)

    def values_of(period: str | None, year: int | None) -> Any:
        return run.year_values(row_year(program, period, year))

    return values_of
