"""Chains: several periods of one participant, evaluated one period at a time.

    run_chains(compiled, dataset, options, evaluate_step) -> Results | Fallback

The columnar engine evaluates a chain step by step (Program.steps): one query per step over
every participant's row of that step, with what the previous step hands on (the definition
is runtime/reference/sequence.py and runtime/reference/ledger.py) fed in as exact values:

    carry_in  = banked − Σ deduct           owed_in = Σ make_good
    held.UNIT = the row's own holdings + the credit and offset lots carried by unit type

Credit lots are followed per unit type as two amounts: lots carried from earlier periods
(the oldest vintages, used first) and the period's own lots. That is all the reference
ledger needs when no rule looks at a lot's attributes; schemes whose rules do (surrender
filters, banking rules) are left to the reference engine (`chain_fallback`). In a period
kept by year a step is a year: it also gets `year`, `final_year` and the earlier_years(x)
sums, and a year that does not close its period hands every lot left to the next year
(banking applies when the period closes). A participant whose row cannot be
computed is evaluated again, whole chain, by the reference engine, which reports why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from etsl.compiler.driver import CompiledScheme
from etsl.compiler.numbers import add, subtract
from etsl.compiler.program import Program
from etsl.runtime.columnar.data import ENGINE, Fallback, holdings_by_record
from etsl.runtime.records import Dataset, Holding, Record, Value
from etsl.runtime.reference.engine import left_after
from etsl.runtime.reference.sequence import (
    HoldingsIndex,
    Row,
    participant_chains,
    run_chain,
    year_sums_after,
)
from etsl.runtime.results.model import ParticipantResult, Results, RunOptions

ZERO = Decimal(0)
StepEvaluator = Callable[[Dataset], "Results | Fallback"]


def has_chains(records: Sequence[Record]) -> bool:
    """Whether some participant has several rows (periods or years) in the data."""
    seen: set[str] = set()
    for record in records:
        if record.participant in seen:
            return True
        seen.add(record.participant)
    return False


def chain_fallback(program: Program, dataset: Dataset) -> Fallback | None:
    """What in a chain this engine leaves to the reference engine, and why."""
    reasons = (
        (
            program.by_year and _carries_lots(program) and _banking_mode(program) == "next_period",
            "periods kept by year under 'banking next_period' (lots kept from an earlier year "
            "count as the period's own)",
        ),
        (
            any(c.where is not None for c in program.surrender) and _carries_lots(program),
            "surrender filters on credit lots carried between periods (lots keep their vintage)",
        ),
        (
            program.banking is not None and bool(program.banking.rules),
            "banking rules on carried lots ('except … where', 'limit … up to')",
        ),
        (_owes_a_mix(program), "make-good owed with a unit mix (settled lot by lot)"),
        (
            any(r.participant_type for r in dataset.records),
            "participant types in a chain (the 'type' column)",
        ),
        (
            any(_own_attributes(program, h) for h in dataset.holdings),
            "holdings with their own attributes in a chain (lots keep their vintage)",
        ),
        (
            any(p.first_year is None for p in program.periods) and _carries_lots(program),
            "credit lots carried from a period without a first year (no vintage)",
        ),
    )
    return next((Fallback(reason) for found, reason in reasons if found), None)


def _own_attributes(program: Program, holding: Holding) -> bool:
    """Whether a holding says more than its unit type's declared attributes (or a year)."""
    from etsl.compiler.program import attribute_value

    unit = program.units.get(holding.unit)
    declared = unit.attributes if unit else {}
    return any(attribute_value(v) != declared.get(k) for k, v in holding.attributes.items())


def _banking_mode(program: Program) -> str | None:
    return program.banking.mode if program.banking else None


def _carries_lots(program: Program) -> bool:
    banking = program.banking
    carrying = banking is not None and banking.mode in ("next_period", "unlimited")
    return bool(program.credit_types) and (carrying or program.by_year)


def _owes_a_mix(program: Program) -> bool:
    return any(c.mix is not None for p in program.penalties for c in p.consequences)


# ---- what one step hands the next ---------------------------------------------------------


@dataclass(frozen=True)
class Carry:
    """A participant's account between two periods (runtime/reference/sequence.py's Carry,
    with the credit lots carried over as an amount per unit type)."""

    carry_in: Decimal = ZERO
    owed_in: Decimal = ZERO
    carried: Mapping[str, Decimal] = field(default_factory=dict)  # credit lots, by unit type
    earlier: Mapping[str, Decimal] = field(default_factory=dict)  # earlier_years(x) sums


def given(record: Record) -> Carry:
    """What the data gives a row whose previous step is not in the data."""
    values = {
        name: value
        for name in ("carry_in", "owed_in")
        if isinstance(value := record.values.get(name), Decimal)
    }
    return Carry(values.get("carry_in", ZERO), values.get("owed_in", ZERO))


def next_carry(
    program: Program, result: ParticipantResult, carry: Carry, fresh: Mapping[str, Decimal]
) -> Carry | None:
    """What this row hands the participant's next row (None: it could not be computed)."""
    banked = result.values.get("banked")
    if not isinstance(banked, Decimal) or result.errors:
        return None
    carried = _lots_left(program, result, carry, fresh)
    sums = year_sums_after(program, result, dict(carry.earlier))
    if carried is None or isinstance(sums, str):
        return None
    deducted = subtract(banked, result.total("deduct"))
    return Carry(deducted, result.total("make_good"), carried, dict(sums))


def _lots_left(
    program: Program, result: ParticipantResult, carry: Carry, fresh: Mapping[str, Decimal]
) -> dict[str, Decimal] | None:
    """Per credit type, the lots carried into the next period (runtime/reference/ledger.py):
    lots carried in are used first (the oldest vintages), then the period's own."""
    banking = program.banking
    within = not _closes_period(program, result)
    if not within and (banking is None or banking.mode not in ("next_period", "unlimited")):
        return {}
    units = program.credit_types
    eligible = [result.eligible.get(u) for u in units]
    obligation = result.values.get("obligation")
    if not isinstance(obligation, Decimal) or any(e is None for e in eligible):
        return None
    need = subtract(add(obligation, carry.owed_in), carry.carry_in)
    left, _ = left_after([e for e in eligible if e is not None], max(need, ZERO))
    carried = {}
    for unit, amount, rest in zip(units, eligible, left, strict=True):
        assert amount is not None
        used = subtract(amount, rest)
        old = carry.carried.get(unit, ZERO)
        mine = fresh.get(unit, ZERO)
        old_left = max(subtract(old, used), ZERO)
        mine_left = subtract(mine, max(subtract(used, old), ZERO))
        keeps_all = within or (banking is not None and banking.mode == "unlimited")
        carried[unit] = add(mine_left, old_left) if keeps_all else mine_left
    return carried


def _closes_period(program: Program, result: ParticipantResult) -> bool:
    """Whether a row's year closes its period (every row of a period not kept by year)."""
    years = program.data_years(result.period or "")
    return result.year is None or not years or result.year == years[-1]


# ---- the steps ----------------------------------------------------------------------------------


def run_chains(
    compiled: CompiledScheme,
    dataset: Dataset,
    options: RunOptions,
    evaluate_step: StepEvaluator,
) -> Results | Fallback:
    """Evaluate every participant's chain one step at a time (see the module docstring)."""
    program = compiled.program
    reason = chain_fallback(program, dataset)
    if reason is not None:
        return reason
    chains, problems = participant_chains(program, dataset.records, options)
    state: dict[str, tuple[Row, Carry]] = {}
    computed: dict[int, ParticipantResult] = {}
    by_reference: set[int] = set()
    for index in range(len(program.steps)):
        rows = [
            (i, r)
            for i, c in enumerate(chains)
            for r in c
            if r.index == index and i not in by_reference
        ]
        if not rows:
            continue
        step = _step_records(compiled, rows, state, dataset.holdings)
        if isinstance(step, Fallback):
            return step
        results = evaluate_step(Dataset(tuple(record for record, _, _ in step)))
        if isinstance(results, Fallback):
            return results
        for (chain, row), (_, carry, fresh), result in zip(rows, step, results.rows, strict=True):
            result = replace(result, inputs=row.record.values, year=row.year)
            following = next_carry(program, result, carry, fresh)
            if following is None:
                by_reference.add(chain)
                continue
            state[row.record.participant] = (row, following)
            computed[row.position] = result
    for chain in sorted(by_reference):
        holdings = HoldingsIndex(dataset.holdings)
        for position, result in run_chain(program, chains[chain], holdings, options):
            computed[position] = result
    reported = sorted(r.position for c in chains for r in c if options.period in (None, r.period))
    return Results.of(
        program, ENGINE, tuple(computed[p] for p in reported), problems, program.by_year
    )


def _step_records(
    compiled: CompiledScheme,
    rows: Sequence[tuple[int, Row]],
    state: Mapping[str, tuple[Row, Carry]],
    holdings: Sequence[Holding],
) -> list[tuple[Record, Carry, Mapping[str, Decimal]]] | Fallback:
    """Each row of a step as the query reads it: its carry, holdings and period filled in."""
    program = compiled.program
    records = [replace(row.record, period=row.period) for _, row in rows]
    own = holdings_by_record(compiled, records, holdings)
    if isinstance(own, Fallback):
        return own
    step: list[tuple[Record, Carry, Mapping[str, Decimal]]] = []
    for (_, row), record, fresh in zip(rows, records, own, strict=True):
        previous = state.get(record.participant)
        follows = previous is not None and previous[0].index == (row.index or 0) - 1
        carry = previous[1] if follows and previous is not None else given(record)
        if previous is not None and previous[0].period != row.period:
            carry = replace(carry, earlier={})  # a new compliance period sums afresh
        held = {u: add(fresh.get(u, ZERO), carry.carried.get(u, ZERO)) for u in program.units}
        values = {k: v for k, v in record.values.items() if not k.startswith(("held.", "held_"))}
        values.update({"carry_in": carry.carry_in, "owed_in": carry.owed_in})
        values.update(_step_values(program, row, carry))
        values.update({f"held.{u}": q for u, q in held.items() if q or u in fresh})
        step.append((replace(record, values=values), carry, fresh))
    return step


def _step_values(program: Program, row: Row, carry: Carry) -> dict[str, Value]:
    """`year`, `final_year` and the earlier_years(x) sums of a row of a period kept by year."""
    if row.year is None:
        return {}
    years = program.data_years(row.period or "")
    values: dict[str, Value] = {"final_year": row.year == years[-1]}
    if "year" not in program.inputs:
        values["year"] = Decimal(row.year)
    values.update({f"earlier_years.{n}": carry.earlier.get(n, ZERO) for n in program.year_sums})
    return values
