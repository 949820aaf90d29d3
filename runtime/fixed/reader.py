"""The fixed-point engine's file reader: a CSV or Parquet participant table straight into
the int64 columns runtime/fixed/ranges.py proves over, without Python records.

    read = read_file(compiled, files)   # FileColumns, or a Fallback saying why not

DuckDB reads the file as text and checks every cell with the reference reader's rules,
exactly as the columnar engine does (runtime/columnar/data.py `file_source`,
runtime/columnar/profile.py `check_and_profile`): anything the reference reader would
report, warn about or read differently is a `Fallback`, and the caller reads the file with
the reference reader instead, which reports it. So a file with a problem gives the same
messages as `--engine reference`, and nothing is written. A checked number column, whose
decimal places and digits are profiled, is cast exactly to DECIMAL and scaled to an int64
integer in DuckDB (`x × 10^places`); columns wider than 18 digits, unit conversions
(`--map col=input:kt`), holdings tables and participant types are left to the records path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from etsl.compiler import program as ir
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.types import BOOL, Quant
from etsl.runtime.columnar.data import (
    RAW,
    TRUE_WORDS,
    Fallback,
    Source,
    column,
    connect,
    create_table,
    file_source,
    literal,
    quoted,
    sql_of,
)
from etsl.runtime.columnar.profile import ColumnProfile, check_and_profile
from etsl.runtime.data.columns import RUNTIME_COLUMNS
from etsl.runtime.fixed.columns import Array, Column, Kind, integer_column, text_full
from etsl.runtime.fixed.ranges import Fixed
from etsl.runtime.records import DataFiles
from sqlglot import exp

__all__ = ["FileColumns", "read_file"]

#: digits an int64 scaled integer always holds (9.2 × 10^18).
INT64_DIGITS = 18


#: The rows to evaluate in data order (DuckDB table): `id` and, when the file has one, `period`.
KEYS = "etsl_fixed_keys"


@dataclass(frozen=True)
class FileColumns:
    """The rows to evaluate, in data order: their periods, the input columns and their
    ranges (as runtime/fixed/engine.py `columns_of` builds them from records); the ids
    stay in DuckDB (table KEYS of `connection`) until the results are written."""

    rows: int
    period: Column
    columns: Mapping[str, Column]
    ranges: Mapping[str, Fixed]
    source: str
    connection: Any = field(compare=False, repr=False)
    period_column: bool = False  # whether KEYS has the file's `period`

    def ids(self) -> list[str]:
        fetched = self.connection.execute(f"SELECT id FROM {KEYS}").fetchall()
        return [str(r[0]) for r in fetched]


def read_file(compiled: CompiledScheme, files: DataFiles) -> FileColumns | Fallback:
    """The participant file as columns, or why the records path must read it."""
    if files.holdings is not None:
        return Fallback("holdings tables are read by the reference reader", notice=False)
    connection = connect()
    found = _checked(connection, compiled, files)
    if isinstance(found, Fallback):
        connection.close()
    return found


def _checked(connection: Any, compiled: CompiledScheme, files: DataFiles) -> FileColumns | Fallback:
    source = file_source(
        connection, compiled, files.participants, files.mapping, files.strict, files.period
    )
    if isinstance(source, Fallback):
        return source
    checked = check_and_profile(connection, source, files.period)
    if isinstance(checked, Fallback):
        return checked
    return _columns(connection, compiled.program, source, checked[0], files.period)


def _columns(
    connection: Any,
    program: ir.Program,
    source: Source,
    profiles: Mapping[str, ColumnProfile],
    period_filter: str | None,
) -> FileColumns | Fallback:
    targets = _targets(program, source)
    selected: list[exp.Expr] = [exp.alias_(column("id"), "id", quoted=True)]
    if "period" in source.specs:
        selected.append(exp.alias_(column("period"), "period", quoted=True))
    for target in list(targets):
        if source.specs[target].kind == "date":  # read only where used: not this engine
            targets.remove(target)
            continue
        cell = _cell(source, target, profiles.get(target))
        if isinstance(cell, Fallback):
            return cell
        selected.append(exp.alias_(cell, target, quoted=True))
    query = exp.select(*selected).from_(exp.Table(this=quoted(RAW))).order_by("rowid")
    if period_filter is not None and "period" in source.specs:
        query = query.where(exp.EQ(this=column("period"), expression=literal(period_filter)))
    names = [n for n in ("period", *targets) if n in source.specs]
    kept = ", ".join(n for n in ("id", "period") if n in source.specs)
    import duckdb

    try:
        connection.execute(sql_of(create_table(KEYS, query)))
        connection.execute(f"DROP TABLE {RAW}")  # the text cells: no longer needed
        typed = exp.select(*(quoted(n) for n in names)).from_(quoted(KEYS))
        fetched = connection.execute(sql_of(typed)).fetchnumpy() if names else {}
        connection.execute(f"CREATE TEMP TABLE etsl_fixed_ids AS SELECT {kept} FROM {KEYS}")
        connection.execute(f"DROP TABLE {KEYS}")  # the typed cells: fetched
        connection.execute(f"ALTER TABLE etsl_fixed_ids RENAME TO {KEYS}")
        rows = int(connection.execute(f"SELECT count(*) FROM {KEYS}").fetchall()[0][0])
    except duckdb.Error:
        return Fallback("the file needs the reference reader", notice=False)
    columns: dict[str, Column] = {}
    ranges: dict[str, Fixed] = {}
    for target in targets:
        _add_column(program, target, fetched.pop(target), profiles.get(target), columns, ranges)
    _defaults(program, rows, columns, ranges)
    period = (
        _text(fetched["period"])
        if "period" in fetched
        else text_full(rows, source.period or "", np.full(rows, source.period is None))
    )
    return FileColumns(rows, period, columns, ranges, source.path, connection, "period" in fetched)


def _targets(program: ir.Program, source: Source) -> list[str]:
    """The file's columns the engine reads: inputs, `held.U`, `carry_in`, `owed_in`."""
    wanted = {*program.inputs, *RUNTIME_COLUMNS, *(f"held.{u}" for u in program.units)}
    return [t for t in source.specs if t in wanted]


def _cell(source: Source, target: str, profile: ColumnProfile | None) -> exp.Expr | Fallback:
    spec = source.specs[target]
    value = column(target)
    if spec.kind == "bool":
        return exp.In(this=exp.Lower(this=value), expressions=[literal(w) for w in TRUE_WORDS])
    if spec.kind in ("choice", "text"):
        return value
    if spec.kind != "number" or profile is None:
        return Fallback(f"a {spec.kind} column", notice=False)
    if spec.scale != 1:
        return Fallback(f"'{target}' is converted to base units", notice=False)
    if profile.digits + profile.places > INT64_DIGITS:
        return Fallback(f"'{target}' has more than {INT64_DIGITS} digits", notice=False)
    exact = exp.cast(value, exp.DataType.build(f"DECIMAL(38, {profile.places})"))
    scaled = exp.Mul(this=exact, expression=literal(10**profile.places))
    return exp.cast(scaled, "BIGINT")


def _add_column(
    program: ir.Program,
    target: str,
    fetched: Any,
    profile: ColumnProfile | None,
    columns: dict[str, Column],
    ranges: dict[str, Fixed],
) -> None:
    """One fetched column as the engine's Column (blank cells are bad rows, as a missing
    value is; a blank holding or carried amount is 0)."""
    blank = np.ma.getmaskarray(fetched)
    if target.startswith("held.") or target in RUNTIME_COLUMNS:
        values = np.ma.filled(fetched, 0).astype(np.int64)
        columns[target], ranges[target] = integer_column(values, _places(profile))
        if target.startswith("held."):
            unit = target.removeprefix("held.")
            columns[f"lots.{unit}"] = Column(Kind.FLAG, ~blank, _no_bad(len(blank)))
        return
    kind = program.inputs[target].type
    if isinstance(kind, Quant):
        values = np.ma.filled(fetched, 0).astype(np.int64)
        columns[target], ranges[target] = integer_column(values, _places(profile), blank)
    elif kind == BOOL:
        flags = np.ma.filled(fetched, False).astype(bool)
        columns[target] = Column(Kind.FLAG, flags, blank)
    else:
        columns[target] = _text(fetched)


def _places(profile: ColumnProfile | None) -> int:
    return profile.places if profile is not None else 0


def _no_bad(rows: int) -> Array:
    return np.zeros(rows, dtype=bool)


def _text(fetched: Any) -> Column:
    """Text cells as codes into their labels ("" first, the code of blank cells)."""
    blank = np.ma.getmaskarray(fetched)
    values = np.asarray(np.ma.filled(fetched, ""), dtype=object)
    labels, codes = np.unique(values, return_inverse=True)
    found = ["", *(str(v) for v in labels if v != "")]
    where = {label: i for i, label in enumerate(found)}
    mapping = np.array([where[str(v)] for v in labels], dtype=np.int64)
    return Column(Kind.TEXT, mapping[codes], blank, labels=tuple(found))


def _defaults(
    program: ir.Program, rows: int, columns: dict[str, Column], ranges: dict[str, Fixed]
) -> None:
    """What the file does not give: inputs (bad rows, as a missing value), holdings and
    carried amounts (0)."""
    zeros = np.zeros(rows, dtype=np.int64)
    missing = np.ones(rows, dtype=bool)
    for name, declared in program.inputs.items():
        if name in columns:
            continue
        if isinstance(declared.type, Quant):
            columns[name], ranges[name] = integer_column(zeros, 0, missing)
        elif declared.type == BOOL:
            columns[name] = Column(Kind.FLAG, _no_bad(rows), missing)
        else:
            columns[name] = text_full(rows, "", missing)
    for name in (*RUNTIME_COLUMNS, *(f"held.{u}" for u in program.units)):
        if name not in columns:
            columns[name], ranges[name] = integer_column(zeros, 0)
    for unit in program.units:
        columns.setdefault(f"lots.{unit}", Column(Kind.FLAG, _no_bad(rows), _no_bad(rows)))
