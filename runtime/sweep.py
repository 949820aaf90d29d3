"""Scenario sweeps: every combination of varied values, evaluated in one columnar query.

    grid = parse_grid(compiled, ["coverage_threshold=1000 kL_oe/yr,1500 kL_oe/yr",
                                 "reduction_factor[office,first]=8%,10%"])
    outcome = sweep_file(compiled, grid, Path("facilities.csv"), {}, None)
    outcome.scenarios[0].summary.total_shortfall         # Decimal('4434')

What can vary: a parameter (`NAME`), a table cell (`TABLE[ROW,COLUMN]`, `TABLE[KEY]` for a
one-dimensional table) and the `up to` limit of a surrender clause (`limit[UNIT,…]`, the
accept or limit clause naming exactly those unit types). The scenarios form a table that
is cross-joined with the participants, so the sweep is one query; per scenario the totals
of `etsl run`'s summary are computed in SQL. Rows that cannot be computed in a scenario
(division by zero, …) are evaluated by the reference engine on the scheme with that
scenario's values, and count as errors as in `etsl run`. Schemes or data the columnar
engine cannot handle are swept with the reference engine, one scenario at a time.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from etsl.compiler import ast
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.types import Quant
from etsl.compiler.units import CO2E, UnknownUnit, dims_name, parse_unit
from etsl.runtime import columnar
from etsl.runtime import sql_compile as sc
from etsl.runtime.arith import CONTEXT
from etsl.runtime.records import Dataset, Record
from etsl.runtime.results import (
    AMOUNT_KINDS,
    EvaluationError,
    KindTotal,
    ParticipantResult,
    Results,
    RunOptions,
    Summary,
)
from sqlglot import exp

SCENARIOS = "etsl_scenarios"
MAX_SCENARIOS = 10_000
_NAME = re.compile(r"^\s*(?P<name>[A-Za-z_]\w*)\s*(\[(?P<keys>[^\]]*)\])?\s*$")
_VALUE = re.compile(r"^\s*(?P<number>[+-]?(\d+(\.\d*)?|\.\d+))\s*(?P<unit>[A-Za-z%_][\w/%]*)?\s*$")
BASE_METRICS = ("total_cap", "total_target", "total_obligation", "total_shortfall",
                "total_surplus", "non_compliant", "participants_covered", "errors")


# ---- what varies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A value a sweep can vary."""

    kind: str  # param, cell or limit
    name: str  # parameter or table name; for limits the units joined by commas
    keys: tuple[str, ...]  # table keys, or the limit's unit types
    dims: tuple[tuple[str, int], ...]
    unit: str | None  # the unit values without one are read in

    @property
    def label(self) -> str:
        return self.name if self.kind == "param" else f"{self.name}[{','.join(self.keys)}]" \
            if self.kind == "cell" else f"limit[{','.join(self.keys)}]"

    @property
    def column(self) -> str:
        column: str = sc.param_column(self.name) if self.kind == "param" else \
            sc.cell_column(self.name, self.keys) if self.kind == "cell" else \
            sc.limit_column(self.keys)
        return column


@dataclass(frozen=True)
class Variable:
    target: Target
    values: tuple[Decimal, ...]  # in base units
    texts: tuple[str, ...]  # as written


@dataclass(frozen=True)
class Grid:
    variables: tuple[Variable, ...]

    def combinations(self) -> list[tuple[int, ...]]:
        """Every scenario as the index of its value in each variable."""
        return list(itertools.product(*(range(len(v.values)) for v in self.variables)))


@dataclass(frozen=True)
class GridError:
    message: str


def parse_grid(compiled: CompiledScheme, varies: Sequence[str]) -> Grid | GridError:
    """`NAME=V1,V2,…` options as the variables of a sweep (each name at most once)."""
    variables: list[Variable] = []
    for text in varies:
        variable = parse_vary(compiled, text)
        if isinstance(variable, GridError):
            return variable
        if any(v.target.label == variable.target.label for v in variables):
            return GridError(f"'{variable.target.label}' is varied twice")
        variables.append(variable)
    grid = Grid(tuple(variables))
    count = len(grid.combinations())
    if count > MAX_SCENARIOS:
        return GridError(f"{count:,} scenarios; at most {MAX_SCENARIOS:,} in one sweep")
    return grid


def parse_vary(compiled: CompiledScheme, text: str) -> Variable | GridError:
    name, equals, values = _split(text)
    if not equals:
        return GridError(f"'{text}' is not NAME=V1,V2,… (e.g. threshold=1000,1500)")
    target = parse_target(compiled, name)
    if isinstance(target, GridError):
        return target
    parsed = [parse_value(target, v) for v in values.split(",") if v.strip()]
    problems = [p for p in parsed if isinstance(p, GridError)]
    if problems:
        return problems[0]
    if not parsed:
        return GridError(f"no values for '{target.label}'")
    return Variable(target, tuple(v for v in parsed if isinstance(v, Decimal)),
                    tuple(v.strip() for v in values.split(",") if v.strip()))


def _split(text: str) -> tuple[str, bool, str]:
    """NAME (which may hold commas inside brackets) and the values after the first '='."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "=" and depth == 0:
            return text[:index], True, text[index + 1:]
    return text, False, ""


def parse_target(compiled: CompiledScheme, text: str) -> Target | GridError:
    from etsl.compiler.diagnostics import did_you_mean

    s = compiled.resolved
    match = _NAME.match(text)
    if match is None:
        return GridError(f"'{text}' is not a parameter, TABLE[KEYS] or limit[UNITS]")
    name = match["name"]
    keys = tuple(k.strip() for k in match["keys"].split(",")) if match["keys"] is not None \
        else None
    if keys is None:
        if name not in s.params:
            hint = did_you_mean(name, s.params) or f"parameters: {', '.join(s.params) or 'none'}"
            return GridError(f"'{name}' is not a parameter of '{compiled.name}' ({hint})")
        return Target("param", name, (), _dims(compiled, name), _literal_unit(
            s.params[name].value))
    if name == "limit" and name not in s.tables:
        return _limit_target(compiled, keys)
    if name not in s.tables:
        hint = did_you_mean(name, s.tables) or f"tables: {', '.join(s.tables) or 'none'}"
        return GridError(f"'{name}' is not a table of '{compiled.name}' ({hint})")
    return _cell_target(compiled, name, keys)


def _dims(compiled: CompiledScheme, name: str) -> tuple[tuple[str, int], ...]:
    kind = compiled.checked.types.get(name)
    return kind.dims if isinstance(kind, Quant) else ()


def _literal_unit(expr: ast.Expr | ast.Cell | None) -> str | None:
    return expr.unit if isinstance(expr, ast.Quantity) else None


def _cell_target(compiled: CompiledScheme, name: str, keys: tuple[str, ...]
                 ) -> Target | GridError:
    table = compiled.resolved.tables[name]
    cells = _cells(table)
    if keys not in cells:
        known = ", ".join(f"{name}[{','.join(k)}]" for k in cells)
        return GridError(f"table '{name}' has no cell [{','.join(keys)}] (cells: {known})")
    return Target("cell", name, keys, _dims(compiled, name), _literal_unit(cells[keys]))


def _cells(table: ast.Table) -> dict[tuple[str, ...], ast.Cell]:
    def key(cell: ast.Cell) -> str:
        return cell.name if isinstance(cell, ast.CellName) else "*"

    if len(table.dims) == 2:
        header = [key(c) for c in table.rows[0].cells[1:]]
        return {(key(r.cells[0]), column): cell for r in table.rows[1:]
                for column, cell in zip(header, r.cells[1:], strict=False)}
    return {(key(r.cells[0]),): r.cells[1] for r in table.rows if len(r.cells) >= 2}


def _limit_target(compiled: CompiledScheme, units: tuple[str, ...]) -> Target | GridError:
    surrender = compiled.resolved.surrender
    items = surrender.items if surrender else ()
    for item in items:
        if set(item.units) == set(units):
            return Target("limit", ",".join(item.units), tuple(item.units), CO2E, "tCO2e")
    clauses = "; ".join(f"limit[{','.join(i.units)}]" for i in items) or "none"
    return GridError(f"no surrender clause names exactly {', '.join(units)} (clauses: "
                     f"{clauses})")


def parse_value(target: Target, text: str) -> Decimal | GridError:
    """A value in base units: `1500 kL_oe/yr`, `8%`, or a plain number in the target's unit."""
    match = _VALUE.match(text)
    if match is None:
        return GridError(f"'{text.strip()}' is not a number with an optional unit")
    number, unit = Decimal(match["number"]), match["unit"] or target.unit
    if unit is None:
        if target.dims:
            return GridError(f"give '{text.strip()}' a unit: '{target.label}' is in "
                             f"{dims_name(target.dims)}")
        return number
    try:
        parsed = parse_unit(unit)
    except UnknownUnit as exc:
        return GridError(f"unknown unit '{exc.symbol}' in '{text.strip()}'")
    if parsed.dims != target.dims:
        return GridError(f"'{text.strip()}' is in {dims_name(parsed.dims) or 'plain numbers'}, "
                         f"but '{target.label}' is in {dims_name(target.dims) or 'plain numbers'}")
    value: Decimal = CONTEXT.multiply(number, parsed.scale)
    return value.normalize(CONTEXT) if value else Decimal(0)  # 1000 kL_oe/yr: 1000, not 1000.0…


# ---- the scheme of one scenario (for the reference engine) --------------------------------------


def variant(compiled: CompiledScheme, assignment: Mapping[Target, Decimal]) -> CompiledScheme:
    """The scheme with one scenario's values written in as literals (in base units)."""
    s = compiled.resolved
    params, tables = dict(s.params), dict(s.tables)
    surrender = s.surrender
    for target, value in assignment.items():
        if target.kind == "param":
            param = params[target.name]
            params[target.name] = replace(param, value=_literal(value, param.span))
        elif target.kind == "cell":
            tables[target.name] = _with_cell(tables[target.name], target.keys, value)
        elif surrender is not None:
            surrender = replace(surrender, items=tuple(
                replace(i, limit=_literal(value, i.span)) if set(i.units) == set(target.keys)
                else i for i in surrender.items))
    resolved = replace(s, params=params, tables=tables, surrender=surrender)
    return replace(compiled, resolved=resolved,
                   checked=replace(compiled.checked, resolved=resolved))


def _literal(value: Decimal, span: Any) -> ast.Quantity:
    return ast.Quantity(value, None, span)


def _with_cell(table: ast.Table, keys: tuple[str, ...], value: Decimal) -> ast.Table:
    def key(cell: ast.Cell) -> str:
        return cell.name if isinstance(cell, ast.CellName) else "*"

    header = [key(c) for c in table.rows[0].cells[1:]] if len(table.dims) == 2 else [None]
    rows = []
    for index, row in enumerate(table.rows):
        if len(table.dims) == 2 and index == 0:
            rows.append(row)
            continue
        cells = list(row.cells)
        for position, column in enumerate(header, start=1):
            if (key(row.cells[0]),) + ((column,) if column else ()) == keys:
                cells[position] = _literal(value, row.span)
        rows.append(replace(row, cells=tuple(cells)))
    return replace(table, rows=tuple(rows))


# ---- running a sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    index: int
    values: tuple[str, ...]  # as written, one per variable
    summary: Summary


@dataclass(frozen=True)
class SweepOutcome:
    scheme: str
    engine: str
    variables: tuple[Variable, ...]
    scenarios: tuple[Scenario, ...]
    errors: tuple[EvaluationError, ...] = ()
    fallback: columnar.Fallback | None = None


def scenario_layout(grid: Grid) -> sc.ScenarioLayout:
    shapes = {v.target: sc.common(*(sc.Num(sc.digits_of(x), sc.scale_of(x)) for x in v.values))
              for v in grid.variables}
    return sc.ScenarioLayout(
        SCENARIOS,
        params={t.name: n for t, n in shapes.items() if t.kind == "param"},
        cells={(t.name, t.keys): n for t, n in shapes.items() if t.kind == "cell"},
        limits={t.keys: n for t, n in shapes.items() if t.kind == "limit"})


def store_scenarios(connection: Any, grid: Grid, layout: sc.ScenarioLayout) -> None:
    """The scenario table: `$scenario` and one exact DECIMAL column per variable."""
    import pyarrow

    combinations = grid.combinations()
    columns: dict[str, Any] = {sc.SCENARIO: pyarrow.array(range(len(combinations)),
                                                          pyarrow.int64())}
    for position, variable in enumerate(grid.variables):
        texts = [f"{variable.values[c[position]]:f}" for c in combinations]
        columns[variable.target.column] = pyarrow.array(texts, pyarrow.string())
    connection.register("etsl_scenario_arrow", pyarrow.table(columns))
    shapes = _shapes(layout)
    selected = [columnar.column(sc.SCENARIO)] + [
        exp.alias_(sc.cast(columnar.column(v.target.column), shapes[v.target.column].sql_type()),
                   v.target.column, quoted=True) for v in grid.variables]
    connection.execute(columnar.sql_of(columnar.create_table(SCENARIOS, exp.select(
        *selected).from_(exp.Table(this=columnar.quoted("etsl_scenario_arrow"))))))
    connection.unregister("etsl_scenario_arrow")


def _shapes(layout: sc.ScenarioLayout) -> dict[str, sc.Num]:
    shapes = {sc.param_column(n): num for n, num in layout.params.items()}
    shapes.update({sc.cell_column(t, k): num for (t, k), num in layout.cells.items()})
    shapes.update({sc.limit_column(u): num for u, num in layout.limits.items()})
    return shapes


def sweep_file(compiled: CompiledScheme, grid: Grid, participants: Path,
               mapping: Mapping[str, str], period: str | None) -> SweepOutcome | columnar.Fallback:
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
        from etsl.runtime.data import load_dataset

        dataset, _ = load_dataset(participants, compiled, mapping=dict(mapping), period=period)
        assert dataset is not None
        found: tuple[Record, ...] = dataset.records
        return found

    return _outcome(evaluation, grid, records, period)


def sweep_dataset(compiled: CompiledScheme, grid: Grid, dataset: Dataset,
                  period: str | None) -> SweepOutcome:
    """A sweep over records already read; the reference engine per scenario if need be."""
    options = RunOptions(period=period)
    reason = columnar.static_fallback(compiled)
    if reason is None:
        connection = columnar.connect()
        source = columnar.dataset_source(connection, compiled, dataset, options)
        if not isinstance(source, columnar.Fallback):
            evaluation = _evaluate(connection, compiled, grid, source, None)
            if not isinstance(evaluation, columnar.Fallback):
                return _outcome(evaluation, grid, lambda: source.records, period)
            reason = evaluation
        else:
            reason = source
    return reference_sweep(compiled, grid, dataset, period, reason)


def _evaluate(connection: Any, compiled: CompiledScheme, grid: Grid, source: columnar.Source,
              period: str | None) -> columnar.Evaluation | columnar.Fallback:
    layout = scenario_layout(grid)
    store_scenarios(connection, grid, layout)
    return columnar.evaluate(connection, compiled, source, period, scenario=layout)


def reference_sweep(compiled: CompiledScheme, grid: Grid, dataset: Dataset, period: str | None,
                    reason: columnar.Fallback | None = None) -> SweepOutcome:
    """Every scenario evaluated by the reference engine on the scheme with its values."""
    from etsl.runtime.sequence import run as reference_run

    scenarios, errors = [], []
    for index, combination in enumerate(grid.combinations()):
        scheme = variant(compiled, _assignment(grid, combination))
        results = reference_run(scheme, dataset, RunOptions(period=period))
        scenarios.append(Scenario(index, _texts(grid, combination), results.summary()))
        errors += list(results.errors)
    return SweepOutcome(compiled.name, "reference", grid.variables, tuple(scenarios),
                        tuple(errors), reason)


def _assignment(grid: Grid, combination: Sequence[int]) -> dict[Target, Decimal]:
    return {v.target: v.values[i] for v, i in zip(grid.variables, combination, strict=True)}


def _texts(grid: Grid, combination: Sequence[int]) -> tuple[str, ...]:
    return tuple(v.texts[i] for v, i in zip(grid.variables, combination, strict=True))


# ---- totals per scenario ----------------------------------------------------------------------


def _outcome(evaluation: columnar.Evaluation, grid: Grid, records: Any,
             period: str | None) -> SweepOutcome:
    """Per-scenario totals: SQL over computed rows, plus the reference engine's results
    for rows that failed (on the scheme with that scenario's values)."""
    patched = _patch(evaluation, grid, records, period)
    totals = _totals(evaluation)
    combinations = grid.combinations()
    scenarios = []
    for index, combination in enumerate(combinations):
        rows = patched.get(index, [])
        scenarios.append(Scenario(index, _texts(grid, combination),
                                  _summary(evaluation, totals.get(index, {}), rows)))
    errors = tuple(e for rows in patched.values() for r in rows for e in r.errors)
    return SweepOutcome(evaluation.compiled.name, columnar.ENGINE, grid.variables,
                        tuple(scenarios), errors)


def _patch(evaluation: columnar.Evaluation, grid: Grid, records: Any,
           period: str | None) -> dict[int, list[ParticipantResult]]:
    from etsl.runtime.sequence import run as reference_run

    failed = evaluation.connection.execute(
        'SELECT "$scenario", "$participant", "$period" FROM etsl_results WHERE "$failed"'
    ).fetchall()
    if not failed:
        return {}
    by_key = {(r.participant, r.period): r for r in records()}
    combinations = grid.combinations()
    patched: dict[int, list[ParticipantResult]] = {}
    for index in sorted({int(f[0]) for f in failed}):
        chosen = [by_key[(p, q)] for i, p, q in failed if int(i) == index]
        scheme = variant(evaluation.compiled, _assignment(grid, combinations[index]))
        results = reference_run(scheme, Dataset(tuple(chosen)), RunOptions(period=period))
        patched[index] = list(results.rows)
    return patched


def _totals(evaluation: columnar.Evaluation) -> dict[int, dict[str, Any]]:
    """Sums and counts of computed (not failed) rows, grouped by scenario."""
    plan, query = evaluation.plan, evaluation.query
    column = columnar.column
    aggregates = [exp.alias_(exp.Count(this=exp.Star()), "rows"),
                  exp.alias_(exp.CountIf(this=exp.EQ(this=column("covered"),
                                                      expression=exp.true())), "covered"),
                  exp.alias_(exp.CountIf(this=exp.GT(this=column("shortfall"),
                                                      expression=columnar.literal(0))), "short")]
    aggregates += [exp.alias_(exp.Sum(this=column(n)), f"sum:{n}", quoted=True)
                   for n in ("cap", "target", "obligation", "shortfall", "surplus")
                   if n in plan.rule_names]
    for index, c in enumerate(query.consequences):
        aggregates.append(exp.alias_(exp.CountIf(this=column(c.applies)), f"count:{index}",
                                     quoted=True))
        if c.amount:
            aggregates.append(exp.alias_(exp.Sum(this=column(c.amount)), f"amount:{index}",
                                         quoted=True))
    select = exp.select(column(sc.SCENARIO), *aggregates).from_(
        exp.Table(this=columnar.quoted(columnar.RESULTS))).where(
        exp.not_(column(sc.FAILED))).group_by(column(sc.SCENARIO))
    cursor = evaluation.connection.execute(columnar.sql_of(select))
    names = [d[0] for d in cursor.description]
    return {int(row[0]): dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _summary(evaluation: columnar.Evaluation, stats: Mapping[str, Any],
             patched: Sequence[ParticipantResult]) -> Summary:
    from etsl.runtime.results import _consequence_totals, _short, _sum

    plan = evaluation.plan
    ok = [r for r in patched if r.ok]

    def total(name: str) -> Decimal | None:
        if name not in plan.rule_names:
            return None
        value: Decimal = Decimal(stats.get(f"sum:{name}") or 0) + _sum(ok, name)
        return value

    kinds = dict(_consequence_totals(ok))
    units = plan.consequence_units
    decls = {name: p for name, p in plan.penalties}
    for index, c in enumerate(evaluation.query.consequences):
        count = int(stats.get(f"count:{index}") or 0)
        if count:
            unit = units.get(id(decls[c.penalty].consequences[c.index]), "")
            before = kinds.get(c.kind, KindTotal(0, Decimal(0), unit))
            kinds[c.kind] = KindTotal(before.count + count, before.amount + Decimal(
                stats.get(f"amount:{index}") or 0), before.unit or unit)
    rows = int(stats.get("rows") or 0) + len(patched)
    return Summary(rows, rows, int(stats.get("covered") or 0) + sum(
        r.values.get("covered") is True for r in patched), total("cap"), total("target"),
        total("obligation") or Decimal(0), total("shortfall") or Decimal(0),
        total("surplus") or Decimal(0), int(stats.get("short") or 0) + sum(map(_short, ok)),
        sum(len(r.errors) for r in patched), kinds, None, {})


# ---- reporting ------------------------------------------------------------------------------------


def metric_names(compiled: CompiledScheme) -> list[str]:
    kinds = [c.kind for p in compiled.resolved.penalties for c in p.consequences]
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
    from etsl.runtime.results import plain

    rows = []
    for scenario in outcome.scenarios:
        row = {"scenario": str(scenario.index + 1), "rows": str(scenario.summary.rows)}
        row.update({v.target.label: t for v, t in zip(outcome.variables, scenario.values,
                                                      strict=True)})
        for name in metrics:
            value = metric(scenario.summary, name)
            row[name] = "" if value is None else str(plain(value))
        rows.append(row)
    return rows


def shown_metrics(outcome: SweepOutcome, metric_list: Sequence[str]) -> list[str]:
    """The metrics a scheme has values for (no total_target without targets, …)."""
    return [m for m in metric_list
            if any(metric(s.summary, m) is not None for s in outcome.scenarios)]


def write_table(outcome: SweepOutcome, path: Path) -> None:
    """One row per scenario to CSV, or a JSON document, atomically."""
    import csv
    import json

    from etsl.output import atomic_open, write_text

    metrics = shown_metrics(outcome, _all_metrics(outcome))
    rows = table_rows(outcome, metrics)
    if path.suffix.lower() == ".json":
        document = {"format": "etsl.sweep/1", "scheme": outcome.scheme,
                    "engine": outcome.engine,
                    "varied": [v.target.label for v in outcome.variables], "scenarios": rows}
        write_text(path, json.dumps(document, indent=2) + "\n")
        return
    with atomic_open(path) as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _all_metrics(outcome: SweepOutcome) -> list[str]:
    kinds = list(dict.fromkeys(k for s in outcome.scenarios for k in s.summary.consequences))
    extra = []
    for kind in kinds:
        extra += [kind, f"{kind}_count"] if kind in AMOUNT_KINDS else [f"{kind}_count"]
    return [*BASE_METRICS, *extra]


def rich_table(outcome: SweepOutcome) -> Any:
    from rich.table import Table

    metrics = shown_metrics(outcome, _all_metrics(outcome))
    rows = table_rows(outcome, metrics)
    table = Table(title=f"{outcome.scheme}: {len(rows)} scenario(s) ({outcome.engine} engine)",
                  title_justify="left")
    for name in rows[0]:
        table.add_column(name, justify="right" if name not in
                         [v.target.label for v in outcome.variables] else "left")
    for row in rows:
        table.add_row(*row.values())
    return table


def write_chart(outcome: SweepOutcome, path: Path, metric_name: str) -> str | None:
    """Draw one metric per scenario as SVG (or PNG when cairosvg is installed); a problem
    message instead of raising."""
    from etsl.runtime.svg_chart import Series, line_chart

    from etsl.output import write_text

    variables = outcome.variables
    first = variables[0]
    series: dict[tuple[str, ...], list[Decimal | None]] = {}
    for scenario in outcome.scenarios:
        key = scenario.values[1:]
        series.setdefault(key, []).append(metric(scenario.summary, metric_name))
    lines = [Series(", ".join(f"{v.target.label} = {t}" for v, t in zip(variables[1:], key,
                                                                          strict=True)), values)
             for key, values in series.items()]
    svg = line_chart(f"{outcome.scheme}: {metric_name.replace('_', ' ')}",
                     first.target.label, list(first.texts), lines)
    if path.suffix.lower() != ".png":
        write_text(path, svg)
        return None
    try:
        import cairosvg  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return "PNG charts need the 'cairosvg' package; write an .svg chart instead"
    from etsl.output import atomic_path

    with atomic_path(path) as temporary:
        cairosvg.svg2png(bytestring=svg.encode("utf-8"), write_to=str(temporary))
    return None


__all__ = ["Grid", "GridError", "Results", "SweepOutcome", "parse_grid", "reference_sweep",
           "sweep_dataset", "sweep_file", "variant", "write_chart", "write_table"]
