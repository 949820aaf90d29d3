"""Type inference for expressions: the Checker gives every expression its static type.

    Checker(resolved).infer(expr) -> Type

Quantities carry dimensions, so adding tonnes to yen is reported with both operands' spans.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from etsl.compiler import ast, codes
from etsl.compiler.builtins import BUILTINS, Signature
from etsl.compiler.codes import Code
from etsl.compiler.diagnostics import Diagnostic, did_you_mean, error, unit_suggestion
from etsl.compiler.enums import CONSEQUENCE_KINDS
from etsl.compiler.gwp import gwp
from etsl.compiler.printer import print_expr
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.source import Span
from etsl.compiler.system import AGGREGATES, YEAR
from etsl.compiler.types import (
    ANY,
    BOOL,
    DATE,
    NAMED_TYPES,
    NUMBER,
    PERIOD,
    SYMBOL,
    Enum,
    Quant,
    Type,
)
from etsl.compiler.units import (
    CO2E,
    SYMBOLS,
    TIME,
    UnknownUnit,
    combine,
    dims_name,
    is_currency,
    is_gas_mass,
    parse_unit,
)
from etsl.compiler.vocabulary import PARTICIPANT_TYPE, RUNTIME_INPUTS, STEP_VALUES

#: The unit kind of each consequence's amount (`currency` or `co2e`).
CONSEQUENCE_AMOUNTS = {c.value: c.kind for c in CONSEQUENCE_KINDS if c.kind != "flag"}


@dataclass(frozen=True)
class CheckedScheme:
    """A resolved scheme with the type of every input, parameter, table and rule."""

    resolved: ResolvedScheme
    types: Mapping[str, Type]
    # The type of each expression node the check inferred (by id; each entry keeps its node
    # alive), so that later passes look them up instead of inferring them again.
    expression_types: Mapping[int, tuple[ast.Expr, Type]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )


def unit_hint(symbol: str) -> str:
    suggestion = did_you_mean(symbol, SYMBOLS)
    if suggestion:
        return suggestion
    return (
        f"'{symbol}' is not one of ETSL's units: masses such as t, tCO2e, Mt; energy such as "
        "MWh, GJ, kL_oe; currencies such as EUR, USD; time yr, day; %; compound units join "
        "them with / or * and no spaces (tCO2e/yr, EUR/tCO2e)"
    )


class Checker:
    """Infers and checks types; results are memoised by symbol name."""

    def __init__(self, scheme: ResolvedScheme) -> None:
        self.s = scheme
        self.diagnostics: list[Diagnostic] = []
        self.types: dict[str, Type] = {}
        self._active: set[str] = set()
        # The type of each expression node inferred so far (the AST outlives the checker),
        # so that lowering and repeated checks do not infer a sub-tree twice.
        # (Each entry keeps its node alive, so an id is never reused while cached.)
        self._inferred: dict[int, tuple[ast.Expr, Type]] = {}
        self._shares: dict[int, ast.ShareOf] = {}  # id(share operand) → its `of`

    @classmethod
    def of(cls, checked: CheckedScheme) -> Checker:
        """A checker that starts from what the check pass inferred."""
        checker = cls(checked.resolved)
        checker.types.update(checked.types)
        checker._inferred.update(checked.expression_types)
        return checker

    def checked(self) -> CheckedScheme:
        """What this checker inferred, as a checked scheme."""
        return CheckedScheme(self.s, dict(self.types), self._inferred)

    # ---- symbols ------------------------------------------------------------------------
    def symbol_type(self, name: str) -> Type:
        if name in self.types:
            return self.types[name]
        if name in self._active:  # a cycle: reported by the graph pass
            return ANY
        self._active.add(name)
        result = self._compute_symbol(name)
        self._active.discard(name)
        self.types[name] = result
        return result

    def _compute_symbol(self, name: str) -> Type:
        s = self.s
        if name in s.fields:
            return self.field_type(s.fields[name])
        if name in s.params:
            return self.infer(s.params[name].value)
        if name in s.tables:
            return self.table_type(s.tables[name])
        if name in s.rules:
            return self.infer(s.rules[name].expr)
        if name in RUNTIME_INPUTS:
            return Quant(CO2E)
        if name == PARTICIPANT_TYPE or PARTICIPANT_TYPE in s.enum_values.get(name, ()):
            return Enum(PARTICIPANT_TYPE, s.participant_types)
        if name in STEP_VALUES:
            return BOOL if name == "final_year" else NUMBER
        if name == "period" or name in s.periods:
            return PERIOD
        if name in s.enum_values:
            field = s.enum_values[name][0]
            return self.field_type(s.fields[field])
        return self._system_symbol(name)

    def _system_symbol(self, name: str) -> Type:
        """A system value's type (compiler/system.py); `year` is a plain number."""
        system = self.s.system
        if name in system.inputs:
            return self.field_type(system.inputs[name])
        if name in system.params:
            return self.infer(system.params[name].value)
        if name in system.tables:
            return self.table_type(system.tables[name])
        if name in system.rules:
            return self.infer(system.rules[name].expr)
        if name in system.prices:
            return self.infer(system.prices[name].value)
        return NUMBER if name == YEAR else ANY

    def field_type(self, field: ast.Field | ast.SystemInput) -> Type:
        if isinstance(field.type, ast.EnumType):
            return Enum(field.name, field.type.values)
        return self.unit_type(field.type.unit, field.type.span)

    def unit_type(self, text: str, span: Span) -> Type:
        if text in NAMED_TYPES:
            return NAMED_TYPES[text]
        try:
            return Quant(parse_unit(text).dims)
        except UnknownUnit as exc:
            self.diagnostics.append(
                error(
                    codes.UNKNOWN_UNIT, f"unknown unit '{exc.symbol}'", span, unit_hint(exc.symbol)
                )
            )
            return ANY

    def table_type(self, table: ast.Table) -> Type:
        types = [self.cell_type(c) for row in _value_rows(table) for c in row.cells[1:]]
        types = [t for t in types if t is not ANY]
        if not types:
            return ANY
        for cell_type, cell in zip(types[1:], _value_cells(table)[1:], strict=False):
            if cell_type != types[0]:
                self.diagnostics.append(
                    error(
                        codes.UNIT_MISMATCH,
                        f"table '{table.name}' mixes {types[0]} and {cell_type}",
                        cell.span,
                        "give every cell of a table the same unit",
                    )
                )
                break
        return types[0]

    def cell_type(self, cell: ast.Cell) -> Type:
        if isinstance(cell, ast.CellName):
            return self.symbol_type(cell.name) if cell.name in self.s.enum_values else SYMBOL
        if isinstance(cell, ast.CellAny):
            return ANY
        return self.infer(cell)

    # ---- expressions -----------------------------------------------------------------------
    def infer(self, expr: ast.Expr) -> Type:
        known = self._inferred.get(id(expr))
        if known is not None:
            return known[1]
        handler = _INFER[type(expr)]
        result = handler(self, expr)
        self._inferred[id(expr)] = (expr, result)
        return result

    def _quantity(self, q: ast.Quantity) -> Type:
        return NUMBER if q.unit is None else self.unit_type(q.unit, q.span)

    def _name(self, n: ast.Name) -> Type:
        return self.symbol_type(n.name)

    def _attribute(self, a: ast.Attribute) -> Type:
        """holding.X has fixed types; issuer.X is the issuer's input X when this scheme has
        one, else a value the holdings data supplies (unchecked)."""
        if isinstance(a.base, ast.Name) and a.base.name == "issuer":
            field = self.s.fields.get(a.name)
            return self.field_type(field) if field else ANY
        return {"vintage": NUMBER, "quantity": Quant(CO2E)}.get(a.name, SYMBOL)

    def _binary(self, b: ast.Binary) -> Type:
        left, right = self.infer(b.left), self.infer(b.right)
        if ANY in (left, right):
            return ANY
        if b.op in "+-" and (is_zero(b.left) or is_zero(b.right)):
            return right if is_zero(b.left) else left
        if not (isinstance(left, Quant) and isinstance(right, Quant)):
            return self._mismatch(
                b,
                f"'{b.op}' needs numbers or quantities, not {left} and {right}",
                codes.TYPE_MISMATCH,
            )
        if b.op in "+-":
            if left.dims != right.dims:
                return self._mismatch(
                    b,
                    f"cannot {'add' if b.op == '+' else 'subtract'} "
                    f"{right} {'to' if b.op == '+' else 'from'} {left}",
                    codes.UNIT_MISMATCH,
                    self._share_hint(b, left, right) or _unit_fix(left, right),
                )
            return left
        return Quant(combine(left.dims, right.dims, 1 if b.op == "*" else -1))

    def _share_hint(self, b: ast.Binary, left: Quant, right: Quant) -> str | None:
        """`co2e(e) + (1 - s) of x` reads as `(co2e(e) + (1 - s)) of x`: say so."""
        share = self._shares.get(id(b))
        if share is None or right.dims or not left.dims:  # the number next to `of`
            return None
        wanted = ast.ShareOf(b.right, share.whole, share.span)
        return (
            f"'of' binds more loosely than '{b.op}', so this reads "
            f"'({print_expr(b)}) of {print_expr(share.whole)}'; to take the share of "
            f"{print_expr(share.whole)} only, write "
            f"'{print_expr(b.left)} {b.op} ({print_expr(wanted)})'"
        )

    def _compare(self, c: ast.Compare) -> Type:
        left, right = self.infer(c.left), self.infer(c.right)
        if ANY in (left, right) or SYMBOL in (left, right) or is_zero(c.left) or is_zero(c.right):
            return BOOL
        if isinstance(left, Enum) and isinstance(right, Enum):
            if left.field != right.field and not set(left.values) & set(right.values):
                self._mismatch(c, f"cannot compare {left} with {right}", codes.TYPE_MISMATCH)
            return BOOL
        if left != right:
            code = (
                codes.UNIT_MISMATCH
                if isinstance(left, Quant) and isinstance(right, Quant)
                else codes.TYPE_MISMATCH
            )
            self._mismatch(c, f"cannot compare {left} with {right}", code, _unit_fix(left, right))
        return BOOL

    def _logical(self, expr: ast.Logical | ast.Not) -> Type:
        operands = (expr.operand,) if isinstance(expr, ast.Not) else (expr.left, expr.right)
        for operand in operands:
            self.expect(operand, BOOL, "a condition")
        return BOOL

    def _neg(self, n: ast.Neg) -> Type:
        operand = self.infer(n.operand)
        if operand is not ANY and not isinstance(operand, Quant):
            return self._mismatch(n, f"cannot negate {operand}", codes.TYPE_MISMATCH)
        return operand

    def _if(self, i: ast.If) -> Type:
        self.expect(i.condition, BOOL, "the condition of 'if'")
        then, otherwise = self.infer(i.then), self.infer(i.otherwise)
        if is_zero(i.then) or is_zero(i.otherwise):
            return otherwise if is_zero(i.then) else then
        if ANY not in (then, otherwise) and then != otherwise:
            code = (
                codes.UNIT_MISMATCH
                if isinstance(then, Quant) and isinstance(otherwise, Quant)
                else codes.TYPE_MISMATCH
            )
            return self._mismatch(
                i,
                f"the branches of 'if' differ: {then} and {otherwise}",
                code,
                _unit_fix(then, otherwise),
            )
        return then if then is not ANY else otherwise

    def _member(self, m: ast.Member) -> Type:
        operand = self.infer(m.operand)
        if isinstance(operand, Enum):
            for value in m.values:
                if value not in operand.values:
                    self.diagnostics.append(
                        error(
                            codes.UNKNOWN_ENUM_VALUE,
                            f"'{value}' is not a value of '{operand.field}' {operand}",
                            m.span,
                            did_you_mean(value, operand.values),
                        )
                    )
        elif operand is PERIOD:
            for value in m.values:
                if value not in self.s.periods:
                    self.diagnostics.append(
                        error(
                            codes.UNKNOWN_NAME,
                            f"unknown period '{value}'",
                            m.span,
                            did_you_mean(value, self.s.periods),
                        )
                    )
        elif operand not in (ANY, SYMBOL):
            self._mismatch(
                m, f"'in {{…}}' needs an enumeration, not {operand}", codes.TYPE_MISMATCH
            )
        return BOOL

    def _share_of(self, s: ast.ShareOf) -> Type:
        self._shares[id(s.share)] = s
        self.expect(s.share, NUMBER, "a share (a plain number or percentage)")
        return self.infer(s.whole)

    def _call(self, call: ast.Call) -> Type:
        builtin = BUILTINS.get(call.func)
        if builtin is None:
            return self._aggregate(call) if call.func in AGGREGATES else ANY
        count = len(call.args)
        if count < builtin.min_args or (builtin.max_args is not None and count > builtin.max_args):
            expected = (
                str(builtin.min_args)
                if builtin.min_args == builtin.max_args
                else f"{builtin.min_args}–{builtin.max_args or 'any'}"
            )
            return self._mismatch(
                call, f"'{call.func}' takes {expected} arguments, not {count}", codes.WRONG_ARITY
            )
        return SIGNATURE_RULES[builtin.signature](self, call)

    def _aggregate(self, call: ast.Call) -> Type:
        """`sum(x)`, `mean(x)`: x's quantity; `count(condition)`: a plain number."""
        if len(call.args) != 1:
            return self._mismatch(
                call,
                f"'{call.func}' takes 1 argument, not {len(call.args)}",
                codes.WRONG_ARITY,
                f"aggregate one participant value: {call.func}(x)",
            )
        if AGGREGATES[call.func].counts:
            self.expect(call.args[0], BOOL, f"the condition of '{call.func}'")
            return NUMBER
        kind = self.infer(call.args[0])
        if kind is not ANY and not isinstance(kind, Quant):
            return self._mismatch(
                call,
                f"'{call.func}' adds up numbers or quantities, not {kind}",
                codes.TYPE_MISMATCH,
                f"to count participants, write count({print_expr(call.args[0])} == …)",
            )
        return kind

    def _mismatch(self, node: ast.Expr, message: str, code: Code, hint: str | None = None) -> Type:
        self.diagnostics.append(error(code, message, node.span, hint))
        return ANY

    def expect(self, expr: ast.Expr, expected: Type, what: str) -> Type:
        actual = self.infer(expr)
        if actual not in (ANY, expected):
            code = (
                codes.UNIT_MISMATCH
                if isinstance(actual, Quant) and isinstance(expected, Quant)
                else codes.TYPE_MISMATCH
            )
            self.diagnostics.append(
                error(
                    code,
                    f"{what} must be {expected}, not {actual}",
                    expr.span,
                    _unit_fix(expected, actual),
                )
            )
        return actual

    def expect_dims(
        self,
        expr: ast.Expr,
        test: Callable[[Quant], bool],
        what: str,
        hint: str,
        code: codes.Code = codes.UNIT_MISMATCH,
    ) -> None:
        actual = self.infer(expr)
        if actual is ANY:
            return
        if not isinstance(actual, Quant) or not test(actual):
            self.diagnostics.append(error(code, f"{what}, not {actual}", expr.span, hint))


def is_zero(expr: ast.Expr) -> bool:
    """A plain literal 0: it fits any unit (`shortfall > 0`, `max(0, x)`)."""
    return isinstance(expr, ast.Quantity) and expr.unit is None and expr.value == 0


def _call_numeric(checker: Checker, call: ast.Call) -> Type:
    """floor, ceil, round, min, max, abs: all arguments the same unit; places a plain number."""
    types = [checker.infer(a) for a in call.args if not is_zero(a) or len(call.args) == 1]
    if BUILTINS[call.func].signature is Signature.ROUNDING:
        if len(types) == 2 and types[1] not in (NUMBER, ANY):
            checker._mismatch(
                call.args[1], "decimal places must be a plain number", codes.TYPE_MISMATCH
            )
        types = types[:1]
    known = [t for t in types if t is not ANY]
    if any(not isinstance(t, Quant) for t in known):
        return checker._mismatch(
            call, f"'{call.func}' needs numbers or quantities", codes.TYPE_MISMATCH
        )
    if any(t != known[0] for t in known[1:]):
        return checker._mismatch(
            call,
            f"the arguments of '{call.func}' have different units: "
            f"{', '.join(str(t) for t in known)}",
            codes.UNIT_MISMATCH,
        )
    return known[0] if known else ANY


def _call_years(checker: Checker, call: ast.Call) -> Type:
    checker.expect(call.args[0], PERIOD, "the argument of 'years'")
    return Quant(TIME)


def _call_co2e(checker: Checker, call: ast.Call) -> Type:
    kind = checker.infer(call.args[0])
    if isinstance(kind, Quant) and len(kind.dims) == 1 and kind.dims[0][0].startswith("gas_"):
        _require_gwp(checker, kind.dims[0][0].removeprefix("gas_"), call)
    checker.expect_dims(
        call.args[0],
        lambda q: is_gas_mass(q.dims),
        "co2e() converts tonnes of a gas",
        "give it tCO2, tCH4, tN2O, …",
    )
    return Quant(CO2E)


def _call_units(checker: Checker, call: ast.Call) -> Type:
    if not isinstance(call.args[0], ast.Name):
        checker._mismatch(call, f"'{call.func}' takes the name of a unit type", codes.TYPE_MISMATCH)
    return Quant(CO2E)


def _call_earlier_years(checker: Checker, call: ast.Call) -> Type:
    """earlier_years(x): x names a quantity the engine sums over the earlier years."""
    arg = call.args[0]
    summable = checker.s.fields.keys() | checker.s.rules.keys() | RUNTIME_INPUTS.keys()
    if not isinstance(arg, ast.Name) or arg.name not in summable:
        return checker._mismatch(
            call,
            "'earlier_years' takes the name of an input or a rule",
            codes.TYPE_MISMATCH,
            "e.g. earlier_years(emissions) or earlier_years(obligation)",
        )
    kind = checker.infer(arg)
    if kind is not ANY and not isinstance(kind, Quant):
        return checker._mismatch(
            call, f"'earlier_years' sums quantities; '{arg.name}' is {kind}", codes.TYPE_MISMATCH
        )
    return kind


def _require_gwp(checker: Checker, gas: str, call: ast.Call) -> None:
    gases = checker.s.gases
    basis = gases.basis if gases else None
    if basis is None:
        message = f"co2e() of t{gas} needs a GWP basis, but the scheme declares none"
        hint = f"declare it: gases CO2, {gas} gwp AR5"
    elif gwp(basis, gas) is None:
        message, hint = f"the {basis} set has no GWP for {gas}", "choose another basis"
    else:
        return
    checker.diagnostics.append(error(codes.MISSING_GWP, message, call.span, hint))


#: The type rule of each built-in signature (compiler/builtins.py).
SIGNATURE_RULES: dict[Signature, Callable[[Checker, ast.Call], Type]] = {
    Signature.SAME_UNIT: _call_numeric,
    Signature.ROUNDING: _call_numeric,
    Signature.PERIOD_LENGTH: _call_years,
    Signature.GAS: _call_co2e,
    Signature.UNIT_TYPE: _call_units,
    Signature.EARLIER_YEARS: _call_earlier_years,
}

_INFER: dict[type, Callable[[Checker, Any], Type]] = {
    ast.Quantity: Checker._quantity,
    ast.Bool: lambda c, e: BOOL,
    ast.DateLit: lambda c, e: DATE,
    ast.Name: Checker._name,
    ast.Attribute: Checker._attribute,
    ast.Binary: Checker._binary,
    ast.Compare: Checker._compare,
    ast.Logical: Checker._logical,
    ast.Not: Checker._logical,
    ast.Neg: Checker._neg,
    ast.If: Checker._if,
    ast.Member: Checker._member,
    ast.ShareOf: Checker._share_of,
    ast.Call: Checker._call,
}


def _unit_fix(a: Type, b: Type) -> str | None:
    if isinstance(a, Quant) and isinstance(b, Quant):
        if is_currency(a.dims) != is_currency(b.dims):
            return "money and tonnes do not mix; multiply a price (e.g. EUR/tCO2e) by tonnes"
        if not b.dims and a.dims:
            return unit_suggestion(dims_name(a.dims))
        return f"convert one side so both are in {dims_name(a.dims) or 'plain numbers'}"
    return None


def _value_rows(table: ast.Table) -> tuple[ast.Row, ...]:
    return table.rows[1:] if len(table.dims) == 2 else table.rows


def _value_cells(table: ast.Table) -> list[ast.Cell]:
    return [c for row in _value_rows(table) for c in row.cells[1:]]
