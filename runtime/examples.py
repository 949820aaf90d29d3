"""Run a scheme's `example` blocks and report where expected and actual values differ.

    outcomes = run_examples(compiled)
    print(render_outcome(outcomes[0]))

An example is one participant in one period: `given` sets inputs (literals converted to
base units), `period` (default: the scheme's first period), `held.UNIT` holdings and the
runtime values carry_in / owed_in / surrendered. `expect` names rules and vocabulary
values, `eligible.UNIT`, consequence totals by kind (fine, order, make_good, deduct,
refund, buy_on_behalf) and flags (publish = true). Values are compared exactly, after
converting the expected literal to base units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from etsl.compiler import program as ir
from etsl.compiler.display import format_value
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.enums import AMOUNT_KINDS
from etsl.compiler.lower import type_unit
from etsl.compiler.program import Program
from etsl.compiler.source import Span
from etsl.compiler.vocabulary import RUNTIME_INPUTS
from etsl.runtime.records import Dataset, Holding, Record, Value
from etsl.runtime.reference.engine import PeriodContext, PeriodEvaluator
from etsl.runtime.reference.expressions import Fault, Upstream
from etsl.runtime.reference.sequence import evaluate_period
from etsl.runtime.results.model import ParticipantResult


@dataclass(frozen=True)
class Mismatch:
    """One expected value that differs from the computed one."""

    name: str
    expected: Value
    actual: Value | None
    unit: str
    span: Span
    reason: str | None = None  # why the actual value could not be computed


@dataclass(frozen=True)
class ExampleOutcome:
    scheme: str
    title: str
    span: Span
    mismatches: tuple[Mismatch, ...] = ()
    problems: tuple[str, ...] = ()
    result: ParticipantResult | None = None
    checked: int = 0

    @property
    def passed(self) -> bool:
        return not self.mismatches and not self.problems


@dataclass(frozen=True)
class Given:
    period: str | None
    inputs: dict[str, Value]
    holdings: tuple[Holding, ...]
    runtime: dict[str, Decimal]
    problems: tuple[str, ...]
    year: int | None = None  # a year of a period kept by year
    earlier: dict[str, Decimal] = field(default_factory=dict)  # earlier_years.NAME givens


def read_given(program: Program, example: ir.Example) -> Given:
    constants = PeriodEvaluator(program, PeriodContext(example.title, None, {}))
    period: str | None = next(iter(program.period_names), None)
    inputs: dict[str, Value] = {}
    holdings: list[Holding] = []
    runtime: dict[str, Decimal] = {}
    earlier: dict[str, Decimal] = {}
    year: int | None = None
    problems = []
    for binding in example.given:
        try:
            value = constants.evaluate(binding.value)
        except (Fault, Upstream) as exc:
            problems.append(f"{binding.span}: cannot read '{'.'.join(binding.path)}': {exc}")
            continue
        head = binding.path[0]
        if head == "period" and isinstance(value, str):
            period = value
        elif head == "year" and program.by_year and isinstance(value, Decimal):
            year = int(value)
            period = program.period_of_year(year) or period
        elif head == "earlier_years" and len(binding.path) == 2 and isinstance(value, Decimal):
            earlier[binding.path[1]] = value
        elif head == "held" and len(binding.path) == 2 and isinstance(value, Decimal):
            holdings.append(Holding(example.title, None, binding.path[1], value))
        elif head in RUNTIME_INPUTS and isinstance(value, Decimal):
            runtime[head] = value
        else:
            inputs[head] = value
    return Given(period, inputs, tuple(holdings), runtime, tuple(problems), year, earlier)


def examples_dataset(compiled: CompiledScheme) -> Dataset:
    """Every example of a scheme whose givens are participant data (no runtime values such
    as `carry_in`) as one participant row each: `example 1`, `example 2`, … (so that an
    engine evaluates all of them in one run)."""
    records: list[Record] = []
    holdings: list[Holding] = []
    for index, example in enumerate(compiled.program.examples):
        given = read_given(compiled.program, example)
        if given.runtime or given.problems or example.system:
            continue
        participant = f"example {index + 1}"
        records.append(Record(participant, given.period, given.inputs, index + 2, "<examples>"))
        holdings += [Holding(participant, None, h.unit, h.quantity) for h in given.holdings]
    return Dataset(tuple(records), tuple(holdings))


def _actual(result: ParticipantResult, path: tuple[str, ...], expected: Value) -> Value | None:
    name = ".".join(path)
    if path[0] in AMOUNT_KINDS and isinstance(expected, bool):
        return result.flag(path[0])
    try:
        return result.value(name)
    except KeyError:
        return None


def _reason(result: ParticipantResult, name: str) -> str | None:
    trace = result.trace
    if trace is None:
        return None
    if name in trace.entries:
        return trace.entries[name].error
    failed = [e.error for e in trace.entries.values() if e.kind == "penalty" and e.error]
    return failed[0] if failed else None


def _unit(program: Program, result: ParticipantResult, binding: ir.Binding) -> str:
    name = ".".join(binding.path)
    if name.startswith("eligible.") or name in RUNTIME_INPUTS:
        return "tCO2e"
    units = [c.unit for c in result.consequences if c.kind == binding.path[0]]
    if units:
        return units[0]
    if program.kind_of(name) is None and isinstance(binding.value, ir.Const) and binding.value.unit:
        return type_unit(binding.value.type)
    return program.unit_of(name)


def _same(expected: Value, actual: Value | None) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return actual is not None and type(expected) is type(actual) and expected == actual


def run_example(program: Program, example: ir.Example) -> ExampleOutcome:
    """Evaluate one example with the reference engine (traced) and compare every value."""
    if example.system and program.system is not None:
        return run_system_example(program, example)
    given = read_given(program, example)
    periods = list(program.period_names)
    years = program.data_years(given.period or "")
    final = given.year is None or not years or given.year == years[-1]
    index = periods.index(given.period) if given.period in periods and final else None
    context = PeriodContext(
        example.title,
        given.period,
        given.inputs,
        given.holdings,
        runtime={"carry_in": Decimal(0), "owed_in": Decimal(0), **given.runtime},
        year=given.year,
        final_year=final,
        earlier=given.earlier,
        system=example_system_values(program, given.period, given.year),
    )
    return compare(program, example, given, evaluate_period(program, context, index, trace=True))


def example_system_values(
    program: Program, period: str | None, year: int | None
) -> Mapping[str, Value]:
    """What a participant example reads of the system level: the values of its year with
    no system data (a price path, a table by year; a system input is not known)."""
    from etsl.compiler.system import row_year
    from etsl.runtime.reference.system import SystemRun

    when = row_year(program, period, year)
    if program.system is None or not program.reads_system or when is None:
        return {}
    return SystemRun(program, {when: {}}).year_values(when)


def run_system_example(program: Program, example: ir.Example) -> ExampleOutcome:
    """A system example: one year of the system program (runtime/reference/system.py)."""
    from etsl.runtime.reference.system import evaluate_system_example

    assert program.system is not None
    system = program.system.program
    from etsl.compiler.system import YEAR

    given = read_given(system, example)
    inputs = dict(given.inputs)
    if given.year is not None:  # read as a data year where a period is kept by year
        inputs[YEAR] = Decimal(given.year)
    return compare(system, example, given, evaluate_system_example(program, inputs))


def compare(
    program: Program, example: ir.Example, given: Given, result: ParticipantResult
) -> ExampleOutcome:
    """Every expected value of an example against one engine's result."""
    constants = PeriodEvaluator(program, PeriodContext(example.title, given.period, {}))
    mismatches, problems = [], list(given.problems)
    for binding in example.expect:
        name = ".".join(binding.path)
        try:
            expected = constants.evaluate(binding.value)
        except (Fault, Upstream) as exc:
            problems.append(f"{binding.span}: cannot read the expected '{name}': {exc}")
            continue
        actual = _actual(result, binding.path, expected)
        if not _same(expected, actual):
            mismatches.append(
                Mismatch(
                    name,
                    expected,
                    actual,
                    _unit(program, result, binding),
                    binding.span,
                    _reason(result, name),
                )
            )
    return ExampleOutcome(
        program.name,
        example.title,
        example.span,
        tuple(mismatches),
        tuple(problems),
        result,
        len(example.expect),
    )


def run_examples(compiled: CompiledScheme, engine: str = "reference") -> list[ExampleOutcome]:
    """Every example of a scheme, in declaration order, evaluated by one engine.

    The reference engine evaluates each example on its own (with a trace, so failures say
    why). Any other engine gets all examples at once as a dataset of one participant row
    each; an example that gives `surrendered` (a value only the reference engine accepts
    as given) is evaluated by the reference engine.
    """
    program = compiled.program
    if engine == "reference" or program.by_year:  # years chain: the reference engine's
        return [run_example(program, example) for example in program.examples]
    return _run_as_dataset(compiled, engine)


def _run_as_dataset(compiled: CompiledScheme, engine: str) -> list[ExampleOutcome]:
    from etsl.runtime.results.model import RunOptions
    from etsl.runtime.run import run_dataset

    program = compiled.program
    givens = [read_given(program, example) for example in program.examples]
    rows = {
        f"example {n}": g
        for n, (g, example) in enumerate(zip(givens, program.examples, strict=True), start=1)
        if "surrendered" not in g.runtime and not g.problems and not example.system
    }
    records = [
        Record(name, g.period, {**g.inputs, **g.runtime}, n, "<examples>")
        for n, (name, g) in enumerate(rows.items(), start=2)
    ]
    holdings = [
        Holding(name, None, h.unit, h.quantity) for name, g in rows.items() for h in g.holdings
    ]
    options = RunOptions(system=partial(example_system_values, program))
    results = run_dataset(compiled, Dataset(tuple(records), tuple(holdings)), engine, options)
    by_name = {r.participant: r for r in results.rows}
    outcomes = []
    for n, (example, given) in enumerate(zip(program.examples, givens, strict=True), start=1):
        result = by_name.get(f"example {n}")
        outcomes.append(
            run_example(program, example)
            if result is None
            else compare(program, example, given, result)
        )
    return outcomes


def _show(value: Value | None, unit: str) -> str:
    return format_value(value, unit if isinstance(value, Decimal) else "")


def render_outcome(outcome: ExampleOutcome, verbose: bool = False) -> str:
    """`PASS scheme: "title"`, or `FAIL …` followed by an expected/actual diff per value."""
    status = "PASS" if outcome.passed else "FAIL"
    lines = [
        f'{status} {outcome.scheme}: "{outcome.title}"'
        + ("" if outcome.passed and not verbose else f"  ({outcome.span})")
    ]
    lines += [f"  {problem}" for problem in outcome.problems]
    for m in outcome.mismatches:
        lines.append(f"  {m.span}: {m.name}")
        lines.append(f"    - expected {_show(m.expected, m.unit)}")
        actual = _show(m.actual, m.unit) if m.actual is not None else "not computed"
        lines.append(f"    + actual   {actual}" + (f" ({m.reason})" if m.reason else ""))
    return "\n".join(lines)
