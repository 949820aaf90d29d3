"""Evaluating a Program over columns: one rule per Program node and built-in.

    evaluator = Evaluator(program, plan, frame)
    evaluator.name("cap")           # Column: every row's cap, with the rows it failed on

Each numeric node is computed at the scale runtime/fixed/ranges.py gave it, on int64 or on
Python integers as the plan says. Values are named once and computed on first use, like the
reference engine; both branches of an `if` (and both sides of `and`/`or`) are computed for
every row, but a row is bad only where the branch it takes is, so a division by zero in the
branch not taken is no failure. Surrender follows runtime/reference/surrender.py's order:
accept clauses take each unit type's holdings at the first clause naming it and share the
clause's limit in listed order, then `limit` clauses cut in listed order. A `where` filter
is evaluated per lot, so a row holding lots a filter would decide is left bad (the
reference engine computes it); rows without such lots take nothing under the clause.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from etsl.compiler import program as ir
from etsl.compiler.program import RefKind, share_terms, table_candidates
from etsl.compiler.types import BOOL, Quant
from etsl.runtime.fixed import forms, pairs, ranges
from etsl.runtime.fixed.columns import (
    Array,
    Column,
    Kind,
    ceil_shift,
    divide_half_even,
    floor_shift,
    label_lookup,
    no_rows_bad,
    round_half_up_shift,
    settle,
    text_column,
    text_full,
    too_large,
    unified,
)
from etsl.runtime.fixed.forms import Form, Values
from etsl.runtime.fixed.pairs import Pair
from etsl.runtime.fixed.ranges import Fixed, Plan, Step, fits

#: Each consequence of a penalty: its amount (None for `publish`) and whether it is only a
#: maximum (`fine up to L`).
Consequences = list[tuple[Column | None, bool]]


@dataclass(frozen=True)
class Frame:
    """The rows: input columns (with `held.U`, `carry_in`, `owed_in`), each row's period
    and participant type."""

    rows: int
    inputs: Mapping[str, Column]
    period: Column
    participant_type: Column


class Evaluator:
    def __init__(self, program: ir.Program, plan: Plan, frame: Frame) -> None:
        self.program = program
        self.plan = plan
        self.frame = frame
        self.values: dict[str, Column] = {}
        self.none_bad = no_rows_bad(frame.rows)
        inputs = {n: _all_good(c, self.none_bad) for n, c in frame.inputs.items()}
        self.frame = Frame(frame.rows, inputs, frame.period, frame.participant_type)

    def either(self, *masks: Array) -> Array:
        """Rows bad in any of the masks (the shared all-good mask when every one is)."""
        found = [m for m in masks if m is not self.none_bad and m.any()]
        if not found:
            return self.none_bad
        result = found[0]
        for mask in found[1:]:
            result = result | mask
        return result

    def evaluate(self, e: ir.Expr) -> Column:
        return _NODES[type(e)](self, e)

    def name(self, name: str) -> Column:
        found = self.values.get(name)
        if found is None:
            found = self._compute(name)
            self.values[name] = found
        return found

    def _compute(self, name: str) -> Column:
        program = self.program
        if name in program.params:
            return self.evaluate(program.params[name].expr)
        if name in program.rules:
            return self.evaluate(program.rules[name].expr)
        if name in program.tables:
            return self.table(program.tables[name])
        if name.startswith("eligible.") or name == "surrendered":
            self.allocate()
            return self.values[name]
        if name == "credits_left":
            return self.credits_left()
        return self.frame.inputs[name]

    # ---- columns of one value ---------------------------------------------------------
    def full(self, value: Decimal | str | bool, fixed: Fixed | None = None) -> Column:
        """One value for every row, broadcast (no column is written: pairs.constant)."""
        rows = self.frame.rows
        if isinstance(value, bool):
            return Column(Kind.FLAG, np.broadcast_to(np.bool_(value), rows), self.none_bad)
        if isinstance(value, str):
            return text_full(rows, value, self.none_bad)
        fixed = fixed or ranges.of_decimal(value)
        scaled = ranges.scaled_int(value, fixed.scale)
        one = np.array(scaled, dtype=np.int64 if fits(fixed) else object)
        return Column(Kind.NUMBER, np.broadcast_to(one, rows), self.none_bad, fixed.scale)

    def nought(self, e: ir.Expr) -> bool:
        """Whether the analysis proved every row's value of a numeric node is 0 (an input
        the data leaves at zero, a literal 0)."""
        found = self.plan.steps.get(e.node)
        return found is not None and found.result.low == 0 == found.result.high

    def zero_name(self, name: str) -> bool:
        found = self.plan.names.get(name)
        return found is not None and found.low == 0 == found.high

    def number(self, values: Values, bad: Array, step: Step) -> Column:
        """A computed number column: bad where too large, in int64 where its range fits."""
        if isinstance(values, Pair):
            narrow = pairs.to_int(values) if fits(step.result) else values
            return Column(Kind.NUMBER, narrow, bad, step.result.scale)
        if step.wide:
            bad = bad | too_large(values)
        return Column(Kind.NUMBER, settle(values, step.result), bad, step.result.scale)

    def at(self, column: Column, scale: int, form: Form) -> Values:
        return forms.convert(column.values, column.scale, scale, form)

    def form(self, step: Step, columns: Sequence[Column], scale: int | None = None) -> Form:
        """The form an operation on these columns runs in (runtime/fixed/forms.py)."""
        scale = step.result.scale if scale is None else scale
        return forms.choose(step, [(c.values, c.scale) for c in columns], scale)

    # ---- tables -------------------------------------------------------------------------
    def table(self, table: ir.Table) -> Column:
        """Each row's entry: the cells chosen once per combination of key labels."""
        keys = [self.dimension(d) for d in table.dims]
        bad = self.none_bad.copy()
        flat = np.zeros(self.frame.rows, dtype=np.int64)
        for key in keys:
            bad |= key.bad
            flat = flat * len(key.labels) + key.array
        combos = itertools.product(*(key.labels for key in keys))
        cells = [self.cell(table, combo) for combo in combos]
        missing = np.array([c is None for c in cells], dtype=bool)[flat]
        if isinstance(table.type, Quant):
            fixed = self.plan.names[table.name]  # a missing entry holds a value in range
            scaled = [
                ranges.scaled_int(c, fixed.scale) if c is not None else fixed.low for c in cells
            ]
            array = np.array(scaled, dtype=np.int64 if fits(fixed) else object)
            return Column(Kind.NUMBER, array[flat], bad | missing, fixed.scale)
        if table.type == BOOL:
            flags = np.array([c is True for c in cells], dtype=bool)
            return Column(Kind.FLAG, flags[flat], bad | missing)
        text = text_column([c if c is not None else "" for c in cells])
        return Column(Kind.TEXT, text.array[flat], bad | missing, labels=text.labels)

    def cell(self, table: ir.Table, key: tuple[str, ...]) -> Any:
        for candidate in table_candidates(key):
            if candidate in table.cells:
                return table.cells[candidate].value
        return None

    def dimension(self, dim: str) -> Column:
        """A table key column as text (a year by its digits; other numbers are bad)."""
        column = self.frame.period if dim == "period" else self.name(dim)
        if column.kind is not Kind.NUMBER:
            return column
        unit = 10**column.scale
        values = forms.convert(column.values, column.scale, column.scale, Form.WIDE)
        whole = np.asarray(values % unit == 0, dtype=bool)
        unique, inverse = np.unique(values // unit, return_inverse=True)
        labels = tuple(str(int(u)) for u in unique)
        return Column(Kind.TEXT, inverse.reshape(-1), column.bad | ~whole, labels=labels)

    # ---- surrender ----------------------------------------------------------------------
    def allocate(self) -> None:
        """eligible.U of every unit type and surrendered (reference surrender.allocate)."""
        fixed = self.plan.names["$allocation"]
        units = list(self.program.units)
        limits = {
            i: self.evaluate(c.limit)
            for i, c in enumerate(self.program.surrender)
            if c.limit is not None
        }
        held_columns = [self.frame.inputs[f"held.{u}"] for u in units]
        form = self.form(Step(fixed, not fits(fixed)), [*held_columns, *limits.values()])
        held = {u: self.at(c, fixed.scale, form) for u, c in zip(units, held_columns, strict=True)}
        zero = forms.zeros(self.frame.rows, form)
        eligible = dict.fromkeys(units, zero)
        taken: set[str] = set()
        bad = self.none_bad
        for index, clause in enumerate(self.program.surrender):
            limit = None
            if index in limits:
                bad = self.either(bad, limits[index].bad)
                limit = self.at(limits[index], fixed.scale, form)
            if clause.kind == "accept":
                named = [u for u in clause.units if u in eligible]
                amounts = [(u, zero if u in taken or clause.where else held[u]) for u in named]
                for unit in named if clause.where is not None else ():
                    if unit not in taken:  # lots a filter decides: the reference engine's
                        bad = bad | self.frame.inputs[f"lots.{unit}"].values
                taken.update(named)
                shares = dict(amounts) if limit is None else _share_out(amounts, limit)
                for unit in named:  # nothing is eligible before its first clause
                    first = eligible[unit] is zero
                    eligible[unit] = (
                        shares[unit] if first else forms.add(eligible[unit], shares[unit])
                    )
            elif clause.kind == "limit" and limit is not None:
                amounts = [(u, eligible[u]) for u in clause.units if u in eligible]
                eligible.update(_share_out(amounts, limit))
        step = Step(fixed, not fits(fixed))
        for unit in units:
            self.values[f"eligible.{unit}"] = self.number(eligible[unit], bad, step)
        summed = ranges.total(self.plan.names[f"eligible.{u}"] for u in units)
        surrendered = eligible[units[0]] if units else zero
        for unit in units[1:]:
            surrendered = forms.add(surrendered, eligible[unit])
        self.values["surrendered"] = self.number(surrendered, bad, summed)

    def credits_left(self) -> Column:
        """Eligible credits the obligation does not need (reference engine.credits_left)."""
        fixed = self.plan.names["credits_left"]
        step = Step(fixed, not fits(fixed))
        obligation, owed, carried = (self.name(n) for n in ("obligation", "owed_in", "carry_in"))
        credits = [self.name(f"eligible.{u}") for u in self.program.credit_types]
        form = self.form(step, [obligation, owed, carried, *credits])
        bad = self.either(obligation.bad, owed.bad, carried.bad, self.name("surrendered").bad)
        need = self.at(obligation, fixed.scale, form)
        if not self.zero_name("owed_in"):
            need = forms.add(need, self.at(owed, fixed.scale, form))
        if not self.zero_name("carry_in"):
            need = forms.subtract(need, self.at(carried, fixed.scale, form))
        need = forms.clipped_at_zero(need)
        left: Values | None = None
        for index, credit in enumerate(credits):
            # amount - min(amount, need) is max(amount - need, 0); need - min(…) is the rest
            over = forms.subtract(self.at(credit, fixed.scale, form), need)
            spare = forms.clipped_at_zero(over)
            left = spare if left is None else forms.add(left, spare)
            if index + 1 < len(credits):
                need = forms.clipped_at_zero(forms.negate(over))
        if left is None:
            left = forms.zeros(self.frame.rows, form)
        return self.number(left, bad, step)

    # ---- penalties ----------------------------------------------------------------------
    def penalty(self, penalty: ir.Penalty) -> tuple[Column, Consequences]:
        """Whether the penalty applies (a flag column), and each consequence's amount
        (min(amount, limit), or the limit alone as a maximum)."""
        if penalty.condition is None:
            return self.full(False), []
        holds = self.evaluate(penalty.condition)
        found: Consequences = []
        bad = holds.bad
        for consequence in penalty.consequences:
            amount = self.evaluate(consequence.amount) if consequence.amount else None
            limit = self.evaluate(consequence.limit) if consequence.limit else None
            for column in (amount, limit):
                if column is not None:
                    bad = bad | (holds.array & column.bad)
            found.append(_consequence(self, amount, limit))
        return Column(Kind.FLAG, holds.array, bad), found


def _all_good(column: Column, none_bad: Array) -> Column:
    """The column with the shared all-good mask when no row of it is bad."""
    if column.bad.any():
        return column
    return Column(column.kind, column.values, none_bad, column.scale, column.labels)


def _consequence(
    ev: Evaluator, amount: Column | None, limit: Column | None
) -> tuple[Column | None, bool]:
    """reference consequences.consequence_amount, per row."""
    if amount is None or limit is None:
        return (amount if amount is not None else limit), amount is None and limit is not None
    step = ranges.extreme([_fixed(amount), _fixed(limit)])
    form = ev.form(step, [amount, limit])
    a, b = (ev.at(c, step.result.scale, form) for c in (amount, limit))
    return ev.number(forms.minimum(a, b), ev.either(amount.bad, limit.bad), step), False


def _fixed(column: Column) -> Fixed:
    return forms.observed(column.values, column.scale)


def _share_out(amounts: list[tuple[str, Values]], limit: Values) -> dict[str, Values]:
    left = forms.clipped_at_zero(limit)
    shares = {}
    for index, (unit, amount) in enumerate(amounts):
        shares[unit] = forms.minimum(amount, left)
        if index + 1 < len(amounts):  # what the last unit leaves is not needed
            left = forms.subtract(left, shares[unit])
    return shares


def _key_of(code: int, uniques: list[Array]) -> tuple[str, ...]:
    parts = []
    for unique in reversed(uniques):
        code, index = divmod(code, len(unique))
        parts.append(str(unique[index]))
    return tuple(reversed(parts))


# ---- one rule per node ----------------------------------------------------------------------


def _const(ev: Evaluator, e: ir.Const) -> Column:
    if isinstance(e.value, Decimal):
        return ev.full(e.value, ev.plan.of(e).result)
    assert isinstance(e.value, str | bool), "dates are the reference engine's"
    return ev.full(e.value)


def _ref(ev: Evaluator, e: ir.Ref) -> Column:
    if e.kind in (RefKind.PERIOD_NAME, RefKind.ENUM):
        return ev.full(e.name)
    if e.kind is RefKind.PERIOD:
        return ev.frame.period
    if e.kind is RefKind.STEP:
        return _step(ev, e.name)
    return ev.name(e.name)


def _step(ev: Evaluator, name: str) -> Column:
    if name == "final_year":
        return ev.full(True)
    if name == "participant_type":
        return ev.frame.participant_type
    return Column(Kind.NUMBER, np.zeros(ev.frame.rows, dtype=np.int64), ~ev.none_bad)  # `year`


def _binary(ev: Evaluator, e: ir.Binary) -> Column:
    a, b = ev.evaluate(e.left), ev.evaluate(e.right)
    step = ev.plan.of(e)
    if e.op in ("+", "-") and ev.nought(e.right):  # `owed_in`, `carry_in` left at zero
        return _rescaled(ev, a, ev.either(a.bad, b.bad), step)
    if e.op == "+" and ev.nought(e.left):
        return _rescaled(ev, b, ev.either(a.bad, b.bad), step)
    return _arithmetic(ev, e.op, a, b, step)


def _rescaled(ev: Evaluator, a: Column, bad: Array, step: Step) -> Column:
    """A number column at a node's scale and in its form, with the node's bad rows."""
    return ev.number(ev.at(a, step.result.scale, ev.form(step, [a])), bad, step)


def _arithmetic(ev: Evaluator, op: str, a: Column, b: Column, step: Step) -> Column:
    return _ARITHMETIC[op](ev, a, b, step)


def _sum(ev: Evaluator, a: Column, b: Column, step: Step, negative: bool) -> Column:
    scale = step.result.scale
    form = ev.form(step, [a, b])
    x, y = ev.at(a, scale, form), ev.at(b, scale, form)
    found = forms.subtract(x, y) if negative else forms.add(x, y)
    return ev.number(found, ev.either(a.bad, b.bad), step)


def _product(ev: Evaluator, a: Column, b: Column, step: Step) -> Column:
    """Two-limb × int64 when one side is a pair and the other a small factor; else one
    form for both."""
    bad = ev.either(a.bad, b.bad)
    for pair, factor in ((a, b), (b, a)):
        if isinstance(pair.values, Pair) and _small_factor(factor, step):
            return ev.number(pairs.times(pair.values, factor.values), bad, step)  # type: ignore[arg-type]
    form = Form.WIDE if step.wide else Form.INT
    x, y = (forms.convert(c.values, c.scale, c.scale, form) for c in (a, b))
    return ev.number(x * y, bad, step)  # type: ignore[operator]


def _small_factor(factor: Column, step: Step) -> bool:
    """An int64 factor of at most MAX_FACTOR, and a product whose `hi` fits."""
    if forms.form_of(factor.values) is not Form.INT:
        return False
    room = step.result.magnitude // pairs.BASE + 2 <= ranges.SAFE
    return room and _fixed(factor).magnitude <= pairs.MAX_FACTOR


def _quotient(ev: Evaluator, a: Column, b: Column, step: Step) -> Column:
    """numbers.divide: half-even to 18 places, into two limbs where it can."""
    bad = ev.either(a.bad, b.bad)
    shift = ranges.division_shift(_fixed(a), _fixed(b))
    if step.wide and shift >= pairs.LIMB and _pair_quotient(a, b, shift):
        numerator = ev.at(a, a.scale + shift - pairs.LIMB, Form.INT)
        found, zero = pairs.divide(numerator, b.values)  # type: ignore[arg-type]
        return ev.number(found, ev.either(bad, zero), step)
    form = Form.WIDE if step.wide else Form.INT
    n = ev.at(a, a.scale + max(shift, 0), form)
    d = ev.at(b, b.scale + max(-shift, 0), form)
    quotient, zero = divide_half_even(n, d)  # type: ignore[arg-type]
    return ev.number(quotient, ev.either(bad, zero), step)


def _pair_quotient(a: Column, b: Column, shift: int) -> bool:
    """Both int64, the numerator fits scaled by 10^(shift - LIMB), the divisor leaves room
    for a digit of long division."""
    if forms.form_of(a.values) is not Form.INT or forms.form_of(b.values) is not Form.INT:
        return False
    factor = 10 ** (shift - pairs.LIMB)  # an int64 too, even for a numerator of zeros
    numerator = _fixed(a).magnitude * factor
    room = factor <= ranges.SAFE and numerator <= ranges.SAFE
    return room and _fixed(b).magnitude <= ranges.SAFE // 10


_ARITHMETIC: dict[str, Callable[[Evaluator, Column, Column, Step], Column]] = {
    "+": lambda ev, a, b, step: _sum(ev, a, b, step, negative=False),
    "-": lambda ev, a, b, step: _sum(ev, a, b, step, negative=True),
    "*": _product,
    "/": _quotient,
}


def _share(ev: Evaluator, e: ir.Share) -> Column:
    numerator, divisor = share_terms(e)
    a, whole = ev.evaluate(numerator), ev.evaluate(e.whole)
    product = ranges.multiply(ev.plan.of(numerator).result, ev.plan.of(e.whole).result)
    value = _arithmetic(ev, "*", a, whole, product)
    if divisor is None:
        return value
    return _arithmetic(ev, "/", value, ev.evaluate(divisor), ev.plan.of(e))


def _if(ev: Evaluator, e: ir.If) -> Column:
    condition, then, otherwise = (ev.evaluate(x) for x in (e.condition, e.then, e.otherwise))
    flag = condition.array
    if flag.all() or not flag.any():  # one branch for every row (`if covered`, mostly)
        return _branch(ev, e, condition, then if flag.all() else otherwise)
    bad = condition.bad | np.where(flag, then.bad, otherwise.bad)
    if then.kind is Kind.TEXT:
        labels, x, y = unified(then, otherwise)
        return Column(Kind.TEXT, np.where(flag, x, y), bad, labels=labels)
    if then.kind is Kind.FLAG:
        return Column(Kind.FLAG, np.where(flag, then.array, otherwise.array), bad)
    step = ev.plan.of(e)
    form = ev.form(step, [then, otherwise])
    chosen = forms.where(flag, *(ev.at(c, step.result.scale, form) for c in (then, otherwise)))
    return ev.number(chosen, bad, step)


def _branch(ev: Evaluator, e: ir.If, condition: Column, taken: Column) -> Column:
    bad = ev.either(condition.bad, taken.bad)
    if taken.kind is not Kind.NUMBER:
        return Column(taken.kind, taken.values, bad, labels=taken.labels)
    return _rescaled(ev, taken, bad, ev.plan.of(e))


def _neg(ev: Evaluator, e: ir.Neg) -> Column:
    a = ev.evaluate(e.operand)
    step = ev.plan.of(e)
    return ev.number(forms.negate(ev.at(a, a.scale, ev.form(step, [a]))), a.bad, step)


def _not(ev: Evaluator, e: ir.Not) -> Column:
    a = ev.evaluate(e.operand)
    return Column(Kind.FLAG, ~a.array, a.bad)


def _logical(ev: Evaluator, e: ir.Logical) -> Column:
    """The right side counts only where the left does not decide (`and`: where it holds)."""
    a, b = ev.evaluate(e.left), ev.evaluate(e.right)
    if e.op == "and":
        return Column(Kind.FLAG, a.array & b.array, a.bad | (a.array & b.bad))
    return Column(Kind.FLAG, a.array | b.array, a.bad | (~a.array & b.bad))


def _compare(ev: Evaluator, e: ir.Compare) -> Column:
    a, b = ev.evaluate(e.left), ev.evaluate(e.right)
    bad = ev.either(a.bad, b.bad)
    if a.kind is Kind.NUMBER:
        step = ranges.extreme([ev.plan.of(e.left).result, ev.plan.of(e.right).result])
        form = ev.form(step, [a, b])
        x, y = (ev.at(c, step.result.scale, form) for c in (a, b))
        return Column(Kind.FLAG, forms.compare(e.op, x, y), bad)
    if a.kind is Kind.TEXT:
        _, p, q = unified(a, b)
        return Column(Kind.FLAG, forms.compare(e.op, p, q), bad)
    return Column(Kind.FLAG, forms.compare(e.op, a.values, b.values), bad)


def _member(ev: Evaluator, e: ir.Member) -> Column:
    a = ev.evaluate(e.operand)
    return Column(Kind.FLAG, label_lookup(a, [v in e.values for v in a.labels], bool), a.bad)


def _call(ev: Evaluator, e: ir.Call) -> Column:
    return _CALLS[e.builtin](ev, e)


def _rounding(
    shift: Callable[[Array, int, bool], Array], on_pair: Callable[[Pair, int], Array]
) -> Callable[[Evaluator, ir.Call], Column]:
    def call(ev: Evaluator, e: ir.Call) -> Column:
        a = ev.evaluate(e.args[0])
        places = ranges.places_of(e)
        assert places is not None, "runtime/fixed/engine.py leaves computed places out"
        step = ev.plan.of(e)
        if places >= a.scale:
            return ev.number(a.values, a.bad, step)
        digits = a.scale - places
        if isinstance(a.values, Pair) and digits >= pairs.LIMB and places >= 0:
            return ev.number(on_pair(a.values, 10 ** (digits - pairs.LIMB)), a.bad, step)
        form = Form.WIDE if step.wide else Form.INT
        values = shift(ev.at(a, a.scale, form), 10**digits, step.wide)  # type: ignore[arg-type]
        if places < 0:
            values = values * (10**-places if step.wide else np.int64(10**-places))
        return ev.number(values, a.bad, step)

    return call


def _extreme(pick: Callable[[Values, Values], Values]) -> Callable[[Evaluator, ir.Call], Column]:
    def call(ev: Evaluator, e: ir.Call) -> Column:
        args = [ev.evaluate(x) for x in e.args]
        step = ev.plan.of(e)
        form = ev.form(step, args)
        values = ev.at(args[0], step.result.scale, form)
        bad = args[0].bad
        for arg in args[1:]:
            values = pick(values, ev.at(arg, step.result.scale, form))
            bad = ev.either(bad, arg.bad)
        return ev.number(values, bad, step)

    return call


def _abs(ev: Evaluator, e: ir.Call) -> Column:
    a = ev.evaluate(e.args[0])
    step = ev.plan.of(e)
    return ev.number(forms.absolute(ev.at(a, a.scale, ev.form(step, [a]))), a.bad, step)


def _years(ev: Evaluator, e: ir.Call) -> Column:
    period = ev.evaluate(e.args[0])
    step = ev.plan.of(e)
    lengths = {p.name: ranges.scaled_int(p.years, step.result.scale) for p in ev.program.periods}
    fill = step.result.low  # a row without a period holds a length in range
    found = label_lookup(period, [lengths.get(label, fill) for label in period.labels], np.int64)
    missing = label_lookup(period, [label not in lengths for label in period.labels], bool)
    return ev.number(found, ev.either(period.bad, missing), step)


def _co2e(ev: Evaluator, e: ir.Call) -> Column:
    a = ev.evaluate(e.args[0])
    factor = e.factor or Decimal(1)
    return _arithmetic(ev, "*", a, ev.full(factor), ev.plan.of(e))


def _held(ev: Evaluator, e: ir.Call) -> Column:
    return ev.frame.inputs[f"held.{e.unit}"]


def _eligible(ev: Evaluator, e: ir.Call) -> Column:
    return ev.name(f"eligible.{e.unit}")


_CALLS: dict[str, Callable[[Evaluator, ir.Call], Column]] = {
    "floor": _rounding(floor_shift, pairs.floor_to),
    "ceil": _rounding(ceil_shift, pairs.ceil_to),
    "round": _rounding(round_half_up_shift, pairs.round_to),
    "min": _extreme(forms.minimum),
    "max": _extreme(forms.maximum),
    "abs": _abs,
    "years": _years,
    "co2e": _co2e,
    "held": _held,
    "eligible": _eligible,
}

#: The built-ins this engine implements (the others send a run to the columnar engine).
BUILTINS = frozenset(_CALLS)

_NODES: dict[type, Callable[[Evaluator, Any], Column]] = {
    ir.Const: _const,
    ir.Ref: _ref,
    ir.Binary: _binary,
    ir.Compare: _compare,
    ir.Logical: _logical,
    ir.Not: _not,
    ir.Neg: _neg,
    ir.If: _if,
    ir.Member: _member,
    ir.Share: _share,
    ir.Call: _call,
}

#: The Program nodes this engine implements.
NODES = frozenset(_NODES)
