"""Exact arithmetic for the columnar compiler: DECIMAL + - *, division rewritten in integers.

Division rounds half-even to 18 places, computed exactly in 64-bit (`narrow_division`) or
128-bit integers (`divide`); rounding to places, min/max, `if`, `and`/`or` and comparisons
cast to one common type so no engine rounds silently (runtime/columnar/sql/compile.py has the rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from etsl.compiler.numbers import DIVISION_PLACES
from etsl.runtime.columnar.sql.types import (
    KIND_TYPES,
    MAX_DIGITS,
    NATIVE_DIGITS,
    Flavour,
    Hoisting,
    Kind,
    Num,
    Typed,
    Unsupported,
    any_of,
    as_num,
    cast,
    common,
    decimal_literal,
    decimal_type,
    integer_literal,
    is_null,
    is_zero,
    null_of,
    text,
    wrap,
    zero,
)
from sqlglot import exp


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
        factor = cast(integer_literal(10**num.scale), Num(num.scale + 1, 0).sql_type())
        unscaled: exp.Expr = cast(exp.Mul(this=wide, expression=factor), flavour.wide_int)
    else:
        digits = exp.Anonymous(
            this="replace", expressions=[cast(wide, KIND_TYPES[Kind.TEXT]()), text("."), text("")]
        )
        unscaled = cast(digits, flavour.wide_int)
    if places > num.scale:
        factor = cast(integer_literal(10 ** (places - num.scale)), flavour.wide_int)
        unscaled = exp.Mul(this=unscaled, expression=factor)
    return unscaled


def divide(a: Typed, b: Typed, scope: Hoisting) -> Typed:
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
    if flavour.decimal_quotient:
        return decimal_division(a, b, literal, num, scope)
    narrow = narrow_division(a, b, literal, num, scope)
    if narrow is not None:
        return narrow
    divisor_places = max(sb, sa - DIVISION_PLACES)
    n = scope.atom(wide_int(scaled_integer(a, max(sa, DIVISION_PLACES + sb), flavour), a.nullable))
    if literal is not None:
        d = Typed(integer_literal(literal * 10 ** (divisor_places - sb)), Kind.INT)
    else:
        scaled = exp.Nullif(
            this=scaled_integer(b, divisor_places, flavour), expression=integer_literal(0)
        )
        d = scope.atom(wide_int(scaled, True))
    q = scope.atom(wide_int(int_div(n.sql, d.sql, flavour), n.nullable or d.nullable))
    r = scope.atom(
        wide_int(exp.Abs(this=exp.Mod(this=wrap(n.sql), expression=wrap(d.sql))), q.nullable)
    )
    rounded = round_half_even(n, d, q, r, literal is not None and literal > 0)
    unit = decimal_literal(Decimal(1).scaleb(-DIVISION_PLACES))
    node = exp.Mul(this=cast(rounded, decimal_type(MAX_DIGITS, 0)), expression=unit.sql)
    return Typed(cast(node, num.sql_type()), Kind.NUM, num, q.nullable, True)


def decimal_division(a: Typed, b: Typed, literal: int | None, num: Num, scope: Hoisting) -> Typed:
    """The same quotient from an estimate within one unit, corrected exactly (Spark).

    Spark's integer division (DIV) returns a BIGINT that silently wraps around beyond 2^63,
    even in ANSI mode, so it is never used. Instead q0, a value at 18 places within one unit
    u = 10^-18 of the true quotient x, is estimated (`estimate`); the remainder
    r = a - q0·b is exact, and x = q0 + r / b, so the half-even quotient is q0 moved one unit
    toward x when 2|r| > |b|·u, or when 2|r| = |b|·u (a tie) and q0 is odd. Spark rounds no
    other operation (with allowPrecisionLoss=false a type beyond DECIMAL(38) keeps its places
    and loses integer digits); a value that does not fit stops the query (ANSI mode).
    """
    divisor = b if literal is not None else scope.atom(_nonzero(b))
    q0 = scope.atom(estimate(a, divisor, num, scope))
    r = scope.atom(add("-", a, multiply(q0, divisor)))
    unit = decimal_literal(Decimal(1).scaleb(-DIVISION_PLACES))
    twice = multiply(Typed(exp.Abs(this=r.sql), Kind.NUM, r.num), decimal_literal(Decimal(2)))
    half = multiply(Typed(exp.Abs(this=divisor.sql), Kind.NUM, divisor.num), unit)
    odd = exp.NEQ(
        this=exp.Mod(this=q0.sql, expression=decimal_literal(Decimal(2).scaleb(-18)).sql),
        expression=integer_literal(0),
    )
    tie = exp.And(this=_exp(compare("==", twice, half)), expression=odd)
    away = exp.Or(this=_exp(compare(">", twice, half)), expression=exp.Paren(this=tie))
    toward = exp.EQ(
        this=exp.Paren(this=exp.GT(this=r.sql, expression=integer_literal(0))),
        expression=exp.Paren(this=exp.GT(this=divisor.sql, expression=integer_literal(0))),
    )
    step = exp.Case(
        ifs=[
            exp.If(this=exp.Not(this=exp.Paren(this=away)), true=as_num(zero(), unit.number)),
            exp.If(this=toward, true=unit.sql),
        ],
        default=negate(unit).sql,
    )
    total = add("+", q0, Typed(step, Kind.NUM, unit.number, False, True))
    return Typed(cast(total.sql, num.sql_type()), Kind.NUM, num, q0.nullable, True)


REFINEMENTS = 2  # DOUBLE estimates refined this often are within one unit (see `estimate`)


def estimate(a: Typed, b: Typed, num: Num, scope: Hoisting) -> Typed:
    """a / b at 18 places, within one unit of the quotient.

    Where the types allow, Spark's own DECIMAL division: it is exact to the result's scale
    s1 + p2 + 1 (rounded half up) with p1 - s1 + s2 integer digits, so the dividend is cast
    to enough places that the scale exceeds 18 while the total stays within 38 digits.
    Otherwise (many places in both operands) a DOUBLE quotient, refined twice by the exact
    remainder: each DOUBLE step is off by at most 3·2^-53 of what it estimates, so from
    |x| < 10^20 the error falls below 10^-11, then below half a unit, plus the rounding to
    18 places.
    """
    places = max(a.number.scale, DIVISION_PLACES - b.number.width)
    scale = places + b.number.width + 1
    nullable = a.nullable or b.nullable
    if a.number.digits + b.number.scale + scale <= MAX_DIGITS:
        dividend = as_num(a, Num(a.number.digits, places))
        quotient = exp.Div(this=wrap(dividend), expression=wrap(b.sql))
        return Typed(cast(quotient, num.sql_type()), Kind.NUM, num, nullable, True)
    divisor = scope.atom(Typed(cast(b.sql, DOUBLE), Kind.INT, None, b.nullable))
    q = Typed(cast(_over(a, divisor), num.sql_type()), Kind.NUM, num, nullable, True)
    for _ in range(REFINEMENTS):
        q = scope.atom(q)
        r = add("-", a, multiply(q, b))
        q = add("+", q, Typed(cast(_over(r, divisor), num.sql_type()), Kind.NUM, num, True, True))
        q = Typed(cast(q.sql, num.sql_type()), Kind.NUM, num, nullable, True)
    return q


DOUBLE = exp.DataType(this=exp.DataType.Type.DOUBLE)


def _over(value: Typed, divisor: Typed) -> exp.Expr:
    return exp.Div(this=cast(value.sql, DOUBLE), expression=divisor.sql)


def _nonzero(b: Typed) -> Typed:
    """The divisor, NULL when it is zero (the value then cannot be computed)."""
    node = exp.Nullif(this=b.sql, expression=as_num(zero(), b.number))
    return Typed(cast(node, b.number.sql_type()), Kind.NUM, b.num, True, True)


def _exp(typed: Typed) -> exp.Expr:
    return exp.Paren(this=typed.sql)


BIGINT = exp.DataType(this=exp.DataType.Type.BIGINT)
INT64_DIGITS = 18  # every integer below 10**18 fits in 64 bits


def narrow_division(
    a: Typed, b: Typed, literal: int | None, num: Num, scope: Hoisting
) -> Typed | None:
    """The same quotient by long division in 64-bit integers, when the bounds allow.

    128-bit division is slow (about 15 times slower in DuckDB), so when the dividend's
    unscaled integer A and the divisor's D fit in 64 bits, A·10^k / D is computed as
    q = A div D, then k more digits of the remainder in chunks small enough that
    remainder·10^chunk stays below 10^18; the result is q·10^(k-18) + f·10^-18.
    """
    sa, sb = a.number.scale, b.number.scale
    places = DIVISION_PLACES + sb - sa  # k: digits after A div D
    divisor_digits = len(str(abs(literal))) if literal is not None else b.number.digits + sb
    if (
        not 1 <= places <= INT64_DIGITS
        or a.number.digits + sa > INT64_DIGITS
        or divisor_digits >= INT64_DIGITS
    ):
        return None
    unscaled_a = multiply(a, decimal_literal(Decimal(10) ** sa))
    big_a = scope.atom(Typed(cast(unscaled_a.sql, BIGINT), Kind.INT, None, a.nullable))
    if literal is not None:
        d = Typed(integer_literal(literal), Kind.INT)
    else:
        unscaled_b = multiply(b, decimal_literal(Decimal(10) ** sb))
        d = scope.atom(
            Typed(
                exp.Nullif(this=cast(unscaled_b.sql, BIGINT), expression=integer_literal(0)),
                Kind.INT,
                None,
                True,
            )
        )
    nullable = big_a.nullable or d.nullable
    whole = scope.atom(
        Typed(exp.IntDiv(this=big_a.sql, expression=d.sql), Kind.INT, None, nullable)
    )
    remainder = scope.atom(
        Typed(exp.Mod(this=big_a.sql, expression=d.sql), Kind.INT, None, nullable)
    )
    fraction, remainder = long_division(remainder, d, places, INT64_DIGITS - divisor_digits, scope)
    r = scope.atom(Typed(exp.Abs(this=remainder.sql), Kind.INT, None, nullable))
    rounded = round_half_even(big_a, d, fraction, r, literal is not None and literal > 0)
    head = multiply(
        Typed(
            cast(whole.sql, Num(a.number.digits + sa, 0).sql_type()),
            Kind.NUM,
            Num(a.number.digits + sa, 0),
            nullable,
            True,
        ),
        decimal_literal(Decimal(1).scaleb(places - DIVISION_PLACES)),
    )
    tail_num = Num(1 if places == INT64_DIGITS else 0, DIVISION_PLACES)
    tail = exp.Mul(
        this=cast(rounded, Num(places + 1, 0).sql_type()),
        expression=decimal_literal(Decimal(1).scaleb(-DIVISION_PLACES)).sql,
    )
    total = add(
        "+", head, Typed(cast(tail, tail_num.sql_type()), Kind.NUM, tail_num, nullable, True)
    )
    return Typed(cast(total.sql, num.sql_type()), Kind.NUM, num, nullable, True)


def long_division(
    remainder: Typed, d: Typed, places: int, chunk: int, scope: Hoisting
) -> tuple[Typed, Typed]:
    """The next `places` digits of remainder / d, `chunk` digits at a time: (digits, rest)."""
    digits: Typed | None = None
    while places > 0:
        step = min(chunk, places)
        shifted = exp.Mul(this=remainder.sql, expression=integer_literal(10**step))
        quotient = scope.atom(
            Typed(
                exp.IntDiv(this=exp.Paren(this=shifted), expression=d.sql),
                Kind.INT,
                None,
                remainder.nullable,
            )
        )
        remainder = scope.atom(
            Typed(
                exp.Mod(this=exp.Paren(this=shifted.copy()), expression=d.sql),
                Kind.INT,
                None,
                remainder.nullable,
            )
        )
        if digits is None:
            digits = quotient
        else:
            digits = scope.atom(
                Typed(
                    exp.Add(
                        this=exp.Mul(this=digits.sql, expression=integer_literal(10**step)),
                        expression=quotient.sql,
                    ),
                    Kind.INT,
                    None,
                    remainder.nullable,
                )
            )
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


def round_half_even(n: Typed, d: Typed, q: Typed, r: Typed, positive_divisor: bool) -> exp.Expr:
    """q = n div d (toward zero) and r = |n mod d| stepped away from zero by half-even rules."""
    abs_d = d.sql if positive_divisor else exp.Abs(this=d.sql)
    rest = exp.Paren(this=exp.Sub(this=wrap(abs_d), expression=r.sql))
    odd = exp.NEQ(
        this=exp.Mod(this=q.sql, expression=integer_literal(2)), expression=integer_literal(0)
    )
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


def to_places(func: str, x: Typed, places: int, scope: Hoisting) -> Typed:
    """floor/ceil/round(x, places) with the result's scale set to `places`."""
    num = x.number
    result = Num(num.digits + 1, places)
    if places >= num.scale:
        return Typed(as_num(x, result), Kind.NUM, result, x.nullable, True)
    if func == "round":
        node: exp.Expr = exp.Round(this=x.sql, decimals=integer_literal(places))
    elif places > 0 and num.digits + num.scale + places > MAX_DIGITS:
        node = _corrected_round(func, scope.atom(x), places)
    elif places == 0:
        node = (exp.Floor if func == "floor" else exp.Ceil)(this=x.sql)
    else:
        up = multiply(x, decimal_literal(Decimal(10) ** places))
        whole = cast(
            (exp.Floor if func == "floor" else exp.Ceil)(this=up.sql),
            Num(result.digits + places, 0).sql_type(),
        )
        node = exp.Mul(this=whole, expression=decimal_literal(Decimal(1).scaleb(-places)).sql)
    return Typed(cast(node, result.sql_type()), Kind.NUM, result, x.nullable, True)


def _corrected_round(func: str, x: Typed, places: int) -> exp.Expr:
    """floor/ceil(x, places) where x·10**places could outgrow DECIMAL(38): x rounded to
    `places`, moved one step down (floor) or up (ceil) when the rounding went past x."""
    rounded = exp.Round(this=x.sql, decimals=integer_literal(places))
    step = decimal_literal(Decimal(1).scaleb(-places)).sql
    if func == "floor":
        past: exp.Expr = exp.GT(this=rounded, expression=x.sql)
        moved: exp.Expr = exp.Sub(this=rounded.copy(), expression=step)
    else:
        past = exp.LT(this=rounded, expression=x.sql)
        moved = exp.Add(this=rounded.copy(), expression=step)
    return exp.Case(ifs=[exp.If(this=past, true=moved)], default=rounded.copy())


def extremum(func: str, items: Sequence[Typed], scope: Hoisting) -> Typed:
    """min/max of same-unit values; NULL if any is NULL (SQL's LEAST would skip it)."""
    num = common(*(t.number for t in items))
    nullable = any(t.nullable for t in items)
    if nullable:
        items = [scope.atom(t) if t.nullable else t for t in items]
    args = [as_num(t, num) for t in items]
    node: exp.Expr = (exp.Least if func == "min" else exp.Greatest)(
        this=args[0], expressions=args[1:], ignore_nulls=True
    )  # NULLs: guarded below
    if nullable:
        test = any_of([is_null(t.sql) for t in items if t.nullable])
        node = exp.Case(ifs=[exp.If(this=test, true=null_of(Kind.NUM, num))], default=node)
    return Typed(node, Kind.NUM, num, nullable)


def choose(condition: Typed, then: Typed, otherwise: Typed, scope: Hoisting) -> Typed:
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


def logical(op: str, left: Typed, right: Typed, scope: Hoisting) -> Typed:
    """Short-circuit `and`/`or`: the right side counts only when the left does not decide."""
    nullable = left.nullable or right.nullable
    node_type = exp.And if op == "and" else exp.Or
    if not left.nullable:
        return Typed(
            node_type(this=wrap(left.sql), expression=wrap(right.sql)), Kind.BOOL, None, nullable
        )
    left = scope.atom(left)
    decided = exp.Not(this=wrap(left.sql)) if op == "and" else left.sql
    ifs = [
        exp.If(this=is_null(left.sql), true=null_of(Kind.BOOL, None)),
        exp.If(this=decided, true=exp.Boolean(this=op == "or")),
    ]
    return Typed(exp.Case(ifs=ifs, default=right.sql), Kind.BOOL, None, nullable)


_COMPARE: dict[str, type[exp.Expr]] = {
    "==": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
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
    node = exp.Case(
        ifs=[exp.If(this=is_null(evaluated.sql), true=null_of(Kind.BOOL, None))], default=result
    )
    return Typed(node, Kind.BOOL, None, True)
