"""Options and helpers of the commands that read participant data (run, explain, sweep)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from etsl.compiler.driver import CompiledScheme
    from etsl.runtime.records import Dataset
    from etsl.runtime.results.model import Results
    from etsl.runtime.run import RunOutcome

SCHEME_FILE = click.argument("scheme_file", metavar="SCHEME", type=click.Path(path_type=Path))
PARTICIPANTS = click.option(
    "--participants",
    "participants",
    required=True,
    metavar="DATA",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Participant data: CSV, JSON, Parquet or Excel (one row per participant and period).",
)
HOLDINGS = click.option(
    "--holdings",
    default=None,
    metavar="DATA",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Holdings table (participant, period, unit, quantity, attributes…).",
)
PERIOD = click.option(
    "--period",
    default=None,
    metavar="P",
    help="Report this period only (earlier periods still carry over); also "
    "the period of rows that give none.",
)
MAPPING = click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=INPUT|@FILE",
    help="Read data column COLUMN as scheme input INPUT (repeatable); @FILE reads a mapping "
    "file of 'column = input' lines (see docs/data.md).",
)
STRICT = click.option(
    "--strict", is_flag=True, help="Treat every data problem (unknown columns, …) as an error."
)
PROGRESS_AFTER = 1.0  # seconds


# ---- shared helpers ---------------------------------------------------------------------------


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in items:
        if item.startswith("@"):
            mapping.update(_mapping_file(Path(item[1:])))
            continue
        column, sep, name = item.partition("=")
        if not sep or not column or not name:
            raise click.BadParameter(f"'{item}' is not COLUMN=INPUT", param_hint="--map")
        mapping[column.strip()] = name.strip()
    return mapping


def _mapping_file(path: Path) -> dict[str, str]:
    from etsl.runtime.data.load import MappingError, load_mapping

    try:
        return load_mapping(path)
    except MappingError as problem:
        raise click.BadParameter(
            f"the mapping file has problems:\n{problem}", param_hint="--map"
        ) from None


def check_period(compiled: CompiledScheme, period: str | None) -> None:
    from etsl.compiler.diagnostics import did_you_mean

    periods = list(compiled.program.period_names)
    if period is not None and periods and period not in periods:
        hint = did_you_mean(period, periods) or f"periods: {', '.join(periods)}"
        raise click.BadParameter(
            f"'{period}' is not a period of '{compiled.name}' ({hint})", param_hint="--period"
        )


def load_data(
    path: Path,
    compiled: CompiledScheme,
    holdings: Path | None,
    mapping: dict[str, str],
    strict: bool,
    period: str | None,
) -> Dataset:
    """Read participant data with etsl.runtime.data.load; print its problems; exit 1 on failure."""
    from etsl.runtime.data.load import load_dataset

    dataset, problems = load_dataset(
        path, compiled, holdings=holdings, mapping=mapping or None, strict=strict, period=period
    )
    for problem in problems:
        click.echo(problem.render(), err=True)
    if dataset is None:
        sys.exit(1)
    return dataset


def reported(outcome: RunOutcome) -> Results:
    """Print a run's data problems and notices; exit 1 when the data could not be read."""
    for problem in outcome.problems:
        click.echo(problem.render(), err=True)
    for notice in outcome.notices:
        click.echo(notice, err=True)
    if outcome.results is None:
        sys.exit(1)
    return outcome.results


def console(stderr: bool = False) -> Any:
    """A rich console for tables. No markup: cells hold data (participant ids, varied names
    such as `reduction_factor[office]`) that rich would otherwise read as style tags."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    terminal = bool(getattr(stream, "isatty", lambda: False)())
    return Console(
        file=stream,
        highlight=False,
        markup=False,
        emoji=False,
        width=None if terminal else 200,
        no_color=not terminal,
    )


class LazyProgress:
    """A progress bar that appears only when the work has taken more than a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.show_at = time.monotonic() + PROGRESS_AFTER
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() < self.show_at:
                return
            err = console(stderr=True)
            if not err.is_terminal:
                self.show_at = float("inf")  # never on a pipe or file
                return
            from rich.progress import Progress

            self.bar = Progress(console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def with_progress(label: str, work: Callable[[Callable[[int, int], None]], Any]) -> Any:
    progress = LazyProgress(label)
    try:
        return work(progress)
    finally:
        progress.close()
