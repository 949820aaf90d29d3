"""Compile a scheme's rule graph into one columnar query, built as a sqlglot expression tree.

    compile_query(compiled, layout) -> ColumnarQuery | Unsupported

One projection per rule, in the rule graph's topological order, each adding one column to the
row of the previous projection (a chain of CTEs or of nested sub-queries; see `Shape`).
Numbers are DECIMALs whose scale is tracked statically; it follows the same rules as the
exponent of Python's Decimal (`+ -`: the larger scale, `*`: the sum, rounding to N places: N),
so both engines produce the same digits. Integer digits are bounded from the data profile.

Exactness rules (compiler/numbers.py is the definition):
- `+ - *` are DECIMAL operations; operands are widened beforehand where DuckDB would clamp a
  product to DECIMAL(18), and every place where two types merge (CASE branches, LEAST,
  GREATEST, comparisons) casts to one common type with the larger scale (DuckDB would
  otherwise round silently to the smaller one).
- `/` never reaches SQL's DECIMAL division (DuckDB returns DOUBLE). The quotient rounded
  half-even to 18 places is computed in integers (`divide`): by 64-bit long division when
  the bounds allow (`narrow_division`), else with N = A·10^k and B as 128-bit integers;
  q = N div B, r = |N mod B|, and q moves one step away from zero when r > |B| - r, or
  r = |B| - r and q is odd.
- Overflow is never silent: DuckDB checks every DECIMAL and HUGEINT operation and stops
  the query (the engine then falls back); widths come from static bounds.
- floor/ceil to N places are floor(x·10^N)·10^-N; round is SQL ROUND (half away from zero).
- A value that cannot be computed for a row (division by zero, a missing table row or
  input) is NULL; the row's `$failed` flag is set when any rule is NULL, and the engine then
  lets the reference engine evaluate (and report) it. Conditions are null-guarded so that
  NULL never silently takes an `else` branch.

The compiler is split by stage: sql/types.py (static types, layout, sqlglot helpers),
sql/exact.py (exact arithmetic), sql/expressions.py (expressions, tables), sql/builtins.py
(one implementation per built-in) and sql/surrender.py (the builder, surrender,
consequences).

Constructs that cannot be represented exactly are reported as `Unsupported(reason)`; the
caller falls back to the reference engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from etsl.compiler.driver import CompiledScheme
from etsl.compiler.program import Program
from etsl.compiler.source import deep_recursion
from etsl.compiler.types import Type
from etsl.compiler.vocabulary import STEP_VALUES
from etsl.runtime.columnar.sql.exact import multiply
from etsl.runtime.columnar.sql.expressions import (
    Scope,
    compile_expr,
    compile_table,
    kind_of_type,
)
from etsl.runtime.columnar.sql.surrender import (
    ConsequenceColumn,
    QueryBuilder,
    compile_credits_left,
    compile_penalties,
    compile_surrender,
)
from etsl.runtime.columnar.sql.types import (
    DUCKDB,
    FAILED,
    KIND_TYPES,
    PARTICIPANT,
    PERIOD,
    ROW,
    SCENARIO,
    Flavour,
    InputColumn,
    Kind,
    Layout,
    Num,
    ScenarioLayout,
    Typed,
    Unsupported,
    aggregate_column,
    any_of,
    as_num,
    cast,
    cell_column,
    col,
    decimal_literal,
    declared,
    is_constant,
    is_null,
    limit_column,
    null_of,
    param_column,
    text,
    zero,
)
from sqlglot import exp

# ---- the query ------------------------------------------------------------------------------


class Shape(Enum):
    """How the projections are chained: a WITH clause of CTEs, or nested sub-queries."""

    CTE = "cte"
    NESTED = "nested"


@dataclass(frozen=True)
class ColumnarQuery:
    """The compiled query and what its output columns mean."""

    query: exp.Select
    inputs: tuple[str, ...]
    rules: tuple[str, ...]
    units: tuple[str, ...]
    consequences: tuple[ConsequenceColumn, ...]
    columns: Mapping[str, Typed]
    layout: Layout | None = None
    first: tuple[tuple[str, exp.Expr], ...] = ()  # the input projection
    stages: tuple[tuple[str, exp.Expr], ...] = ()  # one computed column each, in order

    def sql(self, dialect: str = "duckdb", pretty: bool = False) -> str:
        return self.query.sql(dialect=dialect, pretty=pretty)

    def up_to(self, index: int, select: Sequence[exp.Expr]) -> exp.Select:
        """`select` over the row once the stages before `index` are computed (used to find
        the value a failing query could not compute)."""
        assert self.layout is not None
        columns = [(f"$select{i}", e) for i, e in enumerate(select)]
        return assemble(self.layout, self.first, self.stages[:index], columns, Shape.CTE)

    def owner(self, index: int) -> str:
        """The rule a stage computes: a temporary belongs to the next named column."""
        for name, _ in self.stages[index:]:
            if name.startswith(("$applies.", "$amount.")):
                return f"penalty {name.split('.')[1]}"
            if not name.startswith("$"):
                return name
        return "consequences"


def input_stage(layout: Layout, scope: Scope) -> list[tuple[str, exp.Expr]]:
    """The first projection: participant, period and typed inputs from the source relation."""
    program = scope.program
    participant = (
        cast(col(layout.participant_column), KIND_TYPES[Kind.TEXT]())
        if layout.participant_column
        else text("")
    )
    period = (
        col(layout.period_column)
        if layout.period_column
        else text(layout.period)
        if layout.period
        else null_of(Kind.TEXT, None)
    )
    selected: list[tuple[str, exp.Expr]] = [(PARTICIPANT, participant), (PERIOD, period)]
    if layout.row_column:
        selected.append((ROW, col(layout.row_column)))
    scope.columns[PERIOD] = Typed(col(PERIOD), Kind.TEXT)
    typed_inputs = [(n, _input(layout.inputs[n])) for n in program.inputs if n in layout.inputs]
    typed_inputs += [(f"held.{u}", _amount(layout.holdings.get(u))) for u in program.units]
    typed_inputs += [(n, _amount(layout.inputs.get(n))) for n in ("carry_in", "owed_in")]
    typed_inputs += [
        (n, _input(layout.inputs[n]))
        for n in layout.inputs
        if n not in program.inputs and (n in STEP_VALUES or n.startswith("earlier_years."))
    ]
    typed_inputs += [
        (f"present.{u}", Typed(cast(col(c), KIND_TYPES[Kind.BOOL]()), Kind.BOOL))
        for u, c in layout.present.items()
    ]
    for name, typed in typed_inputs:
        if not is_constant(typed):
            selected.append((name, declared(typed).sql))
        scope.define(name, typed)
    if layout.scenario is not None:
        selected += [(c, col(c)) for c in (SCENARIO, *scenario_columns(layout.scenario))]
    return selected


def table_layout(
    program: Program, table: str, decimal: tuple[int, int], period: str | None
) -> Layout:
    """The layout `etsl sql` assumes: a table with one column per input (numbers as
    DECIMAL(width, places)), `held.UNIT` columns for holdings, an `id` column and (with
    several periods) a `period` column."""
    width, places = decimal
    number = Num(width - places, places)
    inputs = {
        name: _declared_column(name, source.type, number) for name, source in program.inputs.items()
    }
    holdings = {u: InputColumn(f"held.{u}", Kind.NUM, number, True) for u in program.units}
    periods = program.period_names
    fixed = period or (periods[0] if len(periods) == 1 else None)
    return Layout(table, "id", None if fixed else "period", fixed, inputs, holdings)


def _declared_column(name: str, kind: Type, number: Num) -> InputColumn:
    sql_kind = kind_of_type(kind)
    return InputColumn(name, sql_kind, number if sql_kind is Kind.NUM else None, False)


def scenario_columns(scenario: ScenarioLayout) -> list[str]:
    return (
        [param_column(p) for p in scenario.params]
        + [cell_column(t, k) for t, k in scenario.cells]
        + [limit_column(u) for u in scenario.limits]
    )


def _input(source: InputColumn) -> Typed:
    if source.kind is not Kind.NUM:
        return Typed(
            cast(col(source.column), KIND_TYPES[source.kind]()), source.kind, None, source.nullable
        )
    assert source.num is not None
    value = Typed(
        cast(col(source.column), source.num.sql_type()), Kind.NUM, source.num, source.nullable, True
    )
    return value if source.scale == 1 else multiply(value, decimal_literal(source.scale))


def _amount(source: InputColumn | None) -> Typed:
    """A held.UNIT (or carried) amount: an absent column or a blank cell means none."""
    if source is None:
        return zero()
    value = _input(source)
    if source.nullable:
        value = Typed(
            exp.Coalesce(this=declared(value).sql, expressions=[as_num(zero(), value.number)]),
            Kind.NUM,
            value.num,
            False,
        )
    return value


def compile_query(
    compiled: CompiledScheme, layout: Layout, flavour: Flavour = DUCKDB, shape: Shape = Shape.CTE
) -> ColumnarQuery | Unsupported:
    """The scheme as one query over `layout.relation`, or why it cannot be one.

    Expressions are compiled recursively, with the compiler's allowance for long
    expressions (compiler/source.py); their SQL is cut into columns when deep
    (expressions.bounded), so the text is generated without deep recursion.
    """
    try:
        with deep_recursion():
            return _compile(compiled, layout, flavour, shape)
    except Unsupported as reason:
        return reason
    except RecursionError:
        return Unsupported("an expression nested too deeply for SQL generation")


def unsupported_constructs(program: Program) -> Unsupported | None:
    if program.borrows:  # `within_period` never borrows across periods (nor does `none`)
        assert program.borrowing is not None
        return Unsupported(f"borrowing '{'/'.join(dict.fromkeys(program.borrowing.modes))}'")
    return None


def _compile(
    compiled: CompiledScheme, layout: Layout, flavour: Flavour, shape: Shape
) -> ColumnarQuery:
    program = compiled.program
    problem = unsupported_constructs(program)
    if problem is not None:
        raise problem
    builder = QueryBuilder()
    scope_ref: list[Scope] = []
    scope = Scope(
        program,
        flavour,
        builder.hoister(scope_ref),
        fixed_period=layout.period if layout.period_column is None else None,
        scenario=layout.scenario,
        checked=layout.checked,
        system=layout.system,
    )
    scope_ref.append(scope)
    first = input_stage(layout, scope)
    for step in program.order:
        kind, _, name = step.partition(":")
        if kind == "rule":
            builder.add(scope, name, compile_expr(program.rules[name].expr, scope))
        elif kind == "table":
            builder.add(scope, name, compile_table(program.tables[name], scope))
        elif step == "runtime:surrendered":
            compile_surrender(builder, scope)
        elif step == "runtime:credits_left":
            compile_credits_left(builder, scope)
    if "surrendered" not in scope.columns:
        compile_surrender(builder, scope)
    consequences = compile_penalties(builder, scope)
    for key, argument in (layout.system.aggregates if layout.system else {}).items():
        builder.add(scope, aggregate_column(key), compile_expr(argument, scope))
    rules = tuple(program.rules)
    outputs = _outputs(scope, layout, rules, consequences)
    query = assemble(layout, first, builder.stages, outputs, shape)
    inputs = tuple(n for n in program.inputs if n in layout.inputs)
    return ColumnarQuery(
        query,
        inputs,
        rules,
        tuple(program.units),
        tuple(consequences),
        dict(scope.columns),
        layout,
        tuple(first),
        tuple(builder.stages),
    )


def _outputs(
    scope: Scope, layout: Layout, rules: Sequence[str], consequences: Sequence[ConsequenceColumn]
) -> list[tuple[str, exp.Expr]]:
    program = scope.program
    names = [
        PARTICIPANT,
        PERIOD,
        *([ROW] if layout.row_column else []),
        *(n for n in program.inputs if n in layout.inputs),
        *rules,
        "surrendered",
        "carry_in",
        "owed_in",
        *(["credits_left"] if program.credit_types else []),
        *(f"held.{u}" for u in program.units),
        *(f"eligible.{u}" for u in program.units),
        *(c.applies for c in consequences),
        *(c.amount for c in consequences if c.amount),
        *(c.minimum for c in consequences if c.minimum),
        *([SCENARIO] if layout.scenario else []),
        *(aggregate_column(k) for k in (layout.system.aggregates if layout.system else {})),
    ]
    outputs = [
        (n, scope.columns[n].sql if n in scope.columns else col(n)) for n in dict.fromkeys(names)
    ]
    return outputs + [(FAILED, failure_test(scope, rules, consequences))]


def failure_test(
    scope: Scope, rules: Sequence[str], consequences: Sequence[ConsequenceColumn]
) -> exp.Expr:
    """True when some value of the row could not be computed (it is then NULL)."""
    names = [
        *rules,
        *(f"eligible.{u}" for u in scope.program.units),
        "surrendered",
        *dict.fromkeys(c.applies for c in consequences),
    ]
    tests = [is_null(col(n)) for n in names if scope.columns[n].nullable]
    tests += [
        exp.And(this=scope.columns[c.applies].sql, expression=is_null(col(name)))
        for c in consequences
        for name in (c.amount, c.minimum)
        if name and scope.columns[name].nullable
    ]
    return any_of(tests)


def assemble(
    layout: Layout,
    first: Sequence[tuple[str, exp.Expr]],
    stages: Sequence[tuple[str, exp.Expr]],
    outputs: Sequence[tuple[str, exp.Expr]],
    shape: Shape,
) -> exp.Select:
    """Chain the projections (CTEs or nested sub-queries) and select the outputs.

    The builders are told not to copy (copy=False): each node is built here for this query
    alone, and copying the query so far at every step made building it quadratic (a
    third of a 10,000-row run's time). Consecutive columns that do not use each other share one projection (`levels`), so the
    chain is as deep as the longest path of uses, not as long as the list of columns. In
    sweeps the scenarios are joined in between (`_by_scenario_column`).
    """
    source = exp.Table(this=exp.to_identifier(layout.relation, quoted=True))
    joined = scenario_columns(layout.scenario) if layout.scenario is not None else []
    first = [(n, e) for n, e in first if n != SCENARIO and n not in joined]
    base = exp.select(*(_alias(e, n) for n, e in first), copy=False).from_(source, copy=False)
    final = [_alias(e, n) for n, e in outputs]
    grouped: list[list[tuple[str, exp.Expr]] | exp.Join] = []
    for join, segment in _by_scenario_column(layout.scenario, stages):
        if join is not None:
            grouped.append(join)
        grouped.extend(levels(segment))
    if shape is Shape.NESTED:
        current = base
        for index, level in enumerate(grouped):
            current = _step(level).from_(_subquery(current, index), copy=False)
        return exp.select(*final, copy=False).from_(_subquery(current, len(grouped)), copy=False)
    query = exp.select(*final, copy=False).from_(
        exp.Table(this=_stage_name(len(grouped))), copy=False
    )
    query = query.with_(_stage_name(0), as_=base, copy=False)
    for index, level in enumerate(grouped, start=1):
        stage = _step(level).from_(exp.Table(this=_stage_name(index - 1)), copy=False)
        query = query.with_(_stage_name(index), as_=stage, copy=False)
    return query


def _step(level: list[tuple[str, exp.Expr]] | exp.Join) -> exp.Select:
    """A projection adding a level's columns, or a join adding scenario columns."""
    if isinstance(level, exp.Join):
        return exp.select(exp.Star(), copy=False).join(level, copy=False)
    return _projection(level)


def _by_scenario_column(
    scenario: ScenarioLayout | None, stages: Sequence[tuple[str, exp.Expr]]
) -> list[tuple[exp.Join | None, list[tuple[str, exp.Expr]]]]:
    """In sweeps, the stages cut by the last scenario column they read (directly or through
    another stage), each segment after the join that brings that column in: a value no
    varied value reaches is computed once per row of data, one that reads only the first
    varied value once per row and value of it, … Every scenario is joined in last (the
    scenario relation, USING the columns joined before), so sweeps pay the cross join only
    for what depends on every varied value. Stable: each segment keeps the stages' order,
    and a stage's inputs are in its own segment or an earlier one."""
    if scenario is None:
        return [(None, list(stages))]
    names = scenario_columns(scenario)
    reads: dict[str, int] = {n: i + 1 for i, n in enumerate(names)}  # 0: reads none
    segments: list[list[tuple[str, exp.Expr]]] = [[] for _ in range(len(names) + 1)]
    for name, node in stages:
        used = {c.name for c in node.find_all(exp.Column)}
        level = max((reads[u] for u in used if u in reads), default=0)
        reads[name] = level
        segments[level].append((name, node))
    last = len(names)
    result: list[tuple[exp.Join | None, list[tuple[str, exp.Expr]]]] = [(None, segments[0])]
    joined: list[str] = []
    for level in range(1, last + 1):
        if not segments[level] and level < last:
            continue
        wanted = names[:level]
        relation: exp.Expr = exp.Table(this=exp.to_identifier(scenario.relation, quoted=True))
        if level < last:
            distinct = exp.select(*(col(n) for n in wanted), copy=False).from_(relation).distinct()
            relation = exp.Subquery(
                this=distinct, alias=exp.TableAlias(this=exp.to_identifier(f"v{level}"))
            )
        join = exp.Join(
            this=relation,
            kind="CROSS" if not joined else None,
            using=[exp.to_identifier(n, quoted=True) for n in joined] or None,
        )
        result.append((join, segments[level]))
        joined = list(wanted)
    return result


def levels(stages: Sequence[tuple[str, exp.Expr]]) -> list[list[tuple[str, exp.Expr]]]:
    """The stages in order, cut where a column uses one defined since the last cut."""
    grouped: list[list[tuple[str, exp.Expr]]] = []
    defined: set[str] = set()
    for name, node in stages:
        uses = {c.name for c in node.find_all(exp.Column)}
        if not grouped or uses & defined:
            grouped.append([])
            defined = set()
        grouped[-1].append((name, node))
        defined.add(name)
    return grouped


def _projection(level: Sequence[tuple[str, exp.Expr]]) -> exp.Select:
    return exp.select(exp.Star(), *(_alias(node, name) for name, node in level), copy=False)


def _subquery(query: exp.Select, index: int) -> exp.Subquery:
    return exp.Subquery(this=query, alias=exp.TableAlias(this=_stage_name(index)))


def _stage_name(index: int) -> exp.Identifier:
    return exp.to_identifier(f"s{index}")


def _alias(node: exp.Expr, name: str) -> exp.Expr:
    return exp.Alias(this=node, alias=exp.to_identifier(name, quoted=True))
