"""The columnar query on Apache Spark: `etsl run --engine spark`.

    run(compiled, dataset, options) -> Results         # the engine contract (runtime/run.py)
    run_with_reason(compiled, dataset, options) -> (Results, Fallback | None)

The data are read, checked and profiled exactly as for the columnar engine (locally, in
DuckDB: the reference reader's rules, each number column's places and digits); the typed
participant table then goes to Spark as an Arrow table, and the scheme's query, compiled
for Spark's decimal rules (the SPARK flavour: quotients from Spark's own DECIMAL division,
corrected by an exact remainder; sql/exact.py), runs there. Rows that could not be computed
are evaluated by the reference engine, which reports why, as with the columnar engine.

The session is the user's (`SparkSession.builder.getOrCreate()`: spark-defaults.conf,
`SPARK_HOME`, `PYSPARK_SUBMIT_ARGS`; a local session when nothing is configured), with the
settings exactness needs (`SETTINGS`): ANSI mode, so that an overflow stops the query instead
of giving NULL, and no decimal precision loss, so that no product is ever rounded.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import replace
from typing import Any

from etsl.compiler.driver import CompiledScheme
from etsl.runtime.columnar.data import CELLS, Fallback, connect, dataset_source, sql_of
from etsl.runtime.columnar.engine import prepare
from etsl.runtime.columnar.results import Evaluation, participant_result
from etsl.runtime.columnar.sql.compile import Shape, compile_query, unsupported_constructs
from etsl.runtime.columnar.sql.types import FAILED, ROW, SPARK, Unsupported
from etsl.runtime.records import Dataset, Record
from etsl.runtime.results.model import ParticipantResult, Results, RunOptions
from etsl.runtime.run import EngineUnavailable
from sqlglot import exp

ENGINE = "spark"

#: Session settings the exact query needs (set on the session for every run).
SETTINGS = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    # one projection per rule: a long chain of CTEs needs more analyzer passes than 100
    "spark.sql.analyzer.maxIterations": "10000",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


class SparkUnavailable(EngineUnavailable):
    """Spark cannot be used here: pyspark or Java is missing, or the session did not start."""


def check_available() -> None:
    """Raise SparkUnavailable naming what is missing (before any data is read)."""
    if importlib.util.find_spec("pyspark") is None:
        raise SparkUnavailable(
            "the spark engine needs pyspark: pip install 'etsl[spark]' (and Java 17 or later)"
        )
    java_home = os.environ.get("JAVA_HOME", "")
    java = os.path.join(java_home, "bin", "java") if java_home else shutil.which("java")
    if java is None or not os.path.exists(java):
        raise SparkUnavailable(
            "the spark engine needs Java 17 or later: install a JDK, or set JAVA_HOME"
        )


def session() -> Any:
    """The user's Spark session (local when nothing is configured), set for exactness."""
    check_available()
    from pyspark.sql import SparkSession

    try:
        spark = SparkSession.builder.appName("etsl").getOrCreate()
    except Exception as exc:  # pyspark raises several kinds when the JVM cannot start
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SparkUnavailable(f"could not start a Spark session: {first}") from None
    for key, value in SETTINGS.items():
        spark.conf.set(key, value)
    return spark


def run(compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None) -> Results:
    """Evaluate every participant on Spark (the engine contract)."""
    return run_with_reason(compiled, dataset, options)[0]


def run_with_reason(
    compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None
) -> tuple[Results, Fallback | None]:
    """Results, and why the reference engine answered instead when it did."""
    from etsl.runtime.reference.sequence import run as reference_run

    options = options or RunOptions()
    outcome = _run(compiled, dataset, options)
    if isinstance(outcome, Results):
        return outcome, None
    return reference_run(compiled, dataset, options), replace(outcome, engine=ENGINE)


def _run(compiled: CompiledScheme, dataset: Dataset, options: RunOptions) -> Results | Fallback:
    if options.trace:
        return Fallback("traces come from the reference engine", notice=False)
    if compiled.program.borrows:
        return Fallback("borrowing between periods")
    problem = unsupported_constructs(compiled.program)
    if problem is not None:
        return Fallback(str(problem))
    connection = connect()
    source = dataset_source(connection, compiled, dataset, options)
    if isinstance(source, Fallback):
        return source
    prepared = prepare(connection, compiled, source, None)
    if isinstance(prepared, Fallback):
        return prepared
    layout, rows = prepared
    query = compile_query(compiled, layout, SPARK, Shape.NESTED)
    if isinstance(query, Unsupported):
        return Fallback(str(query))
    cells = connection.sql(sql_of(exp.select(exp.Star()).from_(CELLS))).to_arrow_table()
    connection.close()
    computed = _collect(session(), cells, query.sql("spark"))
    if isinstance(computed, Fallback):
        return computed
    evaluation = Evaluation(None, compiled, compiled.program, query, rows, [])
    return _results(evaluation, computed, source.records, dataset, options)


def _collect(spark: Any, cells: Any, sql: str) -> list[dict[str, Any]] | Fallback:
    """Run the query on `cells` (registered under the name the query reads)."""
    spark.createDataFrame(cells).createOrReplaceTempView(CELLS)
    try:
        return [row.asDict() for row in spark.sql(sql).collect()]
    except Exception as exc:  # Spark's errors arrive as several Python classes
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "OVERFLOW" in message.upper() or "OUT_OF_RANGE" in message.upper():
            return Fallback(f"a value does not fit DECIMAL(38) ({message})")
        return Fallback(f"the Spark query failed ({message})")
    finally:
        spark.catalog.dropTempView(CELLS)


def _results(
    evaluation: Evaluation,
    computed: list[dict[str, Any]],
    records: tuple[Record, ...],
    dataset: Dataset,
    options: RunOptions,
) -> Results:
    from etsl.runtime.columnar.engine import patch_with_reference

    evaluation.failed = [
        (int(row[ROW]), str(row["$participant"]), row["$period"]) for row in computed if row[FAILED]
    ]
    patch_with_reference(evaluation, records, dataset.holdings, options.period)
    rows: dict[int, ParticipantResult] = dict(evaluation.patch)
    for row in computed:
        if not row[FAILED]:
            rows[int(row[ROW])] = participant_result(evaluation, row, records[int(row[ROW])])
    program = evaluation.program
    return Results.of(program, ENGINE, tuple(rows[index] for index in sorted(rows)))
