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
    steps = markets[0].timeline
    names = [b.name for b in markets]
    ends = [year for year, _ in steps[1:]] + [scenario.years[1] + 1]
    state = _State(scenario, names)
    for (start, channels), end in zip(steps, ends, strict=True):
        parts = groups(channels, names)
        for group in parts:
            members = [b for b in markets if b.name in group]
            state.solve(members, range(start, end), step, labelled=len(parts) > 1)
    return Stepped(
        state.fixed,
        state.solvers,
        state.banks,
        state.flows,
        {y: "; ".join(reasons) for y, reasons in state.why.items()},
        state.unchanged,
        described(steps, names),
        {n: got for n, got in state.received.items() if got},
    )


class _State:
    """What the steps solved so far leave: prices, banks, flows, units kept, reasons."""

    def __init__(self, scenario: Scenario, names: Sequence[str]) -> None:
        self.scenario = scenario
        self.fixed: dict[str, dict[int, Decimal]] = {n: {} for n in names}
        self.solvers: dict[tuple[str, int], Solver] = {}
        self.banks: dict[tuple[str, int], Decimal] = {}
        self.flows: dict[str, dict[int, Decimal]] = {n: {} for n in names}
        self.received: dict[str, dict[int, Decimal]] = {n: {} for n in names}
        self.why: dict[int, list[str]] = {}
        self.unchanged: dict[str, dict[int, Decimal]] = {}

    def solve(
        self,
        members: Sequence[Bound],
        years: range,
        step: Callable[[], None] | None,
        labelled: bool,
    ) -> None:
        """Solve one group of markets from the first of `years` to the horizon's end and
        keep what it gives for `years` (the step)."""
        assert self.scenario.prices is not None
        names = [b.name for b in members]
        before = {n: self.fixed[n] for n in names}
        got = {n: self.received[n] for n in names}
        solver = Solver(self.scenario, self.scenario.prices, members, step, got, before)
        path = solver.solve()
        total = solver.banks(path)
        first = years[0] == self.scenario.years[0]
        if first:
            self.unchanged.update({n: dict(path) for n in names})
        self._reasons(solver, path, total, years, labelled, "" if first else _carried(solver))
        self._moves(names, solver.positions(path), years)
        for n in names:
            for year in years:
                self.fixed[n][year] = path[year]
                self.solvers[(n, year)] = solver
                self.banks[(n, year)] = total[year]

    def _reasons(
        self,
        solver: Solver,
        path: Mapping[int, Decimal],
        total: Mapping[int, Decimal],
        years: range,
        labelled: bool,
        carried: str,
    ) -> None:
        reasons = solver.why(path, total)
        label = f"{', '.join(b.name for b in solver.bound)}: " if labelled else ""
        for year in years:
            lead = carried if year == years[0] else ""
            self.why.setdefault(year, []).append(label + lead + reasons[year])

    def _moves(
        self, names: Sequence[str], positions: Mapping[str, Mapping[int, Decimal]], years: range
    ) -> None:
        """The units a joined group moves in the step; they stay where they went after it."""
        within = {n: {y: p[y] for y in years} for n, p in positions.items()}
        for n in names:
            moved = net_imports(within, n) if len(names) > 1 else dict.fromkeys(years, ZERO)
            self.flows[n].update(moved)
            kept = held_abroad(within, n, years[-1]) if len(names) > 1 else ZERO
            for year in range(years[-1] + 1, self.scenario.years[1] + 1) if kept else ():
                self.received[n][year] = self.received[n].get(year, ZERO) + kept


def _carried(solver: Solver) -> str:
    """The banks the markets carry into the first year of a step (banking across a join)."""
    start = solver.years[0]
    runs = solver.runs({})
    held = []
    for b in solver.bound:
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
