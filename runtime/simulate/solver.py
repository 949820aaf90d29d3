"""The price path of one market (one scheme, or several sharing a price), on the cent grid.

    solver = Solver(scenario, scenario.prices, bound)
    prices = solver.solve()                  # {2026: Decimal('54.22'), …}
    solver.why(prices, solver.banks(prices)) # one reason per year

See runtime/simulate/solve.py for the method (Hotelling or myopic, floors and ceilings, the
bisection over whole cents) and docs/simulate.md for the documented behaviour.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from etsl.compiler import codes, numbers
from etsl.compiler.errors import EtslError
from etsl.runtime.records import Value
from etsl.runtime.reference.expressions import Fault, Upstream
from etsl.runtime.reference.system import SystemRun
from etsl.runtime.simulate.bind import Bound, Rows
from etsl.runtime.simulate.curves import abatement, emissions
from etsl.runtime.simulate.scenario import Prices, Scenario, Series, value_of

ZERO, ONE, CENT = Decimal(0), Decimal(1), Decimal("0.01")


class SimulationError(EtslError):
    """The simulation cannot go on: a value fails in a year, or no price clears."""

    def __init__(self, code: codes.Code, message: str, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


@dataclass(frozen=True)
class YearRow:
    """One scheme in one year: the price, emissions and abatement when there is a market,
    every system input given or carried and every system value."""

    scheme: str
    year: int
    values: Mapping[str, Value | None]
    price: Decimal | None = None  # in the scheme's currency
    emissions: Decimal | None = None
    abatement: Decimal | None = None
    bound: str = ""  # "floor" or "ceiling" when the price sits at one
    short_at_ceiling: Decimal = ZERO  # the bank below 0 with the price at the ceiling


# ---- evaluation -------------------------------------------------------------------------------


def system_run(b: Bound, rows: Rows, trace: bool = False) -> SystemRun:
    filled = {}
    if b.market is not None:
        filled[b.market.emissions] = "the groups' baseline less their abatement at the price"
        if b.market.price:
            filled[b.market.price] = "the price solved"
    auctions = b.part.auctions
    if auctions is not None:
        filled[auctions.unsold] = f"{auctions.auctioned} times the scenario's unsold share"
    return SystemRun(b.program, rows, trace=trace, source=b.where, row_notes=False, filled=filled)


def value_in(run: SystemRun, year: int, name: str, scheme: str) -> Value:
    try:
        return run.value(year, name)
    except (Fault, Upstream):
        reason = run.evaluator(year).reasons.get(name, "it could not be computed")
        raise SimulationError(
            codes.SIMULATE_FAILED,
            f"{scheme}: '{name}' of {year}: {reason}",
            f"check the scenario's inputs for {year} and the rule of '{name}'",
        ) from None


# Why a value may have no value in a year and be left blank: it reads an input the scenario
# does not give, a price path before it starts, a table without a row for the year. Any
# other failure (a division by zero, a wrong type, a year in no period) is reported.
NO_VALUE_THIS_YEAR = frozenset(
    {
        codes.EVALUATION_MISSING_INPUT,
        codes.EVALUATION_MISSING_SYSTEM_VALUE,
        codes.EVALUATION_MISSING_TABLE_ENTRY,
        codes.EVALUATION_OUTSIDE_PRICE_PATH,
    }
)


def given_in(run: SystemRun, year: int, name: str, scheme: str) -> Value | None:
    """A value of the year, or None when it has none that year (NO_VALUE_THIS_YEAR)."""
    try:
        return run.value(year, name)
    except (Fault, Upstream, KeyError):
        evaluator = run.evaluator(year)
        origin = evaluator.failed.get(name, name)
        if evaluator.fault_codes.get(origin, codes.EVALUATION_MISSING_INPUT) in NO_VALUE_THIS_YEAR:
            return None
        return value_in(run, year, name, scheme)


def _number(run: SystemRun, year: int, name: str, scheme: str) -> Decimal:
    value = value_in(run, year, name, scheme)
    if not isinstance(value, Decimal):
        raise SimulationError(
            codes.SIMULATE_FAILED,
            f"{scheme}: '{name}' of {year} is {value!r}, not a number",
            "name a system value that is a quantity (market.bank, floor, ceiling)",
        )
    return value


def _limit(run: SystemRun, year: int, limit: str | Series, scheme: str, rate: Decimal) -> Decimal:
    """A floor or ceiling of a scheme (a system value, or given by year) in the prices'
    currency."""
    if isinstance(limit, str):
        own = _number(run, year, limit, scheme)
    else:
        given = value_of(limit, year)
        assert given is not None  # bind checked every year
        own = given
    return numbers.divide(own, rate)


# ---- prices -----------------------------------------------------------------------------------


class Solver:
    """The price path of one market (one scheme, or several linked ones)."""

    def __init__(
        self,
        scenario: Scenario,
        prices: Prices,
        bound: Sequence[Bound],
        step: Callable[[], None] | None = None,
        received: Mapping[str, Mapping[int, Decimal]] | None = None,
        before: Mapping[str, Mapping[int, Decimal]] | None = None,
    ) -> None:
        self.scenario, self.prices, self.bound = scenario, prices, list(bound)
        # units each scheme received over a link by the end of each year (negative: gave)
        self.received = received or {}
        # each scheme's price (in the prices' currency) in the years before those solved
        # here, when its links changed inside the horizon (runtime/simulate/joins.py)
        self.before = before or {}
        self.step = step  # called once per price path tried (a progress bar)
        self.start: Decimal | None = None  # the Hotelling path's start, once solved
        solved = {y for prices in self.before.values() for y in prices}
        self.years = [y for y in scenario.year_range if y not in solved]
        self.limits = self._limits()

    # -- the bounds of the price, in the prices' currency, by year
    def _limits(self) -> dict[int, tuple[Decimal, Decimal | None]]:
        probes = {
            b.name: system_run(b, self._rows(b, dict.fromkeys(self.years, ZERO)))
            for b in self.bound
        }
        limits = {}
        for year in self.years:
            floors, ceilings = [ZERO], []
            for b in self.bound:
                market, run = b.market, probes[b.name]
                assert market is not None
                rate = b.rate(year, self.prices.currency)
                if market.floor is not None:
                    floors.append(_cents_up(_limit(run, year, market.floor, b.name, rate)))
                if market.ceiling is not None:
                    ceilings.append(_cents_down(_limit(run, year, market.ceiling, b.name, rate)))
            limits[year] = (max(floors), min(ceilings) if ceilings else None)
        return limits

    @property
    def final_bank(self) -> Decimal:
        """The bank the market keeps at the end of the last year: the scenario's, plus each
        scheme's own (`market.final_bank`)."""
        own = (b.market.final_bank for b in self.bound if b.market is not None)
        return sum(own, self.prices.final_bank)

    def top(self) -> Decimal:
        """The highest price worth searching: the ceiling, else the top of the curves."""
        ceilings = [c for _, c in self.limits.values() if c is not None]
        if ceilings:
            return max(ceilings)
        tops = []
        for b in self.bound:
            assert b.market is not None
            rate = min(b.rate(y, self.prices.currency) for y in self.years)
            tops += [
                _cents_up(numbers.divide(g.mac[-1][0], rate)) for g in b.market.groups.values()
            ]
        return max(tops)

    # -- a price path and what it gives
    def path(self, start: Decimal) -> dict[int, Decimal]:
        """The Hotelling path from a start price, kept within each year's limits."""
        growth = ONE + self.prices.discount_rate
        first = self.years[0]
        return {
            y: self.clamp(y, _cents(start * numbers.CONTEXT.power(growth, y - first)))
            for y in self.years
        }

    def clamp(self, year: int, price: Decimal) -> Decimal:
        floor, ceiling = self.limits[year]
        price = max(price, floor)
        return min(price, ceiling) if ceiling is not None else price

    def runs(self, prices: Mapping[int, Decimal], trace: bool = False) -> dict[str, SystemRun]:
        return {b.name: system_run(b, self._rows(b, prices), trace) for b in self.bound}

    def banks(self, prices: Mapping[int, Decimal]) -> dict[int, Decimal]:
        """The bank summed over the schemes at the end of each year priced."""
        if self.step is not None:
            self.step()
        total = dict.fromkeys(prices, ZERO)
        for own in self.positions(prices).values():
            for year in prices:
                total[year] += own[year]
        return total

    def positions(self, prices: Mapping[int, Decimal]) -> dict[str, dict[int, Decimal]]:
        """Each scheme's bank at the end of each year priced, with the units it received."""
        runs = self.runs(prices)
        out = {}
        for b in self.bound:
            assert b.market is not None
            got = self.received.get(b.name, {})
            out[b.name] = {
                y: _number(runs[b.name], y, b.market.bank, b.name) + got.get(y, ZERO)
                for y in prices
            }
        return out

    def _rows(self, b: Bound, prices: Mapping[int, Decimal]) -> Rows:
        market = b.market
        assert market is not None
        prices = {**self.before.get(b.name, {}), **prices}
        rows: Rows = {y: dict(row) for y, row in b.rows.items() if y in prices}
        for year, price in prices.items():
            own = _cents(price * b.rate(year, self.prices.currency))
            rows[year][market.emissions] = sum(
                (emissions(g.baseline.get(year, ZERO), g.mac, own) for g in market.groups.values()),
                ZERO,
            )
            if market.price:
                rows[year][market.price] = own
        return rows

    # -- the search
    def solve(self) -> dict[int, Decimal]:
        if self.prices.rule == "hotelling":
            return self._hotelling()
        return self._myopic()

    def short(self, banks: Mapping[int, Decimal]) -> dict[int, Decimal]:
        """How far each year's bank is below what it must be (0 or less: not short): 0 in
        every year, the final bank in the last."""
        last = self.years[-1]
        return {y: (self.final_bank if y == last else ZERO) - b for y, b in banks.items()}

    def _hotelling(self) -> dict[int, Decimal]:
        def clears(start: Decimal) -> bool:
            return max(self.short(self.banks(self.path(start))).values()) <= 0

        start = _lowest(clears, ZERO, self.top())
        self.start = start if start is not None else self.top()
        if start is None:
            return self._at_top(self.path(self.top()))
        return self.path(start)

    # -- why a price is what it is
    def why(self, prices: Mapping[int, Decimal], banks: Mapping[int, Decimal]) -> dict[int, str]:
        """One sentence per year on why its price is what it is (for --explain); `banks` are
        the banks of the solved path. A Hotelling path has one reason for every year."""
        path = self._why_hotelling(prices) if self.prices.rule == "hotelling" else ""
        return {year: self._why(prices, banks, year, path) for year in prices}

    def _why(
        self, prices: Mapping[int, Decimal], banks: Mapping[int, Decimal], year: int, path: str
    ) -> str:
        cur = self.prices.currency
        price = prices[year]
        floor, ceiling = self.limits[year]
        if ceiling is not None and price >= ceiling and self.short(banks)[year] > 0:
            return (
                f"the price is at the ceiling, {price} {cur}/t: even there the bank at the end "
                f"of {year} is {_grouped(banks[year])} t, below the {self._needed(year)} required "
                "(the ceiling binds)"
            )
        if path:
            return path
        if price <= floor:
            return (
                f"at the floor, {floor} {cur}/t, the bank at the end of {year} is "
                f"{_grouped(banks[year])} t, at least {self._needed(year)}"
            )
        lower = self.banks({**prices, year: price - CENT})
        return (
            f"{price} {cur}/t is the lowest price at which the bank at the end of {year} is at "
            f"least {self._needed(year)}; at {price - CENT} it would be {_grouped(lower[year])} t"
        )

    def _needed(self, year: int) -> str:
        final = self.final_bank if year == self.years[-1] else ZERO
        return f"{_grouped(final)} t" + (" (the final bank)" if final else "")

    def _why_hotelling(self, prices: Mapping[int, Decimal]) -> str:
        cur, rate = self.prices.currency, self.prices.discount_rate
        first = self.years[0]
        start = self.start if self.start is not None else prices[first]
        rule = (
            f"the price path starts at {start} {cur}/t in {first} and rises {_percent(rate)} a "
            f"year (the discount rate), kept between each year's floor and ceiling"
        )
        if start == 0:
            return rule + "; even a start of 0 keeps every year's bank at what it must be"
        lower = self.banks(self.path(start - CENT))
        gaps = self.short(lower)
        year = max(gaps, key=lambda y: gaps[y])
        return (
            rule + f"; {start} is the lowest start on the cent grid that keeps every year's bank "
            f"at what it must be: from {start - CENT} the bank at the end of {year} would be "
            f"{_grouped(lower[year])} t, below the {self._needed(year)} required"
        )

    def _myopic(self) -> dict[int, Decimal]:
        prices: dict[int, Decimal] = {}
        for year in self.years:
            floor, _ = self.limits[year]

            def clears(price: Decimal, year: int = year) -> bool:
                banks = self.banks({**prices, year: self.clamp(year, price)})
                return self.short({year: banks[year]})[year] <= 0

            found = _lowest(clears, floor, self.top())
            prices[year] = self.clamp(year, found if found is not None else self.top())
            if found is None:
                self._at_top(prices)
        return prices

    def _at_top(self, prices: dict[int, Decimal]) -> dict[int, Decimal]:
        """No price clears: a ceiling binds (the shortfall is reported), or it is an error."""
        banks = self.banks(prices)
        short = [y for y, gap in self.short(banks).items() if gap > 0]
        binding = [y for y in short if self.limits[y][1] is not None]
        if len(binding) == len(short):
            return prices
        year = short[0]
        raise SimulationError(
            codes.SIMULATE_NO_PRICE,
            f"no price clears {year}: at {self.top()} {self.prices.currency}/t the bank at the "
            f"end of {year} is {_grouped(banks[year])} t",
            "check supply and baseline emissions, extend the abatement cost curves, or name "
            "the scheme's price ceiling (market.ceiling)",
        )

    def row(
        self,
        b: Bound,
        run: SystemRun,
        year: int,
        price: Decimal,
        values: dict[str, Value | None],
        bank: Decimal,
    ) -> YearRow:
        """The row of one scheme in one year of the solved path (`bank`: the common bank)."""
        market = b.market
        assert market is not None
        own = _cents(price * b.rate(year, self.prices.currency))
        abated = sum((abatement(g.mac, own) for g in market.groups.values()), ZERO)
        floor, ceiling = self.limits[year]
        at = "ceiling" if ceiling is not None and price >= ceiling else ""
        at = at or ("floor" if price <= floor and floor > 0 else "")
        return YearRow(
            b.name,
            year,
            values,
            own,
            _number(run, year, market.emissions, b.name),
            abated,
            at,
            -bank if bank < 0 and at == "ceiling" else ZERO,
        )


# ---- helpers ----------------------------------------------------------------------------------


def _lowest(clears: Callable[[Decimal], bool], low: Decimal, high: Decimal) -> Decimal | None:
    """The lowest whole-cent price in [low, high] at which `clears` holds (None if none)."""
    cents = range(int(low * 100), int(high * 100) + 1)
    index = bisect.bisect_left(cents, True, key=lambda c: clears(Decimal(c).scaleb(-2)))
    if index == len(cents):
        return None
    return Decimal(cents[index]).scaleb(-2)


def _cents(value: Decimal) -> Decimal:
    return numbers.round_half_up(value, 2)


def _cents_up(value: Decimal) -> Decimal:
    return numbers.ceil(value, 2)


def _cents_down(value: Decimal) -> Decimal:
    return numbers.floor(value, 2)


def _grouped(value: Decimal) -> str:
    return f"{value:,}"


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"
