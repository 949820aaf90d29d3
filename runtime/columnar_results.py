"""A finished columnar evaluation as results: output columns, files, rows and the summary.

CSV and Parquet results are streamed from DuckDB with COPY, printed as the reference
writers print them; rows become ParticipantResults only when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.compiler.driver import CompiledScheme
from etsl.runtime import sql_compile as sc
from etsl.runtime.columnar_data import (
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
from etsl.runtime.plan import Plan
from etsl.runtime.records import Record
from etsl.runtime.results import (
    FLAG_KINDS,
    CategorySummary,
    ConsequenceResult,
    KindTotal,
    ParticipantResult,
    Results,
    Summary,
)
from sqlglot import exp


@dataclass
class Evaluation:
    """A finished query: RESULTS holds every row; rows that failed are listed by `$row`."""

    connection: Any
    compiled: CompiledScheme
    plan: Plan
    query: sc.ColumnarQuery
    rows: int
    failed: list[tuple[int, str, str | None]]
    patch: dict[int, ParticipantResult] = field(default_factory=dict)


# ---- output columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputColumn:
    """One column of the results file: its SQL over RESULTS and its type."""

    name: str
    sql: exp.Expr
    kind: sc.Kind
    num: sc.Num | None = None


def output_columns(evaluation: Evaluation) -> list[OutputColumn]:
    """The columns of Results.columns(), in that order, computed from RESULTS."""
    query, plan = evaluation.query, evaluation.plan
    columns = [
        OutputColumn("participant", column(sc.PARTICIPANT), sc.Kind.TEXT),
        OutputColumn("period", column(sc.PERIOD), sc.Kind.TEXT),
    ]
    for name in [*plan.rule_names, *(f"eligible.{u}" for u in plan.units)]:
        typed = query.columns[name]
        columns.append(OutputColumn(name, column(name), typed.kind, typed.num))
    for kind in plan.consequence_kinds:
        columns += _kind_columns(query, kind)
    columns.append(OutputColumn("error", exp.cast(exp.Null(), "VARCHAR"), sc.Kind.TEXT))
    return columns


def _kind_columns(query: sc.ColumnarQuery, kind: str) -> list[OutputColumn]:
    of_kind = [c for c in query.consequences if c.kind == kind]
    if kind in FLAG_KINDS:
        return [OutputColumn(kind, _any([column(c.applies) for c in of_kind]), sc.Kind.BOOL)]
    total = sc.zero()
    for consequence in (c for c in of_kind if c.amount):
        amount = query.columns[str(consequence.amount)]
        value = sc.Typed(
            exp.Coalesce(
                this=column(str(consequence.amount)),
                expressions=[sc.as_num(sc.zero(), amount.number)],
            ),
            sc.Kind.NUM,
            amount.num,
        )
        total = sc.add("+", total, value)
    maximum = _any([column(c.applies) for c in of_kind if c.maximum])
    return [
        OutputColumn(kind, sc.declared(total).sql, sc.Kind.NUM, total.num),
        OutputColumn(f"{kind}_is_maximum", maximum, sc.Kind.BOOL),
    ]


def _any(tests: Sequence[exp.Expr]) -> exp.Expr:
    found: exp.Expr = sc.any_of([exp.Coalesce(this=t, expressions=[exp.false()]) for t in tests])
    return found


def plain_text(output: OutputColumn) -> exp.Expr:
    """A value as the reference writers print it: decimals without trailing zeros, booleans
    as true/false (runtime/results.py, `plain`).

    Only decimals with places need text work: a whole value is printed as an integer, and
    any other has a non-zero digit after the point, so only zeros after it are trimmed.
    """
    num = output.num
    if output.kind is not sc.Kind.NUM or num is None or num.scale == 0:
        return output.sql  # DuckDB writes integers, booleans (true/false) and text as is
    whole = exp.Anonymous(this="trunc", expressions=[output.sql.copy()])
    integral = exp.EQ(this=output.sql.copy(), expression=whole)
    as_integer = exp.cast(exp.cast(whole.copy(), sc.decimal_type(num.width, 0)), "VARCHAR")
    fraction: exp.Expr = exp.cast(output.sql.copy(), "VARCHAR")
    if num.scale > 1:
        fraction = call("regexp_replace", fraction, literal("0+$"), literal(""))
    return exp.Case(ifs=[exp.If(this=integral, true=as_integer)], default=fraction)


def parquet_value(output: OutputColumn) -> exp.Expr:
    """Parquet: DECIMAL(38, 18) where every value provably fits (as the reference writer
    chooses when all values fit), exact text otherwise."""
    if output.kind is not sc.Kind.NUM or output.num is None:
        return output.sql
    if output.num.scale <= 18 and output.num.digits <= 20:
        return exp.cast(output.sql, sc.decimal_type(38, 18))
    return plain_text(output)


def export_query(evaluation: Evaluation, render: Any) -> exp.Select:
    """Every row in data order: computed rows from RESULTS, failed ones from PATCH."""
    outputs = output_columns(evaluation)

    def value(output: OutputColumn) -> exp.Expr:  # text beside patched text rows
        rendered = render(output)
        text = evaluation.patch and render is plain_text
        return exp.cast(rendered, "VARCHAR") if text else rendered

    computed = (
        exp.select(column(sc.ROW), *(exp.alias_(value(o), o.name, quoted=True) for o in outputs))
        .from_(exp.Table(this=quoted(RESULTS)))
        .where(exp.not_(column(sc.FAILED)))
    )
    rows: exp.Expr = computed
    if evaluation.patch:
        rows = exp.union(
            computed, exp.select(exp.Star()).from_(exp.Table(this=quoted(PATCH))), distinct=False
        )
    ordered = exp.select(*(column(o.name) for o in outputs)).from_(
        exp.Subquery(this=rows, alias=exp.TableAlias(this=quoted("rows")))
    )
    # RESULTS keeps the data order; only patched rows need sorting into place
    return ordered.order_by(column(sc.ROW)) if evaluation.patch else ordered


def store_patch(evaluation: Evaluation, render: str) -> None:
    """PATCH: the reference engine's rows for the failed ones, in the output's columns."""
    import pyarrow
    from etsl.runtime.results import _csv_cell, _record

    if not evaluation.patch:
        return
    outputs = output_columns(evaluation)
    results = Results(
        evaluation.plan.name,
        ENGINE,
        tuple(evaluation.patch.values()),
        evaluation.plan.rule_names,
        evaluation.plan.units,
        evaluation.plan.consequence_kinds,
    )
    records = [_record(results, r) for r in results.rows]
    table: dict[str, Any] = {sc.ROW: pyarrow.array(list(evaluation.patch), pyarrow.int64())}
    for output in outputs:
        texts = [_csv_cell(record[output.name]) for record in records]
        table[output.name] = pyarrow.array(
            [t if t != "" else None for t in texts], pyarrow.string()
        )
    evaluation.connection.register("etsl_patch_arrow", pyarrow.table(table))
    selected = [column(sc.ROW)] + [
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
    if output.kind is sc.Kind.BOOL:
        return exp.EQ(this=value, expression=literal("true"))
    typed = parquet_value(replace(output, sql=value))
    if output.kind is sc.Kind.NUM and isinstance(typed, exp.Cast):
        return exp.cast(value, sc.decimal_type(38, 18))
    return value


def write_output(evaluation: Evaluation, path: Path) -> None:
    """Stream every row to a CSV or Parquet file with COPY, atomically."""
    from etsl.output import atomic_path

    parquet = path.suffix.lower() in PARQUET_SUFFIXES or path.suffix.lower() == ".parquet"
    store_patch(evaluation, "parquet" if parquet else "text")
    query = export_query(evaluation, parquet_value if parquet else plain_text)
    options = (
        [("FORMAT", exp.var("PARQUET"))]
        if parquet
        else [("FORMAT", exp.var("CSV")), ("HEADER", exp.true()), ("DELIMITER", literal(","))]
    )
    with atomic_path(path) as temporary:
        copy = exp.Copy(
            this=exp.Paren(this=query),
            kind=False,
            files=[literal(str(temporary))],
            params=[exp.CopyParameter(this=exp.var(k), expression=v) for k, v in options],
        )
        evaluation.connection.execute(sql_of(copy))


# ---- rows as ParticipantResult ---------------------------------------------------------------------


def result_select(evaluation: Evaluation) -> exp.Select:
    """What a ParticipantResult needs of a computed row."""
    query = evaluation.query
    names = [
        sc.ROW,
        sc.PARTICIPANT,
        sc.PERIOD,
        *query.inputs,
        *evaluation.plan.rule_names,
        *(f"eligible.{u}" for u in evaluation.plan.units),
        *dict.fromkeys(c.applies for c in query.consequences),
        *(c.amount for c in query.consequences if c.amount),
    ]
    return (
        exp.select(*(column(n) for n in dict.fromkeys(names)))
        .from_(exp.Table(this=quoted(RESULTS)))
        .where(exp.not_(column(sc.FAILED)))
    )


def participant_result(
    evaluation: Evaluation, row: Mapping[str, Any], record: Record | None = None
) -> ParticipantResult:
    plan, query = evaluation.plan, evaluation.query
    units = plan.consequence_units
    consequences = []
    penalty_decls = {name: p for name, p in plan.penalties}
    for c in query.consequences:
        if row[c.applies]:
            decl = penalty_decls[c.penalty].consequences[c.index]
            consequences.append(
                ConsequenceResult(
                    c.penalty,
                    c.kind,
                    row[c.amount] if c.amount else None,
                    units.get(id(decl), ""),
                    c.maximum,
                    c.description,
                )
            )
    inputs = (
        dict(record.values) if record else {n: row[n] for n in query.inputs if row[n] is not None}
    )
    return ParticipantResult(
        row[sc.PARTICIPANT],
        row[sc.PERIOD],
        {n: row[n] for n in plan.rule_names},
        {u: row[f"eligible.{u}"] for u in plan.units},
        tuple(consequences),
        (),
        inputs,
        None,
        record.row if record else 0,
        record.source if record else "",
    )


def fetch_results(
    evaluation: Evaluation, limit: int | None = None, records: Sequence[Record] = ()
) -> list[tuple[int, ParticipantResult]]:
    """(`$row`, result) of computed rows and patched rows, in data order."""
    query = result_select(evaluation).order_by(column(sc.ROW))
    if limit is not None:
        query = query.limit(limit)
    cursor = evaluation.connection.execute(sql_of(query))
    names = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        position = int(row[sc.ROW])
        record = records[position] if records else None
        rows.append((position, participant_result(evaluation, row, record)))
    rows += list(evaluation.patch.items())
    rows.sort(key=lambda item: item[0])
    return rows[:limit] if limit is not None else rows


# ---- the summary, computed in SQL -------------------------------------------------------------------


def summary(evaluation: Evaluation) -> Summary:
    """Results.summary() for every row: SQL over computed rows, plus the patched rows."""
    plan = evaluation.plan
    ok = exp.not_(column(sc.FAILED))
    sums = {
        name: exp.alias_(
            exp.Sum(this=exp.Case(ifs=[exp.If(this=ok.copy(), true=column(name))])),
            f"sum:{name}",
            quoted=True,
        )
        for name in ("cap", "target", "obligation", "shortfall", "surplus")
        if name in plan.rule_names
    }
    short = exp.and_(ok.copy(), exp.GT(this=column("shortfall"), expression=literal(0)))
    covered = exp.and_(ok.copy(), exp.EQ(this=column("covered"), expression=exp.true()))
    aggregates = [
        exp.alias_(exp.Count(this=exp.Star()), "rows"),
        exp.alias_(exp.CountIf(this=covered), "covered"),
        exp.alias_(exp.CountIf(this=short), "short"),
        *sums.values(),
    ]
    consequences = evaluation.query.consequences
    for index, c in enumerate(consequences):
        applied = exp.and_(ok.copy(), column(c.applies))
        aggregates += [
            exp.alias_(exp.CountIf(this=applied), f"count:{index}", quoted=True),
            exp.alias_(
                exp.Min(this=exp.Case(ifs=[exp.If(this=applied.copy(), true=column(sc.ROW))])),
                f"first:{index}",
                quoted=True,
            ),
        ]
        if c.amount:
            aggregates.append(
                exp.alias_(
                    exp.Sum(
                        this=exp.Case(ifs=[exp.If(this=applied.copy(), true=column(c.amount))])
                    ),
                    f"amount:{index}",
                    quoted=True,
                )
            )
    cursor = evaluation.connection.execute(
        sql_of(exp.select(*aggregates).from_(exp.Table(this=quoted(RESULTS))))
    )
    names = [d[0] for d in cursor.description]
    stats = dict(zip(names, cursor.fetchone(), strict=True))
    patched = list(evaluation.patch.values())
    patched_ok = [r for r in patched if r.ok]
    from etsl.runtime.results import _consequence_totals, _short, _sum

    def total(name: str) -> Decimal | None:
        if name not in plan.rule_names:
            return None
        value: Decimal = Decimal(stats.get(f"sum:{name}") or 0) + _sum(patched_ok, name)
        return value

    return Summary(
        rows=int(stats["rows"]),
        participants=int(stats["rows"]),
        participants_covered=int(stats["covered"])
        + sum(r.values.get("covered") is True for r in patched),
        total_cap=total("cap"),
        total_target=total("target"),
        total_obligation=total("obligation") or Decimal(0),
        total_shortfall=total("shortfall") or Decimal(0),
        total_surplus=total("surplus") or Decimal(0),
        non_compliant=int(stats["short"]) + sum(map(_short, patched_ok)),
        errors=sum(len(r.errors) for r in patched),
        consequences=_kind_totals(evaluation, stats, _consequence_totals(patched_ok)),
        category_field=plan.category_field,
        by_category=_categories(evaluation, patched_ok),
    )


def _kind_totals(
    evaluation: Evaluation, stats: Mapping[str, Any], patched: Mapping[str, KindTotal]
) -> dict[str, KindTotal]:
    """Totals per consequence kind, in the order kinds first appear in the data."""
    units = evaluation.plan.consequence_units
    decls = {name: p for name, p in evaluation.plan.penalties}
    first: dict[str, tuple[int, int]] = {}
    totals: dict[str, KindTotal] = dict(patched)
    patch_first = {
        kind: min(
            row
            for row, r in evaluation.patch.items()
            if any(c.kind == kind for c in r.consequences)
        )
        for kind in patched
    }
    for index, c in enumerate(evaluation.query.consequences):
        count = int(stats[f"count:{index}"])
        if not count:
            continue
        unit = units.get(id(decls[c.penalty].consequences[c.index]), "")
        amount = Decimal(stats.get(f"amount:{index}") or 0)
        before = totals.get(c.kind, KindTotal(0, Decimal(0), unit))
        totals[c.kind] = KindTotal(
            before.count + count, before.amount + amount, before.unit or unit
        )
        first[c.kind] = min(first.get(c.kind, (1 << 62, 0)), (int(stats[f"first:{index}"]), index))
    for kind, row in patch_first.items():
        first[kind] = min(first.get(kind, (1 << 62, 0)), (row, -1))
    return {kind: totals[kind] for kind in sorted(totals, key=lambda k: first[k])}


def _categories(
    evaluation: Evaluation, patched: Sequence[ParticipantResult]
) -> dict[str, CategorySummary]:
    from etsl.runtime.results import _categories as categories

    field_name = evaluation.plan.category_field
    if field_name is None:
        return {}
    ok = exp.not_(column(sc.FAILED))
    group = exp.Coalesce(this=exp.cast(column(field_name), "VARCHAR"), expressions=[literal("?")])
    sums = [
        exp.alias_(exp.Sum(this=column(n)) if n in evaluation.plan.rule_names else literal(0), n)
        for n in ("cap", "obligation", "shortfall")
    ]
    query = (
        exp.select(
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
        .from_(exp.Table(this=quoted(RESULTS)))
        .where(ok)
        .group_by(group.copy())
    )
    found = {
        str(k): CategorySummary(
            int(n), int(c), Decimal(cap or 0), Decimal(ob or 0), Decimal(sh or 0), int(s)
        )
        for k, n, c, cap, ob, sh, s in evaluation.connection.execute(sql_of(query)).fetchall()
    }
    for key, part in categories(list(patched), field_name).items():
        before = found.get(key, CategorySummary(0, 0, Decimal(0), Decimal(0), Decimal(0), 0))
        found[key] = CategorySummary(
            before.rows + part.rows,
            before.covered + part.covered,
            before.cap + part.cap,
            before.obligation + part.obligation,
            before.shortfall + part.shortfall,
            before.non_compliant + part.non_compliant,
        )
    return dict(sorted(found.items()))
