"""Running a scheme on participant data: the engine registry, the columnar engine's fallback
and how data reach each engine. `etsl run` and `etsl.Scheme.run` both call this module.

    outcome = run_files(compiled, DataFiles(Path("facilities.csv")))   # columnar by default
    outcome.results      # Results, or None when the data could not be read
    outcome.problems     # data problems (errors and warnings), each with file, row, column
    outcome.notices      # why the reference engine answered instead, when it did

    results = run_dataset(compiled, dataset, "reference", RunOptions(trace=True))

Engines: `reference` (exact, one participant at a time, with traces), `columnar` (the
whole scheme as one exact DuckDB query) and `spark` (the same query on a Spark session;
needs the `spark` extra and Java). File runs stream: the reference engine computes its rows
while the results file is written, the columnar engine's rows stay in DuckDB. The columnar
engine reads CSV and Parquet files itself; when it or the Spark engine cannot evaluate a
scheme or a file exactly it says why (a `Fallback`) and the reference engine answers with
data read by etsl.runtime.data.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from etsl.compiler.errors import EtslError
from etsl.runtime.records import DataFiles, Dataset
from etsl.runtime.results.model import Results, RunOptions

if TYPE_CHECKING:
    from etsl.compiler.driver import CompiledScheme

__all__ = [
    "ENGINES",
    "DataFiles",
    "Engine",
    "EngineUnavailable",
    "RunOutcome",
    "UnknownEngine",
    "available_engines",
    "engine",
    "run_dataset",
    "run_files",
    "run_with_system",
]

Engine = Callable[["CompiledScheme", Dataset, RunOptions], Results]
#: The notice of an `--engine auto` run: which engine evaluated it.
AUTO_NOTICE = "engine auto: the {engine} engine evaluated this run"
Progress = Callable[[int, int], None]

#: engine name → "module:function" (the function is the engine contract, `Engine`).
ENGINES: dict[str, str] = {
    "reference": "etsl.runtime.reference.sequence:run",
    "columnar": "etsl.runtime.columnar.engine:run",
    "spark": "etsl.runtime.columnar.spark:run",
    "fixed": "etsl.runtime.fixed.engine:run",
    "auto": "etsl.runtime.run:run_auto",
}


def _stream_reference(compiled: CompiledScheme, dataset: Dataset, options: RunOptions) -> Results:
    from etsl.runtime.reference.sequence import stream

    return stream(compiled, dataset, options)


#: Engines whose rows can be computed while a file is written (file runs use these).
STREAMING: dict[str, Engine] = {"reference": _stream_reference}


class UnknownEngine(EtslError, ValueError):
    """An engine name that is not registered."""


class EngineUnavailable(EtslError):
    """A registered engine that cannot run here (a missing optional dependency or runtime)."""


def available_engines() -> list[str]:
    return [
        name
        for name, target in ENGINES.items()
        if importlib.util.find_spec(target.split(":")[0]) is not None
    ]


def engine(name: str) -> Engine:
    """The run function of a registered engine; EngineUnavailable says what it lacks (an
    engine module may define `check_available()`, called first)."""
    if name not in available_engines():
        raise UnknownEngine(f"unknown engine '{name}'; available: {', '.join(available_engines())}")
    module_name, function = ENGINES[name].split(":")
    module = importlib.import_module(module_name)
    check = getattr(module, "check_available", None)
    if check is not None:
        check()
    run: Engine = getattr(module, function)
    return run


@dataclass(frozen=True)
class RunOutcome:
    """What a run over data files gives: results (or None), data problems, notices."""

    results: Results | None
    problems: Sequence[Any] = ()
    notices: Sequence[str] = ()
    system: Any = None  # the system level's evaluation (runtime/reference/system.py SystemRun)


def run_auto(compiled: CompiledScheme, dataset: Dataset, options: RunOptions) -> Results:
    """`auto` on records already read: the fixed-point engine, which hands what it does not
    cover to the columnar engine (and that to the reference engine)."""
    return engine("fixed")(compiled, dataset, options)


def run_dataset(
    compiled: CompiledScheme, dataset: Dataset, engine_name: str, options: RunOptions
) -> Results:
    """Evaluate records already read, with a registered engine."""
    return engine(engine_name)(compiled, dataset, options)


def run_files(
    compiled: CompiledScheme,
    files: DataFiles,
    engine_name: str = "columnar",
    progress: Progress | None = None,
) -> RunOutcome:
    """Evaluate data files with an engine; the columnar engine falls back with a notice."""
    if files.system is not None or compiled.program.reads_system:
        return _system_files(compiled, files, engine_name, progress)
    if engine_name == "auto":
        return _auto_files(compiled, files, progress)
    if engine_name == "columnar":
        return _columnar_files(compiled, files, progress)
    if engine_name == "fixed":
        found = _fixed_file(compiled, files)
        if found is not None:
            return RunOutcome(found)
    run = STREAMING.get(engine_name) or engine(engine_name)
    dataset, problems = _read(compiled, files)
    if dataset is None:
        return RunOutcome(None, problems)
    options = RunOptions(period=files.period, progress=progress)
    with_reason = getattr(importlib.import_module(run.__module__), "run_with_reason", None)
    if with_reason is None:
        return RunOutcome(run(compiled, dataset, options), problems)
    results, reason = with_reason(compiled, dataset, options)
    notices = [reason.text()] if reason is not None and reason.notice else []
    return RunOutcome(results, problems, notices)


def _system_files(
    compiled: CompiledScheme, files: DataFiles, engine_name: str, progress: Progress | None
) -> RunOutcome:
    """A run with the system level: the system data is read and checked; the columnar
    engine evaluates it (runtime/columnar/system.py) or says why the reference engine does,
    each row reading the system values of its year (row_year)."""
    from etsl.runtime.system_data import read_system_data

    program = compiled.program
    rows: dict[int, Any] = {}
    if files.system is not None and program.system is not None:
        read, found = read_system_data(files.system, program)
        if read is None:
            return RunOutcome(None, found)
        rows = read
    dataset, problems = _read(compiled, files)
    if dataset is None:
        return RunOutcome(None, problems)
    source = str(files.system) if files.system else "<no system data>"
    options = RunOptions(period=files.period, progress=progress)
    outcome = run_with_system(compiled, dataset, rows, engine_name, options, source)
    return RunOutcome(outcome.results, problems, outcome.notices, outcome.system)


def run_with_system(
    compiled: CompiledScheme,
    dataset: Dataset,
    rows: Mapping[int, Mapping[str, Any]],
    engine_name: str = "columnar",
    options: RunOptions | None = None,
    source: str = "<system data>",
) -> RunOutcome:
    """Records and system data (by year) evaluated together: the columnar engine
    (runtime/columnar/system.py) or, with a notice saying why, the reference engine; each
    row reads the system values of its year (row_year). `outcome.system` is the SystemRun."""
    options = options or RunOptions()
    notices: list[str] = []
    if engine_name == "columnar" and compiled.program.system is not None:
        from etsl.runtime.columnar.system import run_system

        outcome = run_system(compiled, dataset, rows, options, source)
        if isinstance(outcome, tuple):
            return RunOutcome(outcome[0], (), notices, outcome[1])
        notices = [outcome.text()]
    elif engine_name != "reference":
        notices = [f"the reference engine evaluated this run, not {engine_name}: the system level"]
    return _system_by_reference(compiled, dataset, rows, options, source, notices)


def _system_by_reference(
    compiled: CompiledScheme,
    dataset: Dataset,
    rows: Mapping[int, Mapping[str, Any]],
    options: RunOptions,
    source: str,
    notices: Sequence[str],
) -> RunOutcome:
    from dataclasses import replace

    from etsl.compiler.system import row_year
    from etsl.runtime.reference.sequence import stream as reference_run
    from etsl.runtime.reference.system import SystemRun

    program = compiled.program
    system = SystemRun(program, rows, dataset.records, source=source) if program.system else None

    def values_of(period: str | None, year: int | None) -> Any:
        return system.year_values(row_year(program, period, year)) if system else {}

    results = reference_run(compiled, dataset, replace(options, system=values_of))
    return RunOutcome(results, (), notices, system)


def _fixed_file(compiled: CompiledScheme, files: DataFiles) -> Results | None:
    """The fixed-point engine over the file read straight into columns, or None when the
    records path must answer (runtime/fixed/reader.py says when)."""
    from etsl.runtime.fixed.engine import run_file

    found = run_file(compiled, files)
    return found if isinstance(found, Results) else None


def _auto_files(
    compiled: CompiledScheme, files: DataFiles, progress: Progress | None
) -> RunOutcome:
    """`--engine auto`: the fixed-point engine where its range proof covers the Program and
    the file reads into its columns, else the columnar engine (itself handing a run on to
    the reference engine where it must); the notice says which engine answered."""
    found = _fixed_file(compiled, files)
    if found is not None:
        return RunOutcome(found, (), [AUTO_NOTICE.format(engine="fixed")])
    outcome = _columnar_files(compiled, files, progress)
    engine_name = outcome.results.engine if outcome.results is not None else "columnar"
    notices = [AUTO_NOTICE.format(engine=engine_name), *outcome.notices]
    return RunOutcome(outcome.results, outcome.problems, notices, outcome.system)


def _read(compiled: CompiledScheme, files: DataFiles) -> tuple[Dataset | None, Sequence[Any]]:
    from etsl.runtime.data.load import load_dataset

    return load_dataset(
        files.participants,
        compiled,
        holdings=files.holdings,
        mapping=dict(files.mapping) or None,
        strict=files.strict,
        period=files.period,
    )


def _columnar_files(
    compiled: CompiledScheme, files: DataFiles, progress: Progress | None
) -> RunOutcome:
    """CSV and Parquet tables are read by DuckDB directly; other files, and data the
    reference reader must check or report, are read by etsl.runtime.data first."""
    from etsl.runtime.columnar import engine as columnar
    from etsl.runtime.reference.sequence import stream as reference_run

    outcome = columnar.run_file(compiled, files)
    if not isinstance(outcome, columnar.Fallback):
        return RunOutcome(outcome)
    dataset, problems = _read(compiled, files)
    if dataset is None:
        return RunOutcome(None, problems)
    if outcome.notice:
        options = RunOptions(period=files.period, progress=progress)
        return RunOutcome(reference_run(compiled, dataset, options), problems, [outcome.text()])
    results, reason = columnar.run_with_reason(compiled, dataset, RunOptions(period=files.period))
    notices = [reason.text()] if reason is not None and reason.notice else []
    return RunOutcome(results, problems, notices)
