"""File readers: CSV, JSON, Parquet and Excel tables → header names and rows of text cells.

Every cell is handed on as text (or None when empty) so that numbers reach Decimal without
passing through float. Row numbers are what a spreadsheet shows: the header is row 1.

    read_table(Path("facilities.csv")) -> (RawTable | None, problems)
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.compiler import codes
from etsl.runtime.data.checks import DataProblem, data_problem

Cell = str | None
DELIMITERS = (",", ";", "\t")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_PANDAS_INDEX = re.compile(r"__index_level_\d+__")


@dataclass(frozen=True, slots=True)
class RawRow:
    row: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as read: stripped header names and the data rows (blank rows left out)."""

    path: str
    columns: tuple[str, ...]
    rows: tuple[RawRow, ...]


Read = tuple[RawTable | None, list[DataProblem]]


def read_table(path: Path, sheet: str | None = None) -> Read:
    """Read a table file; the format follows the suffix (`FILE.xlsx#SHEET` picks a sheet)."""
    try:
        return _read_table(path, sheet)
    except OSError as exc:  # a name too long, a loop of links, permissions, …
        return None, [
            data_problem(
                codes.DATA_FILE_UNREADABLE,
                str(path),
                0,
                "",
                f"cannot read the file: {exc.strerror or exc}",
            )
        ]


def _read_table(path: Path, sheet: str | None) -> Read:
    path, sheet = _split_sheet(path, sheet)
    where = str(path)
    if not path.exists():
        return None, [data_problem(codes.DATA_FILE_NOT_FOUND, where, 0, "", "file not found")]
    if path.is_dir():
        return None, [
            data_problem(
                codes.DATA_FILE_NOT_FOUND, where, 0, "", "this is a folder, not a data file"
            )
        ]
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        return None, [
            data_problem(
                codes.DATA_FILE_TYPE,
                where,
                0,
                "",
                f"unsupported file type '{path.suffix}'",
                "use .csv, .tsv, .json, .parquet or .xlsx",
            )
        ]
    return reader(path, sheet)


def _split_sheet(path: Path, sheet: str | None) -> tuple[Path, str | None]:
    text = str(path)
    if sheet is None and "#" in text and not path.exists():
        base, _, name = text.rpartition("#")
        if base.lower().endswith(EXCEL_SUFFIXES):
            return Path(base), name
    return path, sheet


def _empty(where: str) -> Read:
    return None, [
        data_problem(
            codes.DATA_EMPTY,
            where,
            0,
            "",
            "the file is empty",
            "the first row must name the columns, e.g. id,category,emissions",
        )
    ]


def _table(where: str, header: Iterable[Cell], rows: Iterable[RawRow]) -> RawTable:
    columns = tuple((h or "").strip() for h in header)
    kept = tuple(r for r in rows if any(c is not None and c.strip() for c in r.cells))
    return RawTable(where, columns, kept)


# ---- CSV -------------------------------------------------------------------------------------


def read_csv(path: Path, sheet: str | None = None) -> Read:
    """CSV or TSV text in UTF-8 (with or without BOM) or UTF-16 with BOM; `,;\\t` sniffed."""
    where = str(path)
    text, problem = _decode(path.read_bytes(), where)
    if problem is not None:
        return None, [problem]
    if not text.strip():
        return _empty(where)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        with _any_field_size():  # long cells are reported by the cell checks (MAX_CELL)
            records = list(reader)
    except csv.Error as exc:
        return None, [
            data_problem(
                codes.DATA_MALFORMED,
                where,
                reader.line_num,
                "",
                f"malformed CSV: {exc}",
                "check the quotes on this line",
            )
        ]
    header, body = records[0], records[1:]
    rows = [
        RawRow(n, tuple(c if c != "" else None for c in cells))
        for n, cells in enumerate(body, start=2)
    ]
    return _table(where, header, rows), _ragged(where, len(header), rows)


@contextlib.contextmanager
def _any_field_size() -> Iterator[None]:
    """Lift the csv module's field size limit (131,072 by default) while reading a file."""
    previous = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _decode(data: bytes, where: str) -> tuple[str, DataProblem | None]:
    encoding = (
        "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ("utf-8-sig")
    )
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        return "", data_problem(
            codes.DATA_FILE_UNREADABLE,
            where,
            0,
            "",
            f"the file is not UTF-8 text (byte {exc.start})",
            "save it as 'CSV UTF-8'",
        )


def sniff_delimiter(text: str) -> str:
    """The most frequent of `,` `;` and tab in the header line, outside quotes (`,` on a tie)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif char in counts and not quoted:
            counts[char] += 1
    return max(DELIMITERS, key=lambda d: counts[d])


def _ragged(where: str, width: int, rows: list[RawRow]) -> list[DataProblem]:
    return [
        data_problem(
            codes.DATA_MALFORMED,
            where,
            r.row,
            "",
            f"the row has {len(r.cells)} values but the header names {width} columns",
            "quote values that contain the delimiter",
        )
        for r in rows
        if len(r.cells) > width and any(c is not None for c in r.cells[width:])
    ]


# ---- JSON ------------------------------------------------------------------------------------


def read_json(path: Path, sheet: str | None = None) -> Read:
    """An array of objects, or `{"records": [...]}`; numbers are kept as their JSON text."""
    where = str(path)
    text, problem = _decode(path.read_bytes(), where)
    if problem is not None:
        return None, [problem]
    if not text.strip():
        return _empty(where)
    try:
        data = json.loads(text, parse_float=str, parse_int=str, parse_constant=str)
    except RecursionError:
        return None, [
            data_problem(
                codes.DATA_MALFORMED,
                where,
                0,
                "",
                "the JSON is nested too deeply to be a table",
                "give an array of flat objects, one per participant",
            )
        ]
    except json.JSONDecodeError as exc:
        return None, [
            data_problem(
                codes.DATA_MALFORMED,
                where,
                0,
                "",
                f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            )
        ]
    records = data.get("records") if isinstance(data, dict) else data
    if not isinstance(records, list):
        return None, [
            data_problem(
                codes.DATA_MALFORMED,
                where,
                0,
                "",
                'expected a JSON array of records or an object with a "records" array',
            )
        ]
    return _json_table(where, records)


def _json_table(where: str, records: list[Any]) -> Read:
    problems = [
        data_problem(codes.DATA_MALFORMED, where, n, "", "the record is not a JSON object")
        for n, r in enumerate(records, start=2)
        if not isinstance(r, dict)
    ]
    objects = [(n, r) for n, r in enumerate(records, start=2) if isinstance(r, dict)]
    columns = list(dict.fromkeys(k for _, r in objects for k in r))
    rows = []
    for n, record in objects:
        cells = []
        for column in columns:
            value = record.get(column)
            if isinstance(value, dict | list):
                problems.append(
                    data_problem(
                        codes.DATA_MALFORMED,
                        where,
                        n,
                        column,
                        "the value is not a single number, text or true/false",
                    )
                )
                value = None
            cells.append(cell_text(value))
        rows.append(RawRow(n, tuple(cells)))
    return _table(where, columns, rows), problems


# ---- Parquet and Excel: typed cells → text ---------------------------------------------------


def _bool_text(value: Any) -> str:
    return "true" if value else "false"


def _date_text(value: Any) -> str:
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    return str(value.isoformat())


_CELL_TEXT: dict[type, Callable[[Any], str]] = {
    str: str,
    bool: _bool_text,
    int: str,
    float: lambda v: str(Decimal(repr(v))),
    Decimal: str,
    date: _date_text,
    datetime: _date_text,
}


def cell_text(value: Any) -> Cell:
    """A typed cell value as text: floats via their shortest repr, booleans as true/false."""
    if value is None:
        return None
    for kind in type(value).__mro__:
        if kind in _CELL_TEXT:
            return _CELL_TEXT[kind](value)
    return str(value)


def read_parquet(path: Path, sheet: str | None = None) -> Read:
    """A Parquet file via pyarrow: decimal, integer and string columns exactly; floats warned."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    where = str(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, ValueError) as exc:
        return None, [
            data_problem(
                codes.DATA_FILE_UNREADABLE, where, 0, "", f"cannot read the Parquet file: {exc}"
            )
        ]
    if table.num_columns == 0:
        return _empty(where)
    problems = [_float_warning(where, f.name) for f in table.schema if pa.types.is_floating(f.type)]
    problems += [
        data_problem(
            codes.DATA_MALFORMED,
            where,
            1,
            f.name,
            f"column type {f.type} cannot be read",
            "store numbers as decimal or text, and flags as booleans",
        )
        for f in table.schema
        if pa.types.is_nested(f.type)
    ]
    names = [n for n in table.column_names if not _PANDAS_INDEX.fullmatch(n)]
    columns = [table.column(n).to_pylist() for n in names]
    rows = [
        RawRow(i + 2, tuple(cell_text(_scalar(c[i])) for c in columns))
        for i in range(table.num_rows)
    ]
    return _table(where, names, rows), problems


def _scalar(value: Any) -> Any:
    return None if isinstance(value, list | dict) else value


def _float_warning(where: str, column: str) -> DataProblem:
    return data_problem(
        codes.DATA_FLOAT_COLUMN,
        where,
        1,
        column,
        "binary floating-point column: values are read from their shortest decimal form",
        "store exact values as decimal or text columns",
        severity="warning",
    )


def read_excel(path: Path, sheet: str | None = None) -> Read:
    """The first sheet (or `sheet`) of an .xlsx workbook; cached formula results are used."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    where = str(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return None, [
            data_problem(
                codes.DATA_FILE_UNREADABLE,
                where,
                0,
                "",
                f"cannot read the Excel file: {exc}",
                "save it from Excel as an .xlsx workbook",
            )
        ]
    try:
        return _read_sheet(book, where, sheet)
    finally:
        book.close()


def _read_sheet(book: Any, where: str, sheet: str | None) -> Read:
    from etsl.compiler.diagnostics import did_you_mean

    if sheet is not None and sheet not in book.sheetnames:
        hint = did_you_mean(sheet, book.sheetnames) or f"sheets: {', '.join(book.sheetnames)}"
        return None, [
            data_problem(
                codes.DATA_FILE_UNREADABLE, where, 0, "", f"no sheet named '{sheet}'", hint
            )
        ]
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    values = [tuple(cell_text(v) for v in r) for r in worksheet.iter_rows(values_only=True)]
    if not values or not any(values[0]):
        return _empty(where)
    header = list(values[0])
    while header and header[-1] is None:
        header.pop()
    rows = [RawRow(n, cells) for n, cells in enumerate(values[1:], start=2)]
    return _table(where, header, rows), _ragged(where, len(header), rows)


def _unsupported_xls(path: Path, sheet: str | None = None) -> Read:
    return None, [
        data_problem(
            codes.DATA_FILE_TYPE,
            str(path),
            0,
            "",
            "old-style .xls workbooks are not supported",
            "save it from Excel as an .xlsx workbook, or as CSV UTF-8",
        )
    ]


READERS: dict[str, Callable[[Path, str | None], Read]] = {
    ".csv": read_csv,
    ".tsv": read_csv,
    ".txt": read_csv,
    ".json": read_json,
    ".parquet": read_parquet,
    ".pq": read_parquet,
    ".xlsx": read_excel,
    ".xlsm": read_excel,
    ".xls": _unsupported_xls,
}
