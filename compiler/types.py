"""Static types of ETSL values: booleans, enumerations, dates, periods, text and quantities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from etsl.compiler.units import DIMENSIONLESS, Dims, dims_name


@dataclass(frozen=True, slots=True)
class Simple:
    name: str  # bool, date, period, text, symbol, any

    def __str__(self) -> str:
        return {"any": "unknown", "symbol": "attribute value"}.get(self.name, self.name)


@dataclass(frozen=True, slots=True)
class Enum:
    field: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        return f"{{{', '.join(self.values)}}}"


@dataclass(frozen=True, slots=True)
class Quant:
    dims: Dims

    def __str__(self) -> str:
        return f"a quantity in {dims_name(self.dims)}" if self.dims else "a number"


Type = Simple | Enum | Quant

#: A runtime value: an exact number (in base units), an enumeration or period name, a
#: boolean or a date.
Value = Decimal | str | bool | date

BOOL = Simple("bool")
DATE = Simple("date")
PERIOD = Simple("period")
TEXT = Simple("text")
SYMBOL = Simple("symbol")
ANY = Simple("any")
NUMBER = Quant(DIMENSIONLESS)

NAMED_TYPES: dict[str, Type] = {"bool": BOOL, "date": DATE, "text": TEXT, "number": NUMBER}
