"""Sweeps of a scheme with a system level: inflation and price escalators as varied values.

    grid = parse_grid(compiled, ["cpi=2%,3%", "rising[ceiling]=5%,7%"])
    outcome = system_sweep(compiled, grid, dataset, rows)      # rows: the system data by year
    outcome.scenarios[0].prices          # (("ceiling[2021]", "65"), ("ceiling[2022]", "69.55"), …)

Each scenario is one run of `etsl run --system-data` (runtime/run.py run_with_system: the
columnar engine evaluates the system level, or says why the reference engine does) on the
scheme with the scenario's values: a varied system input takes its value in every year
(runtime/sweep/grid.py system_rows), a varied escalator replaces the price path's rate. The
scenario reports the summary's totals and every price in every year the data has (the
years of the system data and the years participant rows read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from etsl.compiler import program as ir
from etsl.compiler.driver import CompiledScheme
from etsl.runtime.records import Dataset
from etsl.runtime.reference.expressions import Fault, Upstream
from etsl.runtime.results.model import EvaluationError, RunOptions
from etsl.runtime.results.system import cell_text
from etsl.runtime.sweep.grid import Grid, system_rows, variant


def system_sweep(
    compiled: CompiledScheme,
    grid: Grid,
    dataset: Dataset,
    rows: Mapping[int, Mapping[str, Any]],
    period: str | None = None,
    engine: str = "columnar",
) -> Any:
    """Every scenario run with its system data (a SweepOutcome; see the module docstring)."""
    from etsl.runtime.run import run_with_system
    from etsl.runtime.sweep.evaluate import Scenario, SweepOutcome

    program = compiled.program
    years = report_years(program, dataset, rows)
    scenarios, errors, notices, engines = [], [], [], set()
    for index, combination in enumerate(grid.combinations()):
        assignment = {
            v.target: v.values[i] for v, i in zip(grid.variables, combination, strict=True)
        }
        scheme = variant(compiled, assignment)
        data = system_rows(program, rows, years, assignment)
        outcome = run_with_system(scheme, dataset, data, engine, RunOptions(period=period))
        assert outcome.results is not None
        texts = tuple(v.texts[i] for v, i in zip(grid.variables, combination, strict=True))
        prices = price_cells(outcome.system, years)
        scenarios.append(Scenario(index, texts, outcome.results.summary(), prices))
        errors += list(outcome.results.errors) + _price_errors(outcome.system, years)
        notices += [n for n in outcome.notices if n not in notices]
        engines.add(outcome.results.engine)
    shown = engines.pop() if len(engines) == 1 else "columnar and reference"
    return SweepOutcome(
        compiled.name, shown, grid.variables, tuple(scenarios), tuple(errors), notices=notices
    )


def has_system_targets(grid: Grid) -> bool:
    return any(v.target.system for v in grid.variables)


def report_years(
    program: ir.Program, dataset: Dataset, rows: Mapping[int, Mapping[str, Any]]
) -> list[int]:
    """The years of the system data and the years participant rows read."""
    from etsl.compiler.system import row_year  # a compiler pass: it imports the AST

    read = {row_year(program, r.period, r.year) for r in dataset.records}
    return sorted({*rows, *(y for y in read if y is not None)})


def price_cells(system: Any, years: Sequence[int]) -> tuple[tuple[str, str], ...]:
    """`(PRICE[YEAR], value)` for every price path and year ("" where it has no value)."""
    if system is None:
        return ()
    level = system.level
    paths = [n for n, r in level.program.rules.items() if isinstance(r.expr, ir.PricePath)]
    return tuple(
        (f"{name}[{year}]", _price_text(system, year, name, level.program.unit_of(name)))
        for name in paths
        for year in years
    )


def _price_text(system: Any, year: int, name: str, unit: str) -> str:
    try:
        return cell_text(system.value(year, name), unit)
    except (Fault, Upstream, KeyError):
        return ""


def _price_errors(system: Any, years: Sequence[int]) -> list[EvaluationError]:
    """Why a price of a reported year has no value (once per scenario and year)."""
    if system is None:
        return []
    found: list[EvaluationError] = []
    for year in years:
        result = system.result(year)
        paths = {
            n for n, r in system.level.program.rules.items() if isinstance(r.expr, ir.PricePath)
        }
        found += [e for e in result.errors if e.rule in paths]
    return found
