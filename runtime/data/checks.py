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

from etsl.compiler.diagnostics import did_you_mean
from etsl.compiler.numbers import multiply
from etsl.compiler.units import SYMBOLS, Dims, Unit, UnknownUnit, dims_name, parse_unit
from etsl.runtime.records import Value

MAX_PLACES = 18
MAX_DIGITS = 38

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NUMBER_WITH_UNIT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)\s*([A-Za-z%_][\w/%]*)")
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}
_HEADER = re.compile(r"^(?P<name>.*?)\s*\[(?P<unit>[^\]]*)\]\s*$")
#: Dimensions of physical amounts that are never negative (energy, oil, product, power).
_PHYSICAL = frozenset({"energy", "oil", "mass", "power"})


@dataclass(frozen=True, slots=True)
class DataProblem:
    """One finding about the participant data, located by file, row and column.

    `row` counts the header as row 1 (0: the whole file); `column` is the header name
    ("" when the problem is about the whole row or file).
    """

    path: str
    row: int
    column: str
    message: str
    hint: str | None = None
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        parts = [self.path] + ([str(self.row)] if self.row else [])
        return ":".join(parts + ([self.column] if self.column else []))

    def render(self) -> str:
        """`file:row:column: message`, and an indented hint line when there is one."""
        prefix = "" if self.is_error else f"{self.severity}: "
        text = f"{self.location()}: {prefix}{self.message}"
        return text + (f"\n  hint: {self.hint}" if self.hint else "")


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

    message: str
    hint: str | None = None


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
        return Invalid(f"'{spec.label}' is blank", f"every row needs a value for '{spec.label}'")
    return _PARSERS[spec.kind](spec, text.strip())


def _number(spec: Spec, text: str) -> Parsed:
    value = parse_number(text, spec.label)
    if isinstance(value, Invalid):
        return value
    if spec.nonnegative and value < 0:
        return Invalid(
            f"'{spec.label}' is negative ({text})",
            f"'{spec.label}' is an amount and cannot be below zero",
        )
    return multiply(value, spec.scale) if spec.scale != 1 else value


def parse_number(text: str, label: str) -> Decimal | Invalid:
    """An exact Decimal from decimal text (never through float), within ETSL's precision."""
    if text.lower() in _NOT_FINITE:
        return _not_finite(text, label)
    if not _NUMBER.fullmatch(text):
        return Invalid(f"'{text}' is not a number", _number_hint(text, label))
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return Invalid(f"'{text}' is not a number", _number_hint(text, label))
    return precision_problem(text, value) or value


def _not_finite(text: str, label: str) -> Invalid:
    if "nan" in text.lower():
        return Invalid(
            f"'{label}' is NaN",
            f"every row needs a value for '{label}'; NaN usually stands for an "
            "empty cell in the program that wrote the file",
        )
    return Invalid(f"'{text}' is not a finite number", f"give '{label}' a finite value")


def _number_hint(text: str, label: str) -> str:
    match = _NUMBER_WITH_UNIT.fullmatch(text)
    if match:
        return f"write the unit in the column header instead, e.g. '{label} [{match[2]}]'"
    if "," in text:
        return "write plain decimals: no thousands separators, '.' as the decimal point"
    return "write a plain decimal number such as 1234.5"


def precision_problem(text: str, value: Decimal) -> Invalid | None:
    """Invalid when a number needs more than 18 decimal places or 38 digits in all."""
    if len(text) <= MAX_PLACES + 1 and "e" not in text and "E" not in text:
        return None  # too short to break either limit
    sign, digits, exponent = value.normalize().as_tuple()
    if not isinstance(exponent, int) or digits == (0,):
        return None
    places = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    if places > MAX_PLACES:
        return Invalid(
            f"'{text}' has more than {MAX_PLACES} decimal places",
            f"round it to at most {MAX_PLACES} decimal places (ETSL's precision)",
        )
    if whole + places > MAX_DIGITS:
        return Invalid(
            f"'{text}' has more than {MAX_DIGITS} significant digits",
            f"ETSL numbers have at most {MAX_DIGITS} digits, {MAX_PLACES} of them "
            "after the decimal point",
        )
    return None


def _choice(spec: Spec, text: str) -> Parsed:
    if text in spec.choices:
        return text
    hint = did_you_mean(text, spec.choices) or f"expected one of: {', '.join(spec.choices)}"
    return Invalid(f"'{text}' is not {spec.noun}", hint)


def _bool(spec: Spec, text: str) -> Parsed:
    lowered = text.lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    return Invalid(f"'{text}' is not true or false", f"write true or false for '{spec.label}'")


def _date(spec: Spec, text: str) -> Parsed:
    try:
        return date.fromisoformat(text[:10] if _midnight(text) else text)
    except ValueError:
        return Invalid(f"'{text}' is not a date", "write dates as YYYY-MM-DD, e.g. 2014-03-31")


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
        return Invalid(f"unknown unit '{exc.symbol}' in the column header", hint)


def conversion_problem(
    written: str, unit: Unit, declared: str, dims: Dims, label: str
) -> Invalid | None:
    """Invalid when a header unit measures something other than the column's declared unit."""
    if unit.dims == dims:
        return None
    return Invalid(
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
