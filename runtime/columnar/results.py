"""A finished columnar evaluation as results: output columns, files, rows and the summary.

CSV and Parquet results are streamed from DuckDB with COPY, printed as the reference
writers print them; rows become ParticipantResults only when asked for.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.compiler.driver import CompiledScheme
from etsl.compiler.enums import FLAG_KINDS
from etsl.compiler.program import Program
from etsl.compiler.spreadsheet import ESCAPE, FORMULA_STARTS, PLAIN_NUMBER
from etsl.runtime.columnar.data import (
    ENGINE,
    PARQUET_SUFFIXES,
    PATCH,
    RESULTS,
    call,
    column,
    create_table,
    literal,
    quoted,
    sql_of,
)
from etsl.runtime.columnar.sql.compile import ColumnarQuery
from etsl.runtime.columnar.sql.exact import add
from etsl.runtime.columnar.sql.surrender import ConsequenceColumn
from etsl.runtime.columnar.sql.types import (
    FAILED,
    PARTICIPANT,
    PERIOD,
    ROW,
    Kind,
    Num,
    Typed,
    any_of,
    as_num,
    decimal_type,
    declared,
    zero,
)
from etsl.runtime.records import Record
from etsl.runtime.results.model import (
    ConsequenceResult,
    ParticipantResult,
    Results,
    WriteOptions,
    csv_cell,
    result_record,
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


@dataclass
class Evaluation:
    """A finished query: RESULTS holds every row; rows that failed are listed by `$row`."""

    connection: Any
    compiled: CompiledScheme
    program: Program
    query: ColumnarQuery
    rows: int
    failed: list[tuple[int, str, str | None]]
    patch: dict[int, ParticipantResult] = field(default_factory=dict)


# ---- output columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputColumn:
    """One column of the results file: its SQL over RESULTS and its type."""

    name: str
    sql: exp.Expr
    kind: Kind
    num: Num | None = None


def output_columns(evaluation: Evaluation) -> list[OutputColumn]:
    """The columns of Results.columns(), in that order, computed from RESULTS."""
    query, program = evaluation.query, evaluation.program
    columns = [
        OutputColumn("participant", column(PARTICIPANT), Kind.TEXT),
        OutputColumn("period", column(PERIOD), Kind.TEXT),
    ]
    for name in [*program.rule_names, *(f"eligible.{u}" for u in program.units)]:
        typed = query.columns[name]
        columns.append(OutputColumn(name, column(name), typed.kind, typed.num))
    for kind in program.consequence_kinds:
        columns += _kind_columns(query, kind)
        columns += [_minimum_column(query, kind)] if kind in program.ranged_kinds else []
    columns.append(OutputColumn("error", exp.cast(exp.Null(), "VARCHAR"), Kind.TEXT))
    return columns


def _kind_columns(query: ColumnarQuery, kind: str) -> list[OutputColumn]:
    of_kind = [c for c in query.consequences if c.kind == kind]
    if kind in FLAG_KINDS:
        return [OutputColumn(kind, _any([column(c.applies) for c in of_kind]), Kind.BOOL)]
    total = _sum(query, [c.amount for c in of_kind if c.amount])
    maximum = _any([column(c.applies) for c in of_kind if c.maximum])
    return [
        OutputColumn(kind, declared(total).sql, Kind.NUM, total.num),
        OutputColumn(f"{kind}_is_maximum", maximum, Kind.BOOL),
    ]


def _minimum_column(query: ColumnarQuery, kind: str) -> OutputColumn:
    """`KIND_minimum`: the least each consequence may be (its lower bound, its amount, or 0
    for a bare maximum), added up (ConsequenceResult.least)."""
    of_kind = [c for c in query.consequences if c.kind == kind]
    least = [_least(c) for c in of_kind]
    total = _sum(query, [name for name in least if name])
    return OutputColumn(f"{kind}_minimum", declared(total).sql, Kind.NUM, total.num)


def _sum(query: ColumnarQuery, names: Sequence[str]) -> Typed:
    """The sum of amount columns, each NULL (the penalty does not apply) taken as 0."""
    total = zero()
    for name in names:
        amount = query.columns[name]
        value = Typed(
            exp.Coalesce(this=column(name), expressions=[as_num(zero(), amount.number)]),
            Kind.NUM,
            amount.num,
        )
        total = add("+", total, value)
    return total


def _any(tests: Sequence[exp.Expr]) -> exp.Expr:
    found: exp.Expr = any_of([exp.Coalesce(this=t, expressions=[exp.false()]) for t in tests])
    return found


def plain_text(output: OutputColumn) -> exp.Expr:
    """A value as the reference writers print it: decimals without trailing zeros, booleans
    as true/false (runtime/results/model.py, `plain`).

    Only decimals with places need text work: a whole value is printed as an integer, and
    any other has a non-zero digit after the point, so only zeros after it are trimmed.
    """
    num = output.num
    if output.kind is not Kind.NUM or num is None or num.scale == 0:
        return output.sql  # DuckDB writes integers, booleans (true/false) and text as is
    whole = exp.Anonymous(this="trunc", expressions=[output.sql.copy()])
    integral = exp.EQ(this=output.sql.copy(), expression=whole)
    as_integer = exp.cast(exp.cast(whole.copy(), decimal_type(num.width, 0)), "VARCHAR")
    fraction: exp.Expr = exp.cast(output.sql.copy(), "VARCHAR")
    if num.width <= num.scale:  # DuckDB prints DECIMAL(s, s) without the leading zero
        fraction = call("regexp_replace", fraction, literal(r"^(-?)\."), literal(r"\10."))
    if num.scale > 1:
        fraction = call("regexp_replace", fraction, literal("0+$"), literal(""))
    return exp.Case(ifs=[exp.If(this=integral, true=as_integer)], default=fraction)


def parquet_value(output: OutputColumn) -> exp.Expr:
    """Parquet: DECIMAL(38, 18) where every value provably fits (as the reference writer
    chooses when all values fit), exact text otherwise."""
    if output.kind is not Kind.NUM or output.num is None:
        return output.sql
    if output.num.scale <= 18 and output.num.digits <= 20:
        return exp.cast(output.sql, decimal_type(38, 18))
    return plain_text(output)


def export_query(
    evaluation: Evaluation, render: Any, csv_safe: bool = False, stored_order: bool = False
) -> exp.Select:
    """Every row in data order: computed rows from RESULTS, failed ones from PATCH; with
    `csv_safe`, text cells a spreadsheet would run are neutralised (compiler/spreadsheet.py).
    `stored_order`: RESULTS is in data order and nothing is patched (`stored_in_data_order`),
    so the rows are not sorted (the caller then reads them with one thread)."""
    outputs = output_columns(evaluation)

    def value(output: OutputColumn) -> exp.Expr:  # text beside patched text rows
        rendered = render(output)
        text = evaluation.patch and render is plain_text
        return exp.cast(rendered, "VARCHAR") if text else rendered

    computed = (
        exp.select(column(ROW), *(exp.alias_(value(o), o.name, quoted=True) for o in outputs))
        .from_(exp.Table(this=quoted(RESULTS)))
        .where(exp.not_(column(FAILED)))
    )
    rows: exp.Expr = computed
    if evaluation.patch:
        rows = exp.union(
            computed, exp.select(exp.Star()).from_(exp.Table(this=quoted(PATCH))), distinct=False
        )
    shown = [
        exp.alias_(spreadsheet_safe_sql(column(o.name)), o.name, quoted=True)
        if csv_safe and o.kind is Kind.TEXT
        else column(o.name)
        for o in outputs
    ]
    ordered = exp.select(*shown).from_(
        exp.Subquery(this=rows, alias=exp.TableAlias(this=quoted("rows")))
    )
    # Sorted into data order unless RESULTS is stored in it (the caller then writes with one
    # thread: with several, COPY wrote row groups out of order, and a 1M-row file began at
    # row 122,881, DuckDB's row-group size). Patched rows must be sorted into place. Sorting
    # every output column doubles a 1M-row run's peak memory (699 → 351 MiB without it).
    return ordered if stored_order else ordered.order_by(column(ROW))


def stored_in_data_order(evaluation: Evaluation) -> bool:
    """True when nothing is patched and RESULTS's rows are stored in data order: `$row` is
    their storage position (rowid) plus one constant, so it rises with it. Rows with gaps
    (a period filter) are not recognised, and are sorted."""
    if evaluation.patch:
        return False
    offset = exp.Sub(this=column(ROW), expression=exp.column("rowid"))
    check = exp.select(
        exp.EQ(this=exp.Min(this=offset), expression=exp.Max(this=offset.copy()))
    ).from_(exp.Table(this=quoted(RESULTS)))
    found = evaluation.connection.execute(sql_of(check)).fetchone()
    return bool(found and found[0])


def spreadsheet_safe_sql(value: exp.Expr) -> exp.Expr:
    """compiler/spreadsheet.py's `spreadsheet_safe` in SQL: an apostrophe before a cell
    that starts with a formula character and is not a plain number."""
    starts = exp.In(
        this=exp.Substring(this=value.copy(), start=literal(1), length=literal(1)),
        expressions=[literal(c) for c in FORMULA_STARTS],
    )
    number = call("regexp_full_match", value.copy(), literal(PLAIN_NUMBER.pattern))
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.and_(starts, exp.not_(number)),
                true=exp.DPipe(this=literal(ESCAPE), expression=value.copy()),
            )
        ],
        default=value.copy(),
    )


def store_patch(evaluation: Evaluation, render: str) -> None:
    """PATCH: the reference engine's rows for the failed ones, in the output's columns."""
    if not evaluation.patch:
        return  # before importing pyarrow (and numpy): a quarter of a small run's time
    import pyarrow

    outputs = output_columns(evaluation)
    results = Results.of(evaluation.program, ENGINE, tuple(evaluation.patch.values()))
    records = [result_record(results, r) for r in results.rows]
    table: dict[str, Any] = {ROW: pyarrow.array(list(evaluation.patch), pyarrow.int64())}
    for output in outputs:
        texts = [csv_cell(record[output.name]) for record in records]
        table[output.name] = pyarrow.array(
            [t if t != "" else None for t in texts], pyarrow.string()
        )
    evaluation.connection.register("etsl_patch_arrow", pyarrow.table(table))
    selected = [column(ROW)] + [
        exp.alias_(_typed_text(o, render), o.name, quoted=True) for o in outputs
    ]
    evaluation.connection.execute(
        sql_of(
            create_table(
                PATCH, exp.select(*selected).from_(exp.Table(this=quoted("etsl_patch_arrow")))
            )
        )
    )


def _typed_text(output: OutputColumn, render: str) -> exp.Expr:
    value = column(output.name)
    if render == "text":
        return value
    if output.kind is Kind.BOOL:
        return exp.EQ(this=value, expression=literal("true"))
    typed = parquet_value(replace(output, sql=value))
    if output.kind is Kind.NUM and isinstance(typed, exp.Cast):
        return exp.cast(value, decimal_type(38, 18))
    return value


def write_output(evaluation: Evaluation, path: Path, options: WriteOptions) -> None:
    """Stream every row to a CSV or Parquet file with COPY (`copy_to_file`)."""
    parquet = path.suffix.lower() in PARQUET_SUFFIXES or path.suffix.lower() == ".parquet"
    store_patch(evaluation, "parquet" if parquet else "text")
    stored_order = stored_in_data_order(evaluation)
    render = parquet_value if parquet else plain_text
    query = export_query(evaluation, render, not parquet and not options.raw_csv, stored_order)
    copy_to_file(evaluation.connection, sql_of(query), path, parquet, one_thread=stored_order)


def copy_to_file(connection: Any, query: str, path: Path, parquet: bool, one_thread: bool) -> None:
    """COPY a query's rows to a CSV (with a header) or Parquet file, atomically: DuckDB
    writes straight into the one hidden temporary file (no temporary of its own).
    `one_thread` keeps the rows in the order the query scans them: with several threads
    COPY wrote row groups out of order."""
    from etsl.compiler.files import atomic_path

    written = "FORMAT PARQUET" if parquet else "FORMAT CSV, HEADER true, DELIMITER ','"
    with atomic_path(path) as temporary:
        target = sql_of(literal(str(temporary)))
        if one_thread:
            connection.execute("SET threads = 1")
        try:
            connection.execute(f"COPY ({query}) TO {target} (USE_TMP_FILE false, {written})")
        finally:
            connection.execute("RESET threads")


# ---- rows as ParticipantResult ---------------------------------------------------------------------


def result_select(evaluation: Evaluation) -> exp.Select:
    """What a ParticipantResult needs of a computed row."""
    query = evaluation.query
    names = [
        ROW,
        PARTICIPANT,
        PERIOD,
        *query.inputs,
        *evaluation.program.rule_names,
        *(f"eligible.{u}" for u in evaluation.program.units),
        *dict.fromkeys(c.applies for c in query.consequences),
        *(c.amount for c in query.consequences if c.amount),
        *(c.minimum for c in query.consequences if c.minimum),
    ]
    return (
        exp.select(*(column(n) for n in dict.fromkeys(names)))
        .from_(exp.Table(this=quoted(RESULTS)))
        .where(exp.not_(column(FAILED)))
    )


def participant_result(
    evaluation: Evaluation, row: Mapping[str, Any], record: Record | None = None
) -> ParticipantResult:
    program, query = evaluation.program, evaluation.query
    consequences = [
        ConsequenceResult(
            c.penalty,
            c.kind,
            row[c.amount] if c.amount else None,
            c.unit,
            c.maximum,
            c.description,
            minimum=row[c.minimum] if c.minimum else None,
        )
        for c in query.consequences
        if row[c.applies]
    ]
    inputs = (
        dict(record.values) if record else {n: row[n] for n in query.inputs if row[n] is not None}
    )
    return ParticipantResult(
        row[PARTICIPANT],
        row[PERIOD],
        {n: row[n] for n in program.rule_names},
        {u: row[f"eligible.{u}"] for u in program.units},
        tuple(consequences),
        (),
        inputs,
        None,
        record.row if record else 0,
        record.source if record else "",
    )


BATCH = 10_000


def iter_results(
    evaluation: Evaluation, records: Sequence[Record] = ()
) -> Iterator[tuple[int, ParticipantResult]]:
    """(`$row`, result) of computed and patched rows, in data order, fetched in batches."""
    cursor = evaluation.connection.execute(sql_of(result_select(evaluation).order_by(column(ROW))))
    names = [d[0] for d in cursor.description]
    patched = iter(sorted(evaluation.patch.items()))
    waiting = next(patched, None)
    while batch := cursor.fetchmany(BATCH):
        for values in batch:
            row = dict(zip(names, values, strict=True))
            position = int(row[ROW])
            while waiting is not None and waiting[0] < position:
                yield waiting
                waiting = next(patched, None)
            record = records[position] if records else None
            yield position, participant_result(evaluation, row, record)
    while waiting is not None:
        yield waiting
        waiting = next(patched, None)


def fetch_results(
    evaluation: Evaluation, limit: int | None = None, records: Sequence[Record] = ()
) -> list[tuple[int, ParticipantResult]]:
    """(`$row`, result) of computed rows and patched rows, in data order."""
    return list(itertools.islice(iter_results(evaluation, records), limit))


# ---- the summary, computed in SQL -------------------------------------------------------------------


def aggregates(evaluation: Evaluation) -> list[exp.Expr]:
    """The summary's aggregates of computed rows: counts, sums, and per consequence its
    count, amount and first row (runtime/results/summary.py turns them into a Summary)."""
    program, query = evaluation.program, evaluation.query
    selected = [
        exp.alias_(exp.Count(this=exp.Star()), "rows"),
        exp.alias_(
            exp.CountIf(this=exp.EQ(this=column("covered"), expression=exp.true())), "covered"
        ),
        exp.alias_(
            exp.CountIf(this=exp.GT(this=column("shortfall"), expression=literal(0))), "short"
        ),
    ]
    selected += [
        exp.alias_(exp.Sum(this=summed(n)), f"sum:{n}", quoted=True)
        for n in SUMMED
        if n in program.rule_names
    ]
    for kind, of_kind in _by_kind(query).items():
        applied = exp.or_(*(column(c.applies) for _, c in of_kind))
        selected.append(exp.alias_(exp.CountIf(this=applied), f"count:{kind}", quoted=True))
        if ROW in query.columns:
            first = exp.Min(this=exp.Case(ifs=[exp.If(this=applied.copy(), true=column(ROW))]))
            selected.append(exp.alias_(first, f"first:{kind}", quoted=True))
        for index, c in of_kind:
            if c.amount:
                total = exp.Sum(this=column(c.amount))
                selected.append(exp.alias_(total, f"amount:{index}", quoted=True))
            least = _least(c) if kind in program.ranged_kinds else None
            if least:
                total = exp.Sum(this=column(least))
                selected.append(exp.alias_(total, f"least:{index}", quoted=True))
    return selected


def _by_kind(query: ColumnarQuery) -> dict[str, list[tuple[int, ConsequenceColumn]]]:
    """The consequences (with their positions) of each kind, kinds in the order declared."""
    kinds: dict[str, list[tuple[int, ConsequenceColumn]]] = {}
    for index, c in enumerate(query.consequences):
        kinds.setdefault(c.kind, []).append((index, c))
    return kinds


def _least(c: ConsequenceColumn) -> str | None:
    """The column of the least a consequence may be (runtime/results/model.py,
    ConsequenceResult.least): its lower bound, none (0) for a bare `up to`, else its amount."""
    return c.minimum or (None if c.maximum else c.amount)


def summed(name: str) -> exp.Expr:
    """What the summary adds up for a value: cap and target of covered rows only
    (runtime/results/summary.py, COVERED_ONLY)."""
    if name not in COVERED_ONLY:
        return column(name)
    covered = exp.EQ(this=column("covered"), expression=exp.true())
    return exp.Case(ifs=[exp.If(this=covered, true=column(name))])


def totals_of(evaluation: Evaluation, stats: Mapping[str, Any]) -> Totals:
    """One row of `aggregates` as Totals."""
    kinds = []
    for kind, of_kind in _by_kind(evaluation.query).items():
        first = stats.get(f"first:{kind}")
        kinds.append(
            KindAggregate(
                kind,
                int(stats.get(f"count:{kind}") or 0),
                exact_sum(Decimal(stats.get(f"amount:{i}") or 0) for i, _ in of_kind),
                of_kind[0][1].unit,
                None if first is None else int(first),
                exact_sum(Decimal(stats.get(f"least:{i}") or 0) for i, _ in of_kind),
            )
        )
    return Totals(
        int(stats.get("rows") or 0),
        int(stats.get("covered") or 0),
        int(stats.get("short") or 0),
        {n: Decimal(stats.get(f"sum:{n}") or 0) for n in SUMMED},
        kinds,
    )


def computed_rows() -> exp.Select:
    return exp.select().from_(exp.Table(this=quoted(RESULTS))).where(exp.not_(column(FAILED)))


def summary(evaluation: Evaluation) -> Summary:
    """Results.summary() for every row: SQL over computed rows, plus the patched rows (in
    Python, row by row, when a total does not fit DECIMAL(38))."""
    import duckdb

    try:
        return _sql_summary(evaluation)
    except duckdb.OutOfRangeException:
        program = evaluation.program
        tally = Tally(program.rule_names, program.category_field, program.ranged_kinds)
        tally.add_rows(r for _, r in iter_results(evaluation))
        return tally.summary()


def _sql_summary(evaluation: Evaluation) -> Summary:
    program = evaluation.program
    cursor = evaluation.connection.execute(sql_of(computed_rows().select(*aggregates(evaluation))))
    names = [d[0] for d in cursor.description]
    stats = dict(zip(names, cursor.fetchone(), strict=True))
    tally = Tally(program.rule_names, program.category_field, program.ranged_kinds)
    tally.add_totals(replace(totals_of(evaluation, stats), categories=_categories(evaluation)))
    tally.add_rows(evaluation.patch.values())
    return tally.summary()


def _categories(evaluation: Evaluation) -> dict[str, CategorySummary]:
    """Category totals of computed rows."""
    field_name = evaluation.program.category_field
    if field_name is None:
        return {}
    group = exp.Coalesce(this=exp.cast(column(field_name), "VARCHAR"), expressions=[literal("?")])
    sums = [
        exp.alias_(exp.Sum(this=summed(n)) if n in evaluation.program.rule_names else literal(0), n)
        for n in ("cap", "obligation", "shortfall")
    ]
    query = (
        computed_rows()
        .select(
            exp.alias_(group, "key"),
            exp.alias_(exp.Count(this=exp.Star()), "rows"),
            exp.alias_(
                exp.CountIf(this=exp.EQ(this=column("covered"), expression=exp.true())), "covered"
            ),
            *sums,
            exp.alias_(
                exp.CountIf(this=exp.GT(this=column("shortfall"), expression=literal(0))), "short"
            ),
        )
        .group_by(group.copy())
    )
    return {
        str(k): CategorySummary(
            int(n), int(c), Decimal(cap or 0), Decimal(ob or 0), Decimal(sh or 0), int(s)
        )
        for k, n, c, cap, ob, sh, s in evaluation.connection.execute(sql_of(query)).fetchall()
    }
