"""Linear scales, round tick values and short axis labels, in exact decimals.

>>> ticks(Decimal(0), Decimal("0.17"))
[Decimal('0'), Decimal('0.05'), Decimal('0.10'), Decimal('0.15'), Decimal('0.20')]
>>> short_number(Decimal("1571583007")), short_number(Decimal("0.08"), percent=True)
('1.57 bn', '8 %')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from etsl.documents.i18n import current


@dataclass(frozen=True, slots=True)
class Scale:
    """A linear map from a data interval onto a pixel interval."""

    low: Decimal
    high: Decimal
    start: Decimal
    end: Decimal

    def __call__(self, value: Decimal) -> Decimal:
        if self.high == self.low:
            return (self.start + self.end) / 2
        return self.start + (value - self.low) * (self.end - self.start) / (self.high - self.low)


def nice_step(span: Decimal, count: int = 5) -> Decimal:
    """A round tick step (1, 2 or 5 × 10ⁿ) giving about `count` ticks over `span`."""
    if span <= 0:
        return Decimal(1)
    raw = span / count
    power = Decimal(10) ** (raw.adjusted())
    for multiple in (1, 2, 5, 10):
        if power * multiple >= raw:
            return power * multiple
    return power * 10


def ticks(low: Decimal, high: Decimal, count: int = 5) -> list[Decimal]:
    """Round tick values covering [low, high]."""
    step = nice_step(high - low, count)
    first = (low / step).to_integral_value(ROUND_FLOOR) * step
    last = (high / step).to_integral_value(ROUND_CEILING) * step
    values, value = [], first
    while value <= last + step / 1000:
        values.append(value)
        value += step
    return values


def year_ticks(low: Decimal, high: Decimal, count: int) -> list[Decimal]:
    """Whole years from the first whole year at or after `low`, every round step."""
    step = max(Decimal(1), nice_step(high - low, count))
    year, values = low.to_integral_value(ROUND_CEILING), []
    while year <= high:
        values.append(year)
        year += step
    return values


def short_number(value: Decimal, percent: bool = False) -> str:
    """An axis label in the language being written: 1571583007 → `1.57 bn` (`15.72億` in
    Japanese, which counts in 万 and 億), 5000 → `5,000` (never `5 k`)."""
    if percent:
        return f"{trim(value * 100)} %"
    for size, suffix in _LARGE.get(current(), _LARGE["en"]):
        if abs(value) >= size:
            return f"{_grouped((value / size).quantize(Decimal('0.01')))}{suffix}"
    return _grouped(value.quantize(Decimal("0.01")))


#: The units large axis labels count in, largest first, by language.
_LARGE = {
    "en": ((Decimal(10) ** 9, " bn"), (Decimal(10) ** 6, " M")),
    "ja": ((Decimal(10) ** 8, "億"), (Decimal(10) ** 4, "万")),
}


def _grouped(value: Decimal) -> str:
    """A trimmed decimal with thousands separators: 8000 → `8,000`, 2.50 → `2.5`."""
    whole, dot, fraction = trim(abs(value)).partition(".")
    return f"{'-' if value < 0 else ''}{int(whole):,}{dot}{fraction}"


def trim(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 2.50 → `2.5`."""
    digits = f"{value:f}"
    return digits.rstrip("0").rstrip(".") if "." in digits else digits
