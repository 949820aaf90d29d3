"""The columnar engine: a whole scheme as one DuckDB query over every participant at once.

    run(compiled, dataset, options) -> Results         # the engine contract (results.ENGINES)
    run_file(compiled, DataFiles(...)) -> Results | Fallback   # `etsl run`: file in → file out

Data files are read by DuckDB itself, every cell as text (never through a float), checked
with the reference reader's rules (runtime/data/columns.py plans the columns), profiled
(decimal places and integer digits of each number column) and cast to exact DECIMALs; the
compiled query (runtime/columnar/sql/compile.py) then computes every rule of every row, and CSV or
Parquet results are streamed to the output file with COPY.

Anything this engine cannot do exactly is a `Fallback` with a reason, and the caller uses
the reference engine instead: constructs the compiler reports as unsupported, data the
reference reader would reject or warn about (it reports them), holdings tables. Several
periods of one participant (carry-over chains) are evaluated one period at a time
(runtime/columnar/chains.py). A row whose values cannot all be computed
(division by zero, a missing table row, …) is evaluated again by the reference engine, which
reports the error (or computes the row where it can), and its result replaces the row.

The engine is split by stage: runtime/columnar/data.py (sessions, sources),
runtime/columnar/profile.py (checks, profile, layout) and runtime/columnar/results.py (output
columns, files, rows, summary); their public names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from etsl.compiler.driver import CompiledScheme
from etsl.runtime.columnar.chains import has_chains, run_chains
from etsl.runtime.columnar.data import (
    CELLS,
    CHAINED,
    CSV_SUFFIXES,
    DATE_PATTERN,
    DEFAULT_CONTEXT_DIGITS,
    ENGINE,
    FALSE_WORDS,
    PARQUET_SUFFIXES,
    PATCH,
    RAW,
    RESULTS,
    TRUE_WORDS,
    WHITESPACE,
    Fallback,
    Header,
    Source,
    call,
    column,
    connect,
    create_table,
    csv_header,
    dataset_source,
    dataset_specs,
    file_source,
    holdings_by_record,
    literal,
    load_raw,
    parquet_names,
    quoted,
    read_header,
    resolve_periods,
    sql_of,
    trimmed,
)
from etsl.runtime.columnar.profile import (
    ColumnProfile,
    cells_view,
    check_and_profile,
    layout_of,
)
from etsl.runtime.columnar.results import (
    Evaluation,
    OutputColumn,
    export_query,
    fetch_results,
    iter_results,
    output_columns,
    parquet_value,
    participant_result,
    plain_text,
    result_select,
    store_patch,
    summary,
    write_output,
)
from etsl.runtime.columnar.sql.compile import (
    ColumnarQuery,
    Shape,
    compile_query,
    unsupported_constructs,
)
from etsl.runtime.columnar.sql.types import (
    PARTICIPANT,
    SCENARIO,
    Layout,
    ScenarioLayout,
    SystemLayout,
    Unsupported,
)
from etsl.runtime.records import DataFiles, Dataset, Holding, Record
from etsl.runtime.results.model import (
    EvaluationError,
    OnDemandRows,
    ParticipantResult,
    Results,
    RunOptions,
    SystemValues,
    WriteOptions,
    result_record,
)
from etsl.runtime.results.summary import Summary
from etsl.runtime.results.writers import check_errors
from sqlglot import exp

T = TypeVar("T")

__all__ = [
    "guarded",
    "CELLS",
    "CSV_SUFFIXES",
    "ColumnProfile",
    "ColumnarResults",
    "DATE_PATTERN",
    "DEFAULT_CONTEXT_DIGITS",
    "ENGINE",
    "Evaluation",
    "FALSE_WORDS",
    "Fallback",
    "Header",
    "lazy_rows",
    "OutputColumn",
    "PARQUET_SUFFIXES",
    "PATCH",
    "RAW",
    "RESULTS",
    "Source",
    "TRUE_WORDS",
    "WHITESPACE",
    "call",
    "cells_view",
    "check_and_profile",
    "column",
    "connect",
    "create_table",
    "csv_header",
    "dataset_source",
    "dataset_specs",
    "evaluate",
    "export_query",
    "fetch_results",
    "iter_results",
    "file_source",
    "holdings_by_record",
    "layout_of",
    "literal",
    "load_raw",
    "output_columns",
    "parquet_names",
    "parquet_value",
    "participant_result",
    "patch_with_reference",
    "prepare",
    "plain_text",
    "quoted",
    "read_header",
    "resolve_periods",
    "result_select",
    "run",
    "run_file",
    "run_records",
    "run_with_reason",
    "sql_of",
    "static_fallback",
    "store_patch",
    "summary",
    "trimmed",
    "write_output",
]


# ---- evaluation --------------------------------------------------------------------------------


def prepare(
    connection: Any, compiled: CompiledScheme, source: Source, period_filter: str | None
) -> tuple[Layout, int] | Fallback:
    """Check and profile RAW, and make CELLS, the typed view the query reads: the layout
    of the query's input, and how many rows it has."""
    checked = check_and_profile(connection, source, period_filter)
    if isinstance(checked, Fallback):
        return checked
    profiles, rows = checked
    layout = layout_of(compiled, source, profiles)
    if isinstance(layout, Fallback):
        return layout
    connection.execute(sql_of(create_table(CELLS, cells_view(source, period_filter), "VIEW")))
    return layout, int(rows)


def evaluate(
    connection: Any,
    compiled: CompiledScheme,
    source: Source,
    period_filter: str | None,
    shape: Shape = Shape.CTE,
    scenario: ScenarioLayout | None = None,
    system: SystemLayout | None = None,
) -> Evaluation | Fallback:
    """Check and profile RAW, compile the scheme for it, and compute RESULTS (for every
    scenario of `scenario`, a relation cross-joined with the rows, in sweeps; with the
    system values of `system`)."""

    prepared = prepare(connection, compiled, source, period_filter)
    if isinstance(prepared, Fallback):
        return prepared
    layout, rows = prepared
    layout = replace(layout, scenario=scenario, system=system)
    query = compile_query(compiled, layout, shape=shape)
    if isinstance(query, Unsupported):
        return Fallback(str(query))
    if scenario is not None:  # sweeps read RESULTS once, grouped (runtime/sweep/evaluate.py)
        connection.execute(sql_of(create_table(RESULTS, query.query, "VIEW")))
        return Evaluation(connection, compiled, compiled.program, query, int(rows), [])
    created = guarded(
        connection, query, lambda: connection.execute(sql_of(create_table(RESULTS, query.query)))
    )
    if isinstance(created, Fallback):
        return created
    failed = connection.execute(
        'SELECT "$row", "$participant", "$period" FROM etsl_results WHERE "$failed" ORDER BY "$row"'
    ).fetchall()
    return Evaluation(
        connection,
        compiled,
        compiled.program,
        query,
        int(rows),
        [(int(r), str(p), q) for r, p, q in failed],
    )


def guarded(connection: Any, query: ColumnarQuery, action: Callable[[], T]) -> T | Fallback:
    """`action()` (a statement computing the query's values), or why the reference engine
    must answer instead: a value that does not fit DECIMAL(38) (named), or a failed query."""
    import duckdb

    try:
        return action()
    except (duckdb.OutOfRangeException, duckdb.ConversionException) as exc:
        where = overflowing_value(connection, query)
        return Fallback(f"a value does not fit DECIMAL(38){where} ({str(exc).splitlines()[0]})")
    except duckdb.Error as exc:  # a bug: say so, and let the reference engine answer
        return Fallback(f"the columnar query failed ({str(exc).splitlines()[0]})")


def overflowing_value(connection: Any, query: ColumnarQuery) -> str:
    """`: 'cap' of participant 'F7'` (and the scenario, in sweeps): the first computed
    column whose value does not fit, found by computing the stages a prefix at a time."""
    import duckdb

    def fails(index: int) -> bool:  # some stage up to `index` cannot be computed
        counts = [exp.Count(this=column(name)) for name, _ in query.stages[: index + 1]]
        try:
            connection.execute(sql_of(query.up_to(index + 1, counts))).fetchall()
        except duckdb.Error:
            return True
        return False

    low, high = 0, len(query.stages) - 1
    try:
        if high < 0 or not fails(high):
            return ""
        while low < high:  # the first failing stage
            middle = (low + high) // 2
            low, high = (low, middle) if fails(middle) else (middle + 1, high)
        return f": '{query.owner(low)}'{_failing_row(connection, query, low)}"
    except duckdb.Error:  # the search is a courtesy: never let it hide the fallback
        return ""


def _failing_row(connection: Any, query: ColumnarQuery, index: int) -> str:
    """` of participant 'F7'`: a row whose value cannot be computed (TRY gives NULL) and
    whose computation alone stops the query (a NULL may also be a division by zero)."""
    import duckdb

    node = query.stages[index][1]
    keys = [column(PARTICIPANT), column(SCENARIO) if _sweep(query) else exp.Null()]
    unknown = exp.Is(this=call("try", node.copy()), expression=exp.Null())
    candidates = connection.execute(sql_of(query.up_to(index, keys).where(unknown).limit(20)))
    for participant, scenario in candidates.fetchall():
        row: exp.Expr = exp.EQ(this=column(PARTICIPANT), expression=literal(str(participant)))
        if scenario is not None:
            row = exp.and_(row, exp.EQ(this=column(SCENARIO), expression=exp.convert(scenario)))
        try:
            connection.execute(sql_of(query.up_to(index, [node.copy()]).where(row))).fetchall()
        except duckdb.Error:
            shown = f" in scenario {int(scenario) + 1}" if scenario is not None else ""
            return f" of participant '{participant}'{shown}"
    return ""


def _sweep(query: ColumnarQuery) -> bool:
    return query.layout is not None and query.layout.scenario is not None


def patch_with_reference(
    evaluation: Evaluation,
    records: Sequence[Record],
    holdings: Sequence[Holding],
    period: str | None,
    system: SystemValues | None = None,
) -> None:
    """Evaluate the failed rows with the reference engine (it reports why they failed),
    reading the system values of `system` (RunOptions.system) when the scheme has them."""
    from etsl.runtime.reference.sequence import run as reference_run

    if not evaluation.failed:
        return
    wanted = {(p, q): row for row, p, q in evaluation.failed}
    chosen = [r for r in records if (r.participant, r.period) in wanted]
    results = reference_run(
        evaluation.compiled,
        Dataset(tuple(chosen), tuple(holdings)),
        RunOptions(period=period, system=system),
    )
    for result in results.rows:
        evaluation.patch[wanted[result.participant, result.period]] = result


# ---- results ----------------------------------------------------------------------------------------


def lazy_rows(evaluation: Evaluation) -> OnDemandRows:
    """The rows of a file run, read from DuckDB only when asked for (a table shows 50)."""
    return OnDemandRows(lambda: (r for _, r in iter_results(evaluation)), evaluation.rows)


@dataclass(frozen=True)
class ColumnarResults(Results):  # type: ignore[misc, unused-ignore]
    """Results of a file run: rows stay in DuckDB; the summary and files come from SQL."""

    evaluation: Any = field(default=None, compare=False, repr=False)

    @property
    def errors(self) -> tuple[EvaluationError, ...]:
        patched = tuple(e for r in self.evaluation.patch.values() for e in r.errors)
        found: tuple[EvaluationError, ...] = tuple(self.problems) + patched
        return found

    def summary(self) -> Summary:
        return summary(self.evaluation)

    def records(self) -> Iterator[dict[str, object]]:
        """Rows streamed from DuckDB in batches."""
        return (result_record(self, r) for _, r in iter_results(self.evaluation))

    def write(self, path: Path, options: WriteOptions | None = None) -> None:
        suffix = path.suffix.lower()
        if suffix in (".csv", ".parquet"):
            options = options or WriteOptions()
            check_errors(self, options)
            write_output(self.evaluation, path, options)
        else:
            super().write(path, options)


def _results(evaluation: Evaluation, rows: Sequence[ParticipantResult]) -> Results:
    return Results.of(evaluation.program, ENGINE, tuple(rows))


def run_file(
    compiled: CompiledScheme, files: DataFiles, shape: Shape = Shape.CTE
) -> Results | Fallback:
    """Read a CSV or Parquet participant table straight into DuckDB and evaluate it there."""
    reason = static_fallback(compiled)
    if reason is not None:
        return reason
    if files.holdings is not None:
        return Fallback("holdings tables are read by the reference engine")
    connection = connect()
    source = file_source(
        connection, compiled, files.participants, files.mapping, files.strict, files.period
    )
    if isinstance(source, Fallback):
        return source
    evaluation = evaluate(connection, compiled, source, files.period, shape)
    if isinstance(evaluation, Fallback) and evaluation.reason == CHAINED:
        return _run_chained_file(compiled, files, shape)
    if isinstance(evaluation, Fallback):
        return evaluation
    if evaluation.failed:
        dataset = _read_checked(compiled, files)
        if isinstance(dataset, Fallback):
            return dataset
        patch_with_reference(evaluation, dataset.records, dataset.holdings, files.period)
    program = evaluation.program
    return ColumnarResults(
        program.name,
        ENGINE,
        lazy_rows(evaluation),
        program.rule_names,
        tuple(program.units),
        program.consequence_kinds,
        (),
        program.category_field,
        ranged_kinds=program.ranged_kinds,
        evaluation=evaluation,
    )


def _run_chained_file(
    compiled: CompiledScheme, files: DataFiles, shape: Shape
) -> Results | Fallback:
    """A file whose participants have several periods: read by the reference reader, then
    evaluated step by step (runtime/columnar/chains.py)."""
    dataset = _read_checked(compiled, files)
    if isinstance(dataset, Fallback):
        return dataset
    return _run_dataset(compiled, dataset, RunOptions(period=files.period), shape)


def _read_checked(compiled: CompiledScheme, files: DataFiles) -> Dataset | Fallback:
    """The file as the reference reader reads it, when it has nothing to report."""
    from etsl.runtime.data.load import load_dataset

    dataset, problems = load_dataset(
        files.participants,
        compiled,
        mapping=dict(files.mapping),
        strict=files.strict,
        period=files.period,
    )
    if dataset is None or problems:
        return Fallback("the data needs the reference reader's checks", notice=False)
    return dataset


def static_fallback(
    compiled: CompiledScheme, system: SystemLayout | None = None
) -> Fallback | None:
    """Constructs the engine leaves to the reference engine whatever the data (participant
    values reading system values need the system values: runtime/columnar/system.py)."""
    if compiled.program.borrows:
        return Fallback("borrowing between periods")
    if compiled.program.reads_system and system is None:
        return Fallback("participant values read system values (the system level)")
    problem = unsupported_constructs(compiled.program)
    return Fallback(str(problem)) if problem else None


def run_with_reason(
    compiled: CompiledScheme,
    dataset: Dataset,
    options: RunOptions | None = None,
    shape: Shape = Shape.CTE,
) -> tuple[Results, Fallback | None]:
    """The engine contract, saying why the reference engine was used when it was."""
    options = options or RunOptions()
    outcome = _run_dataset(compiled, dataset, options, shape)
    if isinstance(outcome, Results):
        return outcome, None
    from etsl.runtime.reference.sequence import run as reference_run

    return reference_run(compiled, dataset, options), outcome


def run(compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None) -> Results:
    """Evaluate every participant (the engine contract of runtime/results/model.py's ENGINES)."""
    return run_with_reason(compiled, dataset, options)[0]


def _run_dataset(
    compiled: CompiledScheme, dataset: Dataset, options: RunOptions, shape: Shape
) -> Results | Fallback:
    return run_records(compiled, dataset, options, shape)


def run_records(
    compiled: CompiledScheme,
    dataset: Dataset,
    options: RunOptions,
    shape: Shape = Shape.CTE,
    system: SystemLayout | None = None,
) -> Results | Fallback:
    """Evaluate records already read (rows reading system values read them from `system`,
    and the reference engine, for rows it evaluates, from `options.system`)."""
    if options.trace:
        return Fallback("traces come from the reference engine", notice=False)
    reason = static_fallback(compiled, system)
    if reason is not None:
        return reason
    if has_chains(dataset.records):
        steps = RunOptions(system=options.system)
        return run_chains(
            compiled,
            dataset,
            options,
            lambda step: run_records(compiled, step, steps, shape, system),
        )
    connection = connect()
    source = dataset_source(connection, compiled, dataset, options)
    if isinstance(source, Fallback):
        return source
    evaluation = evaluate(connection, compiled, source, None, shape, system=system)
    if isinstance(evaluation, Fallback):
        return evaluation
    patch_with_reference(
        evaluation, source.records, dataset.holdings, options.period, options.system
    )
    rows = [r for _, r in fetch_results(evaluation, records=source.records)]
    if options.progress is not None:
        options.progress(len(rows), len(rows))
    connection.close()
    return _results(evaluation, rows)
