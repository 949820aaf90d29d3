"""Results files: CSV, JSON, JSON Lines and Parquet, each written atomically (no partial file).

CSV, JSON and JSON Lines are streamed: rows are written as they are computed (or fetched
from the columnar engine's database), so a run of millions of rows never holds them all.
A JSON document puts its rows first and the errors and summary after them, because both
are gathered while the rows go by.
"""

from __future__ import annotations

import importlib
import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.runtime.results.model import (
    Results,
    ResultsHaveErrors,
    WriteOptions,
    csv_cell,
    optional_module,
    plain,
)


def check_errors(results: Results, options: WriteOptions) -> None:
    """Refuse to finish a file when values could not be computed and that is not allowed."""
    if not options.allow_errors and results.errors:
        raise ResultsHaveErrors(f"{len(results.errors)} value(s) could not be computed")


def write_csv(results: Results, path: Path, options: WriteOptions) -> None:
    """Every row as CSV (compiler/spreadsheet.py: quoting, formula-like cells neutralised)."""
    from etsl.compiler.files import atomic_open
    from etsl.compiler.spreadsheet import write_rows

    columns = results.columns()
    rows = ([str(csv_cell(record[c])) for c in columns] for record in results.records())
    with atomic_open(path, "w") as stream:
        write_rows(stream, itertools.chain([columns], rows), options.raw_csv)
        check_errors(results, options)


def _json_lines(value: Any, indent: str) -> str:
    """A JSON value as json.dumps(indent=2) prints it, every line but the first indented."""
    return json.dumps(value, indent=2).replace("\n", "\n" + indent)


def row_json(record: dict[str, object]) -> str:
    """One row as a one-line JSON object (exact decimals as strings, like `plain`)."""
    return json.dumps({name: _JSON_VALUES.get(type(v), plain)(v) for name, v in record.items()})


_JSON_VALUES: dict[type, Callable[[Any], object]] = {
    str: lambda v: v,
    bool: lambda v: v,
    type(None): lambda v: None,
}


def write_json(results: Results, path: Path, options: WriteOptions) -> None:
    """One JSON document (etsl.results/1): the rows as a streamed array, one row a line,
    then errors and summary."""
    from etsl.compiler.files import atomic_open

    with atomic_open(path, "w") as stream:
        stream.write("{\n")
        for key, value in results.json_head().items():
            stream.write(f"  {json.dumps(key)}: {_json_lines(value, '  ')},\n")
        stream.write('  "rows": [')
        first = True
        for record in results.records():
            stream.write(("\n    " if first else ",\n    ") + row_json(record))
            first = False
        stream.write("],\n" if first else "\n  ],\n")
        errors = [e.to_dict() for e in results.errors]
        stream.write(f'  "errors": {_json_lines(errors, "  ")},\n')
        stream.write(f'  "summary": {_json_lines(results.summary().to_dict(), "  ")}\n}}\n')
        check_errors(results, options)


def write_json_lines(results: Results, path: Path, options: WriteOptions) -> None:
    """JSON Lines: one object per row (the CSV's columns), nothing else."""
    from etsl.compiler.files import atomic_open

    with atomic_open(path, "w") as stream:
        for record in results.records():
            stream.write(row_json(record) + "\n")
        check_errors(results, options)


def arrow_column(values: list[object]) -> Any:
    """An Arrow array: decimal128(38, 18) when every decimal fits exactly, else strings."""
    pyarrow = optional_module("pyarrow")
    decimals = [v for v in values if isinstance(v, Decimal)]
    if decimals and len(decimals) == sum(v is not None for v in values):
        if all(_fits(d) for d in decimals):
            return pyarrow.array(values, type=pyarrow.decimal128(38, 18))
        return pyarrow.array(
            [None if v is None else plain(v) for v in values], type=pyarrow.string()
        )
    if any(isinstance(v, Decimal) for v in values):
        return pyarrow.array([None if v is None else str(plain(v)) for v in values])
    return pyarrow.array(values)


def _fits(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return places <= 18 and abs(value) < Decimal(10) ** 20


def write_parquet(results: Results, path: Path, options: WriteOptions) -> None:
    pyarrow = optional_module("pyarrow")
    parquet = importlib.import_module("pyarrow.parquet")
    from etsl.compiler.files import atomic_path

    records = results.to_records()
    columns = results.columns()
    table = pyarrow.table({c: arrow_column([r[c] for r in records]) for c in columns})
    with atomic_path(path) as temporary:
        parquet.write_table(table, temporary)
        check_errors(results, options)


WRITERS: dict[str, Callable[[Results, Path, WriteOptions], None]] = {
    ".csv": write_csv,
    ".json": write_json,
    ".jsonl": write_json_lines,
    ".parquet": write_parquet,
}
