"""Scale and range analysis: what every number of a Program can be, before it is computed.

A number column is held as scaled integers: the value × 10^scale. `Fixed` is what the
analysis knows about one: its scale and the least and greatest scaled integer it can hold.
`analyse(program, inputs)` is a pure pass over the Program (numbers.py's rules: `+ - *`
exact, `/` to 18 places, rounding to places) from the inputs' ranges, which the engine
measures in the data (the minimum and maximum of each column). For each operation it
also says whether a step of the computation could leave int64 (`Step.wide`): such a node
is computed on Python integers, exactly, and only that node.

    plan = analyse(program, {"emissions": Fixed(1, 0, 4_700_000)})
    plan.steps[node].result      # Fixed(scale=18, low=…, high=…)
    plan.steps[node].wide        # False: int64 is proven safe
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from etsl.compiler import program as ir
from etsl.compiler.numbers import DIVISION_PLACES, digit_counts
from etsl.compiler.program import share_terms
from etsl.compiler.types import Quant

INT64 = 2**63 - 1
#: Operations keep their operands below this in int64 (a sum of two, a doubled remainder).
SAFE = INT64 // 4


@dataclass(frozen=True, slots=True)
class Fixed:
    """A number column's scale and the range of its scaled integers."""

    scale: int
    low: int
    high: int

    @property
    def magnitude(self) -> int:
        return max(-self.low, self.high)

    def at(self, scale: int) -> Fixed:
        """The same values at a larger scale."""
        factor = 10 ** (scale - self.scale)
        return Fixed(scale, self.low * factor, self.high * factor)


ZERO = Fixed(0, 0, 0)


@dataclass(frozen=True, slots=True)
class Step:
    """One node's result, and whether computing it needs Python integers."""

    result: Fixed
    wide: bool


def fits(*values: Fixed) -> bool:
    return all(v.magnitude <= SAFE for v in values)


def step(result: Fixed, *intermediate: Fixed) -> Step:
    return Step(result, not fits(result, *intermediate))


def of_decimal(value: Decimal) -> Fixed:
    places, _ = digit_counts(value)
    scaled = scaled_int(value, places)
    return Fixed(places, scaled, scaled)


def scaled_int(value: Decimal, scale: int) -> int:
    """value × 10^scale as an integer (exact: the value has at most `scale` places)."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int), "a finite value"
    coefficient = int("".join(map(str, digits)) or "0")
    shift = exponent + scale
    whole: int = coefficient * 10**shift if shift >= 0 else coefficient // 10**-shift
    return -whole if sign else whole


# ---- one rule per operation: the result's scale and range ----------------------------------


def aligned(*operands: Fixed) -> tuple[int, list[Fixed]]:
    """The operands at their largest scale, with the powers of ten that scale them (an
    int64 multiplication needs its factor in int64 too)."""
    scale = max(o.scale for o in operands)
    factors = [power(scale - o.scale) for o in operands]
    return scale, [o.at(scale) for o in operands] + factors


def power(exponent: int) -> Fixed:
    return Fixed(0, 10**exponent, 10**exponent)


def add(a: Fixed, b: Fixed) -> Step:
    scale, (x, y, *factors) = aligned(a, b)
    return step(Fixed(scale, x.low + y.low, x.high + y.high), x, y, *factors)


def subtract(a: Fixed, b: Fixed) -> Step:
    scale, (x, y, *factors) = aligned(a, b)
    return step(Fixed(scale, x.low - y.high, x.high - y.low), x, y, *factors)


def multiply(a: Fixed, b: Fixed) -> Step:
    corners = [p * q for p in (a.low, a.high) for q in (b.low, b.high)]
    return step(Fixed(a.scale + b.scale, min(corners), max(corners)), a, b)


def division_shift(a: Fixed, b: Fixed) -> int:
    """The power of ten the numerator (positive) or divisor (negative) is scaled by, so
    that the integer quotient has DIVISION_PLACES places."""
    return DIVISION_PLACES - a.scale + b.scale


def divide(a: Fixed, b: Fixed) -> Step:
    """a / b half-even to 18 places; a divisor range holding 0 divides by at least 1 unit."""
    shift = division_shift(a, b)
    n = a.at(a.scale + max(shift, 0))
    d = b.at(b.scale + max(-shift, 0))
    smallest = 1 if d.low <= 0 <= d.high else min(abs(d.low), abs(d.high))
    bound = n.magnitude // smallest + 1
    return step(Fixed(DIVISION_PLACES, -bound, bound), n, d, power(abs(shift)))


def rounded(a: Fixed, places: int) -> Step:
    """floor, ceil or round to `places`: the scale drops to max(places, 0)."""
    if places >= a.scale:
        return Step(a, not fits(a))
    factor = Fixed(0, 10 ** (a.scale - places), 10 ** (a.scale - places))
    unit = 10 ** max(-places, 0)
    low, high = (a.low // factor.high - 1) * unit, (a.high // factor.high + 1) * unit
    return step(Fixed(max(places, 0), low, high), a, factor, Fixed(0, a.low * 2, a.high * 2))


def extreme(operands: list[Fixed]) -> Step:
    """min or max of several: within the range of every operand together."""
    scale, values = aligned(*operands)
    values, factors = values[: len(operands)], values[len(operands) :]
    low, high = min(v.low for v in values), max(v.high for v in values)
    return step(Fixed(scale, low, high), *values, *factors)


def negate(a: Fixed) -> Step:
    return step(Fixed(a.scale, -a.high, -a.low))


def absolute(a: Fixed) -> Step:
    low = 0 if a.low <= 0 <= a.high else min(abs(a.low), abs(a.high))
    return step(Fixed(a.scale, low, a.magnitude))


def total(parts: Iterable[Fixed]) -> Step:
    """The sum of several (surrendered: the eligible units of every type)."""
    found = list(parts) or [ZERO]
    scale, values = aligned(*found)
    values = values[: len(found)]
    low, high = sum(v.low for v in values), sum(v.high for v in values)
    partial = Fixed(scale, min(low, 0), max(high, 0))
    return step(Fixed(scale, low, high), partial, *values)


# ---- the analysis ---------------------------------------------------------------------------


@dataclass
class Plan:
    """Each numeric node's Step (by node number) and each named number's range."""

    steps: dict[int, Step] = field(default_factory=dict)
    names: dict[str, Fixed] = field(default_factory=dict)

    def of(self, node: ir.Expr) -> Step:
        return self.steps[node.node]


class Analysis:
    """Walks every expression once, names on first use (as the engines evaluate them)."""

    def __init__(self, program: ir.Program, inputs: Mapping[str, Fixed]) -> None:
        self.program = program
        self.inputs = inputs
        self.plan = Plan()
        self.active: set[str] = set()

    def node(self, e: ir.Expr) -> Fixed | None:
        """The range of a numeric node (None for booleans, names and periods)."""
        for child in ir.children(e):
            self.node(child)
        if not isinstance(e.type, Quant):
            return None
        found = _NODE_RULES[type(e)](self, e)
        self.plan.steps[e.node] = found
        return found.result

    def known(self, e: ir.Expr) -> Fixed:
        found = self.plan.steps.get(e.node)
        return found.result if found is not None else ZERO

    def name(self, name: str) -> Fixed:
        if name in self.plan.names:
            return self.plan.names[name]
        if name in self.active:  # the rule graph is acyclic; be safe on runtime names
            return ZERO
        self.active.add(name)
        found = self._name(name)
        self.plan.names[name] = found
        return found

    def _name(self, name: str) -> Fixed:
        program = self.program
        if name in program.params:
            return self.node(program.params[name].expr) or ZERO
        if name in program.rules:
            return self.node(program.rules[name].expr) or ZERO
        if name in program.tables:
            return _table(program.tables[name])
        if name in ("surrendered", "credits_left"):
            return self.surrender()[name]
        return self.inputs.get(name, ZERO)

    def surrender(self) -> dict[str, Fixed]:
        """eligible.U of every unit type, surrendered and credits_left: min and running
        differences of the held amounts and the clauses' limits, at their largest scale."""
        limits = [self.node(c.limit) for c in self.program.surrender if c.limit is not None]
        held = [self.inputs.get(f"held.{u}", ZERO) for u in self.program.units]
        scale, values = aligned(*held, *(x for x in limits if x is not None), ZERO)
        spread = sum(v.magnitude for v in values)  # and every factor that scales them
        found = {
            f"eligible.{u}": Fixed(scale, min(h.at(scale).low, 0), max(h.at(scale).high, 0))
            for u, h in zip(self.program.units, held, strict=True)
        }
        found["$allocation"] = Fixed(scale, -spread, spread)
        found["surrendered"] = total(
            v for k, v in found.items() if k.startswith("eligible.")
        ).result
        credits = [found[f"eligible.{u}"] for u in self.program.credit_types]
        need = [self.name(n) for n in ("obligation", "owed_in", "carry_in")]
        left_scale, scaled = aligned(*credits, *need, ZERO)
        high = sum(c.at(left_scale).high for c in credits)
        needed = total(n.at(left_scale) for n in need).result
        reach = max(needed.magnitude + high, *(f.magnitude for f in scaled))
        found["credits_left"] = Fixed(left_scale, -reach, reach)
        for key, value in found.items():
            self.plan.names[key] = value
        return found

    def run(self) -> Plan:
        for name in (*self.program.params, *self.program.rules):
            self.name(name)
        self.surrender()
        for penalty in self.program.penalties:
            exprs = [penalty.condition] if penalty.condition is not None else []
            exprs += [x for c in penalty.consequences for x in (c.amount, c.limit) if x]
            for expr in exprs:
                self.node(expr)
        return self.plan


def _table(table: ir.Table) -> Fixed:
    numbers = [of_decimal(c.value) for c in table.cells.values() if isinstance(c.value, Decimal)]
    if not numbers:
        return ZERO
    scale, values = aligned(*numbers)
    values = values[: len(numbers)]
    return Fixed(scale, min(v.low for v in values), max(v.high for v in values))


def _const(a: Analysis, e: ir.Const) -> Step:
    assert isinstance(e.value, Decimal)
    return Step(of_decimal(e.value), False)


def _ref(a: Analysis, e: ir.Ref) -> Step:
    found = a.name(e.name)
    return Step(found, not fits(found))


def _binary(a: Analysis, e: ir.Binary) -> Step:
    return _BINARY[e.op](a.known(e.left), a.known(e.right))


def _share(a: Analysis, e: ir.Share) -> Step:
    numerator, divisor = share_terms(e)
    product = multiply(a.known(numerator), a.known(e.whole))
    if divisor is None:
        return product
    quotient = divide(product.result, a.known(divisor))
    return Step(quotient.result, product.wide or quotient.wide)


def _if(a: Analysis, e: ir.If) -> Step:
    return extreme([a.known(e.then), a.known(e.otherwise)])


def _neg(a: Analysis, e: ir.Neg) -> Step:
    return negate(a.known(e.operand))


def _call(a: Analysis, e: ir.Call) -> Step:
    return _CALLS[e.builtin](a, e)


def _rounding(a: Analysis, e: ir.Call) -> Step:
    places = places_of(e)
    return rounded(a.known(e.args[0]), places if places is not None else 0)


def places_of(e: ir.Call) -> int | None:
    """The places of floor/ceil/round when written as a whole number in [-40, 40]
    (other places are the reference engine's: it reports them)."""
    if len(e.args) < 2:
        return 0
    arg = e.args[1]
    if isinstance(arg, ir.Const) and isinstance(arg.value, Decimal):
        value = arg.value
        if value == value.to_integral_value() and -40 <= value <= 40:
            return int(value)
    return None


def _years(a: Analysis, e: ir.Call) -> Step:
    lengths = [of_decimal(p.years) for p in a.program.periods] or [ZERO]
    return extreme(lengths)


def _co2e(a: Analysis, e: ir.Call) -> Step:
    return multiply(a.known(e.args[0]), of_decimal(e.factor or Decimal(1)))


def _held(a: Analysis, e: ir.Call) -> Step:
    found = a.inputs.get(f"held.{e.unit}", ZERO)
    return Step(found, not fits(found))


def _eligible(a: Analysis, e: ir.Call) -> Step:
    found = a.surrender()[f"eligible.{e.unit}"]
    return Step(found, not fits(found))


_BINARY: dict[str, Callable[[Fixed, Fixed], Step]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
}

_CALLS: dict[str, Callable[[Analysis, ir.Call], Step]] = {
    "floor": _rounding,
    "ceil": _rounding,
    "round": _rounding,
    "min": lambda a, e: extreme([a.known(x) for x in e.args]),
    "max": lambda a, e: extreme([a.known(x) for x in e.args]),
    "abs": lambda a, e: absolute(a.known(e.args[0])),
    "years": _years,
    "co2e": _co2e,
    "held": _held,
    "eligible": _eligible,
}

_NODE_RULES: dict[type, Callable[[Analysis, Any], Step]] = {
    ir.Const: _const,
    ir.Ref: _ref,
    ir.Binary: _binary,
    ir.Share: _share,
    ir.If: _if,
    ir.Neg: _neg,
    ir.Call: _call,
}


def analyse(program: ir.Program, inputs: Mapping[str, Fixed]) -> Plan:
    """Every numeric node's scale and range, and where int64 is proven safe."""
    return Analysis(program, inputs).run()
