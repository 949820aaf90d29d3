"""Results of a fixed-point file run: the CSV file and the summary computed from the columns.

    results = fixed_results(program, evaluation, read)   # runtime/fixed/engine.py
    results.write(Path("out.csv"))   # DuckDB formats the columns and writes them with COPY
    results.summary()                # totals of whole columns (runtime/results/summary.py)

Only a run where every row was computed comes here (a row the reference engine must
evaluate sends the whole run back to the records path). The file is the bytes
runtime/results/writers.py writes from the same values, as the columnar engine's COPY
writes them (runtime/columnar/results.py): each number as `plain` shows an exact Decimal
(no exponent, no trailing zeros, `0` never `-0`), booleans as true/false, text cells a
spreadsheet would run as formulas neutralised unless `raw_csv`. The value columns are
registered with DuckDB as numpy arrays, joined by position to the participants' ids (table
KEYS of runtime/fixed/reader.py) and formatted in SQL: no Python object per cell. A text
value, a number in Python integers, a consequence kind given by several consequences and
other formats (JSON, Parquet) use the row-by-row writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from etsl.compiler import program as ir
from etsl.compiler.enums import FLAG_KINDS
from etsl.runtime.columnar.data import literal, sql_of
from etsl.runtime.columnar.results import copy_to_file, spreadsheet_safe_sql
from etsl.runtime.fixed.columns import Array, Column, Kind, to_decimal
from etsl.runtime.fixed.pairs import BASE, Pair
from etsl.runtime.fixed.reader import KEYS, FileColumns
from etsl.runtime.results.model import (
    OnDemandRows,
    ParticipantResult,
    Results,
    WriteOptions,
)
from etsl.runtime.results.summary import (
    COVERED_ONLY,
    SUMMED,
    CategorySummary,
    KindAggregate,
    Summary,
    Tally,
    Totals,
    exact_sum,
)
from sqlglot import exp

__all__ = ["FixedResults", "fixed_results"]

#: The registered value columns (a DuckDB view of numpy arrays).
VALUES = "etsl_fixed_values"

#: Scales whose power of ten is a HUGEINT literal in DuckDB (beyond, a literal is a DOUBLE).
MAX_SCALE = 36

#: (holds, amount, is the amount a maximum) of each consequence of one kind.
Applied = list[tuple[Array, Column | None, bool]]


@dataclass(frozen=True)
class FixedResults(Results):  # type: ignore[misc, unused-ignore]
    """Results whose values stay in the engine's columns."""

    evaluation: Any = field(default=None, compare=False, repr=False)
    read: Any = field(default=None, compare=False, repr=False)  # FileColumns

    @property
    def errors(self) -> tuple[Any, ...]:
        return tuple(self.problems)

    def summary(self) -> Summary:
        category = self.read.columns.get(self.category_field or "")
        if self.category_field is not None and not _is_text(category):
            return super().summary()  # a category of numbers: keyed by their Decimal text
        tally = Tally(self.rule_names, self.category_field)
        tally.add_totals(_totals(self, category))
        return tally.summary()

    def write(self, path: Path, options: WriteOptions | None = None) -> None:
        options = options or WriteOptions()
        query = _export(self, options.raw_csv) if path.suffix.lower() == ".csv" else None
        if query is None:
            super().write(path, options)
            return
        copy_to_file(self.read.connection, query, path, parquet=False, one_thread=True)


def fixed_results(program: ir.Program, engine: str, evaluation: Any, read: FileColumns) -> Results:
    """The results of an evaluation with no failed row, in data order."""

    def rows() -> Iterator[ParticipantResult]:
        for index, participant in enumerate(read.ids()):
            yield _row(evaluation, index, participant, _period(read.period, index))

    base = Results.of(program, engine, OnDemandRows(rows, read.rows))
    given = {f: getattr(base, f) for f in base.__dataclass_fields__ if f != "scanned"}
    return FixedResults(**given, evaluation=evaluation, read=read)


def _is_text(column: Column | None) -> bool:
    return column is not None and column.kind is Kind.TEXT


def _period(period: Column, index: int) -> str | None:
    return None if period.bad[index] else str(period.value(index))


def _row(evaluation: Any, index: int, participant: str, period: str | None) -> ParticipantResult:
    from etsl.runtime.fixed.engine import consequences_at, values_at

    values, eligible = values_at(evaluation, index)
    consequences = consequences_at(evaluation, index)
    return ParticipantResult(participant, period, values, eligible, consequences, row=index + 1)


# ---- the CSV file: one query over the ids and the registered columns ----------------------------


class _Export:
    """The columns of the file as SQL over KEYS and VALUES, and the arrays VALUES holds."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.arrays: dict[str, Array] = {}

    def array(self, values: Array) -> exp.Expr:
        """A column of VALUES (a broadcast constant is a literal instead)."""
        if values.ndim == 1 and values.strides == (0,) and len(values):
            if values.dtype == bool:
                return exp.true() if values[0] else exp.false()
            return literal(int(values[0]))
        name = f"v{len(self.arrays)}"
        self.arrays[name] = np.ascontiguousarray(np.broadcast_to(values, self.rows))
        return exp.column(name, table=VALUES)

    def flags(self, values: Array) -> exp.Expr:
        array = np.broadcast_to(values, self.rows)
        if not array.any():
            return exp.false()
        return self.array(array.astype(bool))

    def number(self, column: Column) -> exp.Expr | None:
        values, scale = column.values, column.scale
        if scale > MAX_SCALE:
            return None
        if isinstance(values, Pair):  # hi × 10^16 + lo as a HUGEINT
            high = exp.cast(self.array(values.hi), "HUGEINT")
            shifted = exp.Mul(this=high, expression=literal(BASE))
            return _scaled(exp.Add(this=shifted, expression=self.array(values.lo)), scale)
        if values.dtype != np.int64:
            return None
        return self.array(values) if scale == 0 else _scaled(self.array(values), scale)


def _scaled(value: exp.Expr, scale: int) -> exp.Expr:
    """A scaled integer's text: its magnitude split at `scale` places, and its sign."""
    factor = literal(10**scale)
    magnitude = exp.Abs(this=value.copy())
    return _text(
        exp.IntDiv(this=magnitude, expression=factor),
        exp.Mod(this=magnitude.copy(), expression=factor.copy()),
        exp.LT(this=value.copy(), expression=literal(0)),
        scale,
    )


def _text(whole: exp.Expr, fraction: exp.Expr, negative: exp.Expr, scale: int) -> exp.Expr:
    """`plain`'s text of a magnitude (integer part, fraction at `scale`) and a sign."""
    some = exp.NEQ(this=fraction.copy(), expression=literal(0))
    sign = exp.If(
        this=exp.and_(negative, exp.or_(exp.NEQ(this=whole.copy(), expression=literal(0)), some)),
        true=literal("-"),
        false=literal(""),
    )
    digits = exp.Anonymous(
        this="rtrim",
        expressions=[
            exp.Anonymous(
                this="lpad",
                expressions=[exp.cast(fraction.copy(), "VARCHAR"), literal(scale), literal("0")],
            ),
            literal("0"),
        ],
    )
    tail = exp.If(
        this=some.copy(), true=exp.DPipe(this=literal("."), expression=digits), false=literal("")
    )
    integer = exp.cast(whole.copy(), "VARCHAR")
    return exp.DPipe(this=exp.DPipe(this=sign, expression=integer), expression=tail)


def _export(results: FixedResults, raw: bool) -> str | None:
    """The file's rows as one query, or None when some column needs the row-by-row writer."""
    evaluation, read = results.evaluation, results.read
    export = _Export(read.rows)
    participant: exp.Expr = exp.column("id", table=KEYS)
    period = _period_sql(read)
    if period is None:
        return None
    cells: list[exp.Expr | None] = [
        participant if raw else spreadsheet_safe_sql(participant),
        period if raw else spreadsheet_safe_sql(period),
    ]
    named = [evaluation.values[n] for n in results.rule_names]
    named += [evaluation.eligible[u] for u in results.units]
    cells += [_value(export, column) for column in named]
    for kind in results.consequence_kinds:
        applied = _applied(evaluation, kind)
        if kind in FLAG_KINDS:
            cells.append(export.flags(_any(applied, read.rows)))
            continue
        cells.append(_total(export, applied))
        cells.append(export.flags(_any([a for a in applied if a[2]], read.rows)))
    cells.append(exp.cast(exp.Null(), "VARCHAR"))
    present = [c for c in cells if c is not None]
    if len(present) != len(cells):
        return None
    names = results.columns()
    shown = exp.select(
        *(exp.alias_(c, n, quoted=True) for c, n in zip(present, names, strict=True))
    )
    arrays = export.arrays or {"v": np.zeros(read.rows, dtype=np.int64)}
    read.connection.register(VALUES, arrays)  # numpy arrays, scanned in place
    return f"{sql_of(shown)} FROM {KEYS} POSITIONAL JOIN {VALUES}"


def _period_sql(read: FileColumns) -> exp.Expr | None:
    if read.period_column:
        return exp.column("period", table=KEYS)
    if len(read.period.labels) != 1:
        return None
    label = read.period.labels[0]
    return literal(label) if label and not read.period.bad.any() else exp.Null()


def _value(export: _Export, column: Column) -> exp.Expr | None:
    if column.kind is Kind.FLAG:
        return export.flags(column.array)
    if column.kind is Kind.NUMBER:
        return export.number(column)
    return None


def _applied(evaluation: Any, kind: str) -> Applied:
    applied: Applied = []
    penalties = zip(evaluation.program.penalties, evaluation.penalties, strict=True)
    for penalty, (holds, found) in penalties:
        for consequence, (amount, maximum) in zip(penalty.consequences, found, strict=True):
            if consequence.kind == kind:
                applied.append((holds.array, amount, maximum))
    return applied


def _any(applied: Applied, rows: int) -> Array:
    found = np.zeros(rows, dtype=bool)
    for holds, _, _ in applied:
        found = found | holds
    return found


def _total(export: _Export, applied: Applied) -> exp.Expr | None:
    """A consequence kind's total: its one amount where it applies, else 0."""
    with_amount = [(h, a) for h, a, _ in applied if a is not None]
    if not with_amount:
        return literal(0)
    if len(with_amount) > 1:
        return None
    holds, amount = with_amount[0]
    number = export.number(amount)
    if number is None:
        return None
    text = exp.cast(number, "VARCHAR")
    return exp.If(this=export.flags(holds), true=text, false=literal("0"))


# ---- the summary -------------------------------------------------------------------------------


def _totals(results: FixedResults, category: Column | None) -> Totals:
    evaluation, rows = results.evaluation, results.read.rows
    covered_column = evaluation.values.get("covered")
    covered = (
        np.broadcast_to(covered_column.array, rows).astype(bool)
        if covered_column is not None
        else np.zeros(rows, dtype=bool)
    )
    everyone = np.ones(rows, dtype=bool)
    sums = {
        name: _sum(evaluation.values[name], covered if name in COVERED_ONLY else everyone)
        for name in SUMMED
        if name in evaluation.values
    }
    short = _positive(evaluation.values.get("shortfall"), rows)
    kinds = _kinds(evaluation, rows)
    categories = _categories(results, category, covered, short)
    return Totals(rows, int(covered.sum()), int(short.sum()), sums, kinds, categories)


def _kinds(evaluation: Any, rows: int) -> list[KindAggregate]:
    """Each consequence kind's rows and amounts: a row counts once however many apply."""
    units: dict[str, str] = {}
    for penalty in evaluation.program.penalties:
        for consequence in penalty.consequences:
            units.setdefault(consequence.kind, consequence.unit)
    kinds = []
    for kind, unit in units.items():
        applied = _applied(evaluation, kind)
        hits = np.flatnonzero(np.broadcast_to(_any(applied, rows), rows))
        total = exact_sum(
            _sum(amount, np.broadcast_to(holds, rows).astype(bool))
            for holds, amount, _ in applied
            if amount is not None
        )
        first = int(hits[0]) + 1 if len(hits) else None
        kinds.append(KindAggregate(kind, len(hits), total, unit, first))
    return kinds


def _sum(column: Column, where: Array) -> Decimal:
    """The exact sum of a number column's selected rows."""
    values = column.values
    if isinstance(values, Pair):
        lo = np.broadcast_to(values.lo, len(where))[where]
        low = _exact_sum(lo // 10**8) * 10**8 + _exact_sum(lo % 10**8)
        hi = _exact_sum(np.broadcast_to(values.hi, len(where))[where])
        return to_decimal(hi * BASE + low, column.scale)
    return to_decimal(_exact_sum(np.broadcast_to(values, len(where))[where]), column.scale)


def _exact_sum(values: Array) -> int:
    """numpy's int64 sum where no partial sum can overflow, else Python's."""
    if values.dtype == np.int64 and len(values):
        largest = max(abs(int(values.min())), abs(int(values.max())))
        if largest * len(values) < 2**62:
            return int(values.sum())
    return sum(int(v) for v in values.tolist())


def _positive(column: Column | None, rows: int) -> Array:
    if column is None:
        return np.zeros(rows, dtype=bool)
    values = column.values
    if isinstance(values, Pair):
        hi, lo = np.broadcast_to(values.hi, rows), np.broadcast_to(values.lo, rows)
        positive: Array = (hi > 0) | ((hi == 0) & (lo > 0))
        return positive
    return np.broadcast_to(values, rows) > 0


def _categories(
    results: FixedResults, column: Column | None, covered: Array, short: Array
) -> dict[str, CategorySummary]:
    if results.category_field is None or column is None:
        return {}
    values = results.evaluation.values
    keys = np.array([*column.labels, "?"], dtype=object)[
        np.where(column.bad, len(column.labels), column.array)
    ]
    found = {}
    for key in dict.fromkeys(keys.tolist()):
        where = keys == key
        found[str(key)] = CategorySummary(
            int(where.sum()),
            int((where & covered).sum()),
            _sum(values["cap"], where & covered) if "cap" in values else Decimal(0),
            _sum(values["obligation"], where) if "obligation" in values else Decimal(0),
            _sum(values["shortfall"], where) if "shortfall" in values else Decimal(0),
            int((where & short).sum()),
        )
    return found
