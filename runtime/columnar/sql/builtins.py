"""The columnar compiler's implementation of every built-in (compiler/builtins.py).

    IMPLEMENTATIONS[call.builtin](call, scope) -> Typed

tests/test_builtins.py fails when a registered built-in has no implementation here.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from etsl.compiler import program as ir
from etsl.runtime.columnar.sql.exact import extremum, multiply, to_places
from etsl.runtime.columnar.sql.expressions import (
    Scope,
    compile_expr,
    compile_num,
    domain,
    lookup,
)
from etsl.runtime.columnar.sql.types import Kind, Typed, Unsupported, decimal_literal
from sqlglot import exp


def _places(e: ir.Call) -> int:
    if len(e.args) == 1:
        return 0
    places = e.args[1]
    if (
        isinstance(places, ir.Const)
        and places.unit is None
        and isinstance(places.value, Decimal)
        and places.value >= 0
        and places.value == places.value.to_integral_value()
    ):
        return int(places.value)
    raise Unsupported(f"{e.builtin}() to a number of places that is not a literal whole number")


def _rounding(e: ir.Call, scope: Scope) -> Typed:
    return to_places(e.builtin, compile_num(e.args[0], scope), _places(e), scope)


def _extremum(e: ir.Call, scope: Scope) -> Typed:
    return extremum(e.builtin, [compile_num(a, scope) for a in e.args], scope)


def _abs(e: ir.Call, scope: Scope) -> Typed:
    x = compile_num(e.args[0], scope)
    return Typed(exp.Abs(this=x.sql), Kind.NUM, x.num, x.nullable)


def _years(e: ir.Call, scope: Scope) -> Typed:
    which = compile_expr(e.args[0], scope)
    lengths = {p.name: p.years for p in scope.program.periods}
    if len(set(lengths.values())) == 1 and not which.nullable:
        return decimal_literal(next(iter(lengths.values())))
    return lookup(
        [which],
        {(name,): decimal_literal(v) for name, v in lengths.items()},
        [domain(scope, "period")],
    )


def _co2e(e: ir.Call, scope: Scope) -> Typed:
    x = compile_num(e.args[0], scope)
    if e.factor is None or e.factor == 1:
        return x
    return multiply(x, decimal_literal(e.factor))


def _unit_value(prefix: str) -> Callable[[ir.Call, Scope], Typed]:
    def handler(e: ir.Call, scope: Scope) -> Typed:
        return scope.column(f"{prefix}.{e.unit}")

    return handler


def _earlier_years(e: ir.Call, scope: Scope) -> Typed:
    """The sum over earlier years: a column of a chain's step query (runtime/columnar/
    chains.py); 0 where no period is kept by year."""
    arg = e.args[0]
    name = f"earlier_years.{arg.name}" if isinstance(arg, ir.Ref) else ""
    if name in scope.columns:
        return scope.column(name)
    if scope.program.by_year:
        raise Unsupported("earlier_years() outside a chain of years")
    return decimal_literal(Decimal(0))


IMPLEMENTATIONS: dict[str, Callable[[ir.Call, Scope], Typed]] = {
    "floor": _rounding,
    "ceil": _rounding,
    "round": _rounding,
    "min": _extremum,
    "max": _extremum,
    "abs": _abs,
    "years": _years,
    "co2e": _co2e,
    "held": _unit_value("held"),
    "eligible": _unit_value("eligible"),
    "earlier_years": _earlier_years,
}
