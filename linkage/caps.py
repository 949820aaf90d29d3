"""Cap trajectories: the cap of each year, read from the system level, and how fast it
declines.

    >>> path = cap_path(california)
    >>> path.name, path.values[2021], path.values[2030]
    ('annual_cap', Decimal('320800000'), Decimal('200500000'))
    >>> from etsl.linkage.amounts import percent
    >>> [(s.start, s.end, percent(s.rate(path))) for s in stretches(path, cap_path(quebec))]
    [(2013, 2014, '1.9 %'), (2015, 2020, '3.1 %'), (2021, 2030, '4.2 %')]

A cap is a system value (a rule or a table by year) named `cap` or ending in `_cap`, as on
the scheme pages' cap charts. Linkage reads it with `etsl.linkage.reading` for each year
(the system level's `year`, tables by year) and keeps the years whose cap the scheme's text
decides alone; a year that needs system data is left out. Two trajectories are compared
over stretches of common years in which neither cap rises: a cap that rises marks a change
of coverage (California and Québec added fuel distributors in 2015), so the decline is
measured within each stretch, as the average annual decline in % of the stretch's first
year's cap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from etsl.compiler.model import RuleModel, SchemeModel, TableModel
from etsl.compiler.numbers import divide, round_half_up, subtract
from etsl.linkage.facts import Evidence, evidence, number
from etsl.linkage.reading import Reader
from etsl.linkage.said import Listing, Said, Term, template
from etsl.linkage.timing import ALWAYS, Window

_MILLION = Decimal(1_000_000)


def is_cap(name: str) -> bool:
    return name == "cap" or name.endswith("_cap")


@dataclass(frozen=True, slots=True)
class CapPath:
    """A scheme's cap, year by year (in tonnes), with the evidence it was read from."""

    name: str
    values: dict[int, Decimal]
    item: RuleModel | TableModel

    def evidence(self, m: SchemeModel, years: Iterable[int]) -> Evidence:
        """The cap in the years given: 'annual cap: 394.5 Mt CO2e in 2015, …'."""
        shown = Listing(
            tuple(_IN(value=_millions(self.values[y]), year=str(y)) for y in years), "comma"
        )
        value = _PATH(cap=Term(self.name, quoted=False), values=shown)
        return evidence(m, f"system[{self.name}]", value, self.item)


def _cap_item(m: SchemeModel) -> RuleModel | TableModel | None:
    rules = [r for r in m.rules if r.system and is_cap(r.name)]
    tables = [t for t in m.tables if t.dims == ["year"] and is_cap(t.name)]
    found: list[RuleModel | TableModel] = [*rules, *tables]
    return found[0] if found else None


def _years(m: SchemeModel) -> range:
    """The years to read: those of the scheme's periods and of its tables by year."""
    found = [int(d[:4]) for p in m.periods for d in (p.start_date, p.end_date) if d]
    found += [int(k) for t in m.tables if t.dims == ["year"] for k in t.entries if k.isdigit()]
    return range(min(found), max(found) + 1) if found else range(0)


def cap_path(m: SchemeModel, window: Window = ALWAYS) -> CapPath | None:
    """The scheme's cap in each year within the window that its text decides."""
    item = _cap_item(m)
    if item is None:
        return None
    values = {
        year: value
        for year in _years(m)
        if Window(date(year, 1, 1), date(year, 12, 31)).overlaps(window)
        and isinstance(value := Reader(m, None, year).value(item.name), Decimal)
    }
    return CapPath(item.name, values, item) if len(values) > 1 else None


_PATH = template("evidence-cap-path", "{cap}: {values}")
_IN = template("value-in-year", "{value} in {year}")
_MT = template("million-tonnes", "{value} Mt CO2e")


def _millions(value: Decimal) -> Said:
    return _MT(value=number(round_half_up(divide(value, _MILLION), 2)))


@dataclass(frozen=True, slots=True)
class Stretch:
    """Consecutive common years, `start` to `end`, in which neither cap rises."""

    start: int
    end: int

    def rate(self, path: CapPath) -> Decimal:
        """The average annual decline over the stretch, as a share of its first year's cap,
        to a tenth of a percent."""
        first, last = path.values[self.start], path.values[self.end]
        yearly = divide(subtract(first, last), Decimal(self.end - self.start))
        return round_half_up(divide(yearly, first), 3)


def stretches(a: CapPath, b: CapPath) -> list[Stretch]:
    """The stretches of at least two common years in which neither cap rises."""
    common = sorted(set(a.values) & set(b.values))
    found: list[Stretch] = []
    start = common[0] if common else 0
    for previous, year in zip(common, common[1:], strict=False):
        if year != previous + 1 or _rises(a, previous, year) or _rises(b, previous, year):
            found += [Stretch(start, previous)] if previous > start else []
            start = year
    if common and common[-1] > start:
        found.append(Stretch(start, common[-1]))
    return found


def _rises(path: CapPath, previous: int, year: int) -> bool:
    return path.values[year] > path.values[previous]
