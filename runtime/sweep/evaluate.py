"""Scenario sweeps: every combination of varied values, evaluated in one columnar query.

    grid = parse_grid(compiled, ["coverage_threshold=1000 kL_oe/yr,1500 kL_oe/yr",
                                 "reduction_factor[office,first]=8%,10%"])
    outcome = sweep_file(compiled, grid, Path("facilities.csv"), {}, None)
    outcome.scenarios[0].summary.total_shortfall         # Decimal('4434')

What can vary: a parameter (`NAME`), a table cell (`TABLE[ROW,COLUMN]`, `TABLE[KEY]` for a
one-dimensional table) and the `up to` limit of a surrender clause (`limit[UNIT,…]`, the
accept or limit clause naming exactly those unit types). The scenarios form a table that
is cross-joined with the participants, so the sweep is one query; it joins the varied
values one at a time, each where the first value reading it is computed
(runtime/columnar/sql/compile.py), and its rows are never stored: one grouped pass gives
per scenario the totals of `etsl run`'s summary and the rows that failed. Rows that cannot
be computed in a scenario (division by zero, …) are evaluated by the reference engine on
the scheme with that scenario's values, and count as errors as in `etsl run`. Schemes or data the columnar
engine cannot handle are swept with the reference engine, one scenario at a time.

Parsing the grid and building one scenario's scheme are in runtime/sweep/grid.py (its public
names are importable from here too). A sweep of a system input (`cpi`, inflation) or of a
price path's escalator (`rising[ceiling]`), or of a scheme whose participant values read
system values, runs one scenario at a time with its system data (runtime/sweep/system.py);
its scenarios also show every price in every year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.compiler.driver import CompiledScheme
from etsl.compiler.enums import AMOUNT_KINDS
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.columnar.sql.types import (
    FAILED,
    PARTICIPANT,
    PERIOD,
    SCENARIO,
    Num,
    ScenarioLayout,
    cast,
    cell_column,
    common,
    digits_of,
    limit_column,
    param_column,
    scale_of,
)
from etsl.runtime.records import Dataset, Record
from etsl.runtime.results.model import (
    EvaluationError,
    ParticipantResult,
    Results,
    RunOptions,
)
from etsl.runtime.results.summary import Summary, Tally, Totals
from etsl.runtime.sweep.grid import (
    MAX_SCENARIOS,
    Grid,
    GridError,
    Target,
    Variable,
    parse_grid,
    parse_target,
    parse_value,
    parse_vary,
    variant,
)
from sqlglot import exp

SCENARIOS = "etsl_scenarios"
BASE_METRICS = (
    "total_cap",
    "total_target",
    "total_obligation",
    "total_shortfall",
    "total_surplus",
    "non_compliant",
    "participants_covered",
    "errors",
)


# ---- running a sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    index: int
    values: tuple[str, ...]  # as written, one per variable
    summary: Summary
    prices: tuple[tuple[str, str], ...] = ()  # (PRICE[YEAR], value) with a system level


@dataclass(frozen=True)
class SweepOutcome:
    scheme: str
    engine: str
    variables: tuple[Variable, ...]
    scenarios: tuple[Scenario, ...]
    errors: tuple[EvaluationError, ...] = ()
    fallback: columnar.Fallback | None = None
    notices: Sequence[str] = ()  # why the reference engine ran scenarios (system sweeps)


def scenario_layout(grid: Grid) -> ScenarioLayout:
    shapes = {
        v.target: common(*(Num(digits_of(x), scale_of(x)) for x in v.values))
        for v in grid.variables
    }
    return ScenarioLayout(
        SCENARIOS,
        params={t.name: n for t, n in shapes.items() if t.kind == "param"},
        cells={(t.name, t.keys): n for t, n in shapes.items() if t.kind == "cell"},
        limits={t.keys: n for t, n in shapes.items() if t.kind == "limit"},
    )


def store_scenarios(connection: Any, grid: Grid, layout: ScenarioLayout) -> None:
    """The scenario table: `$scenario` and one exact DECIMAL column per variable, unnested
    from lists passed as parameters (no pyarrow: importing it and pandas was a second of a
    sweep's start)."""
    combinations = grid.combinations()
    shapes = _shapes(layout)

    def unnested() -> exp.Expr:
        return exp.Unnest(expressions=[exp.Placeholder()])

    selected = [exp.alias_(unnested(), SCENARIO, quoted=True)]
    parameters: list[list[Any]] = [list(range(len(combinations)))]
    for position, variable in enumerate(grid.variables):
        name = variable.target.column
        selected.append(exp.alias_(cast(unnested(), shapes[name].sql_type()), name, quoted=True))
        parameters.append([f"{variable.values[c[position]]:f}" for c in combinations])
    statement = columnar.create_table(SCENARIOS, exp.select(*selected))
    connection.execute(columnar.sql_of(statement), parameters)


def _shapes(layout: ScenarioLayout) -> dict[str, Num]:
    shapes = {param_column(n): num for n, num in layout.params.items()}
    shapes.update({cell_column(t, k): num for (t, k), num in layout.cells.items()})
    shapes.update({limit_column(u): num for u, num in layout.limits.items()})
    return shapes


def sweep_file(
    compiled: CompiledScheme,
    grid: Grid,
    participants: Path,
    mapping: Mapping[str, str],
    period: str | None,
) -> SweepOutcome | columnar.Fallback:
    """A sweep over a CSV or Parquet participant table read by DuckDB."""
    reason = columnar.static_fallback(compiled)
    if reason is not None:
        return reason
    connection = columnar.connect()
    source = columnar.file_source(connection, compiled, participants, mapping, False, period)
    if isinstance(source, columnar.Fallback):
        return source
    evaluation = _evaluate(connection, compiled, grid, source, period)
    if isinstance(evaluation, columnar.Fallback):
        return evaluation

    def records() -> tuple[Record, ...]:
        from etsl.runtime.data.load import load_dataset

        dataset, _ = load_dataset(participants, compiled, mapping=dict(mapping), period=period)
        assert dataset is not None
        found: tuple[Record, ...] = dataset.records
        return found

    return _outcome(evaluation, grid, records, period)


def sweep_dataset(
    compiled: CompiledScheme, grid: Grid, dataset: Dataset, period: str | None
) -> SweepOutcome:
    """A sweep over records already read; the reference engine per scenario if need be."""
    outcome = _columnar_sweep(compiled, grid, dataset, period)
    if isinstance(outcome, SweepOutcome):
        return outcome
    return reference_sweep(compiled, grid, dataset, period, outcome)


def _columnar_sweep(
    compiled: CompiledScheme, grid: Grid, dataset: Dataset, period: str | None
) -> SweepOutcome | columnar.Fallback:
    reason = columnar.static_fallback(compiled)
    if reason is not None:
        return reason
    connection = columnar.connect()
    source = columnar.dataset_source(connection, compiled, dataset, RunOptions(period=period))
    if isinstance(source, columnar.Fallback):
        return source
    evaluation = _evaluate(connection, compiled, grid, source, None)
    if isinstance(evaluation, columnar.Fallback):
        return evaluation
    return _outcome(evaluation, grid, lambda: source.records, period)


def _evaluate(
    connection: Any,
    compiled: CompiledScheme,
    grid: Grid,
    source: columnar.Source,
    period: str | None,
) -> columnar.Evaluation | columnar.Fallback:
    layout = scenario_layout(grid)
    store_scenarios(connection, grid, layout)
    return columnar.evaluate(connection, compiled, source, period, scenario=layout)


def reference_sweep(
    compiled: CompiledScheme,
    grid: Grid,
    dataset: Dataset,
    period: str | None,
    reason: columnar.Fallback | None = None,
) -> SweepOutcome:
    """Every scenario evaluated by the reference engine on the scheme with its values."""
    from etsl.runtime.reference.sequence import run as reference_run

    scenarios, errors = [], []
    for index, combination in enumerate(grid.combinations()):
        scheme = variant(compiled, _assignment(grid, combination))
        results = reference_run(scheme, dataset, RunOptions(period=period))
        scenarios.append(Scenario(index, _texts(grid, combination), results.summary()))
        errors += list(results.errors)
    return SweepOutcome(
        compiled.name, "reference", grid.variables, tuple(scenarios), tuple(errors), reason
    )


def _assignment(grid: Grid, combination: Sequence[int]) -> dict[Target, Decimal]:
    return {v.target: v.values[i] for v, i in zip(grid.variables, combination, strict=True)}


def _texts(grid: Grid, combination: Sequence[int]) -> tuple[str, ...]:
    return tuple(v.texts[i] for v, i in zip(grid.variables, combination, strict=True))


# ---- totals per scenario ----------------------------------------------------------------------


def _outcome(
    evaluation: columnar.Evaluation, grid: Grid, records: Any, period: str | None
) -> SweepOutcome | columnar.Fallback:
    """Per-scenario totals: SQL over computed rows, plus the reference engine's results
    for rows that failed (on the scheme with that scenario's values)."""
    grouped = _grouped(evaluation)
    if isinstance(grouped, columnar.Fallback):
        return grouped
    totals, failed = grouped
    patched = _patch(evaluation, grid, records, period, failed)
    scenarios = []
    for index, combination in enumerate(grid.combinations()):
        rows = patched.get(index, [])
        scenarios.append(
            Scenario(
                index, _texts(grid, combination), _summary(evaluation, totals.get(index), rows)
            )
        )
    errors = tuple(e for rows in patched.values() for r in rows for e in r.errors)
    return SweepOutcome(
        evaluation.compiled.name, columnar.ENGINE, grid.variables, tuple(scenarios), errors
    )


FailedRows = dict[int, set[tuple[str, str | None]]]  # scenario -> (participant, period)


def _patch(
    evaluation: columnar.Evaluation,
    grid: Grid,
    records: Any,
    period: str | None,
    failed: FailedRows,
) -> dict[int, list[ParticipantResult]]:
    from etsl.runtime.reference.sequence import run as reference_run

    if not failed:
        return {}
    every = records()
    combinations = grid.combinations()
    patched: dict[int, list[ParticipantResult]] = {}
    for index in sorted(failed):
        chosen = [r for r in every if (r.participant, r.period) in failed[index]]
        scheme = variant(evaluation.compiled, _assignment(grid, combinations[index]))
        results = reference_run(scheme, Dataset(tuple(chosen)), RunOptions(period=period))
        patched[index] = list(results.rows)
    return patched


def _grouped(
    evaluation: columnar.Evaluation,
) -> tuple[dict[int, Totals], FailedRows] | columnar.Fallback:
    """One pass over RESULTS (a view: the rows are never stored): per scenario, the
    summary's aggregates of computed rows and the keys of the rows that failed."""
    from etsl.runtime.columnar.results import aggregates, totals_of

    failed = columnar.column(FAILED)
    computed = exp.Where(this=exp.not_(failed.copy()))
    selected = [
        exp.alias_(exp.Filter(this=a.this, expression=computed.copy()), a.alias, quoted=True)
        for a in aggregates(evaluation)
    ]
    for key in (PARTICIPANT, PERIOD):
        listed = exp.Filter(
            this=exp.ArrayAgg(this=columnar.column(key)), expression=exp.Where(this=failed.copy())
        )
        selected.append(exp.alias_(listed, f"failed:{key}", quoted=True))
    scenario = columnar.column(SCENARIO)
    select = (
        exp.select(scenario, *selected)
        .from_(exp.Table(this=columnar.quoted(columnar.RESULTS)))
        .group_by(scenario.copy())
    )
    cursor = columnar.guarded(
        evaluation.connection,
        evaluation.query,
        lambda: evaluation.connection.execute(columnar.sql_of(select)),
    )
    if isinstance(cursor, columnar.Fallback):
        return cursor
    names = [d[0] for d in cursor.description]
    totals: dict[int, Totals] = {}
    failures: FailedRows = {}
    for row in cursor.fetchall():
        stats = dict(zip(names, row, strict=True))
        index = int(row[0])
        if stats["rows"]:
            totals[index] = totals_of(evaluation, stats)
        if stats[f"failed:{PARTICIPANT}"]:
            keys = zip(stats[f"failed:{PARTICIPANT}"], stats[f"failed:{PERIOD}"], strict=True)
            failures[index] = {(str(p), q) for p, q in keys}
    return totals, failures


def _summary(
    evaluation: columnar.Evaluation, totals: Totals | None, patched: Sequence[ParticipantResult]
) -> Summary:
    tally = Tally(evaluation.program.rule_names, None, evaluation.program.ranged_kinds)
    tally.add_rows(patched)
    if totals is not None:
        tally.add_totals(totals)
    return tally.summary()


# ---- reporting ------------------------------------------------------------------------------------


def metric_names(compiled: CompiledScheme) -> list[str]:
    kinds = [c.kind for p in compiled.program.penalties for c in p.consequences]
    names = list(BASE_METRICS)
    for kind in dict.fromkeys(kinds):
        names += [kind, f"{kind}_count"] if kind in AMOUNT_KINDS else [f"{kind}_count"]
    return names


def metric(summary: Summary, name: str) -> Decimal | None:
    """One number of a scenario's summary (None: the scheme has no such value)."""
    if name.endswith("_count"):
        found = summary.consequences.get(name.removesuffix("_count"))
        return Decimal(found.count if found else 0)
    if name in AMOUNT_KINDS:
        found = summary.consequences.get(name)
        return found.amount if found else Decimal(0)
    value = getattr(summary, name)
    return None if value is None else Decimal(value)


def table_rows(outcome: SweepOutcome, metrics: Sequence[str]) -> list[dict[str, str]]:
    from etsl.runtime.results.model import plain

    rows = []
    for scenario in outcome.scenarios:
        row = {"scenario": str(scenario.index + 1), "rows": str(scenario.summary.rows)}
        row.update(
            {v.target.label: t for v, t in zip(outcome.variables, scenario.values, strict=True)}
        )
        for name in metrics:
            value = metric(scenario.summary, name)
            row[name] = "" if value is None else str(plain(value))
        row.update(dict(scenario.prices))
        rows.append(row)
    return rows


def shown_metrics(outcome: SweepOutcome, metric_list: Sequence[str]) -> list[str]:
    """The metrics a scheme has values for (no total_target without targets, …)."""
    return [
        m for m in metric_list if any(metric(s.summary, m) is not None for s in outcome.scenarios)
    ]


def write_table(outcome: SweepOutcome, path: Path, raw_csv: bool = False) -> None:
    """One row per scenario to CSV (compiler/spreadsheet.py), or a JSON document, atomically."""
    import json

    from etsl.compiler.files import atomic_open, write_text
    from etsl.compiler.spreadsheet import write_rows

    metrics = shown_metrics(outcome, _all_metrics(outcome))
    rows = table_rows(outcome, metrics)
    if path.suffix.lower() == ".json":
        document = {
            "format": "etsl.sweep/1",
            "scheme": outcome.scheme,
            "engine": outcome.engine,
            "varied": [v.target.label for v in outcome.variables],
            "scenarios": rows,
        }
        write_text(path, json.dumps(document, indent=2) + "\n")
        return
    header = list(rows[0])
    with atomic_open(path) as stream:
        write_rows(stream, [header, *([row[c] for c in header] for row in rows)], raw_csv)


def _all_metrics(outcome: SweepOutcome) -> list[str]:
    kinds = list(dict.fromkeys(k for s in outcome.scenarios for k in s.summary.consequences))
    extra = []
    for kind in kinds:
        extra += [kind, f"{kind}_count"] if kind in AMOUNT_KINDS else [f"{kind}_count"]
    return [*BASE_METRICS, *extra]


def rich_table(outcome: SweepOutcome, limit: int | None = None) -> Any:
    """The scenarios as a console table (the first `limit` of them, when given)."""
    from rich.table import Table

    metrics = shown_metrics(outcome, _all_metrics(outcome))
    rows = table_rows(replace(outcome, scenarios=outcome.scenarios[:limit]), metrics)
    table = Table(
        title=f"{outcome.scheme}: {len(outcome.scenarios)} scenario(s) ({outcome.engine} engine)",
        title_justify="left",
    )
    varied = [v.target.label for v in outcome.variables]
    for name in rows[0]:
        # a varied name keeps its [key] whole (two cells of one table differ only there);
        # other headers fold rather than lose their end
        table.add_column(
            name,
            justify="left" if name in varied else "right",
            min_width=len(name) if name in varied else None,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*row.values())
    return table


def chart_lines(outcome: SweepOutcome, metric_name: str) -> list[tuple[str, list[Decimal | None]]]:
    """One metric per scenario as chart lines: the x axis lists the values of the first
    varied name; each combination of the others is one (label, values) line."""
    variables = outcome.variables
    series: dict[tuple[str, ...], list[Decimal | None]] = {}
    for scenario in outcome.scenarios:
        series.setdefault(scenario.values[1:], []).append(metric(scenario.summary, metric_name))
    return [
        (
            ", ".join(f"{v.target.label} = {t}" for v, t in zip(variables[1:], key, strict=True)),
            values,
        )
        for key, values in series.items()
    ]


__all__ = [
    "Grid",
    "GridError",
    "MAX_SCENARIOS",
    "Results",
    "SweepOutcome",
    "Target",
    "Variable",
    "parse_grid",
    "parse_target",
    "parse_value",
    "parse_vary",
    "reference_sweep",
    "sweep_dataset",
    "sweep_file",
    "variant",
    "chart_lines",
    "write_table",
]
