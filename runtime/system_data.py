"""The system data: one row per year, the column `year` and one column per system input.

    rows, problems = read_system_data(Path("market.csv"), program)
    rows[2019]["tnac"]                    # Decimal('1654909824'), in the input's base unit

A CSV file (a header, then one row per year). Values are written in the input's declared
unit (`cpi` declared `%` is written `3.1` for 3.1 %), as exact decimals. Every problem is
located by file, row and column, and a file with any problem gives no rows.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

from etsl.compiler import codes, numbers
from etsl.compiler import program as ir
from etsl.compiler.system import YEAR
from etsl.compiler.units import parse_unit
from etsl.runtime.data.checks import DataProblem
from etsl.runtime.records import Value

Rows = dict[int, dict[str, Value]]


def read_system_data(path: Path, program: ir.Program) -> tuple[Rows | None, list[DataProblem]]:
    """The rows of a system data file by year, or None with the problems found."""
    assert program.system is not None
    level = program.system
    where = str(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            table = list(csv.reader(handle))
    except FileNotFoundError:
        return None, [_problem(codes.DATA_FILE_NOT_FOUND, where, 0, "", "no such file")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [_problem(codes.DATA_FILE_UNREADABLE, where, 0, "", str(exc))]
    if not table or not table[0]:
        return None, [_problem(codes.DATA_EMPTY, where, 0, "", "the file has no header")]
    problems = _header_problems(where, table[0], level)
    if problems:
        return None, problems
    rows: Rows = {}
    for number, cells in enumerate(table[1:], start=2):
        problems += _row(where, number, dict(zip(table[0], cells, strict=False)), level, rows)
    if not problems:
        problems = _first_year_problems(where, rows, level)
    return (None if problems else rows), problems


def _first_year_problems(where: str, rows: Rows, level: ir.SystemLevel) -> list[DataProblem]:
    """A carried input (`else previous …`) may be blank, except in the first year."""
    if not rows:
        return []
    first = min(rows)
    row = sorted(rows).index(first) + 2
    return [
        _problem(
            codes.DATA_BLANK,
            where,
            row,
            name,
            f"'{name}' is blank in the first year, {first}, so there is no earlier year to "
            f"carry it from ('{source}')",
            f"give '{name}' for {first}; later years may leave it blank",
        )
        for name, source in level.carried.items()
        if name not in rows[first]
    ]


def _header_problems(where: str, header: list[str], level: ir.SystemLevel) -> list[DataProblem]:
    expected = [
        YEAR,
        *(n for n in level.inputs if n not in level.carried and n not in level.optional),
    ]
    known = [YEAR, *level.inputs]
    problems = [
        _problem(
            codes.DATA_MISSING_COLUMN,
            where,
            1,
            name,
            f"the system data has no column '{name}'",
            f"give one row per year with the columns {', '.join(expected)}",
        )
        for name in expected
        if name not in header
    ]
    problems += [
        _problem(
            codes.DATA_UNKNOWN_COLUMN,
            where,
            1,
            name,
            f"'{name}' is not a system input of the scheme",
            f"the system inputs are: {', '.join(level.inputs) or 'none'}",
        )
        for name in header
        if name not in known
    ]
    return problems


def _row(
    where: str, number: int, cells: Mapping[str, str], level: ir.SystemLevel, rows: Rows
) -> list[DataProblem]:
    year, problems = _year(where, number, cells.get(YEAR, ""))
    values: dict[str, Value] = {}
    for name in level.inputs:
        if name in level.carried and not cells.get(name, "").strip():
            continue  # taken from the year before (checked for the first year)
        if name in level.optional and not cells.get(name, "").strip():
            continue  # `else none`: not given this year
        value, problem = _value(where, number, name, cells.get(name, ""), level.program)
        if problem is not None:
            problems.append(problem)
        elif value is not None:
            values[name] = value
    if year is not None and year in rows:
        problems.append(
            _problem(
                codes.DATA_DUPLICATE_ROW,
                where,
                number,
                YEAR,
                f"the year {year} has two rows",
                "give one row per year",
            )
        )
    if year is not None and not problems:
        rows[year] = values
    return problems


def _year(where: str, number: int, text: str) -> tuple[int | None, list[DataProblem]]:
    stripped = text.strip()
    if len(stripped) == 4 and stripped.isascii() and stripped.isdigit():
        return int(stripped), []
    problem = _problem(
        codes.DATA_NOT_A_NUMBER,
        where,
        number,
        YEAR,
        f"'{text}' is not a year",
        "write the year with four digits, e.g. 2021",
    )
    return None, [problem]


def _value(
    where: str, number: int, name: str, text: str, program: ir.Program
) -> tuple[Value | None, DataProblem | None]:
    stripped = text.strip()
    if not stripped:
        hint = f"give '{name}' for every year"
        return None, _problem(codes.DATA_BLANK, where, number, name, f"'{name}' is blank", hint)
    declared = program.inputs[name].declared_unit
    try:
        value = Decimal(stripped.replace("_", ""))
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return None, _problem(
            codes.DATA_NOT_A_NUMBER,
            where,
            number,
            name,
            f"'{text}' is not a number",
            f"write '{name}' as a decimal number in {declared or 'plain numbers'}",
        )
    return in_base_units(program, name, value), None


def in_base_units(program: ir.Program, name: str, value: Decimal) -> Decimal:
    """A system input's value as written (in its declared unit: `cpi` in % is 3.1) in base
    units; `program` is the system level's program."""
    declared = program.inputs[name].declared_unit
    if not declared or declared == "number":
        return value
    return numbers.multiply(value, parse_unit(declared).scale)


def _problem(
    code: codes.Code, where: str, row: int, column: str, message: str, hint: str | None = None
) -> DataProblem:
    return DataProblem(code.name, where, row, column, message, hint)
