"""What a simulation reports: tables by scheme and year, linked flows, checks against
published figures, and the files they are written to.

    tables = Report.of(scenario, bound, outcome)
    tables.balance("eu_ets")          # header + one row per year
    tables.checks                     # (scheme, value, year, published, simulated, ok)
    tables.write(Path("out"), "csv")  # out/eu_ets.csv, out/market.csv, out/checks.csv

Numbers are exact decimals in the value's display unit (a `%` value as a percentage).
Flows between linked schemes are the simulation's (runtime/simulate/links.py).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from etsl.compiler import numbers
from etsl.compiler.files import atomic_open
from etsl.runtime.records import Value
from etsl.runtime.results.system import cell_text, shown_number
from etsl.runtime.results.writers import arrow_column
from etsl.runtime.simulate.bind import Bound
from etsl.runtime.simulate.scenario import Scenario
from etsl.runtime.simulate.solve import Outcome, YearRow

ZERO = Decimal(0)
Table = list[list[str]]


@dataclass(frozen=True)
class Check:
    """A published figure against the simulated value."""

    scheme: str
    name: str
    year: int
    published: Decimal
    simulated: Decimal | None
    tolerance: Decimal

    @property
    def difference(self) -> Decimal | None:
        if self.simulated is None:
            return None
        return numbers.subtract(self.simulated, self.published)

    @property
    def share(self) -> Decimal | None:
        """The difference as a share of the published figure."""
        if self.difference is None or self.published == 0:
            return None
        return numbers.divide(abs(self.difference), abs(self.published))

    @property
    def ok(self) -> bool:
        if self.difference is None:
            return False
        if self.published == 0:
            return self.difference == 0
        share = self.share
        return share is not None and share <= self.tolerance


@dataclass(frozen=True)
class Report:
    scenario: Scenario
    bound: tuple[Bound, ...]
    outcome: Outcome

    @classmethod
    def of(cls, scenario: Scenario, bound: Sequence[Bound], outcome: Outcome) -> Report:
        return cls(scenario, tuple(bound), outcome)

    # ---- one scheme's balance -------------------------------------------------------------
    def columns(self, b: Bound) -> list[str]:
        market = ["price", "currency", "emissions", "abatement", "price_at", "short_at_ceiling"]
        return ["year", *(market if b.market else []), *b.level.inputs, *b.level.values]

    def balance(self, name: str) -> Table:
        b = self.scheme(name)
        rows: Table = [self.columns(b)]
        for row in self.outcome.of(name):
            rows.append(self._cells(b, row))
        return rows

    def _cells(self, b: Bound, row: YearRow) -> list[str]:
        program = b.level.program
        cells = [str(row.year)]
        if b.market:
            cells += [
                _price(row.price),
                b.market.currency,
                _text(row.emissions),
                _text(row.abatement),
                row.bound,
                _text(row.short_at_ceiling),
            ]
        names = [*b.level.inputs, *b.level.values]
        return cells + [cell_text(row.values.get(n), program.unit_of(n)) for n in names]

    def scheme(self, name: str) -> Bound:
        return next(b for b in self.bound if b.name == name)

    def value(self, name: str, scheme: str, year: int) -> Value | None:
        rows = [r for r in self.outcome.of(scheme) if r.year == year]
        return rows[0].values.get(name) if rows else None

    # ---- the common market ---------------------------------------------------------------
    @property
    def markets(self) -> list[Bound]:
        return [b for b in self.bound if b.market]

    def market(self) -> Table:
        """Per year: the price, each scheme's price (and alone, when linked), bank, flows."""
        markets = self.markets
        linked = len(markets) > 1
        unchanged = self.outcome.unchanged  # links change inside the horizon
        header = ["year", "price", "currency", "bank"]
        for b in markets:
            header += [f"{b.name}.price", f"{b.name}.bank"]
            header += [f"{b.name}.price_unlinked", f"{b.name}.net_imports"] if linked else []
            header += [f"{b.name}.price_links_unchanged"] if unchanged else []
        rows: Table = [header]
        positions = self.positions()
        imports = self.outcome.flows
        for year in self.scenario.year_range:
            own = {b.name: self._row(b.name, year) for b in markets}
            total = sum((positions[b.name][year] for b in markets), ZERO)
            line = [str(year), _price(self.outcome.prices.get(year)), self.currency, _text(total)]
            for b in markets:
                line += [_price(own[b.name].price), _text(positions[b.name][year])]
                if linked:
                    alone = self.outcome.unlinked.get(b.name, {}).get(year)
                    line += [_price(alone), _text(imports.get(b.name, {}).get(year))]
                if unchanged:
                    line.append(_price(unchanged.get(b.name, {}).get(year)))
            rows.append(line)
        return rows

    @property
    def currency(self) -> str:
        """The currency prices are solved in ("" without a market)."""
        return self.scenario.prices.currency if self.scenario.prices else ""

    def _row(self, scheme: str, year: int) -> YearRow:
        return next(r for r in self.outcome.of(scheme) if r.year == year)

    def positions(self) -> dict[str, dict[int, Decimal]]:
        """Each market's own bank at the end of each year, with the units it received over a
        link when a limit moved them."""
        out: dict[str, dict[int, Decimal]] = {}
        for b in self.markets:
            assert b.market is not None
            bank, got = b.market.bank, self.outcome.received.get(b.name, {})
            out[b.name] = {
                r.year: _number(r.values.get(bank)) + got.get(r.year, ZERO)
                for r in self.outcome.of(b.name)
            }
        return out

    # ---- checks ------------------------------------------------------------------------------
    @property
    def checks(self) -> list[Check]:
        out = []
        for b in self.bound:
            check = b.part.check
            if check is None:
                continue
            for name, published in check.values.items():
                unit = b.level.program.unit_of(name)
                for year, figure in sorted(published.items()):
                    value = self.value(name, b.name, year)
                    simulated = shown_number(value, unit) if isinstance(value, Decimal) else None
                    out.append(Check(b.name, name, year, figure, simulated, check.tolerance))
        return out

    def check_table(self) -> Table:
        rows: Table = [
            ["scheme", "value", "year", "published", "simulated", "difference", "share", "ok"]
        ]
        for c in self.checks:
            rows.append(
                [
                    c.scheme,
                    c.name,
                    str(c.year),
                    _text(c.published),
                    _text(c.simulated),
                    _text(c.difference),
                    _text(numbers.round_half_up(c.share * 100, 4)) + " %"
                    if c.share is not None
                    else "",
                    "yes" if c.ok else "no",
                ]
            )
        return rows

    # ---- files ---------------------------------------------------------------------------------
    def tables(self) -> dict[str, Table]:
        """Every table by file stem: one per scheme, `market`, `checks`."""
        out = {b.name: self.balance(b.name) for b in self.bound}
        if self.markets:
            out["market"] = self.market()
        if self.checks:
            out["checks"] = self.check_table()
        return out


def write_tables(tables: Mapping[str, Table], folder: Path, kind: str) -> list[Path]:
    """Write each table as FOLDER/STEM.csv or .parquet (each file atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, rows in tables.items():
        path = folder / f"{stem}.{kind}"
        if kind == "parquet":
            _write_parquet(rows, path)
        else:
            with atomic_open(path, "w") as handle:
                csv.writer(handle, lineterminator="\n").writerows(rows)
        written.append(path)
    return written


def _write_parquet(rows: Table, path: Path) -> None:
    import pyarrow.parquet as pq
    from etsl.compiler.files import atomic_path

    with atomic_path(path) as temporary:
        pq.write_table(arrow_table(rows), temporary)


def arrow_table(rows: Table) -> Any:
    """A table as an Arrow table: numeric columns as exact decimal128(38, 18) (strings when
    a value does not fit), other columns as text; blank cells are nulls."""
    import pyarrow as pa

    header, body = rows[0], rows[1:]
    return pa.table(
        {name: arrow_column([_typed(r[i]) for r in body]) for i, name in enumerate(header)}
    )


def _typed(cell: str) -> object:
    if cell == "":
        return None
    try:
        number = Decimal(cell)
    except InvalidOperation:
        return cell
    return number if number.is_finite() else cell


def _number(value: Value | None) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO


def _price(value: Decimal | None) -> str:
    """A price as it is solved: to the cent."""
    return "" if value is None else f"{value.quantize(Decimal('0.01')):f}"


def _text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}" if value != 0 else "0"
