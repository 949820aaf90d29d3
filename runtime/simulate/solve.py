"""Market balance and prices, year by year, for one scheme or several linked ones.

    outcome = simulate(scenario, bound)           # Outcome: per scheme and year
    outcome.rows[0].price, outcome.rows[0].values["tnac_end"]

Without a market (`[scheme.NAME.market]`) the scenario's inputs are the system data and the
scheme's system level is evaluated year by year: a carried input (`else previous …`) takes
the value of the year before, so the bank of one year feeds the next (the reserve rules see
it as declared).

With markets, the covered emissions of each year are the groups' baselines less their
abatement at the year's price (runtime/simulate/curves.py), and the price is solved on the
cent grid of the prices' currency:

- `hotelling`: the price of year y is p0 × (1 + r)^(y − first year), rounded half up to the
  cent, kept between the floor and ceiling of the year; p0 is the lowest price at which the
  bank (summed over linked schemes) is not negative at the end of any year;
- `myopic`: each year, in order, the lowest price at which that year's bank is not
  negative.

The search is a bisection over whole cents (`bisect`, on a predicate that holds from some
price on: more abatement never lowers a bank); the price found is checked to clear and the
cent below it not to. If even the highest price (the ceiling, or the top of the curves when
there is no ceiling) leaves a bank negative, a ceiling binds and the shortfall is reported
(`short_at_ceiling`); without a ceiling there is no clearing price, which is an error
(`simulate-no-price`), never a silent price. Joined schemes share one price (in the prices'
currency, each scheme's price its exchange rate times it, to the cent) and one bank; how the
declared links join markets (joined, apart, at the limit) is in runtime/simulate/links.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from etsl.runtime.reference.system import SystemRun
from etsl.runtime.simulate.bind import Bound
from etsl.runtime.simulate.joins import clear_in_steps
from etsl.runtime.simulate.links import Channel, cumulative, held_abroad, net_imports, one_channel
from etsl.runtime.simulate.scenario import Scenario
from etsl.runtime.simulate.solver import (
    CENT,
    SimulationError,
    Solver,
    YearRow,
    given_in,
    system_run,
    value_in,
)

__all__ = ["CENT", "Outcome", "SimulationError", "Solver", "YearRow", "simulate"]

ZERO = Decimal(0)


@dataclass(frozen=True)
class Outcome:
    """A simulation: every scheme's rows, the common price path and, for linked schemes,
    each scheme's price alone."""

    rows: tuple[YearRow, ...]
    # the common price (in the prices' currency; empty when linked markets clear apart)
    prices: Mapping[int, Decimal] = field(default_factory=dict)
    unlinked: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)
    runs: Mapping[str, SystemRun] = field(default_factory=dict)
    why: Mapping[int, str] = field(default_factory=dict)  # why each year's price is what it is
    own: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)  # each market's price
    flows: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)  # units taken in
    received: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)  # cumulative
    link: str = ""  # how the links let the prices form (linked markets)
    # when links change inside the horizon: each market's price had the first year's links held
    unchanged: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)

    def of(self, scheme: str) -> list[YearRow]:
        return [r for r in self.rows if r.scheme == scheme]


def simulate(
    scenario: Scenario,
    bound: Sequence[Bound],
    trace: bool = False,
    step: Callable[[], None] | None = None,
) -> Outcome:
    """Run a scenario (see the module docstring); `step` is called for each price path
    tried, `trace` keeps the explanations of the final runs."""
    outcome = _outcome(scenario, bound, trace, step)
    for b in bound:
        _require(b, outcome.runs[b.name], scenario)
    return outcome


def _require(b: Bound, run: SystemRun, scenario: Scenario) -> None:
    """The values a scenario checks or charts must be computed in every year."""
    names = set(b.part.check.values) if b.part.check else set()
    names.update(n for charted in b.part.charts.values() for n in charted)
    for name in sorted(names):
        for year in scenario.year_range:
            value_in(run, year, name, b.name)


def _outcome(
    scenario: Scenario,
    bound: Sequence[Bound],
    trace: bool,
    step: Callable[[], None] | None,
) -> Outcome:
    markets = [b for b in bound if b.market]
    if markets and len(markets[0].timeline) > 1:
        return _stepped(scenario, bound, markets, trace, step)
    cleared = _clear(scenario, markets, step) if markets else Cleared(())
    runs: dict[str, SystemRun] = {}
    rows: list[YearRow] = []
    reasons: list[Mapping[int, str]] = []
    for solver, prices in cleared.parts:
        runs.update(solver.runs(prices, trace))
        banks = solver.banks(prices)
        for b in solver.bound:
            rows += _rows(b, runs[b.name], scenario, prices, solver, banks)
        why = solver.why(prices, banks)
        if len(cleared.parts) > 1:  # markets priced apart: each reason names its market
            why = {y: f"{solver.bound[0].name}: {reason}" for y, reason in why.items()}
        reasons.append(why)
    for b in bound:
        if not b.market:
            runs[b.name] = system_run(b, b.rows, trace)
            rows += _rows(b, runs[b.name], scenario, {})
    order = {b.name: i for i, b in enumerate(bound)}
    rows.sort(key=lambda r: (order[r.scheme], r.year))
    return Outcome(
        tuple(rows),
        cleared.parts[0][1] if len(cleared.parts) == 1 else {},
        cleared.unlinked,
        runs,
        _why(cleared.link, reasons),
        {b.name: prices for solver, prices in cleared.parts for b in solver.bound},
        cleared.flows,
        cleared.received,
        cleared.link,
    )


def _stepped(
    scenario: Scenario,
    bound: Sequence[Bound],
    markets: Sequence[Bound],
    trace: bool,
    step: Callable[[], None] | None,
) -> Outcome:
    """The outcome when links change inside the horizon (runtime/simulate/joins.py)."""
    stepped = clear_in_steps(scenario, markets, step)
    last = scenario.years[1]
    runs: dict[str, SystemRun] = {}
    rows: list[YearRow] = []
    for b in bound:
        if not b.market:
            runs[b.name] = system_run(b, b.rows, trace)
            rows += _rows(b, runs[b.name], scenario, {})
            continue
        final = stepped.solvers[(b.name, last)]
        own = stepped.prices[b.name]
        runs[b.name] = final.runs({y: p for y, p in own.items() if y in final.years}, trace)[b.name]
        for year in scenario.year_range:
            values = {n: given_in(runs[b.name], year, n, b.name) for n in b.level.inputs}
            values.update({n: given_in(runs[b.name], year, n, b.name) for n in b.level.values})
            solver, bank = stepped.solvers[(b.name, year)], stepped.banks[(b.name, year)]
            rows.append(solver.row(b, runs[b.name], year, own[year], values, bank))
    order = {b.name: i for i, b in enumerate(bound)}
    rows.sort(key=lambda r: (order[r.scheme], r.year))
    unlinked = {b.name: _alone(scenario, b, step) for b in markets}
    return Outcome(
        tuple(rows),
        {},
        unlinked,
        runs,
        {y: f"{stepped.link}; {reason}" for y, reason in stepped.why.items()},
        stepped.prices,
        stepped.flows,
        stepped.received,
        stepped.link,
        stepped.unchanged,
    )


def _why(link: str, reasons: Sequence[Mapping[int, str]]) -> dict[int, str]:
    """Each year's reason for its price: how the links let prices form, then each price's."""
    years = sorted({y for r in reasons for y in r})
    return {
        y: "; ".join([*([link] if link else []), *(r[y] for r in reasons if y in r)]) for y in years
    }


# ---- linked markets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cleared:
    """How linked markets' prices form: each part one price path shared by its schemes."""

    parts: tuple[tuple[Solver, dict[int, Decimal]], ...]
    unlinked: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)
    flows: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)
    received: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)
    link: str = ""


def _clear(
    scenario: Scenario, markets: Sequence[Bound], step: Callable[[], None] | None
) -> Cleared:
    """One price for joined markets, or each market alone when the one channel between two
    markets forbids what pooling would need, or alone with the limit when it binds
    (runtime/simulate/links.py)."""
    assert scenario.prices is not None  # bind checked it
    joint = Solver(scenario, scenario.prices, markets, step)
    prices = joint.solve()
    if len(markets) == 1:
        return Cleared(((joint, prices),))
    unlinked = {b.name: _alone(scenario, b, step) for b in markets}
    positions = joint.positions(prices)
    flows = {n: net_imports(positions, n) for n in positions}
    joined = Cleared(((joint, prices),), unlinked, flows)
    channel = one_channel(markets[0].channels, [b.name for b in markets])
    if channel is None:
        return Cleared(joined.parts, unlinked, flows, link=_assumed(markets))
    source, target = channel.source, channel.target
    if any(bank < 0 for bank in positions[source].values()):
        return _apart(scenario, markets, step, unlinked, channel)
    if channel.credits_only:
        limit = _credits(next(b for b in markets if b.name == source), scenario)
        if any(held_abroad(positions, target, y) > total for y, total in cumulative(limit).items()):
            return _at_limit(scenario, markets, step, unlinked, channel, limit)
    units = "credits" if channel.credits_only else "units"
    note = (
        f"{target} may use {source}'s {units} ({channel.declared}); pooled, {units} move only "
        f"from {source} to {target}"
        + (", within the credits issued" if channel.credits_only else "")
        + ", so the markets share one price"
    )
    return Cleared(joined.parts, unlinked, flows, link=note)


def _assumed(markets: Sequence[Bound]) -> str:
    """For joined markets, how, when the scenario assumes a link (reported as such)."""
    channels = markets[0].channels
    if not any(c.assumed for c in channels):
        return ""
    names = ", ".join(b.name for b in markets)
    return f"{names} share one price ({'; '.join(sorted({c.declared for c in channels}))})"


def _alone(scenario: Scenario, b: Bound, step: Callable[[], None] | None) -> Mapping[int, Decimal]:
    assert scenario.prices is not None
    try:
        return Solver(scenario, scenario.prices, [b], step).solve()
    except SimulationError:
        return {}  # no price clears this market alone: shown blank


def _apart(
    scenario: Scenario,
    markets: Sequence[Bound],
    step: Callable[[], None] | None,
    unlinked: Mapping[str, Mapping[int, Decimal]],
    channel: Channel,
) -> Cleared:
    parts = _each_alone(scenario, markets, step)
    source, target = channel.source, channel.target
    note = (
        f"{target} may use {source}'s units ({channel.declared}), not the other way; pooled, "
        f"{source} would need {target}'s units, so each market clears alone and no units move"
    )
    zero = {n: dict.fromkeys(scenario.year_range, ZERO) for n in (source, target)}
    return Cleared(parts, unlinked, zero, link=note)


def _at_limit(
    scenario: Scenario,
    markets: Sequence[Bound],
    step: Callable[[], None] | None,
    unlinked: Mapping[str, Mapping[int, Decimal]],
    channel: Channel,
    limit: Mapping[int, Decimal],
) -> Cleared:
    assert scenario.prices is not None
    source, target = channel.source, channel.target
    total = cumulative(limit)
    received = {source: {y: -t for y, t in total.items()}, target: total}
    parts = _each_alone(scenario, markets, step, received)
    flows = {source: {y: -c for y, c in limit.items()}, target: dict(limit)}
    note = (
        f"only {source}'s credits move to {target} ({channel.declared}), at most the credits "
        f"{source} issues in a year; pooled, {target} would need more, so every year's credits "
        "move and each market clears with them"
    )
    return Cleared(parts, unlinked, flows, received, note)


def _each_alone(
    scenario: Scenario,
    markets: Sequence[Bound],
    step: Callable[[], None] | None,
    received: Mapping[str, Mapping[int, Decimal]] | None = None,
) -> tuple[tuple[Solver, dict[int, Decimal]], ...]:
    """Each market solved on its own (with the units it received over a link)."""
    assert scenario.prices is not None
    solvers = [Solver(scenario, scenario.prices, [b], step, received) for b in markets]
    return tuple((solver, solver.solve()) for solver in solvers)


def _credits(b: Bound, scenario: Scenario) -> dict[int, Decimal]:
    """The credits a scheme issues in each year (the scenario's `market.credits` input)."""
    assert b.market is not None and b.market.credits is not None  # bind checked it
    name = b.market.credits
    out = {}
    for year in scenario.year_range:
        value = b.rows[year].get(name)
        out[year] = value if isinstance(value, Decimal) else ZERO
    return out


def _rows(
    b: Bound,
    run: SystemRun,
    scenario: Scenario,
    prices: Mapping[int, Decimal],
    solver: Solver | None = None,
    banks: Mapping[int, Decimal] | None = None,
) -> list[YearRow]:
    out = []
    for year in scenario.year_range:
        values = {n: given_in(run, year, n, b.name) for n in b.level.inputs}
        values.update({n: given_in(run, year, n, b.name) for n in b.level.values})
        if solver is None or year not in prices:
            out.append(YearRow(b.name, year, values))
            continue
        bank = banks[year] if banks else ZERO
        out.append(solver.row(b, run, year, prices[year], values, bank))
    return out
