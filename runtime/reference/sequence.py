"""Several periods: banking carry-over, make-good, deductions and borrowing.

    run(compiled, dataset, RunOptions(period="second")) -> Results

Rows of the same participant are evaluated in the scheme's period order. Between two
consecutive periods (next in the scheme's list, both present in the data):

    carry_in(next) = banked(prev) − Σ deduct(prev)      (may be negative: a deduction)
    owed_in(next)  = Σ make_good(prev) + borrowed(prev)

A gap (a period missing from the data) resets both to 0. The data may give `carry_in` and
`owed_in` columns: they are used for a row whose previous period is not in the data (and
ignored otherwise). `--period P` reports period P only; earlier periods of the same
participants are still evaluated for the carry-over.

Borrowing (`borrowing next_period|unlimited [up to L]`): when a participant is short in a
period that has a next period in the scheme, it borrows b = min(shortfall, L) from that
next period (L defaults to no limit; L is evaluated for the participant, negative means 0).
The period is evaluated again with carry_in + b (so shortfall falls by b and a penalty that
depends on it may no longer apply); b is owed in the next period (owed_in). Under
`next_period` a period that repays borrowed units may not borrow again; `unlimited` allows
rolling over. `none` and `within_period` never borrow across periods. The last period of
a scheme cannot borrow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from etsl.compiler import codes
from etsl.compiler.codes import Code
from etsl.compiler.diagnostics import did_you_mean
from etsl.compiler.display import format_value
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.numbers import ArithmeticFault, add, subtract
from etsl.compiler.program import Program
from etsl.runtime.records import Dataset, Holding, Record
from etsl.runtime.reference.engine import PeriodContext, PeriodEvaluator
from etsl.runtime.reference.expressions import Fault, Upstream
from etsl.runtime.results.model import (
    EvaluationError,
    OnDemandRows,
    OwedMix,
    ParticipantResult,
    Results,
    RunOptions,
)
from etsl.runtime.steps import missing_years, step_problem

ZERO = Decimal(0)
ENGINE = "reference"


@dataclass(frozen=True)
class Carry:
    """What one period hands to the next period of the same participant."""

    carry_in: Decimal = ZERO
    owed_in: Decimal = ZERO
    borrowed: Decimal = ZERO
    notes: tuple[tuple[str, str], ...] = ()  # (runtime name, note)
    fault: str | None = None
    owed_mix: tuple[OwedMix, ...] = ()
    lots: tuple[Holding, ...] = ()  # credit and offset lots carried by type and vintage
    earlier: tuple[tuple[str, Decimal], ...] = ()  # earlier_years(x) for the next year


def run(compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None) -> Results:
    """Evaluate every participant and period with the reference engine."""
    return run_program(compiled.program, dataset, options or RunOptions())


def run_program(program: Program, dataset: Dataset, options: RunOptions) -> Results:
    results = stream_program(program, dataset, options)
    return replace(results, rows=tuple(results.rows))


def stream(
    compiled: CompiledScheme, dataset: Dataset, options: RunOptions | None = None
) -> Results:
    """Results whose rows are computed as they are read (a file is written as they come)."""
    return stream_program(compiled.program, dataset, options or RunOptions())


def stream_program(program: Program, dataset: Dataset, options: RunOptions) -> Results:
    chains, problems = participant_chains(program, dataset.records, options)
    holdings = HoldingsIndex(dataset.holdings)
    count = sum(1 for chain in chains for row in chain if _reported(row, options))
    rows = OnDemandRows(lambda: in_data_order(program, chains, holdings, options, count), count)
    typed = any(r.participant_type for r in dataset.records)
    return Results.of(program, ENGINE, rows, problems, program.by_year, typed)


def _reported(row: Row, options: RunOptions) -> bool:
    return options.period is None or row.period == options.period


def in_data_order(
    program: Program,
    chains: Sequence[Sequence[Row]],
    holdings: HoldingsIndex,
    options: RunOptions,
    count: int,
) -> Iterator[ParticipantResult]:
    """Every reported row in data order. A participant's periods are evaluated in period
    order (what one period carries into the next); a row computed before its turn waits,
    and a participant's evaluation is dropped once its last row is out."""
    owner = {
        r.position: i for i, chain in enumerate(chains) for r in chain if _reported(r, options)
    }
    left = Counter(owner.values())
    running: dict[int, Iterator[tuple[int, ParticipantResult]]] = {}
    ready: dict[int, ParticipantResult] = {}
    for done, position in enumerate(sorted(owner), start=1):
        while position not in ready:
            index = owner[position]
            if index not in running:
                running[index] = run_chain(program, chains[index], holdings, options)
            computed, result = next(running[index])
            ready[computed] = result
            left[index] -= 1
            if not left[index]:
                del running[index]
        yield ready.pop(position)
        if options.progress is not None:
            options.progress(done, count)


# ---- grouping rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A record with its position in the data and its period (and year) resolved."""

    position: int
    record: Record
    period: str | None
    index: int | None  # the step's position in the scheme (Program.steps), None without periods
    year: int | None = None  # its year, in a period kept by year


def _problem(
    code: Code, record: Record, rule: str, message: str, hint: str | None = None
) -> EvaluationError:
    """A problem of the row itself (the data reader finds these in files, with the same code)."""
    return EvaluationError(
        code.name,
        record.participant,
        record.period,
        rule,
        message,
        None,
        hint,
        record.row,
        record.source,
    )


def _resolve_period(
    program: Program, record: Record, default: str | None
) -> tuple[str | None, EvaluationError | None]:
    periods = list(program.period_names)
    by_year = program.period_of_year(record.year) if record.year is not None else None
    period = record.period or by_year or default
    if not periods:
        return period, None
    if period is None and len(periods) == 1:
        return periods[0], None
    if period is None:
        return None, _problem(
            codes.DATA_BLANK,
            record,
            "period",
            f"the row gives no period and the scheme has several ({', '.join(periods)})",
            "add a period column, or run with --period",
        )
    if period not in periods:
        hint = did_you_mean(period, periods) or f"periods: {', '.join(periods)}"
        return None, _problem(
            codes.DATA_UNKNOWN_VALUE, record, "period", f"unknown period '{period}'", hint
        )
    return period, None


def participant_chains(
    program: Program, records: Sequence[Record], options: RunOptions
) -> tuple[list[list[Row]], list[EvaluationError]]:
    """Rows grouped by participant, each group in the scheme's step order."""
    order: dict[tuple[str | None, int | None], int] = {
        step: i for i, step in enumerate(program.steps)
    }
    groups: dict[str, dict[object, Row]] = {}
    problems = []
    for position, record in enumerate(records):
        if options.participants is not None and record.participant not in options.participants:
            continue
        period, problem = _resolve_period(program, record, options.period)
        step = (period, record.year)
        problem = problem or _step_problem(program, record, period)
        group = groups.setdefault(record.participant, {})
        if problem is None and step in group and order:
            problem = _duplicate(record, group[step].record, period)
        if problem is not None:
            problems.append(problem)
            continue
        key = step if order else f"#{position}"
        group[key] = Row(position, record, period, order.get(step), record.year)
    problems += _missing_years(program, groups)
    chains = [
        sorted(g.values(), key=lambda r: (r.index is None, r.index or 0, r.position))
        for g in groups.values()
    ]
    return [c for c in chains if c], problems


def _step_problem(program: Program, record: Record, period: str | None) -> EvaluationError | None:
    found = step_problem(program, period, record.year) if period else None
    return _problem(found.code, record, found.column, found.message, found.hint) if found else None


def _duplicate(record: Record, first: Record, period: str | None) -> EvaluationError:
    year = f", year {record.year}" if record.year is not None else ""
    return _problem(
        codes.DATA_DUPLICATE_ROW,
        record,
        "period",
        f"participant '{record.participant}' has a "
        f"second row for period '{period}'{year} (first: row {first.row})",
        "give each participant one row per period (per year in a period kept by year)",
    )


def _missing_years(program: Program, groups: dict[str, dict[object, Row]]) -> list[EvaluationError]:
    """A participant missing a year of a period kept by year: the problem, and its rows of
    that period are left out (each year feeds the next)."""
    keys = [
        (r.record.participant, r.period, r.year, r.position)
        for g in groups.values()
        for r in g.values()
        if r.period is not None
    ]
    problems = []
    for participant, position, found in missing_years(program, keys):
        group = groups[participant]
        first = next(r for r in group.values() if r.position == position)
        for key in [k for k, r in group.items() if r.period == first.period]:
            del group[key]
        problems.append(_problem(found.code, first.record, found.column, found.message, found.hint))
    return problems


class HoldingsIndex:
    """Holdings by participant and period; rows without a period apply to every period. In
    a period kept by year, a holding without a year is held in the period's first year (what
    is left is kept into the next years)."""

    def __init__(self, holdings: Sequence[Holding]) -> None:
        self.by_key: dict[tuple[str, str | None], list[Holding]] = {}
        for holding in holdings:
            self.by_key.setdefault((holding.participant, holding.period), []).append(holding)

    def of(
        self, participant: str, period: str | None, year: int | None = None, first: bool = True
    ) -> list[Holding]:
        rows = list(self.by_key.get((participant, None), [])) if first else []
        rows += self.by_key.get((participant, period), []) if period else []
        return [h for h in rows if h.year == year or (h.year is None and first)]


def wide_holdings(
    program: Program, record: Record, period: str | None, year: int | None = None
) -> list[Holding]:
    """Holdings given as `held.UNIT` / `held_UNIT` columns of the participant table."""
    found = []
    for unit in program.units:
        for column in (f"held.{unit}", f"held_{unit}"):
            quantity = record.values.get(column)
            if isinstance(quantity, Decimal):
                found.append(
                    Holding(
                        record.participant,
                        period,
                        unit,
                        quantity,
                        row=record.row,
                        source=record.source,
                        year=year,
                    )
                )
    return found


# ---- one participant over its periods --------------------------------------------------------


def run_chain(
    program: Program, chain: Sequence[Row], holdings: HoldingsIndex, options: RunOptions
) -> Iterator[tuple[int, ParticipantResult]]:
    carry, previous = Carry(), None
    for row in chain:
        if row.index is None or previous is None or row.index != (previous.index or 0) + 1:
            carry = given_carry(row.record)
        elif previous.period != row.period:
            carry = replace(carry, earlier=())  # a new compliance period sums afresh
        record = row.record
        context = PeriodContext(
            record.participant,
            row.period,
            record.values,
            tuple(
                holdings.of(record.participant, row.period, row.year, _first_year(program, row))
                + wide_holdings(program, record, row.period, row.year)
                + [replace(lot, period=row.period) for lot in carry.lots]
            ),
            runtime={"carry_in": carry.carry_in, "owed_in": carry.owed_in},
            runtime_notes=_notes(carry),
            runtime_faults=_faults(carry),
            row=record.row,
            source=record.source,
            owed_mix=carry.owed_mix,
            year=row.year,
            participant_type=record.participant_type,
            final_year=row.year is None or row.year == program.data_years(row.period or "")[-1],
            earlier=dict(carry.earlier),
            system=options.system(row.period, row.year) if options.system else {},
        )
        closing = _period_index(program, row) if context.final_year else None
        result = evaluate_period(program, context, closing, carry.borrowed, options.trace)
        carry, previous = next_carry(program, result, dict(carry.earlier)), row
        if options.period is None or row.period == options.period:
            yield row.position, result


def _first_year(program: Program, row: Row) -> bool:
    """Whether the row opens its period (always, unless the period is kept by year)."""
    years = program.data_years(row.period or "")
    return not years or row.year == years[0]


def _period_index(program: Program, row: Row) -> int | None:
    """The position of the row's period in the scheme (borrowing looks at the next one)."""
    return program.period_names.index(row.period) if row.period else None


def given_carry(record: Record) -> Carry:
    """carry_in / owed_in the data gives for a period whose predecessor is not in the data."""
    given = {
        name: value
        for name in ("carry_in", "owed_in")
        if isinstance(value := record.values.get(name), Decimal)
    }
    notes = tuple((name, "given in the data") for name in given)
    return Carry(given.get("carry_in", ZERO), given.get("owed_in", ZERO), ZERO, notes)


def _notes(carry: Carry) -> dict[str, tuple[str, ...]]:
    notes: dict[str, tuple[str, ...]] = {}
    for name, note in carry.notes:
        notes[name] = notes.get(name, ()) + (note,)
    return notes


def _faults(carry: Carry) -> dict[str, str]:
    names = ("carry_in", "owed_in", "earlier_years")
    return dict.fromkeys(names, carry.fault) if carry.fault else {}


def next_carry(
    program: Program, result: ParticipantResult, earlier: dict[str, Decimal] | None = None
) -> Carry:
    """carry_in and owed_in for the participant's next period (or year)."""
    banked = result.values.get("banked")
    if not isinstance(banked, Decimal) or not result.consequences_known:
        return Carry(
            fault=f"period '{result.period}' of this participant could not be "
            "computed, so what it carries over is unknown"
        )
    deduct, make_good = result.total("deduct"), result.total("make_good")
    borrowed = result.values.get("borrowed")
    borrowed = borrowed if isinstance(borrowed, Decimal) else ZERO
    where = f"in {result.year}" if result.year is not None else f"in period {result.period}"
    notes = [("carry_in", f"banked {format_value(banked, 'tCO2e')} {where}")]
    if deduct:
        notes.append(("carry_in", f"less {format_value(deduct, 'tCO2e')} deducted {where}"))
    if make_good:
        notes.append(("owed_in", f"make-good of {format_value(make_good, 'tCO2e')} {where}"))
    if borrowed:
        notes.append(("owed_in", f"{format_value(borrowed, 'tCO2e')} borrowed {where}"))
    mixes = tuple(c.mix for c in result.consequences if c.kind == "make_good" and c.mix)
    sums = year_sums_after(program, result, earlier or {})
    if isinstance(sums, str):
        return Carry(fault=sums)
    return Carry(
        subtract(banked, deduct),
        add(make_good, borrowed),
        borrowed,
        tuple(notes),
        None,
        mixes,
        result.carried,
        sums,
    )


def year_sums_after(
    program: Program, result: ParticipantResult, earlier: dict[str, Decimal]
) -> tuple[tuple[str, Decimal], ...] | str:
    """earlier_years(x) for the next year: the sums so far plus this year's values (or why
    they are unknown)."""
    if result.year is None:
        return ()
    sums = []
    for name in program.year_sums:
        value = result.values.get(name, result.inputs.get(name))
        if not isinstance(value, Decimal):
            return (
                f"'{name}' of {result.year} could not be computed, so "
                f"earlier_years({name}) is unknown"
            )
        sums.append((name, add(earlier.get(name, ZERO), value)))
    return tuple(sums)


# ---- one period, with borrowing ------------------------------------------------------------------


def may_borrow(program: Program, index: int | None, borrowed_before: Decimal) -> bool:
    """Whether this period may borrow from the next one (see the module docstring)."""
    borrowing = program.borrowing
    if (
        borrowing is None
        or not program.borrows
        or index is None
        or index + 1 >= len(program.period_names)
    ):
        return False
    mode, _, _ = borrowing.in_period(program.period_names[index])
    if mode not in ("next_period", "unlimited"):
        return False
    return not (mode == "next_period" and borrowed_before > 0)


def evaluate_period(
    program: Program,
    context: PeriodContext,
    index: int | None,
    borrowed_before: Decimal = ZERO,
    trace: bool = False,
) -> ParticipantResult:
    """One participant in one period, borrowing from the next period when short."""
    evaluator = PeriodEvaluator(program, context, trace)
    result = evaluator.run()
    shortfall = result.values.get("shortfall")
    if (
        not may_borrow(program, index, borrowed_before)
        or not isinstance(shortfall, Decimal)
        or shortfall <= 0
    ):
        return result
    try:
        borrowed = _borrowable(program, evaluator, shortfall)
    except (Fault, Upstream, ArithmeticFault) as exc:
        message = (
            exc.message
            if isinstance(exc, Fault)
            else f"it uses a value that could not be computed ({exc})"
        )
        code = (
            exc.code
            if isinstance(exc, Fault | ArithmeticFault)
            else evaluator.fault_codes.get(exc.origin, codes.EVALUATION_WRONG_TYPE)
        )
        error = EvaluationError(
            code.name,
            context.participant,
            context.period,
            "borrowing",
            message,
            program.borrowing.in_period(context.period)[2] if program.borrowing else None,
            None,
            context.row,
            context.source,
        )
        return replace(result, errors=result.errors + (error,))
    if borrowed <= 0:
        return result
    periods = list(program.period_names)
    note = f"includes {format_value(borrowed, 'tCO2e')} borrowed from period {periods[index + 1]}"  # type: ignore[operator]
    again = replace(
        context,
        runtime={
            **context.runtime,
            "borrowed": borrowed,
            "carry_in": add(context.runtime.get("carry_in", ZERO), borrowed),
        },
        runtime_notes={
            **context.runtime_notes,
            "carry_in": context.runtime_notes.get("carry_in", ()) + (note,),
        },
    )
    return PeriodEvaluator(program, again, trace).run()


def _borrowable(program: Program, evaluator: PeriodEvaluator, shortfall: Decimal) -> Decimal:
    period = evaluator.context.period
    limit_expr = program.borrowing.in_period(period)[1] if program.borrowing else None
    if limit_expr is None:
        return shortfall
    limit = evaluator.evaluate(limit_expr)
    if not isinstance(limit, Decimal):
        raise Fault(
            codes.EVALUATION_WRONG_TYPE, f"the borrowing limit is {limit!r}, not a quantity"
        )
    return min(shortfall, max(limit, ZERO))
