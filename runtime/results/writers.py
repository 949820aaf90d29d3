"""Results files: CSV, JSON and Parquet, each written atomically (no partial file)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.runtime.results.model import Results, csv_cell, optional_module, plain


def write_json(results: Results, path: Path) -> None:
    from etsl.compiler.files import write_text

    write_text(path, json.dumps(results.to_json(), indent=2) + "\n")


def write_csv(results: Results, path: Path) -> None:
    import csv

    from etsl.compiler.files import atomic_open

    columns = results.columns()
    with atomic_open(path, "w") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for record in results.to_records():
            writer.writerow([csv_cell(record[c]) for c in columns])


def _arrow_column(values: list[object]) -> Any:
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


def write_parquet(results: Results, path: Path) -> None:
    pyarrow = optional_module("pyarrow")
    parquet = importlib.import_module("pyarrow.parquet")
    from etsl.compiler.files import atomic_path

    records = results.to_records()
    columns = results.columns()
    table = pyarrow.table({c: _arrow_column([r[c] for r in records]) for c in columns})
    with atomic_path(path) as temporary:
        parquet.write_table(table, temporary)


WRITERS: dict[str, Callable[[Results, Path], None]] = {
    ".csv": write_csv,
    ".json": write_json,
    ".parquet": write_parquet,
}
