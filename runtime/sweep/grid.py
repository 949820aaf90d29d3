"""What a sweep varies: parsing `--vary` grids, and the scheme of one scenario.

A target is a parameter (`NAME`), a table cell (`TABLE[ROW,COLUMN]`), a surrender limit
(`limit[UNIT,…]`), a system input (`NAME`, e.g. `cpi`: the same value every year) or the
escalator of a price path (`rising[PRICE]`); `variant` gives the scheme with one scenario's
values (the reference engine evaluates it), `system_rows` the system data of a scenario.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from etsl.compiler import program as ir
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.numbers import CONTEXT
from etsl.compiler.program import Program
from etsl.compiler.types import NUMBER, Quant, Type
from etsl.compiler.units import CO2E, UnknownUnit, dims_name, parse_unit
from etsl.runtime.columnar.sql.types import cell_column, limit_column, param_column

MAX_SCENARIOS = 10_000
_NAME = re.compile(r"^\s*(?P<name>[A-Za-z_]\w*)\s*(\[(?P<keys>[^\]]*)\])?\s*$")
_VALUE = re.compile(r"^\s*(?P<number>[+-]?(\d+(\.\d*)?|\.\d+))\s*(?P<unit>[A-Za-z%_][\w/%]*)?\s*$")


# ---- what varies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A value a sweep can vary."""

    kind: str  # param, cell, limit, system (a system input) or rising (a price's escalator)
    name: str  # parameter or table name; for limits the units joined by commas
    keys: tuple[str, ...]  # table keys, or the limit's unit types
    dims: tuple[tuple[str, int], ...]
    unit: str | None  # the unit values without one are read in

    @property
    def label(self) -> str:
        if self.kind in ("param", "system"):
            return self.name
        if self.kind == "rising":
            return f"rising[{self.name}]"
        if self.kind == "cell":
            return f"{self.name}[{','.join(self.keys)}]"
        return f"limit[{','.join(self.keys)}]"

    @property
    def system(self) -> bool:
        """Whether it varies the system level (swept one scenario at a time)."""
        return self.kind in ("system", "rising")

    @property
    def column(self) -> str:
        column: str = (
            param_column(self.name)
            if self.kind == "param"
            else cell_column(self.name, self.keys)
            if self.kind == "cell"
            else limit_column(self.keys)
        )
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
    return Variable(
        target,
        tuple(v for v in parsed if isinstance(v, Decimal)),
        tuple(v.strip() for v in values.split(",") if v.strip()),
    )


def _split(text: str) -> tuple[str, bool, str]:
    """NAME (which may hold commas inside brackets) and the values after the first '='."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "=" and depth == 0:
            return text[:index], True, text[index + 1 :]
    return text, False, ""


def parse_target(compiled: CompiledScheme, text: str) -> Target | GridError:
    from etsl.compiler.diagnostics import did_you_mean

    program = compiled.program
    match = _NAME.match(text)
    if match is None:
        return GridError(f"'{text}' is not a parameter, TABLE[KEYS] or limit[UNITS]")
    name = match["name"]
    keys = tuple(k.strip() for k in match["keys"].split(",")) if match["keys"] is not None else None
    system = _system_target(program, name, keys)
    if system is not None:
        return system
    if keys is None:
        if name not in program.params:
            hint = did_you_mean(name, program.params) or (
                f"parameters: {', '.join(program.params) or 'none'}"
            )
            return GridError(f"'{name}' is not a parameter of '{compiled.name}' ({hint})")
        param = program.params[name]
        return Target("param", name, (), _dims(param.type), _literal_unit(param.expr))
    if name == "limit" and name not in program.tables:
        return _limit_target(program, keys)
    if name not in program.tables:
        hint = did_you_mean(name, program.tables) or (
            f"tables: {', '.join(program.tables) or 'none'}"
        )
        return GridError(f"'{name}' is not a table of '{compiled.name}' ({hint})")
    return _cell_target(program.tables[name], keys)


def _system_target(
    program: Program, name: str, keys: tuple[str, ...] | None
) -> Target | GridError | None:
    """A system input (`cpi`) or a price's escalator (`rising[ceiling]`), else None."""
    level = program.system
    if level is None or (keys is None and name in program.params):
        return None
    if keys is None and name in level.inputs:
        source = level.program.inputs[name]
        return Target("system", name, (), _dims(source.type), source.unit or None)
    if name != "rising" or keys is None or "rising" in program.tables:
        return None
    prices = [n for n, r in level.program.rules.items() if isinstance(r.expr, ir.PricePath)]
    path = level.program.rules[keys[0]].expr if len(keys) == 1 and keys[0] in prices else None
    if not isinstance(path, ir.PricePath) or path.rising is None or path.rising.type != NUMBER:
        rising = [n for n in prices if _rate_of(level.program.rules[n].expr)]
        return GridError(
            f"'rising[{','.join(keys)}]' is not a price that rises by a rate "
            f"(prices that do: {', '.join(rising) or 'none'})"
        )
    return Target("rising", path.name, (path.name,), (), None)


def _rate_of(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.PricePath) and expr.rising is not None and expr.rising.type == NUMBER


def _dims(kind: Type) -> tuple[tuple[str, int], ...]:
    return kind.dims if isinstance(kind, Quant) else ()


def _literal_unit(expr: ir.Expr) -> str | None:
    return expr.unit if isinstance(expr, ir.Const) else None


def _cell_target(table: ir.Table, keys: tuple[str, ...]) -> Target | GridError:
    if keys not in table.cells:
        known = ", ".join(f"{table.name}[{','.join(k)}]" for k in table.cells)
        return GridError(f"table '{table.name}' has no cell [{','.join(keys)}] (cells: {known})")
    return Target("cell", table.name, keys, _dims(table.type), _literal_unit(table.cells[keys]))


def _limit_target(program: Program, units: tuple[str, ...]) -> Target | GridError:
    for clause in program.surrender:
        if set(clause.units) == set(units):
            return Target("limit", ",".join(clause.units), tuple(clause.units), CO2E, "tCO2e")
    clauses = "; ".join(f"limit[{','.join(c.units)}]" for c in program.surrender) or "none"
    return GridError(f"no surrender clause names exactly {', '.join(units)} (clauses: {clauses})")


def parse_value(target: Target, text: str) -> Decimal | GridError:
    """A value in base units: `1500 kL_oe/yr`, `8%`, or a plain number in the target's unit."""
    match = _VALUE.match(text)
    if match is None:
        return GridError(f"'{text.strip()}' is not a number with an optional unit")
    number, unit = Decimal(match["number"]), match["unit"] or target.unit
    if unit is None:
        if target.dims:
            return GridError(
                f"give '{text.strip()}' a unit: '{target.label}' is in {dims_name(target.dims)}"
            )
        return number
    try:
        parsed = parse_unit(unit)
    except UnknownUnit as exc:
        return GridError(f"unknown unit '{exc.symbol}' in '{text.strip()}'")
    if parsed.dims != target.dims:
        return GridError(
            f"'{text.strip()}' is in {dims_name(parsed.dims) or 'plain numbers'}, "
            f"but '{target.label}' is in {dims_name(target.dims) or 'plain numbers'}"
        )
    value: Decimal = CONTEXT.multiply(number, parsed.scale)
    return value.normalize(CONTEXT) if value else Decimal(0)  # 1000 kL_oe/yr: 1000, not 1000.0…


# ---- the scheme of one scenario (for the reference engine) --------------------------------------


def variant(compiled: CompiledScheme, assignment: Mapping[Target, Decimal]) -> CompiledScheme:
    """The scheme with one scenario's values written in as literals (in base units)."""
    program = compiled.program
    params, tables = dict(program.params), dict(program.tables)
    clauses = list(program.surrender)
    numbers = itertools.count(program.nodes)
    for target, value in assignment.items():
        if target.kind == "system":
            continue  # a system input: in the scenario's system data (system_rows)
        if target.kind == "rising":
            program = _with_rate(program, target.name, value, numbers)
        elif target.kind == "param":
            param = params[target.name]
            params[target.name] = replace(param, expr=_literal(value, param.expr, numbers))
        elif target.kind == "cell":
            table = tables[target.name]
            cells = dict(table.cells)
            cells[target.keys] = _literal(value, cells[target.keys], numbers)
            tables[target.name] = replace(table, cells=cells)
        else:
            clauses = [
                replace(c, limit=_limit(value, c, numbers))
                if set(c.units) == set(target.keys)
                else c
                for c in clauses
            ]
    lowered = replace(
        program,
        params=params,
        tables=tables,
        surrender=tuple(clauses),
        nodes=next(numbers),
    )
    return replace(compiled, program=lowered)


def _with_rate(program: Program, price: str, value: Decimal, numbers: Iterator[int]) -> Program:
    """The Program with the escalator of a price path replaced by a rate."""
    assert program.system is not None
    inner = program.system.program
    rule = inner.rules[price]
    assert isinstance(rule.expr, ir.PricePath) and rule.expr.rising is not None
    path = replace(rule.expr, rising=_literal(value, rule.expr.rising, numbers))
    rules = {**inner.rules, price: replace(rule, expr=path)}
    level = replace(program.system, program=replace(inner, rules=rules))
    return replace(program, system=level)


def system_rows(
    program: Program,
    rows: Mapping[int, Mapping[str, object]],
    years: Iterable[int],
    assignment: Mapping[Target, Decimal],
) -> dict[int, dict[str, object]]:
    """A scenario's system data: each varied system input takes its value in every year
    from the first base year of a price path (or the first year) to the last year."""
    inputs = {t.name: v for t, v in assignment.items() if t.kind == "system"}
    known = {*rows, *years}
    if not known:
        return {y: dict(r) for y, r in rows.items()}
    starts = [p.from_year for p in _paths(program) if p.from_year is not None]
    first, last = min([*known, *starts]), max(known)
    scenario = {y: dict(r) for y, r in rows.items()}
    if not inputs:
        return scenario
    for year in range(first, last + 1):
        scenario.setdefault(year, {}).update(inputs)
    return scenario


def _paths(program: Program) -> list[ir.PricePath]:
    if program.system is None:
        return []
    rules = program.system.program.rules.values()
    return [r.expr for r in rules if isinstance(r.expr, ir.PricePath)]


def _literal(value: Decimal, replaced: ir.Expr, numbers: Iterator[int]) -> ir.Const:
    return ir.Const(value, value, None, replaced.type, replaced.span, next(numbers))


def _limit(value: Decimal, clause: ir.Clause, numbers: Iterator[int]) -> ir.Const:
    """A clause's `up to` limit (t CO2e), also for a clause that had none."""
    return ir.Const(value, value, None, Quant(CO2E), clause.span, next(numbers))
