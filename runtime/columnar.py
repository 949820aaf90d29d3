"""The columnar engine: a whole scheme as one DuckDB query over every participant at once.

    run(compiled, dataset, options) -> Results         # the engine contract (results.ENGINES)
    run_file(compiled, DataFiles(...)) -> Results | Fallback   # `etsl run`: file in → file out

Data files are read by DuckDB itself, every cell as text (never through a float), checked
with the reference reader's rules (runtime/data_columns.py plans the columns), profiled
(decimal places and integer digits of each number column) and cast to exact DECIMALs; the
compiled query (runtime/sql_compile.py) then computes every rule of every row, and CSV or
Parquet results are streamed to the output file with COPY.

Anything this engine cannot do exactly is a `Fallback` with a reason, and the caller uses
the reference engine instead: constructs the compiler reports as unsupported, data the
reference reader would reject or warn about (it reports them), several periods of one
participant (carry-over chains), holdings tables. A row whose values cannot all be computed
(division by zero, a missing table row, …) is evaluated again by the reference engine, which
reports the error (or computes the row where it can), and its result replaces the row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.compiler import ast
from etsl.compiler.driver import CompiledScheme
from etsl.runtime import sql_compile as sc
from etsl.runtime.data_checks import MAX_DIGITS, MAX_PLACES, Spec
from etsl.runtime.plan import Plan, make_plan
from etsl.runtime.records import Dataset, Holding, Record, Value
from etsl.runtime.results import (
    FLAG_KINDS,
    WRITERS,
    CategorySummary,
    ConsequenceResult,
    EvaluationError,
    KindTotal,
    ParticipantResult,
    Results,
    RunOptions,
    Summary,
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
WHITESPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001))
                           if c.isspace()) + "]"
DEFAULT_CONTEXT_DIGITS = 28  # the reader scales units with Python's default context
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class Fallback:
    """Why the columnar engine hands a run to the reference engine."""

    reason: str
    notice: bool = True  # False: the reference path reports the cause itself (data problems)

    def text(self) -> str:
        return f"columnar engine: {self.reason}; using the reference engine"


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


def file_source(connection: Any, compiled: CompiledScheme, path: Path,
                mapping: Mapping[str, str], strict: bool, period: str | None
                ) -> Source | Fallback:
    """Load a CSV or Parquet participant table into RAW, planned as the reference reader does."""
    from etsl.runtime.data import _only_period, _period_problems
    from etsl.runtime.data_columns import (
        missing_columns,
        plan_table,
        wide_classifier,
        wide_expected,
        wide_required,
    )

    header = read_header(connection, path)
    if isinstance(header, Fallback):
        return header
    names, table = header
    plan = plan_table(table, mapping, wide_classifier(compiled), wide_expected(compiled), strict)
    default = period or _only_period(compiled)
    needs_period = default is None and len(compiled.resolved.periods) > 1
    problems = [*_period_problems(path, compiled, period), *plan.problems,
                *missing_columns(table, plan, wide_required(compiled, needs_period), mapping)]
    if problems or not plan.columns:
        return Fallback("the data needs the reference reader's checks", notice=False)
    targets = {c.target: names[c.index] for c in plan.columns
               if c.target not in ("carry_in", "owed_in")}
    loaded = load_raw(connection, path, names, targets)
    if isinstance(loaded, Fallback):
        return loaded
    return Source({c.target: c.spec for c in plan.columns if c.target in targets}, default,
                  str(path))


Header = tuple[list[str], Any]  # source column names, the RawTable of the header


def read_header(connection: Any, path: Path) -> Header | Fallback:
    from etsl.runtime.readers import RawTable

    suffix = path.suffix.lower()
    if not path.is_file():
        return Fallback("the data file cannot be read directly", notice=False)
    if suffix in CSV_SUFFIXES:
        header = csv_header(path)
        if isinstance(header, Fallback):
            return header
        return [f"c{i}" for i in range(len(header))], RawTable(
            str(path), tuple(h.strip() for h in header), ())
    if suffix in PARQUET_SUFFIXES:
        names = parquet_names(connection, path)
        if isinstance(names, Fallback):
            return names
        return names, RawTable(str(path), tuple(n.strip() for n in names), ())
    return Fallback(f"it reads CSV and Parquet files, not '{suffix}'")


def csv_header(path: Path) -> list[str] | Fallback:
    from etsl.runtime.readers import sniff_delimiter

    with path.open("rb") as stream:
        head = stream.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Fallback("UTF-16 files are read by the reference reader", notice=False)
    text = head.decode("utf-8-sig", errors="replace")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if not first_line.strip() or '"' in first_line:
        return Fallback("an unusual header row", notice=False)
    return next(csv.reader(io.StringIO(first_line), delimiter=sniff_delimiter(text)))


_PARQUET_TYPES = ("DECIMAL", "VARCHAR", "BOOLEAN", "DATE", "TINYINT", "SMALLINT", "INTEGER",
                  "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


def parquet_names(connection: Any, path: Path) -> list[str] | Fallback:
    """Column names (pandas index columns left out, as the reference reader does)."""
    import re

    import duckdb

    try:
        described = connection.execute("DESCRIBE SELECT * FROM read_parquet($path)",
                                       {"path": str(path)}).fetchall()
    except duckdb.Error:
        return Fallback("the file needs the reference reader", notice=False)
    for name, kind in ((str(r[0]), str(r[1]).upper()) for r in described):
        if not kind.startswith(_PARQUET_TYPES):
            return Fallback(f"Parquet column '{name}' has type {kind}", notice=False)
    return [str(r[0]) for r in described if not re.fullmatch(r"__index_level_\d+__", str(r[0]))]


def load_raw(connection: Any, path: Path, names: Sequence[str], targets: Mapping[str, str]
             ) -> None | Fallback:
    """Create RAW in one pass over the file: one trimmed text column per target, blank rows
    left out; RAW's rowid is the data order."""
    import duckdb
    from etsl.runtime.readers import sniff_delimiter

    options: list[tuple[str, exp.Expr]] = []
    parameters: dict[str, object] = {"path": str(path)}
    reader = "read_parquet"
    if path.suffix.lower() not in PARQUET_SUFFIXES:
        with path.open("rb") as stream:
            head = stream.read(1 << 16).decode("utf-8-sig", errors="replace")
        reader = "read_csv"
        parameters.update(delim=sniff_delimiter(head), columns=dict.fromkeys(names, "VARCHAR"))
        options = [("header", exp.true()), ("delim", exp.Placeholder(this="delim")),
                   ("quote", literal('"')), ("escape", literal('"')),
                   ("columns", exp.Placeholder(this="columns")), ("auto_detect", exp.false()),
                   ("null_padding", exp.true()), ("strict_mode", exp.true())]
    source = exp.Anonymous(this=reader, expressions=[exp.Placeholder(this="path"), *(
        exp.EQ(this=exp.var(k), expression=v) for k, v in options)])
    cells = {n: trimmed(exp.cast(column(n), "VARCHAR")) for n in names}
    blank = exp.and_(*(exp.Is(this=c.copy(), expression=exp.Null()) for c in cells.values()))
    select = exp.select(*(exp.alias_(cells[name].copy(), target, quoted=True)
                          for target, name in targets.items())).from_(source).where(
        exp.not_(blank))
    try:
        connection.execute(sql_of(create_table(RAW, select)), parameters)
    except duckdb.Error:
        return Fallback("the file needs the reference reader", notice=False)
    return None


def create_table(name: str, query: exp.Expr) -> exp.Create:
    return exp.Create(this=exp.Table(this=quoted(name)), kind="TABLE", expression=query,
                      properties=exp.Properties(expressions=[exp.TemporaryProperty()]))


def dataset_source(connection: Any, compiled: CompiledScheme, dataset: Dataset,
                   options: RunOptions) -> Source | Fallback:
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
    for unit in compiled.resolved.units:  # whether a holding row exists (it may hold 0)
        columns[f"present.{unit}"] = ["true" if unit in amounts else "false" for amounts in held]
    specs.update({f"present.{u}": Spec(f"present.{u}", "bool") for u in compiled.resolved.units})
    table = pyarrow.table({t: pyarrow.array(v, pyarrow.string()) for t, v in columns.items()})
    connection.register("etsl_arrow", table)
    connection.execute(sql_of(create_table(RAW, exp.select(exp.Star()).from_(
        exp.Table(this=quoted("etsl_arrow"))))))
    connection.unregister("etsl_arrow")
    return Source(specs, None, records=records, max_places=MAX_DIGITS)


def resolve_periods(compiled: CompiledScheme, dataset: Dataset, options: RunOptions
                    ) -> tuple[Record, ...] | Fallback:
    """The records the reference engine would report, each with its period resolved.

    Rows it would reject (no or an unknown period, a second row for a period) and
    participants with several periods (carried over) are left to the reference engine.
    """
    periods = list(compiled.resolved.periods)
    kept: list[Record] = []
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
        return Fallback("several periods of one participant (carried over)")
    if not kept:
        return Fallback("there are no rows to evaluate", notice=False)
    return tuple(kept)


def dataset_specs(compiled: CompiledScheme) -> dict[str, Spec]:
    """How the columns of a Dataset's text table are read (all optional: gaps are errors of
    the rows that need them, found by evaluation)."""
    from etsl.compiler.types import Enum, Quant

    s = compiled.resolved
    specs = {"id": Spec("id", "text"), "period": Spec("period", "text", required=False)}
    for name in s.fields:
        kind = compiled.checked.types.get(name)
        spec_kind = "number" if isinstance(kind, Quant) else "choice" if isinstance(kind, Enum) \
            else {"bool": "bool", "date": "date"}.get(getattr(kind, "name", ""), "text")
        choices = kind.values if isinstance(kind, Enum) else ()
        specs[name] = Spec(name, spec_kind, choices=choices, required=False)
    specs.update({f"held.{u}": Spec(f"held.{u}", "number", required=False) for u in s.units})
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


def holdings_by_record(compiled: CompiledScheme, records: Sequence[Record],
                       holdings: Sequence[Holding]) -> list[dict[str, Decimal]] | Fallback:
    """held(u) per record: its holdings rows (period-less ones apply to every period) and
    `held.UNIT` values, as the reference engine collects them (runtime/sequence.py)."""
    from etsl.runtime.arith import add
    from etsl.runtime.plan import attribute_value

    s = compiled.resolved
    filtered = any(isinstance(i, ast.Accept) and i.where is not None
                   for i in (s.surrender.items if s.surrender else ()))
    by_key: dict[tuple[str, str | None], list[Holding]] = {}
    for holding in holdings:
        by_key.setdefault((holding.participant, holding.period), []).append(holding)
    result = []
    for record in records:
        rows = by_key.get((record.participant, None), []) + (
            by_key.get((record.participant, record.period), []) if record.period else [])
        rows += [Holding(record.participant, record.period, u, q) for u in s.units
                 for key in (f"held.{u}", f"held_{u}")
                 if isinstance(q := record.values.get(key), Decimal)]
        totals: dict[str, Decimal] = {}
        for row in rows:
            totals[row.unit] = add(totals.get(row.unit, Decimal(0)), row.quantity)
        if filtered and not _wide_like(rows, s, attribute_value):
            return Fallback("holdings with their own attributes under a surrender filter")
        result.append(totals)
    return result


def _wide_like(rows: Sequence[Holding], s: Any, attribute_value: Any) -> bool:
    """At most one holding per unit type, with only its type's declared attributes."""
    units = [r.unit for r in rows]
    if len(units) != len(set(units)):
        return False
    for row in rows:
        decl = s.units.get(row.unit)
        declared: dict[str, Any] = {"issuer_scheme": decl.origin} if decl and decl.origin else {}
        declared.update({a.name: attribute_value(a.value) for a in (decl.attrs if decl else ())})
        if any(attribute_value(v) != declared.get(k) for k, v in row.attributes.items()):
            return False
    return True


# ---- checks and profile: what the reference reader would reject, and each column's shape ------


@dataclass(frozen=True)
class ColumnProfile:
    """A number column: the most decimal places and integer digits, and whether blanks occur."""

    places: int
    digits: int
    blanks: int


def _bad(spec: Spec, value: exp.Expr) -> exp.Expr:
    """True for a cell the reference reader would reject (see runtime/data_checks.py)."""
    present = exp.not_(exp.Is(this=value.copy(), expression=exp.Null()))
    tests = {
        "number": _not_a_number(value),
        "choice": exp.not_(exp.In(this=value.copy(), expressions=[literal(c) for c in spec.choices
                                                                  ])),
        "bool": exp.not_(exp.In(this=exp.Lower(this=value.copy()),
                                expressions=[literal(w) for w in TRUE_WORDS + FALSE_WORDS])),
        "date": exp.or_(exp.not_(call("regexp_full_match", value.copy(), literal(DATE_PATTERN))),
                        exp.Is(this=exp.TryCast(this=value.copy(), to=exp.DataType.build("DATE")),
                               expression=exp.Null())),
    }
    bad: exp.Expr = exp.false()
    if spec.kind in tests:
        bad = exp.and_(present, tests[spec.kind])
    if spec.kind == "choice" and not spec.choices:
        bad = present
    if spec.kind == "text":
        edges = call("regexp_matches", value.copy(), literal(f"^{WHITESPACE}|{WHITESPACE}$"))
        bad = exp.and_(present.copy(), edges)
    if spec.kind == "number" and spec.nonnegative:
        negative = exp.and_(call("starts_with", value.copy(), literal("-")),
                            call("regexp_matches", value.copy(), literal("[1-9]")))
        bad = exp.or_(bad, negative)
    if spec.required:
        bad = exp.or_(bad, exp.Is(this=value.copy(), expression=exp.Null()))
    return bad


def _not_a_number(value: exp.Expr) -> exp.Expr:
    """Text the reference reader would not read as a plain decimal (or that has an exponent).

    DuckDB's cast accepts what the reader's pattern accepts, and also digits grouped with
    '_' (found by fuzzing both); exponents are left to the reader too, since the profile
    counts places in the text. Faster than the regular expression NUMBER_PATTERN.
    """
    failed = exp.Is(this=exp.TryCast(this=value.copy(), to=sc.decimal_type(38, 18)),
                    expression=exp.Null())
    odd = [call("contains", value.copy(), literal(c)) for c in ("_", "e", "E")]
    return exp.or_(failed, *odd)


def _places(value: exp.Expr) -> exp.Expr:
    dot = call("strpos", value.copy(), literal("."))
    return exp.Case(ifs=[exp.If(this=exp.GT(this=dot, expression=literal(0)),
                                true=exp.Sub(this=exp.Length(this=value.copy()),
                                             expression=dot.copy()))],
                    default=literal(0))


def _digits(value: exp.Expr) -> exp.Expr:
    """A bound on the integer digits: the characters before the point (sign included)."""
    dot = call("strpos", value.copy(), literal("."))
    return exp.Case(ifs=[exp.If(this=exp.GT(this=dot, expression=literal(0)),
                                true=exp.Sub(this=dot.copy(), expression=literal(1)))],
                    default=exp.Length(this=value.copy()))


def check_and_profile(connection: Any, source: Source, period_filter: str | None = None
                      ) -> tuple[dict[str, ColumnProfile], int] | Fallback:
    """One pass over RAW: reject what the reference reader rejects, profile the number
    columns, and count the rows to evaluate (each participant once: no carry-over chains)."""
    aggregates: list[exp.Expr] = [exp.alias_(exp.Count(this=exp.Star()), "rows")]
    for target, spec in source.specs.items():
        value = column(target)
        aggregates.append(exp.alias_(exp.CountIf(this=_bad(spec, value)), f"bad:{target}",
                                     quoted=True))
        aggregates.append(exp.alias_(exp.CountIf(this=exp.Is(
            this=value.copy(), expression=exp.Null())), f"blanks:{target}", quoted=True))
        if spec.kind == "number":
            aggregates += [
                exp.alias_(exp.Max(this=_places(value)), f"places:{target}", quoted=True),
                exp.alias_(exp.Max(this=_digits(value)), f"digits:{target}", quoted=True)]
    aggregates += _key_counts(source, period_filter)
    query = exp.select(*aggregates).from_(exp.Table(this=quoted(RAW)))
    cursor = connection.execute(sql_of(query))
    names = [d[0] for d in cursor.description]
    stats = dict(zip(names, cursor.fetchone(), strict=True))
    stats.setdefault("keys", stats["ids"])
    stats.setdefault("selected", stats["rows"])
    if any(v for k, v in stats.items() if k.startswith("bad:")) or stats["keys"] != stats["rows"]:
        return Fallback("the data needs the reference reader's checks", notice=False)
    if stats["ids"] != stats["selected"]:
        return Fallback("several periods of one participant (carried over)")
    if stats["selected"] == 0:
        return Fallback("there are no rows to evaluate", notice=False)
    profiles = {}
    for target, spec in source.specs.items():
        if spec.kind != "number":
            profiles[target] = ColumnProfile(0, 0, int(stats[f"blanks:{target}"]))
            continue
        places, digits = int(stats[f"places:{target}"] or 0), int(stats[f"digits:{target}"] or 0)
        if places > source.max_places or places + digits > MAX_DIGITS:
            return Fallback("the data needs the reference reader's checks", notice=False)
        profiles[target] = ColumnProfile(places, digits, int(stats[f"blanks:{target}"]))
    return profiles, int(stats["selected"])


def _key_counts(source: Source, period_filter: str | None) -> list[exp.Expr]:
    """rows per (id, period) must be 1 (`keys`); among the rows to evaluate (`selected`),
    each participant once (`ids`)."""
    if "period" not in source.specs:
        return [exp.alias_(exp.Count(this=exp.Distinct(expressions=[column("id")])), "ids")]
    keys = exp.Tuple(expressions=[column("id"), column("period")])
    found = [exp.alias_(exp.Count(this=exp.Distinct(expressions=[keys])), "keys")]
    distinct_ids: exp.Expr = exp.Count(this=exp.Distinct(expressions=[column("id")]))
    if period_filter is None:
        return [*found, exp.alias_(distinct_ids, "ids")]
    chosen = exp.EQ(this=column("period"), expression=literal(period_filter))
    return [*found,
            exp.alias_(exp.Filter(this=distinct_ids, expression=exp.Where(this=chosen)), "ids"),
            exp.alias_(exp.CountIf(this=chosen.copy()), "selected")]


def _significant(value: Decimal) -> int:
    return len(value.normalize().as_tuple().digits)


def layout_of(compiled: CompiledScheme, source: Source, profiles: Mapping[str, ColumnProfile]
              ) -> sc.Layout | Fallback:
    """Where the compiled query finds each input, with its exact DECIMAL shape."""
    inputs, holdings, present = {}, {}, {}
    for target, spec in source.specs.items():
        if target in ("id", "period"):
            continue
        if target.startswith("present."):
            present[target.removeprefix("present.")] = target
            continue
        entry = _input_column(target, spec, profiles.get(target))
        if isinstance(entry, Fallback):
            return entry
        if target.startswith("held."):
            holdings[target.removeprefix("held.")] = entry
        elif target in compiled.resolved.fields:
            inputs[target] = entry
    period_column = "period" if "period" in source.specs else None
    return sc.Layout(CELLS, "id", period_column, source.period, inputs, holdings,
                     row_column=sc.ROW, present=present, checked=True)


_KINDS = {"number": sc.Kind.NUM, "choice": sc.Kind.TEXT, "text": sc.Kind.TEXT,
          "bool": sc.Kind.BOOL, "date": sc.Kind.DATE}


def _input_column(target: str, spec: Spec, profile: ColumnProfile | None
                  ) -> sc.InputColumn | Fallback:
    kind = _KINDS[spec.kind]
    if kind is not sc.Kind.NUM or profile is None:
        return sc.InputColumn(target, kind, None, profile is None or profile.blanks > 0)
    if spec.scale != 1 and profile.digits + profile.places + _significant(spec.scale) \
            > DEFAULT_CONTEXT_DIGITS:
        return Fallback(f"converting '{target}' to base units needs more than "
                        f"{DEFAULT_CONTEXT_DIGITS} digits")
    return sc.InputColumn(target, kind, sc.Num(profile.digits, profile.places),
                          profile.blanks > 0, spec.scale)


def cells_view(source: Source, period_filter: str | None) -> exp.Select:
    """CELLS: RAW with booleans and dates typed, rows of other periods left out; `$row`
    is RAW's row id (the data order)."""
    selected: list[exp.Expr] = [exp.alias_(exp.column("rowid"), sc.ROW, quoted=True)]
    for target, spec in source.specs.items():
        value: exp.Expr = column(target)
        if spec.kind == "bool":
            value = exp.In(this=exp.Lower(this=value), expressions=[literal(w) for w in TRUE_WORDS])
        elif spec.kind == "date":
            value = exp.cast(value, "DATE")
        selected.append(exp.alias_(value, target, quoted=True))
    query = exp.select(*selected).from_(exp.Table(this=quoted(RAW)))
    if period_filter is not None and "period" in source.specs:
        query = query.where(exp.EQ(this=column("period"), expression=literal(period_filter)))
    return query


# ---- evaluation --------------------------------------------------------------------------------


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


def evaluate(connection: Any, compiled: CompiledScheme, source: Source,
             period_filter: str | None, shape: sc.Shape = sc.Shape.CTE,
             scenario: sc.ScenarioLayout | None = None) -> Evaluation | Fallback:
    """Check and profile RAW, compile the scheme for it, and compute RESULTS (for every
    scenario of `scenario`, a relation cross-joined with the rows, in sweeps)."""
    import duckdb

    checked = check_and_profile(connection, source, period_filter)
    if isinstance(checked, Fallback):
        return checked
    profiles, rows = checked
    layout = layout_of(compiled, source, profiles)
    if isinstance(layout, Fallback):
        return layout
    layout = replace(layout, scenario=scenario)
    connection.execute(sql_of(exp.Create(this=exp.Table(this=quoted(CELLS)), kind="VIEW",
                                         expression=cells_view(source, period_filter),
                                         properties=exp.Properties(
                                             expressions=[exp.TemporaryProperty()]))))
    query = sc.compile_query(compiled, layout, shape=shape)
    if isinstance(query, sc.Unsupported):
        return Fallback(str(query))
    try:
        connection.execute(sql_of(create_table(RESULTS, query.query)))
    except (duckdb.OutOfRangeException, duckdb.ConversionException) as exc:
        return Fallback(f"a value does not fit DECIMAL(38) ({str(exc).splitlines()[0]})")
    except duckdb.Error as exc:  # a bug: say so, and let the reference engine answer
        return Fallback(f"the columnar query failed ({str(exc).splitlines()[0]})")
    if scenario is not None:  # sweeps: their rows are patched per scenario (runtime/sweep.py)
        return Evaluation(connection, compiled, make_plan(compiled), query, int(rows), [])
    failed = connection.execute(
        'SELECT "$row", "$participant", "$period" FROM etsl_results WHERE "$failed" '
        'ORDER BY "$row"').fetchall()
    return Evaluation(connection, compiled, make_plan(compiled), query, int(rows),
                      [(int(r), str(p), q) for r, p, q in failed])


def patch_with_reference(evaluation: Evaluation, records: Sequence[Record],
                         holdings: Sequence[Holding], period: str | None) -> None:
    """Evaluate the failed rows with the reference engine (it reports why they failed)."""
    from etsl.runtime.sequence import run as reference_run

    if not evaluation.failed:
        return
    wanted = {(p, q): row for row, p, q in evaluation.failed}
    chosen = [r for r in records if (r.participant, r.period) in wanted]
    results = reference_run(evaluation.compiled, Dataset(tuple(chosen), tuple(holdings)),
                            RunOptions(period=period))
    for result in results.rows:
        evaluation.patch[wanted[result.participant, result.period]] = result


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
    columns = [OutputColumn("participant", column(sc.PARTICIPANT), sc.Kind.TEXT),
               OutputColumn("period", column(sc.PERIOD), sc.Kind.TEXT)]
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
        value = sc.Typed(exp.Coalesce(this=column(str(consequence.amount)),
                                      expressions=[sc.as_num(sc.zero(), amount.number)]),
                         sc.Kind.NUM, amount.num)
        total = sc.add("+", total, value)
    maximum = _any([column(c.applies) for c in of_kind if c.maximum])
    return [OutputColumn(kind, sc.declared(total).sql, sc.Kind.NUM, total.num),
            OutputColumn(f"{kind}_is_maximum", maximum, sc.Kind.BOOL)]


def _any(tests: Sequence[exp.Expr]) -> exp.Expr:
    found: exp.Expr = sc.any_of([exp.Coalesce(this=t, expressions=[exp.false()])
                                       for t in tests])
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

    computed = exp.select(column(sc.ROW), *(exp.alias_(value(o), o.name, quoted=True)
                                            for o in outputs)).from_(
        exp.Table(this=quoted(RESULTS))).where(exp.not_(column(sc.FAILED)))
    rows: exp.Expr = computed
    if evaluation.patch:
        rows = exp.union(computed, exp.select(exp.Star()).from_(exp.Table(this=quoted(PATCH))),
                         distinct=False)
    ordered = exp.select(*(column(o.name) for o in outputs)).from_(
        exp.Subquery(this=rows, alias=exp.TableAlias(this=quoted("rows"))))
    # RESULTS keeps the data order; only patched rows need sorting into place
    return ordered.order_by(column(sc.ROW)) if evaluation.patch else ordered


def store_patch(evaluation: Evaluation, render: str) -> None:
    """PATCH: the reference engine's rows for the failed ones, in the output's columns."""
    import pyarrow
    from etsl.runtime.results import _csv_cell, _record

    if not evaluation.patch:
        return
    outputs = output_columns(evaluation)
    results = Results(evaluation.plan.name, ENGINE, tuple(evaluation.patch.values()),
                      evaluation.plan.rule_names, evaluation.plan.units,
                      evaluation.plan.consequence_kinds)
    records = [_record(results, r) for r in results.rows]
    table: dict[str, Any] = {sc.ROW: pyarrow.array(list(evaluation.patch), pyarrow.int64())}
    for output in outputs:
        texts = [_csv_cell(record[output.name]) for record in records]
        table[output.name] = pyarrow.array([t if t != "" else None for t in texts],
                                           pyarrow.string())
    evaluation.connection.register("etsl_patch_arrow", pyarrow.table(table))
    selected = [column(sc.ROW)] + [
        exp.alias_(_typed_text(o, render), o.name, quoted=True) for o in outputs]
    evaluation.connection.execute(sql_of(create_table(PATCH, exp.select(*selected).from_(
        exp.Table(this=quoted("etsl_patch_arrow"))))))


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
    options = [("FORMAT", exp.var("PARQUET"))] if parquet else [
        ("FORMAT", exp.var("CSV")), ("HEADER", exp.true()), ("DELIMITER", literal(","))]
    with atomic_path(path) as temporary:
        copy = exp.Copy(this=exp.Paren(this=query), kind=False,
                        files=[literal(str(temporary))],
                        params=[exp.CopyParameter(this=exp.var(k), expression=v)
                                for k, v in options])
        evaluation.connection.execute(sql_of(copy))


# ---- rows as ParticipantResult ---------------------------------------------------------------------


def result_select(evaluation: Evaluation) -> exp.Select:
    """What a ParticipantResult needs of a computed row."""
    query = evaluation.query
    names = [sc.ROW, sc.PARTICIPANT, sc.PERIOD, *query.inputs, *evaluation.plan.rule_names,
             *(f"eligible.{u}" for u in evaluation.plan.units),
             *dict.fromkeys(c.applies for c in query.consequences),
             *(c.amount for c in query.consequences if c.amount)]
    return exp.select(*(column(n) for n in dict.fromkeys(names))).from_(
        exp.Table(this=quoted(RESULTS))).where(exp.not_(column(sc.FAILED)))


def participant_result(evaluation: Evaluation, row: Mapping[str, Any],
                       record: Record | None = None) -> ParticipantResult:
    plan, query = evaluation.plan, evaluation.query
    units = plan.consequence_units
    consequences = []
    penalty_decls = {name: p for name, p in plan.penalties}
    for c in query.consequences:
        if row[c.applies]:
            decl = penalty_decls[c.penalty].consequences[c.index]
            consequences.append(ConsequenceResult(
                c.penalty, c.kind, row[c.amount] if c.amount else None, units.get(id(decl), ""),
                c.maximum, c.description))
    inputs = dict(record.values) if record else {n: row[n] for n in query.inputs
                                                 if row[n] is not None}
    return ParticipantResult(
        row[sc.PARTICIPANT], row[sc.PERIOD], {n: row[n] for n in plan.rule_names},
        {u: row[f"eligible.{u}"] for u in plan.units}, tuple(consequences), (), inputs,
        None, record.row if record else 0, record.source if record else "")


def fetch_results(evaluation: Evaluation, limit: int | None = None,
                  records: Sequence[Record] = ()) -> list[tuple[int, ParticipantResult]]:
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
    sums = {name: exp.alias_(exp.Sum(this=exp.Case(ifs=[exp.If(this=ok.copy(), true=column(
        name))])), f"sum:{name}", quoted=True)
        for name in ("cap", "target", "obligation", "shortfall", "surplus")
        if name in plan.rule_names}
    short = exp.and_(ok.copy(), exp.GT(this=column("shortfall"), expression=literal(0)))
    covered = exp.and_(ok.copy(), exp.EQ(this=column("covered"), expression=exp.true()))
    aggregates = [exp.alias_(exp.Count(this=exp.Star()), "rows"),
                  exp.alias_(exp.CountIf(this=covered), "covered"),
                  exp.alias_(exp.CountIf(this=short), "short"), *sums.values()]
    consequences = evaluation.query.consequences
    for index, c in enumerate(consequences):
        applied = exp.and_(ok.copy(), column(c.applies))
        aggregates += [exp.alias_(exp.CountIf(this=applied), f"count:{index}", quoted=True),
                       exp.alias_(exp.Min(this=exp.Case(ifs=[exp.If(this=applied.copy(),
                                                                  true=column(sc.ROW))])),
                                  f"first:{index}", quoted=True)]
        if c.amount:
            aggregates.append(exp.alias_(exp.Sum(this=exp.Case(ifs=[exp.If(
                this=applied.copy(), true=column(c.amount))])), f"amount:{index}", quoted=True))
    cursor = evaluation.connection.execute(sql_of(exp.select(*aggregates).from_(
        exp.Table(this=quoted(RESULTS)))))
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
        rows=int(stats["rows"]), participants=int(stats["rows"]),
        participants_covered=int(stats["covered"]) + sum(
            r.values.get("covered") is True for r in patched),
        total_cap=total("cap"), total_target=total("target"),
        total_obligation=total("obligation") or Decimal(0),
        total_shortfall=total("shortfall") or Decimal(0),
        total_surplus=total("surplus") or Decimal(0),
        non_compliant=int(stats["short"]) + sum(map(_short, patched_ok)),
        errors=sum(len(r.errors) for r in patched),
        consequences=_kind_totals(evaluation, stats, _consequence_totals(patched_ok)),
        category_field=plan.category_field,
        by_category=_categories(evaluation, patched_ok),
    )


def _kind_totals(evaluation: Evaluation, stats: Mapping[str, Any],
                 patched: Mapping[str, KindTotal]) -> dict[str, KindTotal]:
    """Totals per consequence kind, in the order kinds first appear in the data."""
    units = evaluation.plan.consequence_units
    decls = {name: p for name, p in evaluation.plan.penalties}
    first: dict[str, tuple[int, int]] = {}
    totals: dict[str, KindTotal] = dict(patched)
    patch_first = {kind: min(row for row, r in evaluation.patch.items()
                             if any(c.kind == kind for c in r.consequences))
                   for kind in patched}
    for index, c in enumerate(evaluation.query.consequences):
        count = int(stats[f"count:{index}"])
        if not count:
            continue
        unit = units.get(id(decls[c.penalty].consequences[c.index]), "")
        amount = Decimal(stats.get(f"amount:{index}") or 0)
        before = totals.get(c.kind, KindTotal(0, Decimal(0), unit))
        totals[c.kind] = KindTotal(before.count + count, before.amount + amount,
                                   before.unit or unit)
        first[c.kind] = min(first.get(c.kind, (1 << 62, 0)), (int(stats[f"first:{index}"]), index))
    for kind, row in patch_first.items():
        first[kind] = min(first.get(kind, (1 << 62, 0)), (row, -1))
    return {kind: totals[kind] for kind in sorted(totals, key=lambda k: first[k])}


def _categories(evaluation: Evaluation, patched: Sequence[ParticipantResult]
                ) -> dict[str, CategorySummary]:
    from etsl.runtime.results import _categories as categories

    field_name = evaluation.plan.category_field
    if field_name is None:
        return {}
    ok = exp.not_(column(sc.FAILED))
    group = exp.Coalesce(this=exp.cast(column(field_name), "VARCHAR"),
                         expressions=[literal("?")])
    sums = [exp.alias_(exp.Sum(this=column(n)) if n in evaluation.plan.rule_names
                       else literal(0), n) for n in ("cap", "obligation", "shortfall")]
    query = exp.select(
        exp.alias_(group, "key"), exp.alias_(exp.Count(this=exp.Star()), "rows"),
        exp.alias_(exp.CountIf(this=exp.EQ(this=column("covered"), expression=exp.true())),
                   "covered"), *sums,
        exp.alias_(exp.CountIf(this=exp.GT(this=column("shortfall"), expression=literal(0))),
                   "short"),
    ).from_(exp.Table(this=quoted(RESULTS))).where(ok).group_by(group.copy())
    found = {str(k): CategorySummary(int(n), int(c), Decimal(cap or 0), Decimal(ob or 0),
                                     Decimal(sh or 0), int(s))
             for k, n, c, cap, ob, sh, s in evaluation.connection.execute(
                 sql_of(query)).fetchall()}
    for key, part in categories(list(patched), field_name).items():
        before = found.get(key, CategorySummary(0, 0, Decimal(0), Decimal(0), Decimal(0), 0))
        found[key] = CategorySummary(before.rows + part.rows, before.covered + part.covered,
                                     before.cap + part.cap, before.obligation + part.obligation,
                                     before.shortfall + part.shortfall,
                                     before.non_compliant + part.non_compliant)
    return dict(sorted(found.items()))


# ---- results ----------------------------------------------------------------------------------------


class LazyRows(Sequence[ParticipantResult]):
    """The rows of a file run, read from DuckDB only when asked for (a table shows 50)."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self._all: list[ParticipantResult] | None = None

    def __len__(self) -> int:
        return self.evaluation.rows

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice) and self._all is None and index.start in (None, 0) \
                and index.step in (None, 1) and index.stop is not None and index.stop >= 0:
            return tuple(r for _, r in fetch_results(self.evaluation, limit=index.stop))
        return self.materialise()[index]

    def __iter__(self) -> Iterator[ParticipantResult]:
        return iter(self.materialise())

    def materialise(self) -> list[ParticipantResult]:
        if self._all is None:
            self._all = [r for _, r in fetch_results(self.evaluation)]
        return self._all


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

    def write(self, path: Path) -> None:
        suffix = path.suffix.lower()
        if suffix not in WRITERS:
            super().write(path)
        elif suffix == ".json":
            WRITERS[suffix](self, path)
        else:
            write_output(self.evaluation, path)


def _results(evaluation: Evaluation, rows: Sequence[ParticipantResult]) -> Results:
    plan = evaluation.plan
    return Results(plan.name, ENGINE, tuple(rows), plan.rule_names, plan.units,
                   plan.consequence_kinds, (), plan.category_field)


@dataclass(frozen=True)
class DataFiles:
    """What `etsl run` reads: the participant table and how to read it."""

    participants: Path
    holdings: Path | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    period: str | None = None


def run_file(compiled: CompiledScheme, files: DataFiles,
             shape: sc.Shape = sc.Shape.CTE) -> Results | Fallback:
    """Read a CSV or Parquet participant table straight into DuckDB and evaluate it there."""
    reason = static_fallback(compiled)
    if reason is not None:
        return reason
    if files.holdings is not None:
        return Fallback("holdings tables are read by the reference engine")
    connection = connect()
    source = file_source(connection, compiled, files.participants, files.mapping,
                         files.strict, files.period)
    if isinstance(source, Fallback):
        return source
    evaluation = evaluate(connection, compiled, source, files.period, shape)
    if isinstance(evaluation, Fallback):
        return evaluation
    if evaluation.failed:
        from etsl.runtime.data import load_dataset

        dataset, _ = load_dataset(files.participants, compiled, mapping=dict(files.mapping),
                                  strict=files.strict, period=files.period)
        if dataset is None:
            return Fallback("the data needs the reference reader's checks", notice=False)
        patch_with_reference(evaluation, dataset.records, dataset.holdings, files.period)
    plan = evaluation.plan
    return ColumnarResults(plan.name, ENGINE, LazyRows(evaluation),  # type: ignore[arg-type, unused-ignore]
                           plan.rule_names, plan.units, plan.consequence_kinds, (),
                           plan.category_field, evaluation)


def static_fallback(compiled: CompiledScheme) -> Fallback | None:
    """Constructs the engine leaves to the reference engine whatever the data."""
    from etsl.runtime.plan import borrowing_enabled

    if borrowing_enabled(compiled.resolved):
        return Fallback("borrowing between periods")
    problem = sc.unsupported_constructs(compiled.resolved)
    return Fallback(str(problem)) if problem else None


def run_with_reason(compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None,
                    shape: sc.Shape = sc.Shape.CTE) -> tuple[Results, Fallback | None]:
    """The engine contract, saying why the reference engine was used when it was."""
    options = options or RunOptions()
    outcome = _run_dataset(compiled, dataset, options, shape)
    if isinstance(outcome, Results):
        return outcome, None
    from etsl.runtime.sequence import run as reference_run

    return reference_run(compiled, dataset, options), outcome


def run(compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None) -> Results:
    """Evaluate every participant (the engine contract of runtime/results.py's ENGINES)."""
    return run_with_reason(compiled, dataset, options)[0]


def _run_dataset(compiled: CompiledScheme, dataset: Dataset, options: RunOptions,
                 shape: sc.Shape) -> Results | Fallback:
    if options.trace:
        return Fallback("traces come from the reference engine", notice=False)
    reason = static_fallback(compiled)
    if reason is not None:
        return reason
    connection = connect()
    source = dataset_source(connection, compiled, dataset, options)
    if isinstance(source, Fallback):
        return source
    evaluation = evaluate(connection, compiled, source, None, shape)
    if isinstance(evaluation, Fallback):
        return evaluation
    patch_with_reference(evaluation, source.records, dataset.holdings, options.period)
    rows = [r for _, r in fetch_results(evaluation, records=source.records)]
    if options.progress is not None:
        options.progress(len(rows), len(rows))
    connection.close()
    return _results(evaluation, rows)
