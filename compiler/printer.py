"""Print expressions as canonical ETSL text with the fewest parentheses that keep the tree.

>>> print_expr(parse_expr("floor((a * b))"))
'floor(a * b)'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from etsl.compiler import ast
from etsl.compiler import program as ir

# Binding strength of each construct: higher binds tighter.
IF, OR, AND, NOT, COMPARE, SHARE, SUM, PRODUCT, UNARY, ATOM = range(10)


def number_text(value: Decimal) -> str:
    """A decimal as written in ETSL (no exponent, no grouping)."""
    text = f"{value:f}"
    return text


def quantity_text(value: Decimal, unit: str | None) -> str:
    return f"{number_text(value)} {unit}" if unit else number_text(value)


def precedence(expr: ast.Expr | ir.Expr) -> int:
    """How tightly a construct binds (AST and Program nodes alike)."""
    match expr:
        case ast.If() | ir.If():
            return IF
        case ast.Logical(op="or") | ir.Logical(op="or"):
            return OR
        case ast.Logical() | ir.Logical():
            return AND
        case ast.Not() | ir.Not():
            return NOT
        case ast.Compare() | ast.Member() | ir.Compare() | ir.Member():
            return COMPARE
        case ast.ShareOf() | ir.Share():
            return SHARE
        case ast.Binary(op="+" | "-") | ir.Binary(op="+" | "-"):
            return SUM
        case ast.Binary() | ir.Binary():
            return PRODUCT
        case ast.Neg() | ir.Neg():
            return UNARY
    return ATOM


def _wrap(expr: ast.Expr, minimum: int) -> str:
    text = print_expr(expr)
    return f"({text})" if precedence(expr) < minimum else text


def _binary(e: ast.Binary) -> str:
    level = precedence(e)
    return f"{_wrap(e.left, level)} {e.op} {_wrap(e.right, level + 1)}"


def _logical(e: ast.Logical) -> str:
    level = precedence(e)
    return f"{_wrap(e.left, level)} {e.op} {_wrap(e.right, level + 1)}"


def _compare(e: ast.Compare) -> str:
    return f"{_wrap(e.left, SHARE)} {e.op} {_wrap(e.right, SHARE)}"


def _member(e: ast.Member) -> str:
    return f"{_wrap(e.operand, SHARE)} in {{{', '.join(e.values)}}}"


def _share(e: ast.ShareOf) -> str:
    """`of` binds looser than `+` and `-`, but a sum beside it is bracketed for readers:
    `(1 - share) of x`, not `1 - share of x` (which means the same)."""
    return f"{_wrap(e.share, PRODUCT)} of {_wrap(e.whole, PRODUCT)}"


def _if(e: ast.If) -> str:
    return f"if {print_expr(e.condition)} then {print_expr(e.then)} else {print_expr(e.otherwise)}"


def _call(e: ast.Call) -> str:
    return f"{e.func}({', '.join(print_expr(a) for a in e.args)})"


_PRINTERS: dict[type, Callable[[Any], str]] = {
    ast.Quantity: lambda e: quantity_text(e.value, e.unit),
    ast.Bool: lambda e: "true" if e.value else "false",
    ast.DateLit: lambda e: e.value.isoformat(),
    ast.Name: lambda e: e.name,
    ast.Attribute: lambda e: f"{_wrap(e.base, ATOM)}.{e.name}",
    ast.Call: _call,
    ast.Binary: _binary,
    ast.Compare: _compare,
    ast.Logical: _logical,
    ast.Not: lambda e: f"not {_wrap(e.operand, NOT)}",
    ast.Neg: lambda e: f"-{_wrap(e.operand, UNARY)}",
    ast.If: _if,
    ast.Member: _member,
    ast.ShareOf: _share,
}


def print_expr(expr: ast.Expr) -> str:
    """Canonical text of an expression."""
    return _PRINTERS[type(expr)](expr)


# ---- Program expressions (explanations print what the engines evaluated) -------------------


def _ir_wrap(expr: ir.Expr, minimum: int) -> str:
    text = print_program_expr(expr)
    return f"({text})" if precedence(expr) < minimum else text


def _ir_const(e: ir.Const) -> str:
    if isinstance(e.written, bool):
        return "true" if e.written else "false"
    if isinstance(e.written, Decimal):
        return quantity_text(e.written, e.unit)
    return e.written.isoformat() if hasattr(e.written, "isoformat") else str(e.written)


def _ir_call(e: ir.Call) -> str:
    if e.unit is not None:
        return f"{e.builtin}({e.unit})"
    return f"{e.builtin}({', '.join(print_program_expr(a) for a in e.args)})"


def _ir_pair(e: ir.Binary | ir.Logical) -> str:
    level = precedence(e)
    return f"{_ir_wrap(e.left, level)} {e.op} {_ir_wrap(e.right, level + 1)}"


_PROGRAM_PRINTERS: dict[type, Callable[[Any], str]] = {
    ir.Const: _ir_const,
    ir.Ref: lambda e: e.name,
    ir.Attribute: lambda e: f"{e.base}.{e.name}",
    ir.Call: _ir_call,
    ir.Binary: _ir_pair,
    ir.Logical: _ir_pair,
    ir.Compare: lambda e: f"{_ir_wrap(e.left, SHARE)} {e.op} {_ir_wrap(e.right, SHARE)}",
    ir.Not: lambda e: f"not {_ir_wrap(e.operand, NOT)}",
    ir.Neg: lambda e: f"-{_ir_wrap(e.operand, UNARY)}",
    ir.If: lambda e: (
        f"if {print_program_expr(e.condition)} then {print_program_expr(e.then)} "
        f"else {print_program_expr(e.otherwise)}"
    ),
    ir.Member: lambda e: f"{_ir_wrap(e.operand, SHARE)} in {{{', '.join(e.values)}}}",
    ir.Share: lambda e: f"{_ir_wrap(e.share, PRODUCT)} of {_ir_wrap(e.whole, PRODUCT)}",
}


def print_price_path(e: ir.PricePath) -> str:
    """`65 USD/tCO2e from 2021 rising 5 % plus cpi`, as the price is declared."""
    text = _ir_wrap(e.start, SHARE)
    text += f" from {e.from_year}" if e.from_year is not None else ""
    if e.rising is not None:
        text += f" rising {_ir_wrap(e.rising, SHARE)}"
        text += f" plus {e.plus}" if e.plus else ""
    return text


_PROGRAM_PRINTERS[ir.Aggregate] = lambda e: e.key
_PROGRAM_PRINTERS[ir.PricePath] = print_price_path


def print_program_expr(expr: ir.Expr) -> str:
    """A Program expression as ETSL text (the same text `print_expr` gives its source)."""
    return _PROGRAM_PRINTERS[type(expr)](expr)


def parse_expr(text: str) -> ast.Expr:
    """Parse one expression (for tests and the default rules)."""
    from etsl.compiler.parse import parse
    from etsl.compiler.source import SourceFile

    module, diagnostics = parse(SourceFile.of("<expr>", f"scheme e {{ rule x = {text} }}"))
    if module is None:
        raise ValueError(diagnostics[0].message if diagnostics else "cannot parse")
    rule = module.schemes[0].decls[0]
    assert isinstance(rule, ast.Rule)
    return rule.expr


# ---- ranges ----------------------------------------------------------------------------------


def multiple_of(expr: ast.Expr) -> tuple[ast.Quantity, ast.Expr] | None:
    """`5 * price * shortfall` → (5, `price * shortfall`): a plain number times a formula
    (products and quotients associate to the left, so the number is the leftmost factor)."""
    if not isinstance(expr, ast.Binary) or expr.op not in ("*", "/"):
        return None
    if expr.op == "*" and isinstance(expr.left, ast.Quantity) and expr.left.unit is None:
        return expr.left, expr.right
    inner = multiple_of(expr.left)
    if inner is None:
        return None
    return inner[0], dataclasses.replace(expr, left=inner[1])


def common_multiple(lower: str, upper: str) -> tuple[str, str, str] | None:
    """`5 * p * s` and `10 * p * s` → ("5", "10", "p * s"): two multiples of one formula
    (documents read a range of them as "5 to 10 times p × s"), else None."""
    try:
        low, high = multiple_of(parse_expr(lower)), multiple_of(parse_expr(upper))
    except ValueError:
        return None
    if low is None or high is None or print_expr(low[1]) != print_expr(high[1]):
        return None
    return print_expr(low[0]), print_expr(high[0]), print_expr(low[1])
