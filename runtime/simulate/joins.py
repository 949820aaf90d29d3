"""Links that start or end inside the simulated horizon: markets that join, or part, in a year.

    stepped = clear_in_steps(scenario, markets, step)
    stepped.prices["quebec"][2027]        # the common price once Washington has joined

The links of the first year, and of each year they change (`Bound.timeline`), split the
horizon into steps. In each step the markets joined by links (two ways between every pair:
runtime/simulate/bind.py checks it) share one price and one bank; the others clear alone.

**The change is not anticipated.** Each step is solved as if its links held to the end of
the horizon: the first step's groups over the whole horizon (so before the first change
every market's price is exactly the price its group would have without the change), each
later step from its first year, with the prices of the years before it fixed. The banks the
markets carry into a step are those the earlier prices left them: a Hotelling path starts
afresh from the step's first year, with those banks pooled (docs/simulate.md, "Links that
start inside the horizon").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from etsl.runtime.simulate.bind import Bound
from etsl.runtime.simulate.links import Timeline, groups, held_abroad, net_imports
from etsl.runtime.simulate.scenario import Scenario
from etsl.runtime.simulate.solver import Solver

ZERO = Decimal(0)


@dataclass(frozen=True)
class Stepped:
    """The markets' prices when links change inside the horizon."""

    prices: Mapping[str, Mapping[int, Decimal]]  # each market's price, the prices' currency
    solvers: Mapping[tuple[str, int], Solver]  # the solver of a market's group in a year
    banks: Mapping[tuple[str, int], Decimal]  # the bank of a market's group at a year's end
    flows: Mapping[str, Mapping[int, Decimal]]  # units taken in (negative: given) by year
    why: Mapping[int, str]  # why each year's prices are what they are
    unchanged: Mapping[str, Mapping[int, Decimal]]  # the prices had the first links held
    link: str  # how the links change, in words
    # units each market received over links that ended, by the end of each later year
    received: Mapping[str, Mapping[int, Decimal]]


def clear_in_steps(
    scenario: Scenario, markets: Sequence[Bound], step: Callable[[], None] | None
) -> Stepped:
    """The price paths of markets whose links change inside the horizon (module docstring)."""
    assert scenario.prices is not None
    steps = markets[0].timeline
    names = [b.name for b in markets]
    ends = [year for year, _ in steps[1:]] + [scenario.years[1] + 1]
    fixed: dict[str, dict[int, Decimal]] = {n: {} for n in names}
    solvers: dict[tuple[str, int], Solver] = {}
    banks: dict[tuple[str, int], Decimal] = {}
    flows: dict[str, dict[int, Decimal]] = {n: {} for n in names}
    received: dict[str, dict[int, Decimal]] = {n: {} for n in names}
    why: dict[int, list[str]] = {}
    unchanged: dict[str, dict[int, Decimal]] = {}
    for (start, channels), end in zip(steps, ends, strict=True):
        parts = groups(channels, names)
        for group in parts:
            members = [b for b in markets if b.name in group]
            before = {n: fixed[n] for n in group}
            got = {n: received[n] for n in group}
            solver = Solver(scenario, scenario.prices, members, step, got, before)
            path = solver.solve()
            total = solver.banks(path)
            reasons = solver.why(path, total)
            positions = solver.positions(path)
            if start == scenario.years[0]:
                unchanged.update({n: dict(path) for n in group})
            carried = _carried(solver, members, start) if start != scenario.years[0] else ""
            for year in range(start, end):
                reason = reasons[year] if year != start else carried + reasons[year]
                label = f"{', '.join(group)}: " if len(parts) > 1 else ""
                why.setdefault(year, []).append(label + reason)
            within = {n: {y: p[y] for y in range(start, end)} for n, p in positions.items()}
            moved = {n: net_imports(within, n) for n in group}
            for n in group:  # units that moved stay where they went when the markets part
                kept = held_abroad(within, n, end - 1) if len(group) > 1 else ZERO
                for year in range(end, scenario.years[1] + 1) if kept else ():
                    received[n][year] = received[n].get(year, ZERO) + kept
            for n in group:
                for year in range(start, end):
                    fixed[n][year] = path[year]
                    solvers[(n, year)] = solver
                    banks[(n, year)] = total[year]
                    flows[n][year] = moved[n][year] if len(group) > 1 else ZERO
    return Stepped(
        fixed,
        solvers,
        banks,
        flows,
        {y: "; ".join(reasons) for y, reasons in why.items()},
        unchanged,
        described(steps, names),
        {n: got for n, got in received.items() if got},
    )


def _carried(solver: Solver, members: Sequence[Bound], start: int) -> str:
    """The banks the markets carry into the first year of a step (banking across a join)."""
    assert solver.before
    runs = solver.runs({})
    held = []
    for b in members:
        assert b.market is not None
        value = runs[b.name].value(start - 1, b.market.bank)
        assert isinstance(value, Decimal)
        value += solver.received.get(b.name, {}).get(start - 1, ZERO)
        held.append(f"{b.name} {value:,} t")
    return (
        f"the banks carried into {start} from the prices before it: {', '.join(held)}; "
        f"from {start} "
    )


def described(steps: Timeline, names: Sequence[str]) -> str:
    """How the markets are grouped in each step, in words (with where each link is declared)."""
    out = []
    for start, channels in steps:
        parts = groups(channels, names)
        shown = " and ".join(_group(g) for g in parts)
        declared = sorted({c.declared for c in channels})
        out.append(f"from {start} {shown}" + (f" ({'; '.join(declared)})" if declared else ""))
    return (
        "; ".join(out) + "; each change is not anticipated: before it, prices are those the "
        "markets would have without it, and the banks they leave carry across it"
    )


def _group(names: Sequence[str]) -> str:
    if len(names) == 1:
        return f"{names[0]} clears alone"
    return f"{', '.join(names)} share one price"
