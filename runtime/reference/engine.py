"""The reference engine: one participant in one period, exact decimals, an optional trace.

    result = PeriodEvaluator(program, PeriodContext("F001", "first", inputs)).run()
    result.values["cap"]                           # Decimal('46000')

Values are computed in the Program's order (parameters, rules, surrender), then penalties
in declaration order; each is computed once, on first use, and traced in its own frame
when tracing. Expressions are evaluated by runtime/reference/expressions.py (one function
per Program node type) and built-ins by runtime/reference/builtins.py. `if` evaluates
only the branch it takes; `and`/`or` stop at the first operand that decides them.

A value that cannot be computed (division by zero, a missing table row, a missing input)
is a `Fault`: the value is left empty, an EvaluationError names the participant, period
and rule, and values using it are left empty without a second error. A missing input of
a rule that neither the vocabulary (covered, obligation, cap, shortfall, …) nor any
penalty depends on only leaves that rule empty (no error).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from etsl.compiler import codes, numbers
from etsl.compiler import program as ir
from etsl.compiler.codes import Code
from etsl.compiler.numbers import TOO_LARGE, ArithmeticFault
from etsl.compiler.program import Described, RefKind, table_candidates
from etsl.compiler.source import deep_recursion
from etsl.compiler.vocabulary import PAID_IN_LIEU_AMOUNT
from etsl.runtime.records import Holding, Value
from etsl.runtime.reference.consequences import ConsequenceFault, applies, apply_penalty
from etsl.runtime.reference.expressions import (
    EVALUATORS,
    Fault,
    Upstream,
    boolean,
    number,
    print_program_expr,
)
from etsl.runtime.reference.surrender import SurrenderOutcome, allocate
from etsl.runtime.results.model import (
    ConsequenceResult,
    EvaluationError,
    OwedMix,
    ParticipantResult,
)
from etsl.runtime.results.system import YEAR_LABEL
from etsl.runtime.results.trace import Trace, TraceEntry

ZERO = Decimal(0)
CO2E_UNIT = "tCO2e"

# ---- one participant in one period ----------------------------------------------------------


@dataclass(frozen=True)
class PeriodContext:
    """The data for one participant in one period."""

    participant: str
    period: str | None
    inputs: Mapping[str, Value]
    holdings: tuple[Holding, ...] = ()
    runtime: Mapping[str, Decimal] = field(default_factory=dict)
    runtime_notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    runtime_faults: Mapping[str, str] = field(default_factory=dict)
    row: int = 0
    source: str = ""
    owed_mix: tuple[OwedMix, ...] = ()  # the unit mix of units owed from the last period
    year: int | None = None  # the row's year, in a period kept by year
    participant_type: str | None = None  # the row's participant block, when the data says
    final_year: bool = True  # the row closes its period (always, unless kept by year)
    earlier: Mapping[str, Decimal] = field(default_factory=dict)  # earlier_years(x) sums
    # the system values of the row's year (runtime/reference/system.py: YearValues)
    system: Mapping[str, Value] = field(default_factory=dict)
    # a system evaluation's data, by year (price paths read earlier years' inflation)
    system_rows: Mapping[int, Mapping[str, Value]] = field(default_factory=dict)
    # where an input's value comes from, for explanations (default: the data row)
    input_note: Callable[[str], tuple[str, ...]] | None = None


@dataclass
class _Frame:
    """What one value's evaluation used (only while tracing)."""

    name: str
    children: dict[str, None] = field(default_factory=dict)
    inputs: dict[str, Value | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    node_values: dict[int, Value] = field(default_factory=dict)


class PeriodEvaluator:
    """Evaluates every value of one participant in one period."""

    def __init__(self, program: ir.Program, context: PeriodContext, trace: bool = False) -> None:
        self.program = program
        self.context = context
        self.tracing = trace
        self.values: dict[str, Value] = {}
        self.failed: dict[str, str] = {}  # name → the value where the failure happened
        self.reasons: dict[str, str] = {}  # name → why it is empty
        self.fault_codes: dict[str, Code] = {}  # name → the code of why it failed
        self.errors: list[EvaluationError] = []
        self.entries: dict[str, TraceEntry] = {}
        self.frames: list[_Frame] = []
        self.holding: Holding | None = None
        self.surrender: SurrenderOutcome | None = None
        self.table_notes: dict[str, str] = {}
        self.consequences_known = True

    # ---- public -----------------------------------------------------------------------
    def run(self) -> ParticipantResult:
        # Expressions are evaluated recursively; `check` accepts sums of thousands of terms.
        with deep_recursion():
            return self._run()

    def _run(self) -> ParticipantResult:
        for step in self.program.order:
            kind, _, name = step.partition(":")
            if kind != "table":  # tables are looked up when a value uses them
                self._try(name)
        for name in self.program.rule_names:
            if self.program.kind_of(name) is not None:
                self._try(name)
        consequences = tuple(c for p in self.program.penalties for c in self._penalty(p))
        return self.result(consequences)

    def carried(self) -> tuple[Holding, ...]:
        """The ledger's credit and offset lots for the next period (runtime/reference/
        ledger.py); none when a value they depend on could not be computed."""
        from etsl.runtime.reference.ledger import carried_lots

        try:
            return carried_lots(self)
        except (Fault, Upstream):
            return ()

    def evaluate(self, expr: ir.Expr) -> Value:
        """The value of an expression for this participant (raises Fault or Upstream)."""
        handler: Callable[[PeriodEvaluator, ir.Expr], Value] = EVALUATORS[type(expr)]
        return handler(self, expr)

    def result(self, consequences: tuple[ConsequenceResult, ...]) -> ParticipantResult:
        program, ctx = self.program, self.context
        values: dict[str, Value | None] = {n: self.values.get(n) for n in program.rule_names}
        if program.borrows:
            values["borrowed"] = ctx.runtime.get("borrowed", ZERO)
        eligible = {
            u: self.surrender.eligible[u] if self.surrender else None for u in program.units
        }
        trace = (
            Trace(
                program.name,
                ctx.participant,
                ctx.period,
                dict(self.entries),
                ctx.row,
                ctx.source,
                self._roots(),
                ctx.year,
            )
            if self.tracing
            else None
        )
        return ParticipantResult(
            ctx.participant,
            ctx.period,
            values,
            eligible,
            consequences,
            tuple(self.errors),
            ctx.inputs,
            trace,
            ctx.row,
            ctx.source,
            self.consequences_known,
            self.carried(),
            ctx.year,
            ctx.participant_type,
        )

    def _roots(self) -> tuple[str, ...]:
        penalties = tuple(f"penalty.{p.name}" for p in self.program.penalties)
        paid = (PAID_IN_LIEU_AMOUNT,) if PAID_IN_LIEU_AMOUNT in self.program.rules else ()
        return ("covered", "shortfall", *paid, "surplus", "banked") + penalties

    # ---- names ------------------------------------------------------------------------
    def lookup(self, name: str) -> Value:
        kind = self.program.kind_of(name)
        if kind is None:
            raise LookupError(f"internal error: '{name}' is not a name of the Program")
        if self.frames:
            self._note_use(name, kind)
        if name in self.values:
            return self.values[name]
        if name in self.failed:
            raise Upstream(self.failed[name])
        return _LOOKUPS[kind](self, name)

    def _note_use(self, name: str, kind: RefKind) -> None:
        frame = self.frames[-1]
        if kind is RefKind.INPUT:
            frame.inputs[name] = self.context.inputs.get(name)
        else:
            frame.children[name] = None
        if kind is RefKind.TABLE and name in self.table_notes:
            frame.notes.append(self.table_notes[name])

    def _try(self, name: str) -> None:
        with contextlib.suppress(Fault, Upstream):
            self.lookup(name)

    def computed(
        self,
        name: str,
        kind: str,
        expr: ir.Expr | None,
        compute: Callable[[], Value],
        about: Described | None = None,
    ) -> Value:
        """Compute a value once, in its own trace frame; record failures."""
        about = about or self.program.about(name)
        frame = _Frame(name) if self.tracing else None
        if frame is not None:
            self.frames.append(frame)
        try:
            value = compute()
        except Fault as fault:
            self._fail(name, fault, about)
            self._trace(name, kind, None, frame, expr, self.reasons[name], about)
            raise Upstream(name) from None
        except Upstream as upstream:
            self.failed[name] = upstream.origin
            self.reasons[name] = (
                f"uses '{upstream.origin}', which could not be computed: "
                f"{self.reasons.get(upstream.origin, '')}"
            )
            self._trace(name, kind, None, frame, expr, self.reasons[name], about)
            raise
        finally:
            if frame is not None:
                self.frames.pop()
        self.values[name] = value
        self._trace(name, kind, value, frame, expr, None, about)
        return value

    def _fail(self, name: str, fault: Fault, about: Described) -> None:
        self.failed[name] = name
        self.reasons[name] = fault.message
        self.fault_codes[name] = fault.code
        if fault.not_applicable or (fault.missing and name not in self.program.required):
            return
        if any(e.message == fault.message for e in self.errors):
            return
        self.errors.append(
            EvaluationError(
                fault.code.name,
                self.context.participant,
                self.context.period,
                name,
                fault.message,
                fault.span or about.span,
                fault.hint,
                self.context.row,
                self.context.source,
            )
        )

    # ---- trace ------------------------------------------------------------------------
    def _trace(
        self,
        name: str,
        kind: str,
        value: Value | None,
        frame: _Frame | None,
        expr: ir.Expr | None,
        error: str | None,
        about: Described,
    ) -> None:
        if frame is None:
            return
        from etsl.runtime.reference.explain import branch_notes, substitute

        program = self.program
        substituted = notes = None
        if expr is not None and error is None:
            substituted = substitute(expr, frame.node_values, program)
            notes = branch_notes(expr, frame.node_values)
        rule = program.rules.get(name)
        self.entries[name] = TraceEntry(
            name=name,
            kind=kind,
            value=value,
            unit=program.unit_of(name),
            formula=print_program_expr(expr) if expr is not None else None,
            substituted=substituted,
            span=about.span,
            citation=about.citation,
            description=about.description,
            inputs=tuple(frame.inputs.items()),
            children=tuple(frame.children),
            notes=tuple(dict.fromkeys([*(notes or ()), *frame.notes])),
            error=error,
            default=kind == "rule" and rule is not None and rule.default,
        )

    def leaf(
        self,
        name: str,
        kind: str,
        value: Value | None,
        unit: str = "",
        notes: tuple[str, ...] = (),
        description: str | None = None,
    ) -> None:
        if self.tracing and name not in self.entries:
            self.entries[name] = TraceEntry(
                name, kind, value, unit, notes=notes, description=description
            )

    def step_value(self, name: str) -> Value:
        """`year` (a period kept by year gives each row one) or `final_year`."""
        if name == "final_year":
            return self.context.final_year
        if name == "participant_type":
            if self.context.participant_type is None:
                raise Fault(
                    codes.EVALUATION_MISSING_INPUT,
                    "a value uses 'participant_type', but the row gives no type",
                    "add a 'type' column naming each row's participant block",
                )
            return self.context.participant_type
        if self.context.year is None:
            where = f"period '{self.context.period}'" if self.context.period else "the scheme"
            raise Fault(
                codes.EVALUATION_NO_PERIOD,
                f"a value uses 'year', but {where} is not kept by year",
                "keep the period by year (period cp4 = 2021 .. 2023 by year), with one row "
                "per participant and year",
            )
        return Decimal(self.context.year)

    def current_period(self, what: str = "a value uses 'period'") -> str:
        """The row's period; a system value's is the period holding its year."""
        if self.context.period is not None:
            return self.context.period
        year = system_year(self.context)
        period = None if year is None else self.program.period_holding(year)
        if period is not None:
            return period
        if year is not None and self.program.periods:
            raise Fault(
                codes.EVALUATION_NO_PERIOD,
                f"{what}, but {year} is in none of the scheme's periods",
                "give system data only for years inside the periods, or declare a period "
                f"holding {year}",
            )
        raise no_period(what)

    def record_node(self, node: ir.Expr, value: Value) -> Value:
        if self.frames:
            self.frames[-1].node_values[node.node] = value
        return value

    # ---- surrender (SurrenderContext) -------------------------------------------------
    def limit(self, expr: ir.Expr) -> Decimal:
        return number(self.evaluate(expr), "the limit", expr)

    def share(self, expr: ir.Expr) -> Decimal:
        return number(self.evaluate(expr), "the share", expr)

    def passes(self, expr: ir.Expr, holding: Holding) -> bool:
        self.holding = holding
        try:
            return boolean(self.evaluate(expr), "the filter", expr)
        finally:
            self.holding = None

    def surrendered(self) -> Decimal:
        outcome = allocate(self.program, self.context.holdings, self, self.context.owed_mix)
        self.surrender = outcome
        if self.tracing:
            self._trace_surrender(outcome)
        given = self.context.runtime.get("surrendered")
        return given if given is not None else outcome.surrendered

    def _trace_surrender(self, outcome: SurrenderOutcome) -> None:
        from etsl.runtime.reference.explain import step_note

        for unit in self.program.units:
            self.leaf(
                f"held.{unit}",
                "runtime",
                outcome.held[unit],
                CO2E_UNIT,
                self._carried_notes(unit),
                description=f"units of {unit} held",
            )
            self.entries[f"eligible.{unit}"] = TraceEntry(
                f"eligible.{unit}",
                "eligible",
                outcome.eligible[unit],
                CO2E_UNIT,
                children=(f"held.{unit}",),
                notes=tuple(step_note(st) for st in outcome.steps[unit]),
                description=f"units of {unit} that count after filters and limits",
            )
        self.frames[-1].children.update(
            dict.fromkeys(f"eligible.{u}" for u in self.program.units if outcome.held[u])
        )

    def _carried_notes(self, unit: str) -> tuple[str, ...]:
        from etsl.compiler.display import format_value
        from etsl.runtime.reference.ledger import CARRIED, KEPT

        notes: dict[str, Decimal] = {}
        for lot in self.context.holdings:
            if lot.unit == unit and lot.source.startswith((CARRIED, KEPT)):
                notes[lot.source] = numbers.add(notes.get(lot.source, ZERO), lot.quantity)
        return tuple(
            f"including {format_value(amount, CO2E_UNIT)} {source}"
            for source, amount in notes.items()
        )

    # ---- penalties --------------------------------------------------------------------
    def _penalty(self, penalty: ir.Penalty) -> tuple[ConsequenceResult, ...]:
        key = f"penalty.{penalty.name}"
        consequences: tuple[ConsequenceResult, ...] = ()

        def compute() -> Value:
            nonlocal consequences
            holds = applies(penalty, self.evaluate)
            if holds:
                consequences = apply_penalty(penalty, self.evaluate)
            return holds

        try:
            self.computed(key, "penalty", penalty.condition, guarded(compute), penalty.about)
        except Upstream:
            self.consequences_known = False
            return ()
        if self.tracing:
            from etsl.runtime.reference.explain import consequence_note

            entry = self.entries[key]
            self.entries[key] = _with_notes(entry, tuple(map(consequence_note, consequences)))
        return consequences


def no_period(what: str) -> Fault:
    return Fault(
        codes.EVALUATION_NO_PERIOD,
        f"{what}, but the scheme declares no periods",
        "declare the scheme's periods, e.g. period first = 2013 .. 2015",
    )


def _with_notes(entry: TraceEntry, notes: tuple[str, ...]) -> TraceEntry:
    return replace(entry, notes=entry.notes + notes)


def guarded(compute: Callable[[], Value]) -> Callable[[], Value]:
    """Turn arithmetic and type problems raised by helper modules into Faults."""

    def run() -> Value:
        try:
            return compute()
        except ArithmeticFault as exc:
            raise Fault(exc.code, str(exc)) from None
        except ConsequenceFault as exc:
            raise Fault(codes.EVALUATION_WRONG_TYPE, str(exc)) from None
        except ArithmeticError:  # decimal.InvalidOperation from a context of another module
            raise Fault(codes.EVALUATION_NUMBER_TOO_LARGE, TOO_LARGE) from None

    return run


# ---- name lookups by kind ---------------------------------------------------------------------


def system_year(context: PeriodContext) -> int | None:
    """The year a system value is computed for (its row is labelled `year 2021`)."""
    if context.period is None and context.participant.startswith(YEAR_LABEL):
        return int(context.participant.removeprefix(YEAR_LABEL))
    return None


def _missing_input_hint(context: PeriodContext, name: str) -> str:
    """Where to give a missing input: a system input is a column of the system data."""
    if context.period is None and context.participant.startswith(YEAR_LABEL):
        year = context.participant.removeprefix(YEAR_LABEL)
        return f"give '{name}' for {year} in the system data (--system-data)"
    return f"give '{name}' for this participant in the participant data"


def _input(ev: PeriodEvaluator, name: str) -> Value:
    raw = ev.context.inputs.get(name)
    source, kind = ev.program.inputs[name], ev.context.participant_type
    if raw is None and source.of_another_type(kind):
        raise Fault(
            codes.EVALUATION_MISSING_INPUT,
            f"not applicable to a '{kind}': '{name}' is an input of {' and '.join(source.blocks)}",
            missing=name,
            not_applicable=True,
        )
    if raw is None and source.optional:  # `else none`: not computed, and not an error
        raise Fault(
            codes.EVALUATION_MISSING_INPUT,
            f"'{name}' is not given for this year",
            missing=name,
            not_applicable=True,
        )
    if raw is None:
        raise Fault(
            codes.EVALUATION_MISSING_INPUT,
            f"missing input '{name}'",
            _missing_input_hint(ev.context, name),
            missing=name,
        )
    if isinstance(raw, float):
        raise Fault(
            codes.EVALUATION_WRONG_TYPE,
            f"input '{name}' is a binary float ({raw!r}); give an exact decimal",
        )
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = Decimal(raw)
    ev.leaf(
        name,
        "input",
        raw,
        ev.program.unit_of(name),
        description=ev.program.inputs[name].about.description,
        notes=_input_note(ev.context, name),
    )
    return raw


def _input_note(context: PeriodContext, name: str) -> tuple[str, ...]:
    if context.input_note is not None:
        return context.input_note(name)
    return (f"{context.source} row {context.row}",) if context.row else ()


def _param(ev: PeriodEvaluator, name: str) -> Value:
    expr = ev.program.params[name].expr
    return ev.computed(name, "param", expr, guarded(lambda: ev.evaluate(expr)))


def _rule(ev: PeriodEvaluator, name: str) -> Value:
    expr = ev.program.rules[name].expr
    return ev.computed(name, "rule", expr, guarded(lambda: ev.evaluate(expr)))


def _dimension(ev: PeriodEvaluator, table: str, dim: str) -> str:
    if dim == "period":
        return ev.current_period(f"table '{table}' is looked up by period")
    value = ev.lookup(dim)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))  # a table by year (compiler/system.py)
    if not isinstance(value, str):
        raise Fault(
            codes.EVALUATION_WRONG_TYPE,
            f"input '{dim}' is {value!r}, not one of the values of '{dim}'",
        )
    return value


def _lookup_note(
    table: str, dims: tuple[str, ...], key: tuple[str, ...], matched: tuple[str, ...]
) -> str:
    parts = []
    for dim, value, used in zip(dims, key, matched, strict=True):
        other = " (the '*' entry)" if used == "*" else ""
        parts.append(f"in period {value}{other}" if dim == "period" else f"for {value}{other}")
    return f"{table} {' '.join(parts)}"


def _table(ev: PeriodEvaluator, name: str) -> Value:
    table = ev.program.tables[name]

    def compute() -> Value:
        key = tuple(_dimension(ev, name, d) for d in table.dims)
        for candidate in table_candidates(key):
            if candidate in table.cells:
                if ev.tracing:
                    note = _lookup_note(name, table.dims, key, candidate)
                    ev.table_notes[name] = note
                    ev.frames[-1].notes.append(note)
                return table.cells[candidate].value
        described = ", ".join(f"{d} = {v}" for d, v in zip(table.dims, key, strict=True))
        raise Fault(
            codes.EVALUATION_MISSING_TABLE_ENTRY,
            f"table '{name}' has no entry for {described}",
            "add a row for it, or a '*' row for all other values",
        )

    value = ev.computed(name, "table", None, compute)
    if ev.frames and name in ev.table_notes:
        ev.frames[-1].notes.append(ev.table_notes[name])
    return value


def _runtime(ev: PeriodEvaluator, name: str) -> Value:
    if name == "surrendered":
        return ev.computed(name, "runtime", None, guarded(ev.surrendered))
    if name == "credits_left":
        return ev.computed(name, "runtime", None, guarded(lambda: credits_left(ev)))
    if name in ev.context.runtime_faults:
        raise Fault(codes.EVALUATION_CARRY_OVER, ev.context.runtime_faults[name])
    value = ev.context.runtime.get(name, ZERO)
    ev.values[name] = value
    ev.leaf(
        name,
        "runtime",
        value,
        CO2E_UNIT,
        ev.context.runtime_notes.get(name, ()),
        ev.program.runtime_meanings.get(name),
    )
    return value


def credits_left(ev: PeriodEvaluator) -> Decimal:
    """Eligible credits and offsets the obligation does not need: units are used carried-in
    first, then credits and offsets in clause order, then allowances and the allocation."""
    needed = numbers.add(_amount(ev, "obligation"), _amount(ev, "owed_in"))
    carried = _amount(ev, "carry_in")
    ev.lookup("surrendered")
    assert ev.surrender is not None
    eligible = [ev.surrender.eligible[u] for u in ev.program.credit_types]
    return left_after(eligible, max(numbers.subtract(needed, carried), ZERO))[1]


def _amount(ev: PeriodEvaluator, name: str) -> Decimal:
    value = ev.lookup(name)
    if not isinstance(value, Decimal):
        raise Fault(codes.EVALUATION_WRONG_TYPE, f"'{name}' is {value!r}, not an amount of units")
    return value


def left_after(amounts: list[Decimal], need: Decimal) -> tuple[list[Decimal], Decimal]:
    """What each amount has left after covering `need` in order, and their total."""
    left, total = [], ZERO
    for amount in amounts:
        used = min(amount, need)
        need = numbers.subtract(need, used)
        left.append(numbers.subtract(amount, used))
        total = numbers.add(total, left[-1])
    return left, total


def _system(ev: PeriodEvaluator, name: str) -> Value:
    from etsl.runtime.reference.system import system_value

    return system_value(ev, name)


_LOOKUPS: dict[RefKind, Callable[[PeriodEvaluator, str], Value]] = {
    RefKind.SYSTEM: _system,
    RefKind.INPUT: _input,
    RefKind.PARAM: _param,
    RefKind.TABLE: _table,
    RefKind.RULE: _rule,
    RefKind.RUNTIME: _runtime,
}
