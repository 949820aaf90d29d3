"""The fixed-point engine: the engine contract (runtime/run.py) over numpy integer columns.

    results, fallback = run_with_reason(compiled, dataset, options)
    evaluation = evaluate_columns(program, columns, ranges, rows)   # arrays already in memory

1. `unsupported(program)` names what this engine leaves to the columnar engine (with the
   reason in the run's notice): participant values reading system values, borrowing,
   periods kept by year, share clauses in surrender, unit mixes and times to settle,
   decimal places computed per row, dates in expressions. Data with several rows of one
   participant (carry-over chains) and traces go there too.
2. The records become columns: numbers as scaled integers with their measured range,
   enumerations and periods as text, holdings summed per unit type (`held.U`) and whether
   a row holds any lot of it (`lots.U`: a holding filter is evaluated per lot, so rows
   with lots a `where` clause would filter are the reference engine's).
3. runtime/fixed/ranges.py proves each node's scale and range; runtime/fixed/evaluate.py
   computes every value, surrender and penalty for all rows at once.
4. Rows where any value could not be computed are evaluated by the reference engine, which
   reports why (and computes what it can); its results replace those rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from etsl.compiler import numbers
from etsl.compiler import program as ir
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.program import RefKind
from etsl.compiler.types import BOOL, DATE, Quant
from etsl.runtime.columnar.data import Fallback
from etsl.runtime.fixed.columns import (
    Array,
    Column,
    Kind,
    numbers_column,
    text_column,
    text_full,
)
from etsl.runtime.fixed.evaluate import BUILTINS, NODES, Consequences, Evaluator, Frame
from etsl.runtime.fixed.ranges import Fixed, analyse, places_of
from etsl.runtime.records import DataFiles, Dataset, Holding, Record
from etsl.runtime.reference.sequence import Row, participant_chains
from etsl.runtime.results.model import (
    ConsequenceResult,
    OnDemandRows,
    ParticipantResult,
    Results,
    RunOptions,
)

ENGINE = "fixed"
ZERO = Decimal(0)

__all__ = [
    "ENGINE",
    "Evaluation",
    "evaluate_columns",
    "run",
    "run_file",
    "run_with_reason",
    "unsupported",
]


# ---- what this engine covers ----------------------------------------------------------------


def unsupported(program: ir.Program) -> str | None:
    """Why this engine leaves a Program to the columnar engine, or None."""
    if program.reads_system:
        return "participant values read system values (the system level)"
    if program.borrows:
        return "borrowing between periods"
    if program.by_year:
        return "periods kept by year"
    for clause in program.surrender:
        if clause.kind not in ("accept", "limit"):
            return f"{clause.kind} clauses in surrender"
    for penalty in program.penalties:
        if any(c.mix or c.within or c.lower for c in penalty.consequences):
            return "a unit mix, a time to settle or a range in a consequence"
    for expr in _expressions(program):
        reason = _node_reason(expr)
        if reason:
            return reason
    return None


def _expressions(program: ir.Program) -> Iterator[ir.Expr]:
    yield from (p.expr for p in program.params.values())
    yield from (r.expr for r in program.rules.values())
    yield from (c.limit for c in program.surrender if c.limit is not None)
    for penalty in program.penalties:
        yield from [penalty.condition] if penalty.condition is not None else []
        yield from (x for c in penalty.consequences for x in (c.amount, c.limit) if x is not None)


def _node_reason(expr: ir.Expr) -> str | None:
    for node in ir.walk(expr):
        if type(node) not in NODES:
            return f"{type(node).__name__.lower()} expressions"
        if node.type == DATE:
            return "dates in expressions"
        if isinstance(node, ir.Call) and _call_reason(node):
            return _call_reason(node)
        if isinstance(node, ir.Ref) and node.kind is RefKind.SYSTEM:
            return "the system level"
    return None


def _call_reason(node: ir.Call) -> str | None:
    if node.builtin not in BUILTINS:
        return f"{node.builtin}()"
    if node.builtin in ("floor", "ceil", "round") and places_of(node) is None:
        return f"{node.builtin}() to places computed per row"
    return None


# ---- records to columns -----------------------------------------------------------------------


def _used_inputs(program: ir.Program) -> list[str]:
    used = {
        n.name
        for e in _expressions(program)
        for n in ir.walk(e)
        if isinstance(n, ir.Ref) and n.kind is RefKind.INPUT
    }
    for table in program.tables.values():
        used.update(d for d in table.dims if d in program.inputs)
    return [name for name in program.inputs if name in used]


def flag_column(values: Sequence[object]) -> Column:
    good = np.array([isinstance(v, bool) for v in values], dtype=bool)
    return Column(Kind.FLAG, np.array([v is True for v in values], dtype=bool), ~good)


def _held(
    program: ir.Program, rows: Sequence[Row], holdings: Sequence[Holding]
) -> list[dict[str, Decimal | None]]:
    """Each row's holdings per unit type (None: it holds none, not even a lot of 0): the
    holdings table's rows for its participant (of its period or of none) and its `held.U`
    / `held_U` columns (reference sequence.py)."""
    index: dict[tuple[str, str | None], list[Holding]] = {}
    for holding in holdings:
        if holding.year is None:
            index.setdefault((holding.participant, holding.period), []).append(holding)
    found = []
    for row in rows:
        record = row.record
        lots = index.get((record.participant, None), [])
        lots = lots + (index.get((record.participant, row.period), []) if row.period else [])
        totals: dict[str, Decimal | None] = dict.fromkeys(program.units)
        quantities = [(lot.unit, lot.quantity) for lot in lots]
        for unit in program.units:
            for name in (f"held.{unit}", f"held_{unit}"):
                quantity = record.values.get(name)
                quantities += [(unit, quantity)] if isinstance(quantity, Decimal) else []
        for unit, quantity in quantities:
            if unit in totals:
                totals[unit] = numbers.add(totals[unit] or ZERO, quantity)
        found.append(totals)
    return found


def columns_of(
    program: ir.Program, rows: Sequence[Row], holdings: Sequence[Holding]
) -> tuple[dict[str, Column], dict[str, Fixed]]:
    """The input columns the Program reads, `held.U`, `carry_in` and `owed_in`, and the
    measured range of each number column."""
    columns: dict[str, Column] = {}
    found: dict[str, Fixed] = {}
    records = [r.record for r in rows]
    for name in _used_inputs(program):
        values = [r.values.get(name) for r in records]
        kind = program.inputs[name].type
        if isinstance(kind, Quant):
            columns[name], found[name] = numbers_column(values)
        else:
            columns[name] = flag_column(values) if kind == BOOL else text_column(values)
    held = _held(program, rows, holdings)
    for unit in program.units:
        key, amounts = f"held.{unit}", [h[unit] for h in held]
        columns[key], found[key] = numbers_column([a or ZERO for a in amounts])
        columns[f"lots.{unit}"] = flag_column([a is not None for a in amounts])
    for name in ("carry_in", "owed_in"):
        given = [r.values.get(name) for r in records]
        values = [v if isinstance(v, Decimal) else ZERO for v in given]
        columns[name], found[name] = numbers_column(values)
    return columns, found


# ---- evaluation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """Every value of every row: `values` by result name, `eligible` by unit type, each
    penalty's flag and consequences, and the rows that could not all be computed."""

    program: ir.Program
    values: Mapping[str, Column]
    eligible: Mapping[str, Column]
    penalties: Sequence[tuple[Column, Consequences]]
    failed: Array


def evaluate_columns(
    program: ir.Program,
    columns: Mapping[str, Column],
    ranges: Mapping[str, Fixed],
    rows: int,
    period: Column | None = None,
    participant_type: Column | None = None,
) -> Evaluation:
    """Evaluate a Program over columns already in memory (numbers scaled to their ranges)."""
    nobody = text_full(rows, "", np.ones(rows, dtype=bool))
    if period is None:
        single = program.period_names[0] if len(program.periods) == 1 else None
        period = text_full(rows, single or "", np.full(rows, single is None))
    frame = Frame(rows, columns, period, participant_type or nobody)
    evaluator = Evaluator(program, analyse(program, ranges), frame)
    named = [evaluator.name(n) for n in (*program.params, *program.rules)]
    values = {n: evaluator.name(n) for n in program.rule_names}
    eligible = {u: evaluator.name(f"eligible.{u}") for u in program.units}
    penalties = [evaluator.penalty(p) for p in program.penalties]
    computed = (*named, *values.values(), *eligible.values(), *(p[0] for p in penalties))
    failed = evaluator.either(*(c.bad for c in computed)).copy()
    return Evaluation(program, values, eligible, penalties, failed)


def consequences_at(evaluation: Evaluation, index: int) -> tuple[ConsequenceResult, ...]:
    """The consequences that apply to one row, in the Program's order."""
    consequences = []
    for penalty, (holds, found) in zip(
        evaluation.program.penalties, evaluation.penalties, strict=True
    ):
        if not holds.array[index]:
            continue
        for consequence, (amount, maximum) in zip(penalty.consequences, found, strict=True):
            value = amount.value(index) if amount is not None else None
            consequences.append(
                ConsequenceResult(
                    penalty.name,
                    consequence.kind,
                    value,  # type: ignore[arg-type]
                    consequence.unit,
                    maximum,
                    consequence.description,
                )
            )
    return tuple(consequences)


def values_at(evaluation: Evaluation, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """One row's values by result name and its eligible amounts by unit type."""
    values = {n: c.value(index) for n, c in evaluation.values.items()}
    return values, {u: c.value(index) for u, c in evaluation.eligible.items()}


def _result(evaluation: Evaluation, index: int, row: Row) -> ParticipantResult:
    record = row.record
    values, eligible = values_at(evaluation, index)
    return ParticipantResult(
        record.participant,
        row.period,
        values,
        eligible,
        consequences_at(evaluation, index),
        (),
        record.values,
        None,
        record.row,
        record.source,
        year=record.year,
        participant_type=record.participant_type,
    )


def period_column(rows: Sequence[Row]) -> Column:
    return text_column([r.period for r in rows])


def run_with_reason(
    compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None
) -> tuple[Results, Elsewhere | None]:
    """The engine contract, saying why another engine answered when one did."""
    options = options or RunOptions()
    program = compiled.program
    reason = unsupported(program)
    if options.trace:
        return _elsewhere(compiled, dataset, options, Elsewhere("traces", notice=False))
    if reason is not None:
        return _elsewhere(compiled, dataset, options, Elsewhere(reason))
    chains, problems = participant_chains(program, dataset.records, options)
    if any(len(chain) > 1 for chain in chains):
        return _elsewhere(
            compiled, dataset, options, Elsewhere("several periods of one participant")
        )
    rows = sorted((chain[0] for chain in chains), key=lambda r: r.position)
    columns, ranges = columns_of(program, rows, dataset.holdings)
    types = text_column([r.record.participant_type for r in rows])
    evaluation = evaluate_columns(program, columns, ranges, len(rows), period_column(rows), types)
    patched = _patch(compiled, dataset, rows, evaluation.failed, options)
    reported = [
        (i, r) for i, r in enumerate(rows) if options.period is None or r.period == options.period
    ]

    def results() -> Iterator[ParticipantResult]:
        for index, row in reported:
            yield patched.get(index) or _result(evaluation, index, row)

    typed = any(r.participant_type for r in dataset.records)
    found = Results.of(
        program, ENGINE, OnDemandRows(results, len(reported)), problems, False, typed
    )
    if options.progress is not None:
        options.progress(len(reported), len(reported))
    return found, None


def _patch(
    compiled: CompiledScheme,
    dataset: Dataset,
    rows: Sequence[Row],
    failed: Array,
    options: RunOptions,
) -> dict[int, ParticipantResult]:
    """The reference engine's results for the rows that failed, by their index."""
    from etsl.runtime.reference.sequence import run as reference_run

    indices = [int(i) for i in np.flatnonzero(failed)]
    if not indices:
        return {}
    chosen: list[Record] = [rows[i].record for i in indices]
    results = reference_run(
        compiled, Dataset(tuple(chosen), dataset.holdings), RunOptions(period=options.period)
    )
    by_key = {(r.participant, r.period): r for r in results.rows}
    return {
        i: by_key[key]
        for i in indices
        if (key := (rows[i].record.participant, rows[i].period)) in by_key
    }


@dataclass(frozen=True)
class Elsewhere:
    """Why another engine answered (runtime/run.py shows `text()` when `notice`)."""

    reason: str
    notice: bool = True
    further: Fallback | None = None  # why the columnar engine handed it on in turn

    def text(self) -> str:
        said = f"{ENGINE} engine: {self.reason}; using the columnar engine"
        return f"{said} ({self.further.text()})" if self.further is not None else said


def _elsewhere(
    compiled: CompiledScheme, dataset: Dataset, options: RunOptions, reason: Elsewhere
) -> tuple[Results, Elsewhere]:
    """The columnar engine answers (itself handing the run on to the reference engine
    where it must)."""
    from etsl.runtime.columnar import engine as columnar

    results, further = columnar.run_with_reason(compiled, dataset, options)
    notice = reason.notice or (further is not None and further.notice)
    return results, Elsewhere(reason.reason, notice, further)


def run_file(compiled: CompiledScheme, files: DataFiles) -> Results | Fallback:
    """A CSV or Parquet participant table read straight into columns
    (runtime/fixed/reader.py) and evaluated; a Fallback when the file, the Program or some
    row needs the records path (`run_with_reason`, which reports and says why)."""
    from etsl.runtime.fixed.output import fixed_results
    from etsl.runtime.fixed.reader import read_file

    program = compiled.program
    if files.system is not None or unsupported(program) is not None:
        return Fallback("the records path says why", notice=False)
    read = read_file(compiled, files)
    if isinstance(read, Fallback):
        return read
    evaluation = evaluate_columns(program, read.columns, read.ranges, read.rows, read.period)
    if evaluation.failed.any():
        read.connection.close()
        return Fallback("rows the reference engine evaluates", notice=False)
    return fixed_results(program, ENGINE, evaluation, read)


def run(compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None) -> Results:
    """Evaluate every participant (the engine contract, runtime/run.py)."""
    return run_with_reason(compiled, dataset, options)[0]
