"""Checks on participant data cells: problems as values, and text → typed value parsers.

Every cell arrives as text (see runtime/data/readers.py) and is parsed here without floats:

    >>> parse_cell(Spec("emissions", "number", nonnegative=True), "12.5")
    Decimal('12.5')
    >>> parse_cell(Spec("emissions", "number", nonnegative=True), "-1").message
    "'emissions' is negative (-1)"
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from etsl.compiler import codes
from etsl.compiler.codes import CODES, Code
from etsl.compiler.diagnostics import did_you_mean
from etsl.compiler.numbers import MAX_DIGITS, MAX_PLACES, digit_counts, multiply
from etsl.compiler.units import SYMBOLS, Dims, Unit, UnknownUnit, dims_name, parse_unit
from etsl.runtime.records import Value

#: The longest cell either engine reads (characters, after surrounding spaces are removed).
MAX_CELL = 131_072

_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_NUMBER_WITH_UNIT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)\s*([A-Za-z%_][\w/%]*)", re.ASCII)
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}
_HEADER = re.compile(r"^(?P<name>.*?)\s*\[(?P<unit>[^\]]*)\]\s*$")
#: Dimensions of physical amounts that are never negative (energy, oil, product, power).
_PHYSICAL = frozenset({"energy", "oil", "mass", "power"})


@dataclass(frozen=True, slots=True)
class DataProblem:
    """One finding about the participant data, located by file, row and column.

    `code` is a registered code of the "data" area (compiler/codes.py); `row` counts the
    header as row 1 (0: the whole file); `column` is the header name ("" when the problem
    is about the whole row or file).
    """

    code: str
    path: str
    row: int
    column: str
    message: str
    hint: str | None = None
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered data problem code {self.code!r}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        parts = [self.path] + ([str(self.row)] if self.row else [])
        return ":".join(parts + ([self.column] if self.column else []))

    def render(self) -> str:
        """`file:row:column: message  [code]`, and an indented hint line when there is one."""
        prefix = "" if self.is_error else f"{self.severity}: "
        text = f"{self.location()}: {prefix}{self.message}  [{self.code}]"
        return text + (f"\n  hint: {self.hint}" if self.hint else "")

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "row": self.row or None,
            "column": self.column or None,
            "message": self.message,
            "hint": self.hint,
        }


def data_problem(
    code: Code,
    path: str,
    row: int,
    column: str,
    message: str,
    hint: str | None = None,
    severity: str = "error",
) -> DataProblem:
    """A DataProblem with a registered code (compiler/codes.py, area "data")."""
    return DataProblem(code.name, path, row, column, message, hint, severity)


def render_problems(problems: Sequence[DataProblem], limit: int | None = None) -> str:
    """All problems, one per entry, then a count line (at most `limit` entries shown)."""
    shown = problems if limit is None else problems[:limit]
    lines = [p.render() for p in shown]
    if len(problems) > len(shown):
        lines.append(f"… and {len(problems) - len(shown)} more")
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    lines.append(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in the data")
    return "\n".join(lines)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def has_errors(problems: Iterable[DataProblem]) -> bool:
    return any(p.is_error for p in problems)


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why a cell could not be read (becomes a DataProblem at the cell's location)."""

    code: Code
    message: str
    hint: str | None = None

    def at(self, path: str, row: int, column: str) -> DataProblem:
        return data_problem(self.code, path, row, column, self.message, self.hint)


Parsed: TypeAlias = Value | Invalid


@dataclass(frozen=True, slots=True)
class Spec:
    """How to read one column: its kind, the scale to base units and the allowed values."""

    label: str
    kind: str  # number, choice, bool, date, text
    scale: Decimal = Decimal(1)
    nonnegative: bool = False
    choices: tuple[str, ...] = ()
    noun: str = ""
    required: bool = True


def parse_cell(spec: Spec, text: str | None) -> Parsed | None:
    """The typed value of a cell, Invalid, or None for a blank optional cell."""
    if text is None or not text.strip():
        if not spec.required:
            return None
        return Invalid(
            codes.DATA_BLANK,
            f"'{spec.label}' is blank",
            f"every row needs a value for '{spec.label}'",
        )
    text = text.strip()
    if len(text) > MAX_CELL:
        return Invalid(
            codes.DATA_CELL_TOO_LONG,
            f"'{spec.label}' has {len(text):,} characters; the limit is {MAX_CELL:,}",
            "shorten the cell; a cell this long is usually a quote that is never closed",
        )
    return _PARSERS[spec.kind](spec, text)


def _number(spec: Spec, text: str) -> Parsed:
    value = parse_number(text, spec.label)
    if isinstance(value, Invalid):
        return value
    if spec.nonnegative and value < 0:
        return Invalid(
            codes.DATA_NEGATIVE,
            f"'{spec.label}' is negative ({text})",
            f"'{spec.label}' is an amount and cannot be below zero",
        )
    return multiply(value, spec.scale) if spec.scale != 1 else value


def parse_number(text: str, label: str) -> Decimal | Invalid:
    """An exact Decimal from decimal text (never through float), within ETSL's precision.

    Only the ASCII digits 0-9 are digits (Python's Decimal would also read '٤٧' or '４７').
    """
    if text.lower() in _NOT_FINITE:
        return _not_finite(text, label)
    if not _NUMBER.fullmatch(text):
        return Invalid(
            codes.DATA_NOT_A_NUMBER,
            f"'{_shorten(text)}' is not a number",
            _number_hint(text, label),
        )
    try:
        value = Decimal(text)
    except InvalidOperation:  # an exponent beyond what Decimal can represent
        return _too_many_digits(text)
    return precision_problem(text, value) or value


def _not_finite(text: str, label: str) -> Invalid:
    if "nan" in text.lower():
        return Invalid(
            codes.DATA_BLANK,
            f"'{label}' is NaN",
            f"every row needs a value for '{label}'; NaN usually stands for an "
            "empty cell in the program that wrote the file",
        )
    return Invalid(
        codes.DATA_NOT_A_NUMBER,
        f"'{text}' is not a finite number",
        f"give '{label}' a finite value",
    )


def _number_hint(text: str, label: str) -> str:
    if any(c.isdigit() and not c.isascii() for c in text):
        return "write the number with the digits 0-9 (not Arabic-Indic, fullwidth or other digits)"
    match = _NUMBER_WITH_UNIT.fullmatch(text)
    if match:
        return f"write the unit in the column header instead, e.g. '{label} [{match[2]}]'"
    if "," in text:
        return "write plain decimals: no thousands separators, '.' as the decimal point"
    return "write a plain decimal number such as 1234.5"


def precision_problem(text: str, value: Decimal) -> Invalid | None:
    """Invalid when a number has more than 18 decimal places or 38 digits in all.

    Digits are counted exactly (never through a context that rounds): the integer digits
    plus the decimal places, trailing zeros after the point left out, so 38 nines pass
    and `1e38` (39 digits) does not.
    """
    if len(text) <= MAX_PLACES + 1 and "e" not in text and "E" not in text:
        return None  # too short to break either limit
    places, whole = digit_counts(value)
    if places > MAX_PLACES:
        return Invalid(
            codes.DATA_PRECISION,
            f"'{_shorten(text)}' has more than {MAX_PLACES} decimal places",
            f"round it to at most {MAX_PLACES} decimal places (ETSL's precision)",
        )
    if whole + places > MAX_DIGITS:
        return _too_many_digits(text)
    return None


def _too_many_digits(text: str) -> Invalid:
    return Invalid(
        codes.DATA_PRECISION,
        f"'{_shorten(text)}' has more than {MAX_DIGITS} significant digits",
        f"ETSL numbers have at most {MAX_DIGITS} digits, {MAX_PLACES} of them "
        "after the decimal point",
    )


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"


def _choice(spec: Spec, text: str) -> Parsed:
    if text in spec.choices:
        return text
    hint = did_you_mean(text, spec.choices) or f"expected one of: {', '.join(spec.choices)}"
    return Invalid(codes.DATA_UNKNOWN_VALUE, f"'{_shorten(text)}' is not {spec.noun}", hint)


def _bool(spec: Spec, text: str) -> Parsed:
    lowered = text.lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    return Invalid(
        codes.DATA_NOT_A_BOOLEAN,
        f"'{_shorten(text)}' is not true or false",
        f"write true or false for '{spec.label}'",
    )


def _date(spec: Spec, text: str) -> Parsed:
    try:
        return date.fromisoformat(text[:10] if _midnight(text) else text)
    except ValueError:
        return Invalid(
            codes.DATA_NOT_A_DATE,
            f"'{_shorten(text)}' is not a date",
            "write dates as YYYY-MM-DD, e.g. 2014-03-31",
        )


def _midnight(text: str) -> bool:
    return len(text) > 10 and text[10] in "T " and text[11:].strip("0:") == ""


def _text(spec: Spec, text: str) -> Parsed:
    return text


_PARSERS: dict[str, Callable[[Spec, str], Parsed]] = {
    "number": _number,
    "choice": _choice,
    "bool": _bool,
    "date": _date,
    "text": _text,
}


# ---- headers and units -------------------------------------------------------------------


def split_header(header: str) -> tuple[str, str | None]:
    """`'emissions [kt CO2]'` → `('emissions', 'ktCO2')`; spaces inside the unit are ignored."""
    match = _HEADER.match(header.strip())
    if match is None:
        return header.strip(), None
    return match.group("name"), re.sub(r"\s+", "", match.group("unit"))


def header_unit(unit_text: str) -> Unit | Invalid:
    """The unit written in a header, or Invalid naming the unknown symbol."""
    try:
        return parse_unit(unit_text)
    except UnknownUnit as exc:
        hint = did_you_mean(exc.symbol, SYMBOLS) or (
            "units are written like tCO2, ktCO2e, kL_oe/yr, MWh or JPY"
        )
        return Invalid(codes.DATA_UNIT, f"unknown unit '{exc.symbol}' in the column header", hint)


def conversion_problem(
    written: str, unit: Unit, declared: str, dims: Dims, label: str
) -> Invalid | None:
    """Invalid when a header unit measures something other than the column's declared unit."""
    if unit.dims == dims:
        return None
    return Invalid(
        codes.DATA_UNIT,
        f"unit '{written}' cannot be converted to '{declared}', the unit of '{label}'",
        f"'{written}' measures {dims_name(unit.dims) or 'a plain number'} and '{declared}' "
        f"measures {dims_name(dims) or 'a plain number'}; use a unit of the same kind",
    )


def nonnegative(name: str, dims: Dims) -> bool:
    """Whether an input can never be negative: emissions, energy and activity amounts."""
    top = {d for d, power in dims if power > 0}
    if not top or any(power < 0 and d != "time" for d, power in dims):
        return False
    if top <= _PHYSICAL:
        return True
    gas = all(d == "co2e" or d.startswith("gas_") for d in top)
    return gas and "emission" in name
