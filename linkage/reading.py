"""What a scheme's formulas say when only the period is known: a static, three-valued reading.

    >>> reader = Reader(eu_ets, "phase4")
    >>> reader.value("intl_credit_limit")        # `if period in {phase4} then 0 tCO2e else …`
    Decimal('0')
    >>> [(c.value, c.when) for c in reader.cases("lrf")]
    [(Decimal('0.044'), ('year >= 2028',)), (Decimal('0.043'), ...), (Decimal('0.022'), ())]

Linkage compares schemes over time (which credits a scheme accepts while a link operates,
how fast its cap declines in each period), so it reads formulas with the period bound and
everything that depends on participant data unknown. The reading follows the language's
definitions (compiler/numbers.py arithmetic, `P of X`, tables selected by key with `*`
fallbacks) and answers `None` wherever data would decide: it never guesses. Formulas come
from the scheme model as canonical text and are parsed back with the compiler's parser.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from etsl.compiler import ast
from etsl.compiler.model import SchemeModel, TableModel
from etsl.compiler.numbers import add, ceil, divide, floor, multiply, round_half_up, subtract
from etsl.compiler.printer import parse_expr, print_expr
from etsl.compiler.units import UnknownUnit, parse_unit

Value = Decimal | bool | str
MAX_DEPTH = 24


@dataclass(frozen=True, slots=True)
class Case:
    """One value a formula can take, and the conditions (as written) that select it."""

    value: Value
    when: tuple[str, ...] = ()


@functools.cache
def parsed(text: str) -> ast.Expr | None:
    """The expression a model formula's text denotes (None if it does not parse)."""
    try:
        return parse_expr(text)
    except (ValueError, RecursionError):
        return None


def literal(text: str) -> Decimal | None:
    """The base-unit value of a literal such as `2.2 %` or `100 EUR/tCO2e` (else None)."""
    expr = parsed(text)
    if isinstance(expr, ast.Neg) and isinstance(expr.operand, ast.Quantity):
        value = _quantity(expr.operand)
        return -value if value is not None else None
    return _quantity(expr) if isinstance(expr, ast.Quantity) else None


def _quantity(q: ast.Quantity) -> Decimal | None:
    try:
        return multiply(q.value, parse_unit(q.unit).scale) if q.unit else q.value
    except (UnknownUnit, InvalidOperation):
        return None


class Reader:
    """Reads one scheme's formulas for one period (`None`: no period is known) and, for the
    system level's values (`year`, tables by year), one year."""

    def __init__(self, model: SchemeModel, period: str | None, year: int | None = None) -> None:
        self.m = model
        self.period = period
        self.year = year
        inputs = model.participant.inputs if model.participant else []
        self.symbols = {v for i in inputs for v in (i.values or [])}
        self.params = {p.name: p.formula.text for p in model.params}
        self.rules = {r.name: r.formula.text for r in model.rules}
        self.tables = {t.name: t for t in model.tables}
        self.periods = {p.name: p for p in model.periods}

    # ---- entry points ------------------------------------------------------------------

    def value(self, text: str) -> Value | None:
        """The formula's value for the period, or None where data would decide."""
        expr = parsed(text)
        return self.eval(expr, 0) if expr is not None else None

    def cases(self, text: str) -> list[Case]:
        """Every value the formula can take for the period, each with the conditions that
        select it: an `if` whose condition data decides gives both branches; a table indexed
        by an enumeration input as well as the period gives one case per key. Empty when
        some case cannot be read."""
        expr = parsed(text)
        return self._cases(expr, 0) if expr is not None else []

    # ---- cases ----------------------------------------------------------------------------

    def _cases(self, e: ast.Expr, depth: int) -> list[Case]:
        if depth > MAX_DEPTH:
            return []
        if isinstance(e, ast.If):
            return self._if_cases(e, depth)
        if isinstance(e, ast.Name) and e.name in self.tables:
            return self._table_cases(self.tables[e.name])
        if isinstance(e, ast.Name) and e.name in self.rules | self.params:
            inner = parsed((self.rules | self.params)[e.name])
            return self._cases(inner, depth + 1) if inner is not None else []
        value = self.eval(e, depth)
        return [Case(value)] if value is not None else []

    def _if_cases(self, e: ast.If, depth: int) -> list[Case]:
        condition = self.eval(e.condition, depth + 1)
        if isinstance(condition, bool):
            return self._cases(e.then if condition else e.otherwise, depth + 1)
        then = [
            Case(c.value, (print_expr(e.condition), *c.when))
            for c in self._cases(e.then, depth + 1)
        ]
        otherwise = self._cases(e.otherwise, depth + 1)
        return then + otherwise if then and otherwise else []

    def _table_cases(self, table: TableModel) -> list[Case]:
        keyed = [(key, cell) for key, cell in table.entries.items() if self._selects(table, key)]
        found = [(key, literal(cell)) for key, cell in keyed]
        if not found or any(value is None for _, value in found):
            return []
        return [
            Case(value, self._key_words(table, key)) for key, value in found if value is not None
        ]

    def _selects(self, table: TableModel, key: str) -> bool:
        """Whether an entry can be selected in this period (the period part matches or is `*`,
        and nothing more specific exists for the period)."""
        parts = key.split("/")
        if "period" not in table.dims:
            return True
        at = table.dims.index("period")
        if self.period is None or parts[at] == self.period:
            return parts[at] == self.period
        exact = "/".join(self.period if i == at else p for i, p in enumerate(parts))
        return parts[at] == "*" and exact not in table.entries

    def _key_words(self, table: TableModel, key: str) -> tuple[str, ...]:
        """The table key's values other than the period (`office`), which select the case."""
        parts = key.split("/")
        return tuple(
            part
            for dim, part in zip(table.dims, parts, strict=False)
            if dim != "period" and part != "*"
        )

    # ---- values ---------------------------------------------------------------------------

    def eval(self, e: ast.Expr, depth: int) -> Value | None:
        if depth > MAX_DEPTH:
            return None
        handler = _HANDLERS.get(type(e))
        return handler(self, e, depth + 1) if handler else None

    def _name(self, e: ast.Name, depth: int) -> Value | None:
        name = e.name
        if name == "year" and self.year is not None:
            return Decimal(self.year)
        if name == "period" or name in self.periods:
            return self.period if name == "period" else name
        if name in self.params or name in self.rules:
            inner = parsed(self.params.get(name) or self.rules[name])
            return self.eval(inner, depth) if inner is not None else None
        if name in self.tables:
            return self._table_value(self.tables[name])
        return name if name in self.symbols else None

    def _table_value(self, table: TableModel) -> Value | None:
        key = {"period": self.period, "year": str(self.year) if self.year else None}
        at = key.get(table.dims[0]) if len(table.dims) == 1 else None
        if at is None:
            return None
        cell = table.entries.get(at, table.entries.get("*"))
        return literal(cell) if cell is not None else None

    def _call(self, e: ast.Call, depth: int) -> Value | None:
        if e.func == "years" and self.period in self.periods:
            return Decimal(self.periods[self.period].years)
        args = [self.eval(a, depth) for a in e.args]
        numbers = [a for a in args if isinstance(a, Decimal)]
        if e.func in ("max", "min"):
            return _extreme(e.func, args, numbers)
        if e.func in _ROUNDING and numbers and len(numbers) == len(args):
            places = int(numbers[1]) if len(numbers) > 1 else 0
            return _ROUNDING[e.func](numbers[0], places)
        return None

    def _binary(self, e: ast.Binary, depth: int) -> Value | None:
        left, right = self.eval(e.left, depth), self.eval(e.right, depth)
        if e.op == "*" and (_is_zero(left) or _is_zero(right)):
            return Decimal(0)
        if not (isinstance(left, Decimal) and isinstance(right, Decimal)):
            return None
        if e.op == "/" and right == 0:
            return None
        return _ARITHMETIC[e.op](left, right)

    def _share(self, e: ast.ShareOf, depth: int) -> Value | None:
        share, whole = self.eval(e.share, depth), self.eval(e.whole, depth)
        if _is_zero(share) or _is_zero(whole):
            return Decimal(0)
        if isinstance(share, Decimal) and isinstance(whole, Decimal):
            return multiply(share, whole)
        return None

    def _compare(self, e: ast.Compare, depth: int) -> Value | None:
        by_year = self._year_compare(e, depth)
        if by_year is not None:
            return by_year
        left, right = self.eval(e.left, depth), self.eval(e.right, depth)
        if left is None or right is None:
            return None
        if isinstance(left, Decimal) and isinstance(right, Decimal):
            return _COMPARE[e.op](left, right)
        if type(left) is not type(right) or e.op not in ("==", "!="):
            return None
        return (left == right) == (e.op == "==")

    def _year_compare(self, e: ast.Compare, depth: int) -> bool | None:
        """`year >= 2024` (a system value's year, or a row's data year) read for a period:
        decided when it holds in every year of the period or in none."""
        if self.year is not None or not (isinstance(e.left, ast.Name) and e.left.name == "year"):
            return None
        bound = self.eval(e.right, depth)
        period = self.periods.get(self.period or "")
        if not isinstance(bound, Decimal) or period is None:
            return None
        if not (period.start_date and period.end_date):
            return None
        years = range(int(period.start_date[:4]), int(period.end_date[:4]) + 1)
        found = {_COMPARE[e.op](Decimal(year), bound) for year in years}
        return found.pop() if len(found) == 1 else None

    def _member(self, e: ast.Member, depth: int) -> Value | None:
        operand = self.eval(e.operand, depth)
        return operand in e.values if isinstance(operand, str) else None

    def _logical(self, e: ast.Logical, depth: int) -> Value | None:
        left, right = self.eval(e.left, depth), self.eval(e.right, depth)
        decisive = e.op == "or"
        if left is decisive or right is decisive:
            return decisive
        return (not decisive) if left is (not decisive) and right is (not decisive) else None

    def _not(self, e: ast.Not, depth: int) -> Value | None:
        operand = self.eval(e.operand, depth)
        return (not operand) if isinstance(operand, bool) else None

    def _neg(self, e: ast.Neg, depth: int) -> Value | None:
        operand = self.eval(e.operand, depth)
        return -operand if isinstance(operand, Decimal) else None

    def _if(self, e: ast.If, depth: int) -> Value | None:
        condition = self.eval(e.condition, depth)
        if isinstance(condition, bool):
            return self.eval(e.then if condition else e.otherwise, depth)
        then, otherwise = self.eval(e.then, depth), self.eval(e.otherwise, depth)
        return then if then is not None and then == otherwise else None


def _is_zero(value: Value | None) -> bool:
    return isinstance(value, Decimal) and value == 0


def _extreme(func: str, args: list[Value | None], numbers: list[Decimal]) -> Value | None:
    if len(numbers) == len(args) and numbers:
        return max(numbers) if func == "max" else min(numbers)
    return None


_ROUNDING: dict[str, Callable[[Decimal, int], Decimal]] = {
    "floor": floor,
    "ceil": ceil,
    "round": round_half_up,
}
_ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
}
_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": Decimal.__ge__,
    "<=": Decimal.__le__,
    ">": Decimal.__gt__,
    "<": Decimal.__lt__,
    "==": Decimal.__eq__,
    "!=": Decimal.__ne__,
}
_HANDLERS: dict[type, Callable[[Reader, Any, int], Value | None]] = {
    ast.Quantity: lambda r, e, d: _quantity(e),
    ast.Bool: lambda r, e, d: bool(e.value),
    ast.Name: Reader._name,
    ast.Call: Reader._call,
    ast.Binary: Reader._binary,
    ast.ShareOf: Reader._share,
    ast.Compare: Reader._compare,
    ast.Member: Reader._member,
    ast.Logical: Reader._logical,
    ast.Not: Reader._not,
    ast.Neg: Reader._neg,
    ast.If: Reader._if,
}
