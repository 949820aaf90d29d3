"""Compile a scheme's rule graph into one columnar query, built as a sqlglot expression tree.

    compile_query(compiled, layout) -> ColumnarQuery | Unsupported

One projection per rule, in the rule graph's topological order, each adding one column to the
row of the previous projection (a chain of CTEs or of nested sub-queries; see `Shape`).
Numbers are DECIMALs whose scale is tracked statically; it follows the same rules as the
exponent of Python's Decimal (`+ -`: the larger scale, `*`: the sum, rounding to N places: N),
so both engines produce the same digits. Integer digits are bounded from the data profile.

Exactness rules (runtime/arith.py is the definition):
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

Constructs that cannot be represented exactly are reported as `Unsupported(reason)`; the
caller falls back to the reference engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Any

from etsl.compiler import ast
from etsl.compiler.check import Checker
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.graph import evaluation_order
from etsl.compiler.gwp import gwp
from etsl.compiler.periods import period_years
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.types import Quant
from etsl.compiler.units import dims_name, parse_unit
from etsl.compiler.vocabulary import RUNTIME_INPUTS
from etsl.runtime.arith import CONTEXT, DIVISION_PLACES
from sqlglot import exp

MAX_DIGITS = 38
NATIVE_DIGITS = 18  # DuckDB keeps DECIMAL(≤18) in 64 bits and clamps products to it

PARTICIPANT = "$participant"
ROW = "$row"
PERIOD = "$period"
SCENARIO = "$scenario"
FAILED = "$failed"


class Unsupported(Exception):
    """A construct, or a precision, the columnar engine cannot represent exactly."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"unsupported: {self.reason}"


# ---- static types ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    """A DECIMAL's static shape: |value| < 10**digits, exactly `scale` fractional digits."""

    digits: int
    scale: int

    @property
    def width(self) -> int:
        return max(1, min(MAX_DIGITS, self.digits + self.scale))

    def sql_type(self) -> exp.DataType:
        return decimal_type(self.width, self.scale)


def decimal_type(width: int, scale: int) -> exp.DataType:
    return exp.DataType(
        this=exp.DataType.Type.DECIMAL,
        expressions=[exp.DataTypeParam(this=exp.Literal.number(width)),
                     exp.DataTypeParam(this=exp.Literal.number(scale))],
    )


def common(*nums: Num) -> Num:
    """The type every one of `nums` converts to exactly."""
    return Num(max(n.digits for n in nums), max(n.scale for n in nums))


def digits_of(value: Decimal) -> int:
    """The smallest d ≥ 0 with |value| < 10**d."""
    return 0 if value == 0 else max(0, value.adjusted() + 1)


def scale_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class Kind(Enum):
    NUM = "num"
    BOOL = "bool"
    TEXT = "text"
    DATE = "date"
    INT = "int"  # a wide integer inside the division rewrite
    ABSENT = "absent"  # a holding attribute the data does not give: equal to nothing


@dataclass(frozen=True, slots=True)
class Typed:
    """A compiled expression with its static type and whether it may be NULL (an error).

    `declared` says the SQL expression has exactly the type `num.sql_type()`, so casting it
    to that type again is left out.
    """

    sql: exp.Expr
    kind: Kind
    num: Num | None = None
    nullable: bool = False
    declared: bool = False

    @property
    def number(self) -> Num:
        assert self.num is not None, self
        return self.num


@dataclass(frozen=True, slots=True)
class Flavour:
    """How wide integers are written in a family of SQL dialects."""

    name: str
    wide_int: exp.DataType  # integers of up to 38 digits: DuckDB's HUGEINT, else DECIMAL(38, 0)


DUCKDB = Flavour("duckdb", exp.DataType(this=exp.DataType.Type.INT128))
PORTABLE = Flavour("portable", decimal_type(MAX_DIGITS, 0))


# ---- the input layout ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InputColumn:
    """Where a participant input (or a holdings total) comes from in the source relation.

    `num` is the DECIMAL shape of the column's values as read (before `scale`, the factor to
    base units); `kind` says what it holds.
    """

    column: str
    kind: Kind = Kind.NUM
    num: Num | None = None
    nullable: bool = True
    scale: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class ScenarioLayout:
    """A scenario relation cross-joined with the participants (sweeps).

    Each varied value is a column of the relation: `param.NAME`, `table.NAME[ROW,COL]` or
    `limit[UNIT,…]`, with the DECIMAL shape of its values.
    """

    relation: str
    params: Mapping[str, Num] = field(default_factory=dict)
    cells: Mapping[tuple[str, tuple[str, ...]], Num] = field(default_factory=dict)
    limits: Mapping[tuple[str, ...], Num] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Layout:
    """The source relation of a run: its name and which column holds what."""

    relation: str
    participant_column: str | None
    period_column: str | None = None
    period: str | None = None  # every row's period when there is no period column
    inputs: Mapping[str, InputColumn] = field(default_factory=dict)
    holdings: Mapping[str, InputColumn] = field(default_factory=dict)
    scenario: ScenarioLayout | None = None
    row_column: str | None = None  # the data row number, carried to the output
    present: Mapping[str, str] = field(default_factory=dict)  # unit → "has a holding row"
    checked: bool = False  # enumeration and period values were checked against the scheme


def param_column(name: str) -> str:
    return f"param.{name}"


def cell_column(table: str, keys: Sequence[str]) -> str:
    return f"table.{table}[{','.join(keys)}]"


def limit_column(units: Sequence[str]) -> str:
    return f"limit[{','.join(units)}]"


# ---- small sqlglot helpers -------------------------------------------------------------------

_ATOMS = (exp.Column, exp.Literal, exp.Cast, exp.Func, exp.Case, exp.Paren, exp.Null,
          exp.Boolean)


def wrap(node: exp.Expr) -> exp.Expr:
    """Parenthesise an operand unless it is atomic (sqlglot prints the tree as given)."""
    return node if isinstance(node, _ATOMS) else exp.Paren(this=node)


def is_atomic(node: exp.Expr) -> bool:
    """A column or a constant: cheap to repeat inside one expression."""
    if isinstance(node, exp.Cast):
        return isinstance(node.this, exp.Literal | exp.Null)
    return isinstance(node, exp.Column | exp.Literal | exp.Boolean | exp.Null)


def is_constant(typed: Typed) -> bool:
    """A literal (possibly cast): folded into the expressions that use it."""
    return is_atomic(typed.sql) and not isinstance(typed.sql, exp.Column)


def literal_value(typed: Typed) -> Decimal | None:
    node = typed.sql.this if isinstance(typed.sql, exp.Cast) else typed.sql
    if typed.kind is Kind.NUM and isinstance(node, exp.Literal) and not node.is_string:
        return Decimal(str(node.name))
    return None


def is_zero(typed: Typed) -> bool:
    return literal_value(typed) == 0


def col(name: str) -> exp.Column:
    return exp.column(exp.to_identifier(name, quoted=True))


def text(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def cast(node: exp.Expr, to: exp.DataType) -> exp.Cast:
    return exp.Cast(this=node, to=to)


def integer_literal(value: int) -> exp.Expr:
    return exp.Literal.number(str(value))


def decimal_literal(value: Decimal) -> Typed:
    num = Num(digits_of(value), scale_of(value))
    literal = exp.Literal.number(format(value, "f"))
    return Typed(cast(literal, num.sql_type()), Kind.NUM, num, declared=True)


def zero() -> Typed:
    return decimal_literal(Decimal(0))


def is_null(node: exp.Expr) -> exp.Expr:
    return exp.Is(this=wrap(node), expression=exp.Null())


def any_of(tests: Sequence[exp.Expr]) -> exp.Expr:
    if not tests:
        return exp.false()
    result = tests[0]
    for test in tests[1:]:
        result = exp.Or(this=result, expression=test)
    return result


KIND_TYPES: dict[Kind, Callable[[], exp.DataType]] = {
    Kind.BOOL: lambda: exp.DataType(this=exp.DataType.Type.BOOLEAN),
    Kind.TEXT: lambda: exp.DataType(this=exp.DataType.Type.VARCHAR),
    Kind.DATE: lambda: exp.DataType(this=exp.DataType.Type.DATE),
}


def null_of(kind: Kind, num: Num | None) -> exp.Expr:
    return cast(exp.Null(), num.sql_type() if num else KIND_TYPES[kind]())


def as_num(typed: Typed, num: Num) -> exp.Expr:
    """`typed` as DECIMAL(num); the scale never decreases, so the value is unchanged."""
    assert typed.num is not None and typed.num.scale <= num.scale, (typed, num)
    same = (typed.num.width, typed.num.scale) == (num.width, num.scale)
    if typed.declared and same:
        return typed.sql
    if isinstance(typed.sql, exp.Cast) and isinstance(typed.sql.this, exp.Literal | exp.Null):
        return cast(typed.sql.this, num.sql_type())
    return cast(typed.sql, num.sql_type())


def declared(typed: Typed) -> Typed:
    """`typed` cast to its own static type (numbers), so later uses need no cast."""
    if typed.kind is not Kind.NUM or typed.declared:
        return typed
    return replace(typed, sql=as_num(typed, typed.number), declared=True)


# ---- exact arithmetic ---------------------------------------------------------------------


def add(op: str, a: Typed, b: Typed) -> Typed:
    if is_zero(b):
        return a
    if is_zero(a) and op == "+":
        return b
    num = Num(max(a.number.digits, b.number.digits) + 1, max(a.number.scale, b.number.scale))
    node_type = exp.Add if op == "+" else exp.Sub
    node = node_type(this=wrap(widen(a, num)), expression=wrap(widen(b, num)))
    return Typed(node, Kind.NUM, num, a.nullable or b.nullable)


def widen(typed: Typed, result: Num) -> exp.Expr:
    """An operand cast to 38 digits when the result could outgrow DuckDB's 64-bit decimals.

    DuckDB clamps the product of two DECIMAL(≤18) to DECIMAL(18) and fails on overflow.
    """
    if result.digits + result.scale > NATIVE_DIGITS and typed.number.width <= NATIVE_DIGITS:
        return as_num(typed, Num(MAX_DIGITS - typed.number.scale, typed.number.scale))
    return typed.sql


def multiply(a: Typed, b: Typed) -> Typed:
    num = Num(a.number.digits + b.number.digits, a.number.scale + b.number.scale)
    if num.scale > MAX_DIGITS:
        raise Unsupported(f"a product needs {num.scale} decimal places (DECIMAL holds 38)")
    node = exp.Mul(this=wrap(widen(a, num)), expression=wrap(b.sql))
    return Typed(node, Kind.NUM, num, a.nullable or b.nullable)


def negate(a: Typed) -> Typed:
    return Typed(exp.Neg(this=wrap(a.sql)), Kind.NUM, a.num, a.nullable)


def scaled_integer(typed: Typed, places: int, flavour: Flavour) -> exp.Expr:
    """The integer typed·10**places (places ≥ its scale), exactly, as a wide integer.

    The unscaled integer of the DECIMAL is taken first (by multiplying by 10**scale, or,
    when that product could outgrow 38 digits, from its text without the point), then
    multiplied in integers. Where even the result's static bound exceeds 38 digits, the
    database's overflow check stops the query rather than let a wrong value through (the
    engine then falls back to the reference engine).
    """
    num = typed.number
    wide = as_num(typed, Num(MAX_DIGITS - num.scale, num.scale))
    if num.digits + 2 * num.scale <= MAX_DIGITS:
        factor = cast(integer_literal(10 ** num.scale), Num(num.scale + 1, 0).sql_type())
        unscaled: exp.Expr = cast(exp.Mul(this=wide, expression=factor), flavour.wide_int)
    else:
        digits = exp.Anonymous(this="replace", expressions=[
            cast(wide, KIND_TYPES[Kind.TEXT]()), text("."), text("")])
        unscaled = cast(digits, flavour.wide_int)
    if places > num.scale:
        factor = cast(integer_literal(10 ** (places - num.scale)), flavour.wide_int)
        unscaled = exp.Mul(this=unscaled, expression=factor)
    return unscaled


def divide(a: Typed, b: Typed, scope: Scope) -> Typed:
    """a / b rounded half-even to 18 places, computed exactly in integers.

    With A = a·10^sa and B = b·10^sb the unscaled integers, the result's unscaled integer is
    round(A·10^(18 + sb - sa) / B): the numerator is scaled up, or the divisor when the
    dividend already has more than 18 + sb places.
    """
    flavour = scope.flavour
    sa, sb = a.number.scale, b.number.scale
    num = Num(a.number.digits + sb + 1, DIVISION_PLACES)
    literal = literal_divisor(b)
    if literal == 0:
        return Typed(null_of(Kind.NUM, num), Kind.NUM, num, True, True)
    narrow = narrow_division(a, b, literal, num, scope)
    if narrow is not None:
        return narrow
    divisor_places = max(sb, sa - DIVISION_PLACES)
    n = scope.atom(wide_int(scaled_integer(a, max(sa, DIVISION_PLACES + sb), flavour),
                            a.nullable))
    if literal is not None:
        d = Typed(integer_literal(literal * 10 ** (divisor_places - sb)), Kind.INT)
    else:
        scaled = exp.Nullif(this=scaled_integer(b, divisor_places, flavour),
                            expression=integer_literal(0))
        d = scope.atom(wide_int(scaled, True))
    q = scope.atom(wide_int(int_div(n.sql, d.sql, flavour), n.nullable or d.nullable))
    r = scope.atom(wide_int(exp.Abs(this=exp.Mod(this=wrap(n.sql), expression=wrap(d.sql))),
                            q.nullable))
    rounded = round_half_even(n, d, q, r, literal is not None and literal > 0)
    unit = decimal_literal(Decimal(1).scaleb(-DIVISION_PLACES))
    node = exp.Mul(this=cast(rounded, decimal_type(MAX_DIGITS, 0)), expression=unit.sql)
    return Typed(cast(node, num.sql_type()), Kind.NUM, num, q.nullable, True)


BIGINT = exp.DataType(this=exp.DataType.Type.BIGINT)
INT64_DIGITS = 18  # every integer below 10**18 fits in 64 bits


def narrow_division(a: Typed, b: Typed, literal: int | None, num: Num,
                    scope: Scope) -> Typed | None:
    """The same quotient by long division in 64-bit integers, when the bounds allow.

    128-bit division is slow (about 15 times slower in DuckDB), so when the dividend's
    unscaled integer A and the divisor's D fit in 64 bits, A·10^k / D is computed as
    q = A div D, then k more digits of the remainder in chunks small enough that
    remainder·10^chunk stays below 10^18; the result is q·10^(k-18) + f·10^-18.
    """
    sa, sb = a.number.scale, b.number.scale
    places = DIVISION_PLACES + sb - sa  # k: digits after A div D
    divisor_digits = len(str(abs(literal))) if literal is not None else b.number.digits + sb
    if not 1 <= places <= INT64_DIGITS or a.number.digits + sa > INT64_DIGITS \
            or divisor_digits >= INT64_DIGITS:
        return None
    unscaled_a = multiply(a, decimal_literal(Decimal(10) ** sa))
    big_a = scope.atom(Typed(cast(unscaled_a.sql, BIGINT), Kind.INT, None, a.nullable))
    if literal is not None:
        d = Typed(integer_literal(literal), Kind.INT)
    else:
        unscaled_b = multiply(b, decimal_literal(Decimal(10) ** sb))
        d = scope.atom(Typed(exp.Nullif(this=cast(unscaled_b.sql, BIGINT),
                                        expression=integer_literal(0)), Kind.INT, None, True))
    nullable = big_a.nullable or d.nullable
    whole = scope.atom(Typed(exp.IntDiv(this=big_a.sql, expression=d.sql), Kind.INT, None,
                             nullable))
    remainder = scope.atom(Typed(exp.Mod(this=big_a.sql, expression=d.sql), Kind.INT, None,
                                 nullable))
    fraction, remainder = long_division(remainder, d, places, INT64_DIGITS - divisor_digits,
                                        scope)
    r = scope.atom(Typed(exp.Abs(this=remainder.sql), Kind.INT, None, nullable))
    rounded = round_half_even(big_a, d, fraction, r, literal is not None and literal > 0)
    head = multiply(Typed(cast(whole.sql, Num(a.number.digits + sa, 0).sql_type()), Kind.NUM,
                          Num(a.number.digits + sa, 0), nullable, True),
                    decimal_literal(Decimal(1).scaleb(places - DIVISION_PLACES)))
    tail_num = Num(1 if places == INT64_DIGITS else 0, DIVISION_PLACES)
    tail = exp.Mul(this=cast(rounded, Num(places + 1, 0).sql_type()),
                   expression=decimal_literal(Decimal(1).scaleb(-DIVISION_PLACES)).sql)
    total = add("+", head, Typed(cast(tail, tail_num.sql_type()), Kind.NUM, tail_num, nullable,
                                 True))
    return Typed(cast(total.sql, num.sql_type()), Kind.NUM, num, nullable, True)


def long_division(remainder: Typed, d: Typed, places: int, chunk: int,
                  scope: Scope) -> tuple[Typed, Typed]:
    """The next `places` digits of remainder / d, `chunk` digits at a time: (digits, rest)."""
    digits: Typed | None = None
    while places > 0:
        step = min(chunk, places)
        shifted = exp.Mul(this=remainder.sql, expression=integer_literal(10 ** step))
        quotient = scope.atom(Typed(exp.IntDiv(this=exp.Paren(this=shifted), expression=d.sql),
                                    Kind.INT, None, remainder.nullable))
        remainder = scope.atom(Typed(exp.Mod(this=exp.Paren(this=shifted.copy()),
                                             expression=d.sql), Kind.INT, None,
                                     remainder.nullable))
        if digits is None:
            digits = quotient
        else:
            digits = scope.atom(Typed(exp.Add(this=exp.Mul(
                this=digits.sql, expression=integer_literal(10 ** step)), expression=quotient.sql),
                Kind.INT, None, remainder.nullable))
        places -= step
    assert digits is not None
    return digits, remainder


def wide_int(node: exp.Expr, nullable: bool) -> Typed:
    return Typed(node, Kind.INT, None, nullable)


def literal_divisor(b: Typed) -> int | None:
    """The unscaled integer of a literal divisor (so no zero test or sign is needed)."""
    node = b.sql
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and not b.nullable:
        return int(Decimal(node.this.name).scaleb(b.number.scale))
    return None


def round_half_even(n: Typed, d: Typed, q: Typed, r: Typed,
                    positive_divisor: bool) -> exp.Expr:
    """q = n div d (toward zero) and r = |n mod d| stepped away from zero by half-even rules."""
    abs_d = d.sql if positive_divisor else exp.Abs(this=d.sql)
    rest = exp.Paren(this=exp.Sub(this=wrap(abs_d), expression=r.sql))
    odd = exp.NEQ(this=exp.Mod(this=q.sql, expression=integer_literal(2)),
                  expression=integer_literal(0))
    tie = exp.And(this=exp.EQ(this=r.sql, expression=rest.copy()), expression=odd)
    up = exp.Or(this=exp.GT(this=r.sql, expression=rest), expression=exp.Paren(this=tie))
    sign: exp.Expr = exp.Sign(this=n.sql)
    if not positive_divisor:
        sign = exp.Mul(this=sign, expression=exp.Sign(this=d.sql))
    step = exp.Case(ifs=[exp.If(this=up, true=sign)], default=integer_literal(0))
    return exp.Add(this=q.sql, expression=step)


def int_div(n: exp.Expr, d: exp.Expr, flavour: Flavour) -> exp.Expr:
    """Integer division truncating toward zero (`//` in DuckDB, DIV in most dialects)."""
    return exp.IntDiv(this=wrap(n), expression=wrap(d))


def to_places(func: str, x: Typed, places: int, scope: Scope) -> Typed:
    """floor/ceil/round(x, places) with the result's scale set to `places`."""
    num = x.number
    result = Num(num.digits + 1, places)
    if places >= num.scale:
        return Typed(as_num(x, result), Kind.NUM, result, x.nullable, True)
    if func == "round":
        node: exp.Expr = exp.Round(this=x.sql, decimals=integer_literal(places))
    elif places == 0:
        node = (exp.Floor if func == "floor" else exp.Ceil)(this=x.sql)
    else:
        up = multiply(x, decimal_literal(Decimal(10) ** places))
        whole = cast((exp.Floor if func == "floor" else exp.Ceil)(this=up.sql),
                     Num(result.digits + places, 0).sql_type())
        node = exp.Mul(this=whole, expression=decimal_literal(Decimal(1).scaleb(-places)).sql)
    return Typed(cast(node, result.sql_type()), Kind.NUM, result, x.nullable, True)


def extremum(func: str, items: Sequence[Typed], scope: Scope) -> Typed:
    """min/max of same-unit values; NULL if any is NULL (SQL's LEAST would skip it)."""
    num = common(*(t.number for t in items))
    nullable = any(t.nullable for t in items)
    if nullable:
        items = [scope.atom(t) if t.nullable else t for t in items]
    args = [as_num(t, num) for t in items]
    node: exp.Expr = (exp.Least if func == "min" else exp.Greatest)(
        this=args[0], expressions=args[1:], ignore_nulls=True)  # NULLs: guarded below
    if nullable:
        test = any_of([is_null(t.sql) for t in items if t.nullable])
        node = exp.Case(ifs=[exp.If(this=test, true=null_of(Kind.NUM, num))], default=node)
    return Typed(node, Kind.NUM, num, nullable)


def choose(condition: Typed, then: Typed, otherwise: Typed, scope: Scope) -> Typed:
    """`if c then a else b`: only the taken branch counts; a NULL condition gives NULL."""
    if then.kind is not otherwise.kind or condition.kind is not Kind.BOOL:
        raise Unsupported("an 'if' whose branches have different kinds")
    if isinstance(condition.sql, exp.Boolean):  # a constant condition: only one branch
        return then if condition.sql.this else otherwise
    num = common(then.number, otherwise.number) if then.kind is Kind.NUM else None
    a = as_num(then, num) if num else then.sql
    b = as_num(otherwise, num) if num else otherwise.sql
    nullable = condition.nullable or then.nullable or otherwise.nullable
    if condition.nullable:
        condition = scope.atom(condition)
    ifs = [exp.If(this=condition.sql, true=a)]
    if condition.nullable:
        ifs.insert(0, exp.If(this=is_null(condition.sql), true=null_of(then.kind, num)))
    return Typed(exp.Case(ifs=ifs, default=b), then.kind, num, nullable)


def logical(op: str, left: Typed, right: Typed, scope: Scope) -> Typed:
    """Short-circuit `and`/`or`: the right side counts only when the left does not decide."""
    nullable = left.nullable or right.nullable
    node_type = exp.And if op == "and" else exp.Or
    if not left.nullable:
        return Typed(node_type(this=wrap(left.sql), expression=wrap(right.sql)), Kind.BOOL,
                     None, nullable)
    left = scope.atom(left)
    decided = exp.Not(this=wrap(left.sql)) if op == "and" else left.sql
    ifs = [exp.If(this=is_null(left.sql), true=null_of(Kind.BOOL, None)),
           exp.If(this=decided, true=exp.Boolean(this=op == "or"))]
    return Typed(exp.Case(ifs=ifs, default=right.sql), Kind.BOOL, None, nullable)


_COMPARE: dict[str, type[exp.Expr]] = {
    "==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE,
}


def compare(op: str, left: Typed, right: Typed) -> Typed:
    """Exact comparison; an absent attribute is unequal to everything (only `!=` holds)."""
    if Kind.ABSENT in (left.kind, right.kind):
        other = right if left.kind is Kind.ABSENT else left
        return _after(other, exp.Boolean(this=op == "!="))
    a, b = left.sql, right.sql
    if left.kind is Kind.NUM and right.kind is Kind.NUM:
        num = common(left.number, right.number)
        a, b = as_num(left, num), as_num(right, num)
    elif left.kind is not right.kind:
        raise Unsupported(f"comparing a {left.kind.value} with a {right.kind.value}")
    elif op in ("<", "<=", ">", ">=") and left.kind in (Kind.TEXT, Kind.BOOL):
        raise Unsupported(f"ordering {left.kind.value} values")
    node = _COMPARE[op](this=wrap(a), expression=wrap(b))
    return Typed(node, Kind.BOOL, None, left.nullable or right.nullable)


def _after(evaluated: Typed, result: exp.Expr) -> Typed:
    """`result`, once `evaluated` has been computed (NULL when it could not be)."""
    if not evaluated.nullable or evaluated.kind is Kind.ABSENT:
        return Typed(result, Kind.BOOL)
    node = exp.Case(ifs=[exp.If(this=is_null(evaluated.sql), true=null_of(Kind.BOOL, None))],
                    default=result)
    return Typed(node, Kind.BOOL, None, True)


# ---- expressions -------------------------------------------------------------------------


@dataclass
class Scope:
    """What names mean while compiling: columns computed so far, parameters, constants.

    `hoist` adds a projection computing a value once (a column), so that a value used several
    times inside one expression (the division rewrite, null guards) is not recomputed.
    """

    scheme: ResolvedScheme
    checker: Checker
    flavour: Flavour
    hoist: Callable[[Typed], Typed]
    columns: dict[str, Typed] = field(default_factory=dict)
    fixed_period: str | None = None
    scenario: ScenarioLayout | None = None
    attributes: Mapping[str, Typed] | None = None  # holding.X inside a surrender filter
    params: dict[str, Typed] = field(default_factory=dict)
    checked: bool = False  # enumerations and periods in the data are known to be valid

    def column(self, name: str) -> Typed:
        if name not in self.columns:
            raise Unsupported(f"'{name}' is not available to the columnar engine")
        return self.columns[name]

    def define(self, name: str, typed: Typed) -> Typed:
        """Register a computed column; later expressions refer to it by name (constants are
        used as they are)."""
        if is_constant(typed):
            self.columns[name] = declared(typed)
            return self.columns[name]
        reference = replace(typed, sql=col(name), declared=typed.kind is Kind.NUM)
        self.columns[name] = reference
        return reference

    def atom(self, typed: Typed) -> Typed:
        return typed if is_atomic(typed.sql) else self.hoist(typed)

    def param(self, name: str) -> Typed:
        if name not in self.params:
            self.params[name] = self._param(name)
        return self.params[name]

    def _param(self, name: str) -> Typed:
        if self.scenario is not None and name in self.scenario.params:
            num = self.scenario.params[name]
            return Typed(cast(col(param_column(name)), num.sql_type()), Kind.NUM, num,
                         declared=True)
        return compile_expr(self.scheme.params[name].value, self)


def quantity_value(q: ast.Quantity) -> Decimal:
    """A literal in base units: its value times its unit's scale (exact)."""
    value: Decimal = CONTEXT.multiply(q.value, parse_unit(q.unit).scale) if q.unit else q.value
    return value


def _quantity(e: ast.Quantity, scope: Scope) -> Typed:
    return decimal_literal(quantity_value(e))


def _bool(e: ast.Bool, scope: Scope) -> Typed:
    return Typed(exp.Boolean(this=e.value), Kind.BOOL)


def _date(e: ast.DateLit, scope: Scope) -> Typed:
    return Typed(cast(text(e.value.isoformat()), KIND_TYPES[Kind.DATE]()), Kind.DATE)


def _name(e: ast.Name, scope: Scope) -> Typed:
    s, name = scope.scheme, e.name
    if name in s.fields or name in s.tables or name in s.rules or name in RUNTIME_INPUTS:
        return scope.column(name)
    if name in s.params:
        return scope.param(name)
    if name == "period":
        return current_period(scope)
    if name in s.periods or name in s.enum_values:
        return Typed(text(name), Kind.TEXT)
    raise Unsupported(f"the name '{name}'")


def current_period(scope: Scope) -> Typed:
    if scope.fixed_period is not None:
        return Typed(text(scope.fixed_period), Kind.TEXT)
    return scope.column(PERIOD)


def _binary(e: ast.Binary, scope: Scope) -> Typed:
    left, right = compile_num(e.left, scope), compile_num(e.right, scope)
    if e.op in "+-":
        return add(e.op, left, right)
    if e.op == "*":
        return multiply(left, right)
    return divide(left, right, scope)


def _compare(e: ast.Compare, scope: Scope) -> Typed:
    return compare(e.op, compile_expr(e.left, scope), compile_expr(e.right, scope))


def _logical(e: ast.Logical, scope: Scope) -> Typed:
    return logical(e.op, compile_expr(e.left, scope), compile_expr(e.right, scope), scope)


def _not(e: ast.Not, scope: Scope) -> Typed:
    operand = compile_expr(e.operand, scope)
    return Typed(exp.Not(this=wrap(operand.sql)), Kind.BOOL, None, operand.nullable)


def _neg(e: ast.Neg, scope: Scope) -> Typed:
    return negate(compile_num(e.operand, scope))


def _if(e: ast.If, scope: Scope) -> Typed:
    return choose(compile_expr(e.condition, scope), compile_expr(e.then, scope),
                  compile_expr(e.otherwise, scope), scope)


def _member(e: ast.Member, scope: Scope) -> Typed:
    operand = compile_expr(e.operand, scope)
    if operand.kind is Kind.ABSENT:
        return Typed(exp.false(), Kind.BOOL)
    node = exp.In(this=wrap(operand.sql), expressions=[text(v) for v in e.values])
    return Typed(node, Kind.BOOL, None, operand.nullable)


def _share_of(e: ast.ShareOf, scope: Scope) -> Typed:
    """`a / b of X` is `a × X / b`; `P of X` is `P × X` (ast.share_arithmetic)."""
    return compile_expr(ast.share_arithmetic(e), scope)


def _attribute(e: ast.Attribute, scope: Scope) -> Typed:
    """`holding.X` / `issuer.X` in a filter on a wide table's holding row.

    The row's attributes are the ones its unit type declares; any other is absent.
    """
    base = e.base.name if isinstance(e.base, ast.Name) else ""
    if scope.attributes is None:
        raise Unsupported(f"'{base}.{e.name}' outside a surrender filter")
    key = e.name if base == "holding" else f"issuer_{e.name}"
    return scope.attributes.get(key, Typed(exp.Null(), Kind.ABSENT))


def _call(e: ast.Call, scope: Scope) -> Typed:
    handler = _CALLS.get(e.func)
    if handler is None:
        raise Unsupported(f"the function '{e.func}'")
    return handler(e, scope)


def _places(e: ast.Call) -> int:
    if len(e.args) == 1:
        return 0
    places = e.args[1]
    if isinstance(places, ast.Quantity) and places.unit is None and places.value >= 0 \
            and places.value == places.value.to_integral_value():
        return int(places.value)
    raise Unsupported(f"{e.func}() to a number of places that is not a literal whole number")


def _rounding(e: ast.Call, scope: Scope) -> Typed:
    return to_places(e.func, compile_num(e.args[0], scope), _places(e), scope)


def _extremum(e: ast.Call, scope: Scope) -> Typed:
    return extremum(e.func, [compile_num(a, scope) for a in e.args], scope)


def _abs(e: ast.Call, scope: Scope) -> Typed:
    x = compile_num(e.args[0], scope)
    return Typed(exp.Abs(this=x.sql), Kind.NUM, x.num, x.nullable)


def _years(e: ast.Call, scope: Scope) -> Typed:
    s = scope.scheme
    which = compile_expr(e.args[0], scope)
    lengths = {name: period_years(p, s.calendar) for name, p in s.periods.items()}
    if len(set(lengths.values())) == 1 and not which.nullable:
        return decimal_literal(next(iter(lengths.values())))
    return lookup([which], {(name,): decimal_literal(v) for name, v in lengths.items()},
                  [domain(scope, "period")])


def _co2e(e: ast.Call, scope: Scope) -> Typed:
    x = compile_num(e.args[0], scope)
    dims = scope.checker.infer(e.args[0])
    if not isinstance(dims, Quant) or len(dims.dims) != 1:
        raise Unsupported("co2e() of a value whose gas is not known statically")
    gas = dims.dims[0][0]
    if gas == "co2e":
        return x
    basis = scope.scheme.gases.basis if scope.scheme.gases else None
    factor = gwp(basis, gas.removeprefix("gas_")) if basis else None
    if factor is None:
        raise Unsupported(f"no GWP for '{gas.removeprefix('gas_')}' in basis {basis}")
    return multiply(x, decimal_literal(factor))


def _unit_value(prefix: str) -> Callable[[ast.Call, Scope], Typed]:
    def handler(e: ast.Call, scope: Scope) -> Typed:
        unit = e.args[0]
        assert isinstance(unit, ast.Name)
        return scope.column(f"{prefix}.{unit.name}")

    return handler


_CALLS: dict[str, Callable[[ast.Call, Scope], Typed]] = {
    "floor": _rounding, "ceil": _rounding, "round": _rounding,
    "min": _extremum, "max": _extremum, "abs": _abs,
    "years": _years, "co2e": _co2e,
    "held": _unit_value("held"), "eligible": _unit_value("eligible"),
}

_COMPILERS: dict[type, Callable[[Any, Scope], Typed]] = {
    ast.Quantity: _quantity, ast.Bool: _bool, ast.DateLit: _date, ast.Name: _name,
    ast.Attribute: _attribute, ast.Call: _call, ast.Binary: _binary, ast.Compare: _compare,
    ast.Logical: _logical, ast.Not: _not, ast.Neg: _neg, ast.If: _if, ast.Member: _member,
    ast.ShareOf: _share_of,
}


def compile_expr(expr: ast.Expr, scope: Scope) -> Typed:
    """An ETSL expression as SQL over the columns of the current projection."""
    return _COMPILERS[type(expr)](expr, scope)


def compile_num(expr: ast.Expr, scope: Scope) -> Typed:
    typed = compile_expr(expr, scope)
    if typed.kind is not Kind.NUM:
        raise Unsupported(f"arithmetic on a {typed.kind.value}")
    return typed


# ---- tables -------------------------------------------------------------------------------


Domain = tuple[str, ...] | None  # the values a key can take (checked data), None: unknown


def lookup(keys: Sequence[Typed], cells: Mapping[tuple[str, ...], Typed],
           domains: Sequence[Domain] = ()) -> Typed:
    """A value chosen by key(s): the exact key, else '*', else NULL (a missing row).

    When the data has been checked, each key's domain is known: if every value of it has a
    branch, the last branch needs no test and no row can be missing.
    """
    kinds = {v.kind for v in cells.values()}
    if len(kinds) != 1:
        raise Unsupported("a table whose cells have different kinds")
    kind = kinds.pop()
    num = common(*(v.number for v in cells.values())) if kind is Kind.NUM else None
    domains = list(domains) or [None] * len(keys)
    return _lookup_level(list(keys), dict(cells), domains, kind, num)


def _lookup_level(keys: list[Typed], cells: dict[tuple[str, ...], Typed],
                  domains: list[Domain], kind: Kind, num: Num | None) -> Typed:
    if not keys:
        value = cells[()]
        return Typed(as_num(value, num) if num else value.sql, kind, num, value.nullable,
                     num is not None)
    key, rest = keys[0], keys[1:]
    branches = {first: _lookup_level(rest, {k[1:]: v for k, v in cells.items()
                                            if k[0] == first}, domains[1:], kind, num)
                for first in dict.fromkeys(k[0] for k in cells)}
    missing = Typed(null_of(kind, num), kind, num, True, num is not None)
    fallback = branches.pop("*", missing)
    if isinstance(key.sql, exp.Literal):  # a constant key (a fixed period) picks its branch
        return branches.get(key.sql.name, fallback)
    domain = domains[0]
    if domain is not None and not key.nullable and fallback is missing \
            and set(domain) <= set(branches):
        branches = {k: v for k, v in branches.items() if k in domain}
        fallback = branches.pop(list(branches)[-1])  # every other value has its own branch
    if not branches:
        return fallback
    ifs = [exp.If(this=exp.EQ(this=key.sql, expression=text(k)), true=v.sql)
           for k, v in branches.items()]
    nullable = key.nullable or fallback.nullable or any(b.nullable for b in branches.values())
    return Typed(exp.Case(ifs=ifs, default=fallback.sql), kind, num, nullable)


def table_cells(table: ast.Table, scope: Scope) -> dict[tuple[str, ...], Typed]:
    """(row key[, column key]) → compiled cell, sweep overrides included."""
    two = len(table.dims) == 2
    rows = table.rows[1:] if two else table.rows
    header: list[str | None] = [_key(c) for c in table.rows[0].cells[1:]] if two else [None]
    cells: dict[tuple[str, ...], Typed] = {}
    for row in rows:
        for column, cell in zip(header, row.cells[1:], strict=False):
            keys = (_key(row.cells[0]),) + ((column,) if column is not None else ())
            if keys not in cells:  # the first entry for a key counts (as in runtime/plan.py)
                cells[keys] = _cell(table.name, keys, cell, scope)
    return cells


def _key(cell: ast.Cell) -> str:
    if isinstance(cell, ast.CellAny):
        return "*"
    if isinstance(cell, ast.CellName):
        name: str = cell.name
        return name
    raise Unsupported("a table key that is not a name or '*'")


def _cell(table: str, keys: tuple[str, ...], cell: ast.Cell, scope: Scope) -> Typed:
    if scope.scenario is not None and (table, keys) in scope.scenario.cells:
        num = scope.scenario.cells[table, keys]
        return Typed(cast(col(cell_column(table, keys)), num.sql_type()), Kind.NUM, num,
                     declared=True)
    if isinstance(cell, ast.CellName):
        return Typed(text(cell.name), Kind.TEXT)
    if isinstance(cell, ast.CellAny):
        raise Unsupported("'*' as a table value")
    return compile_expr(cell, scope)


def compile_table(table: ast.Table, scope: Scope) -> Typed:
    keys = [current_period(scope) if dim == "period" else scope.column(dim)
            for dim in table.dims]
    return lookup(keys, table_cells(table, scope), [domain(scope, d) for d in table.dims])


def domain(scope: Scope, dim: str) -> Domain:
    """The values a table dimension can take in checked data (None when unchecked)."""
    if not scope.checked:
        return None
    if dim == "period":
        return tuple(scope.scheme.periods) or None
    field_decl = scope.scheme.fields.get(dim)
    if field_decl is not None and isinstance(field_decl.type, ast.EnumType):
        values: tuple[str, ...] = field_decl.type.values
        return values
    return None


# ---- the builder: one projection per computed column ------------------------------------------


@dataclass
class QueryBuilder:
    """Collects projections in order; each adds one column to the row of the previous one."""

    stages: list[tuple[str, exp.Expr]] = field(default_factory=list)
    temporaries: int = 0

    def add(self, scope: Scope, name: str, typed: Typed) -> Typed:
        if not is_constant(typed):
            self.stages.append((name, declared(typed).sql))
        return scope.define(name, typed)

    def hoister(self, scope_ref: list[Scope]) -> Callable[[Typed], Typed]:
        def hoist(typed: Typed) -> Typed:
            self.temporaries += 1
            return self.add(scope_ref[0], f"$t{self.temporaries}", typed)

        return hoist


# ---- surrender ------------------------------------------------------------------------------


def share_out(builder: QueryBuilder, scope: Scope, label: str,
              amounts: Sequence[tuple[str, Typed]], limit: Typed) -> dict[str, Typed]:
    """Allocate `limit` (at least 0) to the amounts in order (runtime/surrender.py)."""
    left = builder.add(scope, f"$left.{label}.0", extremum("max", [limit, zero()], scope))
    shares: dict[str, Typed] = {}
    for index, (unit, amount) in enumerate(amounts, start=1):
        shares[unit] = builder.add(scope, f"$share.{label}.{unit}",
                                   extremum("min", [amount, left], scope))
        if index < len(amounts):
            left = builder.add(scope, f"$left.{label}.{index}", add("-", left, shares[unit]))
    return shares


def filtered(amount: Typed, passes: Typed, present: Typed | None, scope: Scope) -> Typed:
    """A holding under a `where` filter, read only when there is a holding row.

    `present` says whether the row exists; without it, a row exists when the amount is not
    zero (a wide table's `held.UNIT` column gives no row for 0 or a blank).
    """
    num = amount.number
    amount = scope.atom(amount)
    taken = choose(passes, amount, zero(), scope)
    held = present.sql if present is not None else \
        exp.NEQ(this=amount.sql, expression=as_num(zero(), num))
    node = exp.Case(ifs=[exp.If(this=held, true=as_num(taken, num))],
                    default=as_num(zero(), num))
    return Typed(node, Kind.NUM, num, amount.nullable or passes.nullable)


def compile_surrender(builder: QueryBuilder, scope: Scope) -> None:
    """eligible.UNIT for every unit type, then `surrendered` (their sum)."""
    s = scope.scheme
    remaining = {u: scope.column(f"held.{u}") for u in s.units}
    eligible = {u: zero() for u in s.units}
    for number, item in enumerate(s.surrender.items if s.surrender else (), start=1):
        limit = _limit(item, scope)
        if isinstance(item, ast.Accept):
            taken = _accept_takes(builder, scope, item, number, remaining)
            shares = dict(taken) if limit is None else share_out(builder, scope, str(number),
                                                                 taken, limit)
            for unit, _ in taken:
                eligible[unit] = builder.add(scope, f"$eligible.{unit}.{number}",
                                             add("+", eligible[unit], shares[unit]))
        elif limit is not None:
            amounts = [(u, eligible[u]) for u in item.units if u in eligible]
            eligible.update(share_out(builder, scope, str(number), amounts, limit))
    total = zero()
    for unit in s.units:
        total = add("+", total, builder.add(scope, f"eligible.{unit}", eligible[unit]))
    builder.add(scope, "surrendered", total)


def _limit(item: ast.Accept | ast.Limit, scope: Scope) -> Typed | None:
    if scope.scenario is not None and tuple(item.units) in scope.scenario.limits:
        num = scope.scenario.limits[tuple(item.units)]
        return Typed(cast(col(limit_column(item.units)), num.sql_type()), Kind.NUM, num,
                     declared=True)
    return None if item.limit is None else compile_num(item.limit, scope)


def _accept_takes(builder: QueryBuilder, scope: Scope, item: ast.Accept, number: int,
                  remaining: dict[str, Typed]) -> list[tuple[str, Typed]]:
    """What an accept clause takes of each unit type still unclaimed (first clause wins)."""
    taken = []
    for unit in (u for u in item.units if u in remaining):
        amount = remaining[unit]
        if item.where is None:
            remaining[unit] = zero()
        else:
            passes = compile_filter(item.where, unit, scope)
            amount = builder.add(scope, f"$taken.{unit}.{number}",
                                 filtered(amount, passes, _present(scope, unit), scope))
            remaining[unit] = builder.add(scope, f"$remaining.{unit}.{number}",
                                          add("-", remaining[unit], amount))
        taken.append((unit, amount))
    return taken


def _present(scope: Scope, unit: str) -> Typed | None:
    return scope.columns.get(f"present.{unit}")


def compile_filter(where: ast.Expr, unit: str, scope: Scope) -> Typed:
    """A `where` filter on the one holding row a wide table has per unit type.

    The row's attributes are the unit type's declared ones (constants) and its quantity;
    issuer attributes exist only in a holdings table (NULL here: the row is then evaluated
    by the reference engine).
    """
    decl = scope.scheme.units[unit]
    attributes: dict[str, Typed] = {a.name: _attribute_value(a) for a in decl.attrs}
    if decl.origin:
        attributes["issuer_scheme"] = Typed(text(decl.origin), Kind.TEXT)
    attributes["quantity"] = scope.column(f"held.{unit}")
    return compile_expr(where, replace(scope, attributes=attributes))


def _attribute_value(attr: ast.Attr) -> Typed:
    """A declared attribute as the reference reads it: numbers as numbers, else text."""
    if re.fullmatch(r"-?\d+(\.\d+)?", attr.value):
        return decimal_literal(Decimal(attr.value))
    if attr.name == "vintage":
        raise Unsupported(f"the vintage '{attr.value}' is not a plain number")
    return Typed(text(attr.value), Kind.TEXT)


# ---- consequences ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsequenceColumn:
    """One consequence of one penalty and the columns that hold it."""

    penalty: str
    index: int
    kind: str
    applies: str  # the penalty's boolean column
    amount: str | None  # the amount column (NULL when the penalty does not apply)
    maximum: bool  # `fine up to L` without an amount
    unit: str
    description: str | None


def applies_column(penalty: str) -> str:
    return f"$applies.{penalty}"


def compile_penalties(builder: QueryBuilder, scope: Scope) -> list[ConsequenceColumn]:
    columns: list[ConsequenceColumn] = []
    for index, penalty in enumerate(scope.scheme.penalties):
        if penalty.condition is None:
            continue
        name = penalty.name or str(index + 1)
        condition = compile_expr(penalty.condition, scope)
        if condition.kind is not Kind.BOOL:
            raise Unsupported(f"the condition of penalty '{name}' is not true or false")
        applies = builder.add(scope, applies_column(name), condition)
        for number, consequence in enumerate(penalty.consequences):
            columns.append(_consequence(builder, scope, name, number, consequence, applies))
    return columns


def _consequence(builder: QueryBuilder, scope: Scope, penalty: str, number: int,
                 consequence: ast.Consequence, applies: Typed) -> ConsequenceColumn:
    amount = compile_num(consequence.amount, scope) if consequence.amount else None
    limit = compile_num(consequence.limit, scope) if consequence.limit else None
    value = amount if limit is None else limit if amount is None else \
        extremum("min", [amount, limit], scope)
    column = None
    if value is not None:
        column = f"$amount.{penalty}.{number}"
        node = exp.Case(ifs=[exp.If(this=applies.sql, true=declared(value).sql)])
        builder.add(scope, column, Typed(node, Kind.NUM, value.num, value.nullable, True))
    return ConsequenceColumn(penalty, number, consequence.kind, applies_column(penalty),
                             column, amount is None and limit is not None,
                             consequence_unit(consequence, scope), consequence.description)


def consequence_unit(consequence: ast.Consequence, scope: Scope) -> str:
    for expr in (consequence.amount, consequence.limit):
        if expr is not None:
            kind = scope.checker.infer(expr)
            if isinstance(kind, Quant):
                unit: str = dims_name(kind.dims)
                return unit
    return ""


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

    def sql(self, dialect: str = "duckdb", pretty: bool = False) -> str:
        return self.query.sql(dialect=dialect, pretty=pretty)


def input_stage(layout: Layout, scope: Scope) -> list[tuple[str, exp.Expr]]:
    """The first projection: participant, period and typed inputs from the source relation."""
    s = scope.scheme
    participant = cast(col(layout.participant_column), KIND_TYPES[Kind.TEXT]()) \
        if layout.participant_column else text("")
    period = col(layout.period_column) if layout.period_column else \
        text(layout.period) if layout.period else null_of(Kind.TEXT, None)
    selected: list[tuple[str, exp.Expr]] = [(PARTICIPANT, participant), (PERIOD, period)]
    if layout.row_column:
        selected.append((ROW, col(layout.row_column)))
    scope.columns[PERIOD] = Typed(col(PERIOD), Kind.TEXT)
    typed_inputs = [(n, _input(layout.inputs[n])) for n in s.fields if n in layout.inputs]
    typed_inputs += [(f"held.{u}", _amount(layout.holdings.get(u))) for u in s.units]
    typed_inputs += [(n, _amount(layout.inputs.get(n))) for n in ("carry_in", "owed_in")]
    typed_inputs += [(f"present.{u}", Typed(cast(col(c), KIND_TYPES[Kind.BOOL]()), Kind.BOOL))
                     for u, c in layout.present.items()]
    for name, typed in typed_inputs:
        if not is_constant(typed):
            selected.append((name, declared(typed).sql))
        scope.define(name, typed)
    if layout.scenario is not None:
        selected += [(c, col(c)) for c in (SCENARIO, *scenario_columns(layout.scenario))]
    return selected


def scenario_columns(scenario: ScenarioLayout) -> list[str]:
    return ([param_column(p) for p in scenario.params]
            + [cell_column(t, k) for t, k in scenario.cells]
            + [limit_column(u) for u in scenario.limits])


def _input(source: InputColumn) -> Typed:
    if source.kind is not Kind.NUM:
        return Typed(cast(col(source.column), KIND_TYPES[source.kind]()), source.kind, None,
                     source.nullable)
    assert source.num is not None
    value = Typed(cast(col(source.column), source.num.sql_type()), Kind.NUM, source.num,
                  source.nullable, True)
    return value if source.scale == 1 else multiply(value, decimal_literal(source.scale))


def _amount(source: InputColumn | None) -> Typed:
    """A held.UNIT (or carried) amount: an absent column or a blank cell means none."""
    if source is None:
        return zero()
    value = _input(source)
    if source.nullable:
        value = Typed(exp.Coalesce(this=declared(value).sql,
                                   expressions=[as_num(zero(), value.number)]),
                      Kind.NUM, value.num, False)
    return value


def compile_query(compiled: CompiledScheme, layout: Layout, flavour: Flavour = DUCKDB,
                  shape: Shape = Shape.CTE) -> ColumnarQuery | Unsupported:
    """The scheme as one query over `layout.relation`, or why it cannot be one."""
    try:
        return _compile(compiled, layout, flavour, shape)
    except Unsupported as reason:
        return reason
    except RecursionError:
        return Unsupported("an expression nested too deeply for SQL generation")


def unsupported_constructs(s: ResolvedScheme) -> Unsupported | None:
    if s.borrowing is not None and s.borrowing.mode != "none":
        return Unsupported(f"borrowing '{s.borrowing.mode}'")
    return None


def _compile(compiled: CompiledScheme, layout: Layout, flavour: Flavour,
             shape: Shape) -> ColumnarQuery:
    s = compiled.resolved
    problem = unsupported_constructs(s)
    if problem is not None:
        raise problem
    builder = QueryBuilder()
    scope_ref: list[Scope] = []
    checker = Checker(s)
    checker.types.update(compiled.checked.types)
    scope = Scope(s, checker, flavour, builder.hoister(scope_ref),
                  fixed_period=layout.period if layout.period_column is None else None,
                  scenario=layout.scenario, checked=layout.checked)
    scope_ref.append(scope)
    first = input_stage(layout, scope)
    for node in evaluation_order(compiled.graph):
        kind, _, name = node.partition(":")
        if kind == "rule":
            builder.add(scope, name, compile_expr(s.rules[name].expr, scope))
        elif kind == "table":
            builder.add(scope, name, compile_table(s.tables[name], scope))
        elif node == "runtime:surrendered":
            compile_surrender(builder, scope)
    if "surrendered" not in scope.columns:
        compile_surrender(builder, scope)
    consequences = compile_penalties(builder, scope)
    rules = tuple(s.rules)
    outputs = _outputs(scope, layout, rules, consequences)
    query = assemble(layout, first, builder.stages, outputs, shape)
    inputs = tuple(n for n in s.fields if n in layout.inputs)
    return ColumnarQuery(query, inputs, rules, tuple(s.units), tuple(consequences),
                         dict(scope.columns))


def _outputs(scope: Scope, layout: Layout, rules: Sequence[str],
             consequences: Sequence[ConsequenceColumn]) -> list[tuple[str, exp.Expr]]:
    s = scope.scheme
    names = [PARTICIPANT, PERIOD, *([ROW] if layout.row_column else []),
             *(n for n in s.fields if n in layout.inputs), *rules,
             "surrendered", "carry_in", "owed_in",
             *(f"held.{u}" for u in s.units), *(f"eligible.{u}" for u in s.units),
             *(c.applies for c in consequences), *(c.amount for c in consequences if c.amount),
             *([SCENARIO] if layout.scenario else [])]
    outputs = [(n, scope.columns[n].sql if n in scope.columns else col(n))
               for n in dict.fromkeys(names)]
    return outputs + [(FAILED, failure_test(scope, rules, consequences))]


def failure_test(scope: Scope, rules: Sequence[str],
                 consequences: Sequence[ConsequenceColumn]) -> exp.Expr:
    """True when some value of the row could not be computed (it is then NULL)."""
    names = [*rules, *(f"eligible.{u}" for u in scope.scheme.units), "surrendered",
             *dict.fromkeys(c.applies for c in consequences)]
    tests = [is_null(col(n)) for n in names if scope.columns[n].nullable]
    tests += [exp.And(this=scope.columns[c.applies].sql, expression=is_null(col(c.amount)))
              for c in consequences if c.amount and scope.columns[c.amount].nullable]
    return any_of(tests)


def assemble(layout: Layout, first: Sequence[tuple[str, exp.Expr]],
             stages: Sequence[tuple[str, exp.Expr]],
             outputs: Sequence[tuple[str, exp.Expr]], shape: Shape) -> exp.Select:
    """Chain the projections (CTEs or nested sub-queries) and select the outputs."""
    source = exp.Table(this=exp.to_identifier(layout.relation, quoted=True))
    base = exp.select(*(_alias(e, n) for n, e in first)).from_(source)
    if layout.scenario is not None:
        scenario = exp.Table(this=exp.to_identifier(layout.scenario.relation, quoted=True))
        base = base.join(scenario, join_type="cross")
    final = [_alias(e, n) for n, e in outputs]
    if shape is Shape.NESTED:
        current = base
        for index, (name, node) in enumerate(stages):
            current = exp.select(exp.Star(), _alias(node, name)).from_(_subquery(current, index))
        return exp.select(*final).from_(_subquery(current, len(stages)))
    query = exp.select(*final).from_(exp.Table(this=_stage_name(len(stages))))
    query = query.with_(_stage_name(0), as_=base)
    for index, (name, node) in enumerate(stages, start=1):
        stage = exp.select(exp.Star(), _alias(node, name)).from_(
            exp.Table(this=_stage_name(index - 1)))
        query = query.with_(_stage_name(index), as_=stage)
    return query


def _subquery(query: exp.Select, index: int) -> exp.Subquery:
    return exp.Subquery(this=query, alias=exp.TableAlias(this=_stage_name(index)))


def _stage_name(index: int) -> exp.Identifier:
    return exp.to_identifier(f"s{index}")


def _alias(node: exp.Expr, name: str) -> exp.Expr:
    return exp.Alias(this=node, alias=exp.to_identifier(name, quoted=True))
