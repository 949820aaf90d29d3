"""Sweeps over scenario values: one simulation per combination of `--vary` values.

    grid = parse_varies(["prices.discount_rate=0.05,0.10", "scheme.eu_ets.inputs.issued.2027=9e8,1e9"])
    for values in grid.combinations(): …      # {"prices.discount_rate": Decimal("0.05"), …}

The grid is `etsl sweep`'s: `KEY=V1,V2,…` per option, every combination, at most
MAX_SCENARIOS (runtime/sweep/grid.py). A key is a dotted path into the scenario file; a
year of a table by year is its last part. Each combination is the scenario with those
values set, validated again, so a value that does not fit is located like any scenario
problem.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from etsl.compiler.driver import CompiledScheme
from etsl.runtime.data.checks import DataProblem
from etsl.runtime.simulate.bind import Bound, bind_compiled
from etsl.runtime.simulate.report import Report
from etsl.runtime.simulate.scenario import Scenario, load_scenario
from etsl.runtime.simulate.solve import SimulationError, simulate
from etsl.runtime.sweep.grid import MAX_SCENARIOS


@dataclass(frozen=True)
class Varied:
    key: str
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class ScenarioGrid:
    varied: tuple[Varied, ...]

    def combinations(self) -> list[dict[str, Decimal]]:
        """Every combination of the values, the first key varying slowest."""
        keys = [v.key for v in self.varied]
        return [
            dict(zip(keys, values, strict=True))
            for values in itertools.product(*(v.values for v in self.varied))
        ]


def parse_varies(texts: Sequence[str]) -> ScenarioGrid | str:
    """The grid of `KEY=V1,V2,…` options, or why not."""
    varied: list[Varied] = []
    for text in texts:
        key, equals, values = text.partition("=")
        key = key.strip()
        if not equals or not key:
            return f"'{text}' is not KEY=V1,V2,… (e.g. prices.discount_rate=0.05,0.1)"
        if any(v.key == key for v in varied):
            return f"'{key}' is varied twice"
        numbers = []
        for value in (v.strip() for v in values.split(",") if v.strip()):
            try:
                number = Decimal(value.replace("_", ""))
            except InvalidOperation:
                return f"'{value}' (for {key}) is not a number"
            if not number.is_finite():
                return f"'{value}' (for {key}) is not a number"
            numbers.append(number)
        if not numbers:
            return f"no values for '{key}'"
        varied.append(Varied(key, tuple(numbers)))
    grid = ScenarioGrid(tuple(varied))
    count = len(grid.combinations())
    if count > MAX_SCENARIOS:
        return f"{count:,} scenarios; at most {MAX_SCENARIOS:,} in one sweep"
    return grid


def sweep_table(
    path: Path,
    grid: ScenarioGrid,
    schemes: Mapping[str, CompiledScheme],
    step: Callable[[int, int], None] | None = None,
) -> tuple[list[list[str]] | None, list[DataProblem]]:
    """One row per combination: the values varied, the price of every year (and, for linked
    markets, each market's, which differ when the links keep them apart), the bank at the
    end of the last year (summed over the markets), and why a combination has no price
    (`error`). A combination whose scenario does not fit stops the sweep."""
    combinations = grid.combinations()
    rows: list[list[str]] = []
    years: list[int] = []
    linked: list[str] = []
    for index, values in enumerate(combinations):
        scenario, problems = load_scenario(path, values)
        if scenario is None:
            return None, problems
        bound, problems = bind_compiled(scenario, schemes, str(path))
        if problems:
            return None, problems
        years = list(scenario.year_range)
        markets = [b.name for b in bound if b.market]
        linked = markets if len(markets) > 1 else []
        cells = _outcome_cells(scenario, bound, linked)
        rows.append([*(str(v) for v in values.values()), *cells])
        if step is not None:
            step(index + 1, len(combinations))
    header = [v.key for v in grid.varied]
    header += [f"price.{y}" for y in years]
    header += [f"{name}.price.{y}" for name in linked for y in years]
    header += [f"bank.{years[-1]}" if years else "bank", "error"]
    return [header, *rows], []


def _outcome_cells(scenario: Scenario, bound: Sequence[Bound], linked: Sequence[str]) -> list[str]:
    years = list(scenario.year_range)
    try:
        outcome = simulate(scenario, bound)
    except SimulationError as failure:
        return [""] * (len(years) * (1 + len(linked)) + 1) + [failure.message]
    report = Report.of(scenario, bound, outcome)
    positions = report.positions()
    bank = sum((p[years[-1]] for p in positions.values()), Decimal(0))
    paths = [outcome.prices, *(outcome.own.get(name, {}) for name in linked)]
    prices = [f"{path[y]:f}" if y in path else "" for path in paths for y in years]
    return [*prices, f"{bank:f}" if positions else "", ""]
