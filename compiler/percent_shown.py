"""Which values are shown as percentages: those the scheme writes in %.

A parameter `= 2.2 %`, a table whose every value is written in % and an input declared in %
are shown as `2.2 %`; so is a rule whose every possible result is one of those or a literal
in %, e.g. `if year >= 2024 then 4.3 % else 2.2 %` or `min(limit, 10 %)`. Anything else
(`8 % of base`, `1 - factor`) is a plain number or an amount, shown in its own unit.

tests/test_percent_shown.py checks each form on compiled schemes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from typing import Any

from etsl.compiler import ast

#: Built-ins whose result is one of their arguments: a percentage if every argument is one.
_CHOOSING = frozenset({"min", "max"})

_Test = Callable[[Any, Set[str]], bool]


def _call(e: ast.Call, percent: Set[str]) -> bool:
    return (
        e.func in _CHOOSING and bool(e.args) and all(written_in_percent(a, percent) for a in e.args)
    )


_WRITTEN_IN_PERCENT: dict[type, _Test] = {
    ast.Quantity: lambda e, percent: e.unit == "%",
    ast.Name: lambda e, percent: e.name in percent,
    ast.If: lambda e, percent: (
        written_in_percent(e.then, percent) and written_in_percent(e.otherwise, percent)
    ),
    ast.Call: _call,
}


def written_in_percent(expr: ast.Expr, percent: Set[str]) -> bool:
    """Whether every value `expr` can take is written in % (or is a name in `percent`)."""
    test = _WRITTEN_IN_PERCENT.get(type(expr))
    return test is not None and test(expr, percent)


def percent_rules(rules: Mapping[str, ast.Expr], percent: Set[str]) -> set[str]:
    """The rules shown in %, given the other names shown in % (a rule may read another)."""
    shown = set(percent)
    found: set[str] = set()
    changed = True
    while changed:
        new = {n for n, e in rules.items() if n not in found and written_in_percent(e, shown)}
        found |= new
        shown |= new
        changed = bool(new)
    return found
