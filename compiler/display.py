"""Values for readers: exact numbers with thousands separators, units as people write them.

    >>> format_value(Decimal("46000"), "tCO2e")
    '46,000 t CO2e'
    >>> format_value(Decimal("0.08"), "%")
    '8 %'

Shared by explanations, run summaries, documents and reports, so a value reads the same
everywhere.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from etsl.compiler.numbers import multiply
from etsl.compiler.types import Value

_GAS_UNIT = re.compile(r"\b(k|M|G)?t(CO2e|CO2|CH4|N2O|SF6|NF3|HFCs|PFCs|HFC|PFC)\b")


def format_number(value: Decimal) -> str:
    """Exact, with thousands separators and no trailing zeros: 1,333.333333333333333333."""
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def display_unit(unit: str | None) -> str:
    """A unit for readers: `tCO2e/yr` → `t CO2e/yr`."""
    return _GAS_UNIT.sub(lambda m: f"{m.group(1) or ''}t {m.group(2)}", unit or "")


def format_value(value: Value | None, unit: str = "") -> str:
    """A value with its unit: `46,000 t CO2e`, `8 %`, `true`, `office`."""
    if value is None:
        return "(not computed)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if unit == "%":
            return f"{format_number(multiply(value, Decimal(100)))} %"
        return f"{format_number(value)} {display_unit(unit)}".rstrip()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def shortened(text: str, limit: int = 120) -> str:
    """Text for a message, a long one (a path of 4,000 characters) cut in the middle.

    >>> shortened("abcdefgh", 4)
    'ab…gh'
    """
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"
