"""The columnar engine's data side: DuckDB sessions, and participant tables as text cells.

Files are read by DuckDB itself, every cell as text (never through a float), planned as the
reference reader plans them (runtime/data/columns.py); Datasets are loaded cell by cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.compiler.driver import CompiledScheme
from etsl.compiler.numbers import MAX_DIGITS, MAX_PLACES
from etsl.compiler.program import Program
from etsl.runtime.data.checks import Spec
from etsl.runtime.data.columns import RUNTIME_COLUMNS
from etsl.runtime.records import Dataset, Holding, Record, Value
from etsl.runtime.results.model import (
    RunOptions,
)
from sqlglot import exp

ENGINE = "columnar"
RAW = "etsl_raw"
CELLS = "etsl_cells"
RESULTS = "etsl_results"
PATCH = "etsl_patch"
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
TRUE_WORDS, FALSE_WORDS = ("true", "yes"), ("false", "no")
#: What Python's str.strip() removes (the reference reader strips every cell), as a class.
WHITESPACE = (
    "[" + "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if c.isspace()) + "]"
)
DEFAULT_CONTEXT_DIGITS = 28  # the reader scales units with Python's default context
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
#: Why a run is evaluated step by step (runtime/columnar/chains.py).
CHAINED = "several periods of one participant (carried over)"


@dataclass(frozen=True)
class Fallback:
    """Why the columnar engine hands a run to the reference engine."""

    reason: str
    notice: bool = True  # False: the reference path reports the cause itself (data problems)
    engine: str = "columnar"

    def text(self) -> str:
        return f"{self.engine} engine: {self.reason}; using the reference engine"


# ---- DuckDB sessions --------------------------------------------------------------------------


def connect() -> Any:
    """An in-memory DuckDB database that keeps rows in insertion (data) order."""
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute("SET preserve_insertion_order = true")
    return connection


def sql_of(node: exp.Expr) -> str:
    return node.sql(dialect="duckdb")


def quoted(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def column(name: str, table: str | None = None) -> exp.Column:
    return exp.column(quoted(name), table=quoted(table) if table else None)


def call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def literal(value: str | int) -> exp.Expr:
    return exp.Literal.string(value) if isinstance(value, str) else exp.Literal.number(value)


# ---- sources: the participant table as text cells in DuckDB ----------------------------------


@dataclass(frozen=True)
class Source:
    """The participant rows in DuckDB table RAW: one text column per target, trimmed.

    `specs` says how each target (id, period, an input, held.UNIT) is read; `order` is the
    `$row` column (data order); `period` is every row's period when there is no column.
    """

    specs: Mapping[str, Spec]
    period: str | None
    path: str = ""
    records: tuple[Record, ...] = ()  # the Dataset path: the records, by `$row`
    max_places: int = MAX_PLACES  # what the reference reader accepts (Datasets: DECIMAL's)


def trimmed(node: exp.Expr) -> exp.Expr:
    """The cell without surrounding spaces, blank → NULL (other whitespace at either end is
    found by `check_and_profile`: the reference reader strips it, this engine does not)."""
    return exp.Nullif(this=call("trim", node), expression=literal(""))


def file_source(
    connection: Any,
    compiled: CompiledScheme,
    path: Path,
    mapping: Mapping[str, str],
    strict: bool,
    period: str | None,
) -> Source | Fallback:
    """Load a CSV or Parquet participant table into RAW, planned as the reference reader does."""
    from etsl.runtime.data.columns import (
        missing_columns,
        plan_table,
        wide_classifier,
        wide_expected,
        wide_required,
    )
    from etsl.runtime.data.load import only_period, period_problems

    header = read_header(connection, path)
    if isinstance(header, Fallback):
        return header
    names, table = header
    plan = plan_table(table, mapping, wide_classifier(compiled), wide_expected(compiled), strict)
    default = period or only_period(compiled)
    needs_period = default is None and len(compiled.program.periods) > 1
    problems = [
        *period_problems(path, compiled, period),
        *plan.problems,
        *missing_columns(table, plan, wide_required(compiled, needs_period), mapping),
    ]
    if problems or not plan.columns:
        return Fallback("the data needs the reference reader's checks", notice=False)
    if plan.has("type"):
        return Fallback(TYPED)
    targets = {c.target: names[c.index] for c in plan.columns}
    loaded = load_raw(connection, path, names, targets)
    if isinstance(loaded, Fallback):
        return loaded
    return Source(
        {c.target: c.spec for c in plan.columns if c.target in targets}, default, str(path)
    )


Header = tuple[list[str], Any]  # source column names, the RawTable of the header


def read_header(connection: Any, path: Path) -> Header | Fallback:
    from etsl.runtime.data.readers import RawTable

    suffix = path.suffix.lower()
    try:
        readable = path.is_file()
    except OSError:  # a name too long, …: the reference reader reports it
        readable = False
    if not readable:
        return Fallback("the data file cannot be read directly", notice=False)
    if suffix in CSV_SUFFIXES:
        header = csv_header(path)
        if isinstance(header, Fallback):
            return header
        return [f"c{i}" for i in range(len(header))], RawTable(
            str(path), tuple(h.strip() for h in header), ()
        )
    if suffix in PARQUET_SUFFIXES:
        names = parquet_names(connection, path)
        if isinstance(names, Fallback):
            return names
        return names, RawTable(str(path), tuple(n.strip() for n in names), ())
    return Fallback(f"it reads CSV and Parquet files, not '{suffix}'")


def csv_header(path: Path) -> list[str] | Fallback:
    from etsl.runtime.data.readers import sniff_delimiter

    with path.open("rb") as stream:
        head = stream.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Fallback("UTF-16 files are read by the reference reader", notice=False)
    text = head.decode("utf-8-sig", errors="replace")
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]  # any line ending, as csv reads
    if not first_line.strip() or '"' in first_line:
        return Fallback("an unusual header row", notice=False)
    return next(csv.reader(io.StringIO(first_line), delimiter=sniff_delimiter(text)))


_PARQUET_TYPES = (
    "DECIMAL",
    "VARCHAR",
    "BOOLEAN",
    "DATE",
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)


def parquet_names(connection: Any, path: Path) -> list[str] | Fallback:
    """Column names (pandas index columns left out, as the reference reader does)."""
    import re

    import duckdb

    try:
        described = connection.execute(
            "DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}
        ).fetchall()
    except duckdb.Error:
        return Fallback("the file needs the reference reader", notice=False)
    for name, kind in ((str(r[0]), str(r[1]).upper()) for r in described):
        if not kind.startswith(_PARQUET_TYPES):
            return Fallback(f"Parquet column '{name}' has type {kind}", notice=False)
    return [str(r[0]) for r in described if not re.fullmatch(r"__index_level_\d+__", str(r[0]))]


def load_raw(
    connection: Any, path: Path, names: Sequence[str], targets: Mapping[str, str]
) -> None | Fallback:
    """Create RAW in one pass over the file: one trimmed text column per target, blank rows
    left out; RAW's rowid is the data order."""
    import duckdb
    from etsl.runtime.data.readers import sniff_delimiter

    options: list[tuple[str, exp.Expr]] = []
    parameters: dict[str, object] = {"path": str(path)}
    reader = "read_parquet"
    if path.suffix.lower() not in PARQUET_SUFFIXES:
        with path.open("rb") as stream:
            head = stream.read(1 << 16).decode("utf-8-sig", errors="replace")
        reader = "read_csv"
        parameters.update(delim=sniff_delimiter(head), columns=dict.fromkeys(names, "VARCHAR"))
        options = [
            ("header", exp.true()),
            ("delim", exp.Placeholder(this="delim")),
            ("quote", literal('"')),
            ("escape", literal('"')),
            ("columns", exp.Placeholder(this="columns")),
            ("auto_detect", exp.false()),
            ("null_padding", exp.true()),
            ("strict_mode", exp.true()),
        ]
    source = exp.Anonymous(
        this=reader,
        expressions=[
            exp.Placeholder(this="path"),
            *(exp.EQ(this=exp.var(k), expression=v) for k, v in options),
        ],
    )
    cells = {n: trimmed(exp.cast(column(n), "VARCHAR")) for n in names}
    blank = exp.and_(*(exp.Is(this=c.copy(), expression=exp.Null()) for c in cells.values()))
    select = (
        exp.select(
            *(
                exp.alias_(cells[name].copy(), target, quoted=True)
                for target, name in targets.items()
            )
        )
        .from_(source)
        .where(exp.not_(blank))
    )
    try:
        connection.execute(sql_of(create_table(RAW, select)), parameters)
    except duckdb.Error:
        return Fallback("the file needs the reference reader", notice=False)
    return None


def create_table(name: str, query: exp.Expr, kind: str = "TABLE") -> exp.Create:
    """A temporary TABLE (computed now) or VIEW (computed by each query that reads it)."""
    return exp.Create(
        this=exp.Table(this=quoted(name)),
        kind=kind,
        expression=query,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


def dataset_source(
    connection: Any, compiled: CompiledScheme, dataset: Dataset, options: RunOptions
) -> Source | Fallback:
    """Load a Dataset's records (values already in base units) into RAW as text cells."""
    import pyarrow

    records = resolve_periods(compiled, dataset, options)
    if isinstance(records, Fallback):
        return records
    held = holdings_by_record(compiled, records, dataset.holdings)
    if isinstance(held, Fallback):
        return held
    specs = dataset_specs(compiled)
    columns: dict[str, list[str | None]] = {t: [] for t in specs}
    for record, amounts in zip(records, held, strict=True):
        for target in specs:
            columns[target].append(_cell_text(_record_value(record, target, amounts)))
    units = compiled.program.units
    for unit in units:  # whether a holding row exists (it may hold 0)
        columns[f"present.{unit}"] = ["true" if unit in amounts else "false" for amounts in held]
    specs.update({f"present.{u}": Spec(f"present.{u}", "bool") for u in units})
    table = pyarrow.table({t: pyarrow.array(v, pyarrow.string()) for t, v in columns.items()})
    connection.register("etsl_arrow", table)
    connection.execute(
        sql_of(
            create_table(RAW, exp.select(exp.Star()).from_(exp.Table(this=quoted("etsl_arrow"))))
        )
    )
    connection.unregister("etsl_arrow")
    return Source(specs, None, records=records, max_places=MAX_DIGITS)


#: Why rows with a participant type go to the reference engine.
TYPED = "participant types (a row leaves other types' values empty)"


def resolve_periods(
    compiled: CompiledScheme, dataset: Dataset, options: RunOptions
) -> tuple[Record, ...] | Fallback:
    """The records the reference engine would report, each with its period resolved.

    Rows it would reject (no or an unknown period, a second row for a period) and
    participants with several periods (carried over) are evaluated step by step
    (runtime/columnar/chains.py).
    """
    periods = list(compiled.program.period_names)
    kept: list[Record] = []
    if any(r.participant_type for r in dataset.records):
        return Fallback(TYPED)
    for record in dataset.records:
        if options.participants is not None and record.participant not in options.participants:
            continue
        period = record.period or options.period
        if period is None and len(periods) == 1:
            period = periods[0]
        if periods and (period is None or period not in periods):
            return Fallback("rows without a known period", notice=False)
        if options.period is None or period == options.period:
            kept.append(replace(record, period=period))
    if len({r.participant for r in kept}) != len(kept):
        return Fallback(CHAINED)
    if not kept:
        return Fallback("there are no rows to evaluate", notice=False)
    return tuple(kept)


def step_columns(program: Program) -> tuple[str, ...]:
    """The columns a chain's step gives a row of a period kept by year (runtime/columnar/
    chains.py): its year, whether it closes the period, and the earlier_years(x) sums."""
    if not program.by_year:
        return ()
    year = () if "year" in program.inputs else ("year",)
    return (*year, "final_year", *(f"earlier_years.{n}" for n in program.year_sums))


def dataset_specs(compiled: CompiledScheme) -> dict[str, Spec]:
    """How the columns of a Dataset's text table are read (all optional: gaps are errors of
    the rows that need them, found by evaluation)."""
    from etsl.compiler.types import Enum, Quant

    program = compiled.program
    specs = {"id": Spec("id", "text"), "period": Spec("period", "text", required=False)}
    for name, source in program.inputs.items():
        kind = source.type
        spec_kind = (
            "number"
            if isinstance(kind, Quant)
            else "choice"
            if isinstance(kind, Enum)
            else {"bool": "bool", "date": "date"}.get(getattr(kind, "name", ""), "text")
        )
        choices = kind.values if isinstance(kind, Enum) else ()
        specs[name] = Spec(name, spec_kind, choices=choices, required=False)
    specs.update({f"held.{u}": Spec(f"held.{u}", "number", required=False) for u in program.units})
    specs.update({n: Spec(n, "number", required=False) for n in RUNTIME_COLUMNS})
    specs.update(
        {
            n: Spec(n, "bool" if n == "final_year" else "number", required=False)
            for n in step_columns(program)
        }
    )
    return specs


def _record_value(record: Record, target: str, held: Mapping[str, Decimal]) -> Value | None:
    if target == "id":
        return record.participant
    if target == "period":
        return record.period
    if target.startswith("held."):
        return held.get(target.removeprefix("held."))
    return record.values.get(target)


def _cell_text(value: Value | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def holdings_by_record(
    compiled: CompiledScheme, records: Sequence[Record], holdings: Sequence[Holding]
) -> list[dict[str, Decimal]] | Fallback:
    """held(u) per record: its holdings rows (period-less ones apply to every period) and
    `held.UNIT` values, as the reference engine collects them (runtime/reference/sequence.py)."""
    from etsl.compiler.numbers import add

    program = compiled.program
    filtered = any(clause.where is not None for clause in program.surrender)
    by_key: dict[tuple[str, str | None], list[Holding]] = {}
    for holding in holdings:
        by_key.setdefault((holding.participant, holding.period), []).append(holding)
    result = []
    for record in records:
        rows = by_key.get((record.participant, None), []) + (
            by_key.get((record.participant, record.period), []) if record.period else []
        )
        first = _opens_period(program, record)
        rows = [h for h in rows if h.year == record.year or (h.year is None and first)]
        rows += [
            Holding(record.participant, record.period, u, q)
            for u in program.units
            for key in (f"held.{u}", f"held_{u}")
            if isinstance(q := record.values.get(key), Decimal)
        ]
        totals: dict[str, Decimal] = {}
        for row in rows:
            totals[row.unit] = add(totals.get(row.unit, Decimal(0)), row.quantity)
        if filtered and not _wide_like(rows, program):
            return Fallback("holdings with their own attributes under a surrender filter")
        result.append(totals)
    return result


def _opens_period(program: Program, record: Record) -> bool:
    """Whether a row opens its period (a holding without a year is held then)."""
    years = program.data_years(record.period or "")
    return not years or record.year == years[0]


def _wide_like(rows: Sequence[Holding], program: Program) -> bool:
    """At most one holding per unit type, with only its type's declared attributes."""
    from etsl.compiler.program import attribute_value

    units = [r.unit for r in rows]
    if len(units) != len(set(units)):
        return False
    for row in rows:
        unit = program.units.get(row.unit)
        declared = unit.attributes if unit else {}
        if any(attribute_value(v) != declared.get(k) for k, v in row.attributes.items()):
            return False
    return True
