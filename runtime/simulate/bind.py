"""A scenario bound to the schemes it simulates: every name checked against the scheme.

    markets, problems = bind(scenario, {"eu_ets": program}, "eu.toml")
    markets[0].rows[2021]["verified"]       # Decimal, in the input's base unit

Each scheme's scenario part must name only system inputs of the scheme, give every input
for every year (a carried input, `else previous …`, only for the first year; the market's
emissions and price inputs are filled by the simulation), keep to the years of the
scheme's periods, and name system values for the bank, floor and ceiling. A market whose
currency is not the prices' currency needs an exchange rate for every year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from etsl.compiler import codes, numbers
from etsl.compiler import program as ir
from etsl.compiler.diagnostics import did_you_mean
from etsl.compiler.driver import CompiledScheme
from etsl.runtime.data.checks import DataProblem
from etsl.runtime.records import Value
from etsl.runtime.simulate.links import (
    CREDIT_KINDS,
    Channel,
    Timeline,
    groups,
    joined_everywhere,
    timeline,
)
from etsl.runtime.simulate.scenario import (
    Auctions,
    Market,
    Scenario,
    SchemePart,
    problem,
    value_of,
)
from etsl.runtime.system_data import in_base_units

Rows = dict[int, dict[str, Value]]
ONE = Decimal(1)


@dataclass(frozen=True)
class Bound:
    """One scheme of a simulation: its Program, its scenario part and its system data."""

    name: str
    program: ir.Program
    part: SchemePart
    rows: Rows  # the scenario's inputs by year, in base units (market inputs not yet filled)
    where: str = ""  # the scenario file (explanations name it as the source of inputs)
    # the links between the simulated markets (empty: markets given together are joined)
    channels: tuple[Channel, ...] = ()
    # the links of the first year and of each year they change inside the horizon
    timeline: Timeline = ()

    @property
    def level(self) -> ir.SystemLevel:
        assert self.program.system is not None
        return self.program.system

    @property
    def market(self) -> Market | None:
        return self.part.market

    def rate(self, year: int, currency: str) -> Decimal:
        """Units of this scheme's currency per unit of the prices' currency in a year."""
        market = self.part.market
        if market is None or market.currency == currency or market.exchange_rate is None:
            return ONE
        rate = value_of(market.exchange_rate, year)
        assert rate is not None  # checked by bind
        return rate


def bind_compiled(
    scenario: Scenario, schemes: Mapping[str, CompiledScheme], where: str
) -> tuple[list[Bound], list[DataProblem]]:
    """The scenario bound to compiled schemes: each scheme it names must be among them, and
    the links the schemes declare between their markets must be ones the simulation can
    join (docs/simulate.md, "Linked markets"); then `bind`, each scheme with the links."""
    missing = [
        problem(
            codes.SCENARIO_MISMATCH,
            where,
            f"scheme.{name}",
            f"the scenario simulates '{name}', which is not among the schemes given",
            did_you_mean(name, schemes) or f"the schemes given: {', '.join(sorted(schemes))}",
        )
        for name in scenario.scheme
        if name not in schemes
    ]
    if missing:
        return [], missing
    markets = [n for n, part in scenario.scheme.items() if part.market is not None]
    problems = assumed_problems(scenario, markets, where)
    if problems:
        return [], problems
    links = {n: schemes[n].model.links for n in markets}
    credits = [u.name for n in markets for u in schemes[n].model.units if u.kind in CREDIT_KINDS]
    steps = timeline(links, credits, scenario.year_range, scenario.links)
    channels = steps[0][1] if steps else ()
    if len(steps) > 1:
        problems = step_problems(markets, steps, where)
    else:
        problems = link_problems(scenario, markets, channels, where)
    if problems:
        return [], problems
    bound, problems = bind(scenario, {n: schemes[n].program for n in scenario.scheme}, where)
    return [replace(b, channels=tuple(channels), timeline=steps) for b in bound], problems


def assumed_problems(scenario: Scenario, markets: Sequence[str], where: str) -> list[DataProblem]:
    """A link the scenario assumes joins two or more of its markets, in years simulated."""
    out = []
    first, last = scenario.years
    for key, link in scenario.links.items():
        at = f"links.{key}"
        strangers = [n for n in link.schemes if n not in markets]
        if strangers or len(set(link.schemes)) < len(link.schemes):
            out.append(
                problem(
                    codes.SCENARIO_MISMATCH,
                    where,
                    f"{at}.schemes",
                    f"the link joins {', '.join(repr(n) for n in link.schemes)}, but "
                    + (
                        f"{', '.join(repr(n) for n in strangers)} has no market in the scenario"
                        if strangers
                        else "a market is named twice"
                    ),
                    f"name two or more of the scenario's markets: {', '.join(markets) or 'none'}",
                )
            )
        for name, year in (("from", link.first), ("until", link.until)):
            if year is not None and not first <= year <= last:
                out.append(_outside(where, f"{at}.{name}", year, scenario))
        if link.until is not None and link.until < link.first:
            out.append(
                problem(
                    codes.SCENARIO_MISMATCH,
                    where,
                    f"{at}.until",
                    f"the link ends in {link.until}, before it starts in {link.first}",
                    "until is the last year the link operates, from or later",
                )
            )
    return out


def _outside(where: str, key: str, year: int, scenario: Scenario) -> DataProblem:
    first, last = scenario.years
    return problem(
        codes.SCENARIO_MISMATCH,
        where,
        key,
        f"the link year {year} is outside the years simulated ({first}–{last})",
        f"give a year from {first} to {last}, or simulate the years the link changes in",
    )


def step_problems(markets: Sequence[str], steps: Timeline, where: str) -> list[DataProblem]:
    """When links change inside the horizon, in every year the markets joined by links must be
    joined two ways between every pair (they share one price from that year)."""
    for year, channels in steps:
        for group in groups(channels, markets):
            if len(group) > 1 and not joined_everywhere(channels, group):
                shown = "; ".join(sorted({c.declared for c in channels if c.source in group}))
                return [
                    problem(
                        codes.SCENARIO_MISMATCH,
                        where,
                        f"scheme.{group[-1]}.market",
                        f"the links change inside the horizon, and from {year} "
                        f"{', '.join(repr(m) for m in group)} are linked, but not two ways "
                        f"between every pair ({shown})",
                        "a link that starts or ends inside the horizon must leave the markets "
                        "it joins linked two ways between every pair; simulate one-way and "
                        "credit-only links over years they do not change in",
                    )
                ]
    return []


def bind(
    scenario: Scenario, programs: Mapping[str, ir.Program], where: str
) -> tuple[list[Bound], list[DataProblem]]:
    """The schemes of a scenario with their data, or the problems found."""
    bound, problems = [], []
    for name, part in scenario.scheme.items():
        program = programs[name]
        found = _problems(scenario, name, part, program, where)
        problems += found
        if not found:
            bound.append(Bound(name, program, part, _rows(scenario, part, program), where))
    return bound, problems


def _problems(
    scenario: Scenario, name: str, part: SchemePart, program: ir.Program, where: str
) -> list[DataProblem]:
    key = f"scheme.{name}"
    level = program.system
    if level is None:
        return [
            problem(
                codes.SCENARIO_MISMATCH,
                where,
                key,
                f"the scheme '{name}' has no system level to simulate",
                "declare its caps, supply and bank in a system { … } block (docs/language.md)",
            )
        ]
    out = _input_problems(scenario, key, part, level, where)
    out += _year_problems(scenario, key, program, where)
    if part.market is not None:
        out += _market_problems(scenario, key, part, level, where)
    if part.auctions is not None:
        out += _auction_problems(scenario, key, part, part.auctions, level, where)
    known = set(level.names)
    if part.check is not None:
        out += [
            _unknown(where, f"{key}.check.values.{n}", n, known, "a system value")
            for n in part.check.values
            if n not in known
        ]
    out += [
        _unknown(where, f"{key}.charts.{title}", n, known, "a system value")
        for title, names in part.charts.items()
        for n in names
        if n not in known
    ]
    return out


def _input_problems(
    scenario: Scenario, key: str, part: SchemePart, level: ir.SystemLevel, where: str
) -> list[DataProblem]:
    out = [
        _unknown(where, f"{key}.inputs.{n}", n, set(level.inputs), "a system input")
        for n in part.inputs
        if n not in level.inputs
    ]
    filled = filled_inputs(part)
    first = scenario.years[0]
    for name in level.inputs:
        if name in filled:
            continue
        years = [first] if name in level.carried else list(scenario.year_range)
        series = part.inputs.get(name)
        if series is None and name not in level.carried:
            continue  # not given: the values that read it are left blank (see not_given)
        missing = [y for y in years if series is None or value_of(series, y) is None]
        if missing:
            out.append(_missing(where, f"{key}.inputs.{name}", name, missing, level))
    return out


def filled_inputs(part: SchemePart) -> set[str | None]:
    """The system inputs the simulation fills: the market's emissions and price, the
    auctions' unsold allowances."""
    filled = {part.market.emissions, part.market.price} if part.market else set()
    return filled | ({part.auctions.unsold} if part.auctions else set())


def not_given(b: Bound) -> list[str]:
    """System inputs the scenario does not give (the values reading them stay blank)."""
    filled = filled_inputs(b.part)
    return [
        n
        for n in b.level.inputs
        if n not in b.part.inputs and n not in b.level.carried and n not in filled
    ]


def link_problems(
    scenario: Scenario, markets: Sequence[str], channels: Sequence[Channel], where: str
) -> list[DataProblem]:
    """Markets simulated together must be linked in a way the simulation joins: two-way
    between every pair, or, for two markets, one direction only (one-way or credit-only; a
    credit-only channel needs the source's credits, `market.credits`)."""
    if len(markets) < 2 or joined_everywhere(channels, markets):
        return []
    if len(markets) == 2 and len(channels) == 1:
        return _credit_problems(scenario, channels[0], where)
    shown = "; ".join(c.declared for c in channels) or "no link between them"
    return [
        problem(
            codes.SCENARIO_MISMATCH,
            where,
            f"scheme.{markets[-1]}.market",
            f"{', '.join(repr(m) for m in markets)} have markets in the scenario but their "
            f"links operating from {scenario.years[0]} are not ones the simulation joins "
            f"({shown})",
            "simulate them one at a time, or declare two-way links between every pair "
            "(two markets may also be linked one way: inbound, outbound, or for credits only)",
        )
    ]


def _credit_problems(scenario: Scenario, channel: Channel, where: str) -> list[DataProblem]:
    market = scenario.scheme[channel.source].market
    if not channel.credits_only or (market is not None and market.credits is not None):
        return []
    return [
        problem(
            codes.SCENARIO_MISMATCH,
            where,
            f"scheme.{channel.source}.market.credits",
            f"only credits move from '{channel.source}' to '{channel.target}' "
            f"({channel.declared}), but the scenario does not say which system input gives "
            f"the credits '{channel.source}' issues in a year",
            f'name it: credits = "…" in [scheme.{channel.source}.market]',
        )
    ]


def _missing(
    where: str, key: str, name: str, years: list[int], level: ir.SystemLevel
) -> DataProblem:
    shown = ", ".join(str(y) for y in years[:5]) + (" …" if len(years) > 5 else "")
    carried = (
        f" (later years carry it from '{level.carried[name]}')" if name in level.carried else ""
    )
    return problem(
        codes.SCENARIO_MISMATCH,
        where,
        key,
        f"the system input '{name}' has no value for {shown}{carried}",
        f"give {name} = {{ {years[0]} = … }} for every year, or one value for all years",
    )


def _year_problems(
    scenario: Scenario, key: str, program: ir.Program, where: str
) -> list[DataProblem]:
    covered = scheme_years(program)
    if not covered:
        return []
    outside = [y for y in scenario.year_range if y not in covered]
    if not outside:
        return []
    return [
        problem(
            codes.SCENARIO_MISMATCH,
            where,
            "years",
            f"{_years(outside)} outside the periods of '{program.name}' "
            f"({min(covered)}–{max(covered)})",
            f"simulate years from {min(covered)} to {max(covered)}, or declare the periods",
        )
    ]


def _years(years: list[int]) -> str:
    if len(years) == 1:
        return f"the year {years[0]} is"
    return f"the years {years[0]}–{years[-1]} are"


def scheme_years(program: ir.Program) -> set[int]:
    """The years a scheme's periods cover (empty when no period states its years)."""
    years: set[int] = set()
    for period in program.periods:
        if period.first_year is not None:
            length = int(numbers.ceil(period.years))
            years.update(range(period.first_year, period.first_year + length))
    return years


def _market_problems(
    scenario: Scenario, key: str, part: SchemePart, level: ir.SystemLevel, where: str
) -> list[DataProblem]:
    market = part.market
    assert market is not None
    part_inputs = part.inputs
    at = f"{key}.market"
    values = set(level.names)
    wanted = [("emissions", market.emissions, set(level.inputs), "a system input")]
    if market.price is not None:
        wanted.append(("price", market.price, set(level.inputs), "a system input"))
    if market.credits is not None:
        wanted.append(("credits", market.credits, set(level.inputs), "a system input"))
    wanted += [
        (role, name, values, "a system value")
        for role, name in (
            ("bank", market.bank),
            ("floor", market.floor),
            ("ceiling", market.ceiling),
        )
        if isinstance(name, str)
    ]
    out = [
        _unknown(where, f"{at}.{role}", name, known, what)
        for role, name, known, what in wanted
        if name not in known
    ]
    for role, series in (("floor", market.floor), ("ceiling", market.ceiling)):
        if series is not None and not isinstance(series, str):
            gaps = [y for y in scenario.year_range if value_of(series, y) is None]
            if gaps:
                out.append(
                    problem(
                        codes.SCENARIO_MISMATCH,
                        where,
                        f"{at}.{role}",
                        f"the {role} has no price for {gaps[0]}",
                        f"give {role} = {{ {gaps[0]} = … }} for every year, or name a system value",
                    )
                )
    if market.credits in level.inputs and market.credits not in part_inputs:
        out.append(
            problem(
                codes.SCENARIO_MISMATCH,
                where,
                f"{at}.credits",
                f"the credits input '{market.credits}' has no values in the scenario",
                f"give {market.credits} in [{key}.inputs], for every year",
            )
        )
    out += _rate_problems(scenario, at, market, where)
    return out


def _auction_problems(
    scenario: Scenario,
    key: str,
    part: SchemePart,
    auctions: Auctions,
    level: ir.SystemLevel,
    where: str,
) -> list[DataProblem]:
    at = f"{key}.auctions"
    inputs = set(level.inputs)
    out = [
        _unknown(where, f"{at}.{role}", name, inputs, "a system input")
        for role, name in (("auctioned", auctions.auctioned), ("unsold", auctions.unsold))
        if name not in inputs
    ]
    if auctions.unsold in part.inputs:
        out.append(
            problem(
                codes.SCENARIO_MISMATCH,
                where,
                f"{key}.inputs.{auctions.unsold}",
                f"'{auctions.unsold}' is filled from the auctions' unsold share; the scenario "
                "gives it too",
                f"remove {auctions.unsold} from [{key}.inputs]",
            )
        )
    gaps = [y for y in scenario.year_range if y not in auctions.share]
    offered = part.inputs.get(auctions.auctioned)
    gaps += [y for y in scenario.year_range if offered is None or value_of(offered, y) is None]
    if gaps and not out:
        year = min(gaps)
        what = "share" if year not in auctions.share else f"{auctions.auctioned} in inputs"
        out.append(
            problem(
                codes.SCENARIO_MISMATCH,
                where,
                f"{at}.share" if what == "share" else f"{key}.inputs.{auctions.auctioned}",
                f"the auctions need the {what} for {year}",
                f"give {{ {year} = … }} for every year of the scenario",
            )
        )
    return out


def _rate_problems(scenario: Scenario, at: str, market: Market, where: str) -> list[DataProblem]:
    prices = scenario.prices
    if prices is None:
        return [
            problem(
                codes.SCENARIO_MISMATCH,
                where,
                "prices",
                "a market needs a [prices] table: the price rule and the currency",
                'add [prices] with rule = "hotelling", discount_rate and currency',
            )
        ]
    if market.currency == prices.currency:
        return []
    rate = market.exchange_rate
    missing = [y for y in scenario.year_range if rate is None or value_of(rate, y) is None]
    if not missing:
        return []
    return [
        problem(
            codes.SCENARIO_MISMATCH,
            where,
            f"{at}.exchange_rate",
            f"the market is in {market.currency} but prices are solved in {prices.currency}, "
            f"and there is no exchange rate for {missing[0]}",
            f"give exchange_rate = {{ {missing[0]} = … }}: {market.currency} per {prices.currency}",
        )
    ]


def _unknown(where: str, key: str, name: str, known: set[str], what: str) -> DataProblem:
    return problem(
        codes.SCENARIO_MISMATCH,
        where,
        key,
        f"'{name}' is not {what} of the scheme",
        did_you_mean(name, known) or f"the scheme's choices: {', '.join(sorted(known)) or 'none'}",
    )


def _rows(scenario: Scenario, part: SchemePart, program: ir.Program) -> Rows:
    assert program.system is not None  # checked by _problems
    level = program.system
    rows: Rows = {}
    for year in scenario.year_range:
        row: dict[str, Value] = {}
        for name, series in part.inputs.items():
            value = value_of(series, year)
            if value is not None:
                row[name] = in_base_units(level.program, name, value)
        if part.auctions is not None:
            row[part.auctions.unsold] = unsold(part.auctions, row, year)
        rows[year] = row
    return rows


def unsold(auctions: Auctions, row: Mapping[str, Value], year: int) -> Decimal:
    """The allowances left unsold in a year: those offered times the share, rounded half up
    to whole allowances."""
    offered = row[auctions.auctioned]
    assert isinstance(offered, Decimal)  # checked by _auction_problems
    return numbers.round_half_up(numbers.multiply(offered, auctions.share[year]))
