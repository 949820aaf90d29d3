"""The system level in the reference engine: one evaluation per scheme and year.

    run = SystemRun(program, {2021: {"tnac": Decimal(…)}, …}, records)
    run.value(2021, "msr_intake")          # one system value (raises Fault or Upstream)
    run.results()                          # every year's values, one result per year
    PeriodContext(…, system=run.year_values(2021))   # what participant rows read

The system Program (compiler/lower_system.py) is evaluated by the PeriodEvaluator like a
participant: the "participant" is the year, its inputs are `year`, the year's row of the
system data and the aggregates, computed on first use from the participants of the year
(`row_year`: the participant rows whose period starts in that year). Values are computed
once per year, lazily, so participant rows and system values may read each other in any
order the rule graph allows (cycles across the levels are rejected by the compiler).

Price paths (`price ceiling 65 USD/tCO2e from 2021 rising 5 % plus cpi`): the value is the
start value in the base year; each later year it is the previous year's value times
(1 + rate + that year's `cpi` input), or plus the amount when the escalator is an amount,
rounded half up to whole cents (two decimal places) every year. The inflation rate of a
year is the system data's value for that year.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from etsl.compiler import codes, numbers
from etsl.compiler import program as ir
from etsl.compiler.system import YEAR, row_year
from etsl.compiler.types import NUMBER
from etsl.runtime.records import Record, Value
from etsl.runtime.reference.engine import PeriodContext, PeriodEvaluator
from etsl.runtime.reference.expressions import Fault, Upstream, number
from etsl.runtime.results.model import ParticipantResult
from etsl.runtime.results.system import YEAR_LABEL

ZERO = Decimal(0)
ONE = Decimal(1)

Rows = Mapping[int, Mapping[str, Value]]
#: Aggregates computed elsewhere (the columnar engine's SQL, runtime/columnar/system.py):
#: year → aggregate → (the sum, or the count for `count`; how many rows were aggregated).
Totals = Mapping[int, Mapping[str, tuple[Decimal, int]]]
#: How a year's system evaluation is named where participants are (errors, results).


class SystemRun:
    """The system values of every year of one run, computed on first use."""

    def __init__(
        self,
        program: ir.Program,
        rows: Rows,
        records: Sequence[Record] = (),
        trace: bool = False,
        source: str = "<system data>",
        row_notes: bool = True,
        filled: Mapping[str, str] | None = None,
        totals: Totals | None = None,
    ) -> None:
        assert program.system is not None
        self.program = program
        self.level = program.system
        self.rows = rows
        self.records = records
        self.trace = trace
        self.source = source
        self.row_notes = row_notes  # inputs come from rows of a file (else: `source, YEAR`)
        self.filled = filled or {}  # inputs a simulation computes → how, for explanations
        self.totals = totals
        self.evaluators: dict[int, PeriodEvaluator] = {}

    def evaluator(self, year: int) -> PeriodEvaluator:
        if year not in self.evaluators:
            inputs = YearInputs(self, year)
            context = PeriodContext(
                f"{YEAR_LABEL}{year}",
                None,
                inputs,
                row=_row_number(self.rows, year) if self.row_notes else 0,
                source=self.source,
                system_rows=self.rows,
                input_note=inputs.note,
            )
            self.evaluators[year] = PeriodEvaluator(self.level.program, context, self.trace)
        return self.evaluators[year]

    def value(self, year: int, name: str) -> Value:
        return self.evaluator(year).lookup(name)

    def results(self) -> list[ParticipantResult]:
        """Every system value of every year of the system data, years in order."""
        return [self.result(year) for year in sorted(self.rows)]

    def result(self, year: int) -> ParticipantResult:
        """One year's system values (parameters included), as a result row."""
        evaluator = self.evaluator(year)
        result = evaluator.run()
        values = {n: evaluator.values.get(n) for n in self.level.values}
        return replace(result, values={**result.values, **values})

    def carried(self, year: int, key: str) -> Value:
        """`input tnac: tCO2e else previous tnac_end` in a year the data leaves blank: the
        value `tnac_end` had the year before (computed with that year's data)."""
        source = self.level.carried[key]
        if year - 1 not in self.rows:
            raise Fault(
                codes.EVALUATION_MISSING_INPUT,
                f"'{key}' of {year} is not given and {year - 1} has no system data to carry "
                f"it from ('{source}' of {year - 1})",
                f"give '{key}' for {year}, or give the system data of {year - 1}",
                missing=key,
            )
        try:
            return self.value(year - 1, source)
        except (Fault, Upstream):
            why = self.evaluator(year - 1).reasons.get(source, "it could not be computed")
            raise Fault(
                codes.EVALUATION_MISSING_INPUT,
                f"'{key}' of {year} is carried from '{source}' of {year - 1}: {why}",
                f"fix {year - 1} first, or give '{key}' for {year}",
                missing=key,
            ) from None

    def year_values(self, year: int | None) -> YearValues:
        return YearValues(self, year)

    def aggregate(self, year: int, key: str) -> Decimal:
        node = self.level.aggregates[key]
        if self.totals is not None:
            total, rows = self.totals.get(year, {}).get(key, (ZERO, 0))
            return aggregate_total(node, total, rows)
        values = [self._participant_value(record, year, node) for record in self.of_year(year)]
        return aggregate_of(node, values)

    def of_year(self, year: int) -> list[Record]:
        return [r for r in self.records if row_year(self.program, r.period, r.year) == year]

    def _participant_value(self, record: Record, year: int, node: ir.Aggregate) -> Value:
        context = PeriodContext(
            record.participant,
            record.period,
            record.values,
            row=record.row,
            source=record.source,
            system=self.year_values(year),
        )
        evaluator = PeriodEvaluator(self.program, context)
        try:
            return evaluator.evaluate(node.arg)
        except Upstream as upstream:
            reason = evaluator.reasons.get(upstream.origin, upstream.origin)
            raise Fault(
                codes.EVALUATION_MISSING_INPUT,
                f"{node.key}: participant '{record.participant}' (row {record.row}): {reason}",
                span=node.span,
            ) from None


def aggregate_of(node: ir.Aggregate, values: list[Value]) -> Decimal:
    """`sum`, `mean` (exact; no participants is an error) or `count` of the values."""
    if node.func == "count":
        return Decimal(sum(1 for v in values if v is True))
    amounts = [number(v, "a value aggregated by", node) for v in values]
    total = ZERO
    for amount in amounts:
        total = numbers.add(total, amount)
    return aggregate_total(node, total, len(amounts))


def aggregate_total(node: ir.Aggregate, total: Decimal, rows: int) -> Decimal:
    """An aggregate from its total over `rows` participants: the mean divides exactly."""
    if node.func != "mean":
        return total
    if not rows:
        raise Fault(
            codes.EVALUATION_DIVISION_BY_ZERO,
            f"{node.key}: no participants in the year, so there is no mean",
            "give participant rows for the year, or guard with count(…) > 0",
            node.span,
        )
    return numbers.divide(total, Decimal(rows))


class YearInputs(Mapping[str, Value]):
    """The inputs of one year's system evaluation: `year`, the system data's row for the
    year and the aggregates (computed when first read)."""

    def __init__(self, run: SystemRun, year: int) -> None:
        self.run = run
        self.year = year
        self.computed: dict[str, Value] = {}

    def __getitem__(self, key: str) -> Value:
        if key == YEAR:
            return Decimal(self.year)
        if key in self.run.level.aggregates:
            if key not in self.computed:
                self.computed[key] = self.run.aggregate(self.year, key)
            return self.computed[key]
        row = self.run.rows.get(self.year, {})
        if key not in row and key in self.run.level.carried:
            if key not in self.computed:
                self.computed[key] = self.run.carried(self.year, key)
            return self.computed[key]
        return row[key]

    def note(self, key: str) -> tuple[str, ...]:
        """Where an input's value of the year comes from, for explanations."""
        if key in self.computed and key in self.run.level.carried:
            return (f"{self.run.level.carried[key]} of {self.year - 1}, carried",)
        if key in self.run.filled:
            return (f"{self.run.filled[key]}, {self.year}",)
        if not self.run.row_notes:
            return (f"{self.run.source}, {self.year}",)
        row = _row_number(self.run.rows, self.year)
        return (f"{self.run.source} row {row}",) if row else ()

    def __iter__(self) -> Iterator[str]:
        return iter([YEAR, *self.run.rows.get(self.year, {})])

    def __len__(self) -> int:
        return 1 + len(self.run.rows.get(self.year, {}))


class YearValues(Mapping[str, Value]):
    """What a participant row reads of the system level: the values of its year."""

    def __init__(self, run: SystemRun | None, year: int | None) -> None:
        self.run = run
        self.year = year

    def __getitem__(self, name: str) -> Value:
        if self.run is None or self.year is None:
            raise KeyError(name)
        return self.run.value(self.year, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.run.level.values if self.run else ())

    def __len__(self) -> int:
        return len(self.run.level.values) if self.run else 0

    def reason(self, name: str) -> str:
        """Why a value is not known, for the participant's error."""
        if self.run is None or self.year is None or not self.run.rows:
            return "no system data was given (etsl run --system-data FILE)"
        evaluator = self.run.evaluator(self.year)
        return evaluator.reasons.get(name, f"the system data has no row for {self.year}")


def system_value(ev: PeriodEvaluator, name: str) -> Value:
    """A participant value reads the system value of its row's year."""
    values = ev.context.system
    try:
        value = values[name]
    except (KeyError, Fault, Upstream):
        why = (
            values.reason(name)
            if isinstance(values, YearValues)
            else "no system data was given (etsl run --system-data FILE)"
        )
        raise Fault(
            codes.EVALUATION_MISSING_SYSTEM_VALUE,
            f"the system value '{name}' is not known for this row: {why}",
            "give the system data with a row for the row's year (etsl run --system-data FILE)",
        ) from None
    year = getattr(values, "year", None)
    note = (f"system value of {year}",) if year is not None else ()
    ev.values[name] = value
    ev.leaf(name, "system", value, ev.program.unit_of(name), note)
    return value


# ---- expressions only the system program has --------------------------------------------------


def evaluate_aggregate(ev: PeriodEvaluator, e: ir.Aggregate) -> Value:
    return ev.record_node(e, ev.lookup(e.key))


def evaluate_price_path(ev: PeriodEvaluator, e: ir.PricePath) -> Value:
    """The price of the year evaluated (see the module docstring)."""
    year = int(number(ev.lookup(YEAR), "the year of", e))
    start = number(ev.evaluate(e.start), "the start value of", e)
    if e.from_year is not None and year < e.from_year:
        raise Fault(
            codes.EVALUATION_OUTSIDE_PRICE_PATH,
            f"the price '{e.name}' starts in {e.from_year}; it has no value in {year}",
            f"read it from {e.from_year} on",
            e.span,
        )
    if e.rising is None or e.from_year is None:
        return ev.record_node(e, start)
    rising = number(ev.evaluate(e.rising), "the escalator of", e)
    if e.rising.type != NUMBER:  # an amount: added in the unit the price is written in
        rising = numbers.divide(rising, e.scale)
    value = numbers.divide(start, e.scale)
    for later in range(e.from_year + 1, year + 1):
        value = numbers.round_half_up(_step(ev, e, value, rising, later), e.places)
    return ev.record_node(e, numbers.multiply(value, e.scale))


def _step(
    ev: PeriodEvaluator, e: ir.PricePath, value: Decimal, rising: Decimal, year: int
) -> Decimal:
    assert e.rising is not None
    if e.rising.type != NUMBER:
        return numbers.add(value, rising)
    rate = numbers.add(ONE, rising)
    if e.plus is not None:
        rate = numbers.add(rate, _inflation(ev, e, year))
    return numbers.multiply(value, rate)


def _inflation(ev: PeriodEvaluator, e: ir.PricePath, year: int) -> Decimal:
    assert e.plus is not None
    current = int(number(ev.lookup(YEAR), "the year of", e))
    earlier = ev.context.system_rows.get(year, {})
    raw = ev.lookup(e.plus) if year == current else earlier.get(e.plus)
    if raw is None:
        raise Fault(
            codes.EVALUATION_OUTSIDE_PRICE_PATH,
            f"the price '{e.name}' in {current} needs '{e.plus}' of {year}, which is not given",
            f"give '{e.plus}' for every year from {(e.from_year or year) + 1} to {current} "
            "in the system data",
            e.span,
        )
    return number(raw, f"'{e.plus}' of {year} in", e)


def evaluate_system_example(program: ir.Program, given: Mapping[str, Value]) -> ParticipantResult:
    """A system example: one year, its inputs given (no participants: sums are 0); `year`
    defaults to the first base year of a price path, else 0."""
    starts = [p.first_year for p in program.periods if p.first_year is not None]
    year = given.get(YEAR, Decimal(starts[0] if starts else 0))
    assert isinstance(year, Decimal)
    run = SystemRun(program, {int(year): dict(given)}, trace=True)
    return run.result(int(year))


def _row_number(rows: Rows, year: int) -> int:
    years = sorted(rows)
    return years.index(year) + 2 if year in years else 0
