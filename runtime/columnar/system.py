"""The system level on the columnar engine: aggregates in SQL, system values per year, and
participant rows that read them, in three exact steps.

    outcome = run_system(compiled, dataset, rows, options)   # (Results, SystemRun) | Fallback

1. **Aggregates** (`sum`, `mean`, `count` over the participants of a year): the participant
   query computes each aggregate's argument as a column `$aggregate.KEY`, and one SQL
   aggregate query sums (or counts) them by period; the periods starting in the same year
   are added exactly (compiler/numbers.py), since a row without a year reads its period's
   first year (`row_year`).
2. **System values**: the reference engine's evaluator of one year (runtime/reference/
   system.py SystemRun), given those totals. A system level holds a handful of values for a
   handful of years, computed from one another (price paths chained year by year, exact
   division): evaluating them as scalars, with the code that explains them, is exact and
   costs nothing next to the participant rows; a SQL copy would be a second definition.
3. **Participant rows**: the columnar query, where a system value is a constant chosen by
   the row's year (a period kept by year) or its period (sql/expressions.py system_value).
   A row whose year lacks the value is NULL there, and the reference engine evaluates it
   and reports why (with the same system values).

What stays with the reference engine, with its reason: an aggregate whose argument reads a
system value (step 1 would need step 2) or a value of the surrender or carry-over (the
reference engine aggregates each row's own data), and aggregates over rows kept by year or
over several periods of one participant (the chains of runtime/columnar/chains.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from etsl.compiler import numbers
from etsl.compiler import program as ir
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.system import row_year
from etsl.runtime.columnar.chains import has_chains
from etsl.runtime.columnar.data import RESULTS, Fallback, connect, dataset_source, sql_of
from etsl.runtime.columnar.engine import evaluate, run_records
from etsl.runtime.columnar.sql.compile import Shape
from etsl.runtime.columnar.sql.types import PERIOD, SystemLayout, aggregate_column, col
from etsl.runtime.records import Dataset, Value
from etsl.runtime.reference.expressions import Fault, Upstream
from etsl.runtime.reference.system import Rows, SystemRun, Totals
from etsl.runtime.results.model import Results, RunOptions
from sqlglot import exp

ZERO = Decimal(0)


def run_system(
    compiled: CompiledScheme,
    dataset: Dataset,
    rows: Rows,
    options: RunOptions,
    source: str = "<system data>",
    shape: Shape = Shape.CTE,
) -> tuple[Results, SystemRun] | Fallback:
    """Participant results and the system level's evaluation, or why the reference engine
    evaluates the run instead (see the module docstring)."""
    program = compiled.program
    assert program.system is not None
    totals = aggregate_totals(compiled, dataset, shape)
    if isinstance(totals, Fallback):
        return totals
    system = SystemRun(program, rows, dataset.records, source=source, totals=totals)
    layout = system_layout(system, dataset)

    def values_of(period: str | None, year: int | None) -> Any:
        return system.year_values(row_year(program, period, year))

    results = run_records(compiled, dataset, replace(options, system=values_of), shape, layout)
    if isinstance(results, Fallback):
        return results
    return results, system


def system_layout(system: SystemRun, dataset: Dataset) -> SystemLayout:
    """The system values of every year a row reads (a value that cannot be computed for a
    year is left out: rows reading it go to the reference engine, which reports it)."""
    program = system.program
    years = {row_year(program, r.period, r.year) for r in dataset.records}
    values: dict[str, dict[int, object]] = {}
    for year in sorted(y for y in years if y is not None):
        for name in sorted(system.level.names):
            value = _value(system, year, name)
            if value is not None:
                values.setdefault(name, {})[year] = value
    periods = {p.name: p.first_year for p in program.periods if p.first_year is not None}
    return SystemLayout(values, periods)


def _value(system: SystemRun, year: int, name: str) -> Value | None:
    """A system value as the query's constant: a number without trailing zeros in its
    places (the same number; a path scaled to base units may carry dozens of them, which
    would widen every DECIMAL that reads it beyond 38 digits)."""
    try:
        value = system.value(year, name)
    except (Fault, Upstream, KeyError):
        return None
    if isinstance(value, Decimal) and not isinstance(value, bool):
        return trimmed_places(value)
    return value


def trimmed_places(value: Decimal) -> Decimal:
    """`4300.000000` → `4300`, `4.3000` → `4.3` (never an exponent above zero)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# ---- step 1: aggregates as one SQL aggregate query ----------------------------------------


def aggregate_totals(
    compiled: CompiledScheme, dataset: Dataset, shape: Shape = Shape.CTE
) -> Totals | Fallback:
    """year → aggregate → (sum or count, rows) over every participant row of the data."""
    program = compiled.program
    assert program.system is not None
    aggregates = program.system.aggregates
    if not aggregates:
        return {}
    reason = aggregates_fallback(program, dataset)
    if reason is not None:
        return reason
    connection = connect()
    try:
        source = dataset_source(connection, compiled, dataset, RunOptions())
        if isinstance(source, Fallback):
            return source
        layout = SystemLayout({}, {}, {k: a.arg for k, a in aggregates.items()})
        evaluation = evaluate(connection, compiled, source, None, shape, system=layout)
        if isinstance(evaluation, Fallback):
            return evaluation
        return _totals(connection, program, aggregates)
    finally:
        connection.close()


def aggregates_fallback(program: ir.Program, dataset: Dataset) -> Fallback | None:
    """Aggregates the SQL step cannot compute before the system values, or not as the
    reference engine does (it aggregates each row's own data, without the surrender)."""
    assert program.system is not None
    for key, node in program.system.aggregates.items():
        read = reads_of(program, node.arg)
        if ir.RefKind.SYSTEM in read:
            return Fallback(
                f"the aggregate {key} reads a participant value that reads a system value"
            )
        if ir.RefKind.RUNTIME in read:
            return Fallback(f"the aggregate {key} reads a value of the surrender or carry-over")
    if program.by_year or has_chains(dataset.records):
        return Fallback("aggregates over several periods or years of one participant")
    return None


def reads_of(program: ir.Program, expr: ir.Expr) -> set[ir.RefKind]:
    """The kinds of names an expression reads, directly or through participant rules and
    parameters."""
    seen: set[str] = set()
    kinds: set[ir.RefKind] = set()
    pending = [expr]
    while pending:
        for node in ir.walk(pending.pop()):
            if isinstance(node, ir.Ref) and node.name not in seen:
                seen.add(node.name)
                kinds.add(node.kind)
                pending += _definition(program, node)
    return kinds


def _definition(program: ir.Program, ref: ir.Ref) -> list[ir.Expr]:
    if ref.kind is ir.RefKind.RULE and ref.name in program.rules:
        return [program.rules[ref.name].expr]
    if ref.kind is ir.RefKind.PARAM and ref.name in program.params:
        return [program.params[ref.name].expr]
    return []


def _totals(
    connection: Any, program: ir.Program, aggregates: Mapping[str, ir.Aggregate]
) -> Totals | Fallback:
    keys = list(aggregates)
    columns = [col(aggregate_column(k)) for k in keys]
    unknown = exp.or_(*(exp.Is(this=c.copy(), expression=exp.Null()) for c in columns))
    failed = exp.select(exp.Count(this=exp.Star())).from_(RESULTS).where(unknown)
    if connection.execute(sql_of(failed)).fetchone()[0]:
        return Fallback("a participant value an aggregate reads cannot be computed for every row")
    totals = [_total(aggregates[k], c) for k, c in zip(keys, columns, strict=True)]
    query = (
        exp.select(col(PERIOD), exp.Count(this=exp.Star()), *totals)
        .from_(RESULTS)
        .group_by(col(PERIOD))
    )
    by_year: dict[int, dict[str, tuple[Decimal, int]]] = {}
    for period, count, *values in connection.execute(sql_of(query)).fetchall():
        year = row_year(program, period, None)
        if year is None:
            continue
        year_totals = by_year.setdefault(year, {})
        for key, value in zip(keys, values, strict=True):
            total, rows = year_totals.get(key, (ZERO, 0))
            year_totals[key] = (numbers.add(total, Decimal(value)), rows + int(count))
    return by_year


def _total(node: ir.Aggregate, column: exp.Expr) -> exp.Expr:
    """SUM of the argument, or for `count` how many rows meet the condition."""
    if node.func == "count":
        one = exp.Case(ifs=[exp.If(this=column, true=exp.Literal.number(1))])
        return exp.Count(this=one)
    return exp.Coalesce(this=exp.Sum(this=column), expressions=[exp.Literal.number(0)])
