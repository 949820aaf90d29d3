"""Units of measure: a small exact algebra over named dimensions.

Why not pint: ETSL needs exact Decimal scales, currencies that never convert into each other,
per-gas tonnes that convert to CO2e only through the scheme's GWP set, and a CLI that starts
fast. The whole algebra is a dimension vector and a Decimal scale per symbol, so it is written
here (see docs/language.md, "Units").

    >>> parse_unit("kL_oe/yr").dims
    (('oil', 1), ('time', -1))
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from etsl.compiler.errors import EtslError
from etsl.compiler.numbers import divide

Dims = tuple[tuple[str, int], ...]

GASES = ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")
CURRENCIES = ("JPY", "EUR", "USD", "KRW", "CNY", "GBP", "CHF", "NZD", "CAD")


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: multiply a value written in it by `scale` to get base units of `dims`."""

    scale: Decimal
    dims: Dims


DIMENSIONLESS: Dims = ()

_BASE_NAMES = {
    "co2e": "tCO2e",
    "mass": "t",
    "energy": "GJ",
    "oil": "kL_oe",
    "time": "yr",
    "days": "day",
    "power": "MW",
}
_PREFIXES = {
    "": Decimal(1),
    "k": Decimal(1000),
    "M": Decimal(1_000_000),
    "G": Decimal(1_000_000_000),
}


def _symbols() -> dict[str, Unit]:
    table: dict[str, Unit] = {
        "%": Unit(Decimal("0.01"), ()),
        "yr": Unit(Decimal(1), (("time", 1),)),
        # Days are their own dimension: a year is not a whole number of days, so a per-day
        # amount converts exactly only into days (a fine of 1,000 USD/day × 12 day).
        "day": Unit(Decimal(1), (("days", 1),)),
        "kL_oe": Unit(Decimal(1), (("oil", 1),)),
        "MW": Unit(Decimal(1), (("power", 1),)),
    }
    for prefix, scale in _PREFIXES.items():
        table[f"{prefix}t"] = Unit(scale, (("mass", 1),))
        table[f"{prefix}tCO2e"] = Unit(scale, (("co2e", 1),))
        table[f"{prefix}tCO2"] = Unit(scale, (("co2e", 1),))
        for gas in GASES[1:]:
            table[f"{prefix}t{gas}"] = Unit(scale, ((f"gas_{gas}", 1),))
    for name, text in {
        "MJ": "0.001",
        "GJ": "1",
        "TJ": "1000",
        "PJ": "1000000",
        "kWh": "0.0036",
        "MWh": "3.6",
        "GWh": "3600",
    }.items():
        table[name] = Unit(Decimal(text), (("energy", 1),))
    table["short_tCO2"] = Unit(Decimal("0.90718474"), (("co2e", 1),))
    table["short_t"] = Unit(Decimal("0.90718474"), (("mass", 1),))
    for currency in CURRENCIES:
        table[currency] = Unit(Decimal(1), ((f"currency_{currency}", 1),))
    return table


SYMBOLS: dict[str, Unit] = _symbols()


def combine(a: Dims, b: Dims, sign: int = 1) -> Dims:
    """The dimensions of a product (sign 1) or quotient (sign -1)."""
    exponents = dict(a)
    for name, power in b:
        exponents[name] = exponents.get(name, 0) + sign * power
    return tuple(sorted((k, v) for k, v in exponents.items() if v))


class UnknownUnit(EtslError, ValueError):
    """A symbol that is not in SYMBOLS (carries the symbol)."""

    def __init__(self, symbol: str) -> None:
        super().__init__(symbol)
        self.symbol = symbol


def parse_unit(text: str) -> Unit:
    """The unit for `a/b/c` written with registered symbols."""
    parts = text.split("/")
    unit = _lookup(parts[0])
    scale, dims = unit.scale, unit.dims
    for part in parts[1:]:
        divisor = _lookup(part)
        scale, dims = divide(scale, divisor.scale), combine(dims, divisor.dims, -1)
    return Unit(scale, dims)


def _lookup(symbol: str) -> Unit:
    if symbol not in SYMBOLS:
        raise UnknownUnit(symbol)
    return SYMBOLS[symbol]


def dims_name(dims: Dims) -> str:
    """A readable unit for dimensions in base units: `tCO2e/yr`, `JPY`, or `` for a number."""
    top = [_base_name(n, p) for n, p in dims if p > 0]
    bottom = [_base_name(n, -p) for n, p in dims if p < 0]
    text = "·".join(top) or ("1" if bottom else "")
    return text + "".join(f"/{b}" for b in bottom)


def _base_name(name: str, power: int) -> str:
    if name.startswith("currency_"):
        base = name.removeprefix("currency_")
    elif name.startswith("gas_"):
        base = "t" + name.removeprefix("gas_")
    else:
        base = _BASE_NAMES.get(name, name)
    return base if power == 1 else f"{base}^{power}"


CO2E: Dims = (("co2e", 1),)
TIME: Dims = (("time", 1),)
DAYS: Dims = (("days", 1),)


def is_currency(dims: Dims) -> bool:
    return len(dims) == 1 and dims[0][0].startswith("currency_") and dims[0][1] == 1


def is_price_per_tonne(dims: Dims) -> bool:
    """An amount of money per tonne of CO2e (`JPY/tCO2e`)."""
    money = tuple(d for d in dims if d != ("co2e", -1))
    return len(money) == 1 and len(dims) == 2 and is_currency(money)


def is_gas_mass(dims: Dims) -> bool:
    return (
        len(dims) == 1
        and dims[0][1] == 1
        and (dims[0][0] == "co2e" or dims[0][0].startswith("gas_"))
    )
