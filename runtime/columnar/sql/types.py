"""The columnar compiler's static types: DECIMAL shapes, typed expressions, the input layout.

Also the small sqlglot helpers every stage uses (literals, casts, null tests); see
runtime/columnar/sql/compile.py for the exactness rules these types carry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Protocol

from etsl.compiler import program as ir
from etsl.compiler.errors import EtslError
from sqlglot import exp

MAX_DIGITS = 38
NATIVE_DIGITS = 18  # DuckDB keeps DECIMAL(≤18) in 64 bits and clamps products to it

PARTICIPANT = "$participant"
ROW = "$row"
PERIOD = "$period"
SCENARIO = "$scenario"
FAILED = "$failed"


class Unsupported(EtslError):
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
        expressions=[
            exp.DataTypeParam(this=exp.Literal.number(width)),
            exp.DataTypeParam(this=exp.Literal.number(scale)),
        ],
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
    """What a family of SQL dialects computes exactly, and so how the compiler writes `/`.

    `wide_int`: integers of up to 38 digits (DuckDB's HUGEINT, else DECIMAL(38, 0)).
    `decimal_quotient`: the dialect's DECIMAL division is exact to the result type's scale
    and rounds half up (Spark), so a quotient is its DECIMAL division corrected by an exact
    remainder (exact.decimal_division); otherwise (DuckDB's DECIMAL division returns a
    DOUBLE) it is computed in integers.
    """

    name: str
    wide_int: exp.DataType
    decimal_quotient: bool = False


DUCKDB = Flavour("duckdb", exp.DataType(this=exp.DataType.Type.INT128))
PORTABLE = Flavour("portable", decimal_type(MAX_DIGITS, 0))
SPARK = Flavour("spark", decimal_type(MAX_DIGITS, 0), decimal_quotient=True)


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


@dataclass(frozen=True)
class SystemLayout:
    """The system level in a participant query (runtime/columnar/system.py).

    System values are computed per year before the query; a row reads the value of its
    year (a period kept by year) or of its period's first year as a constant chosen by that
    key, like a table by period: a year without the value gives NULL, and the row goes to
    the reference engine, which reports it. `aggregates` are the arguments of the system
    level's aggregates, computed as `$aggregate.KEY` columns for the per-year sums.
    """

    values: Mapping[str, Mapping[int, object]]  # system name → year → value
    periods: Mapping[str, int]  # period name → the year its rows read when they have none
    aggregates: Mapping[str, ir.Expr] = field(default_factory=dict)


def aggregate_column(key: str) -> str:
    return f"$aggregate.{key}"


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
    system: SystemLayout | None = None  # the system values rows read (and aggregates)


def param_column(name: str) -> str:
    return f"param.{name}"


def cell_column(table: str, keys: Sequence[str]) -> str:
    return f"table.{table}[{','.join(keys)}]"


def limit_column(units: Sequence[str]) -> str:
    return f"limit[{','.join(units)}]"


# ---- small sqlglot helpers -------------------------------------------------------------------

_ATOMS = (exp.Column, exp.Literal, exp.Cast, exp.Func, exp.Case, exp.Paren, exp.Null, exp.Boolean)


def wrap(node: exp.Expr) -> exp.Expr:
    """Parenthesise an operand unless it is atomic (sqlglot prints the tree as given).

    sqlglot's AND and OR are also functions (exp.Connector subclasses exp.Func), so they
    are tested first: `a AND (b OR c)` must keep its brackets.
    """
    atomic = isinstance(node, _ATOMS) and not isinstance(node, exp.Connector)
    return node if atomic else exp.Paren(this=node)


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


class Hoisting(Protocol):
    """What the exact arithmetic needs of a compilation scope (sql_expressions.Scope)."""

    flavour: Flavour

    def atom(self, typed: Typed) -> Typed: ...
