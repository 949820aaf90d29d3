"""Formulas in plain English, generated from the scheme model.

    >>> lex = lexicon(tokyo_cat)              # names → noun phrases, from the model
    >>> print(rule_sentence(tokyo_cat.rule("cap"), lex))
    Each facility's cap for a period is its base emissions × the years in the period ×
    (1 − its reduction factor), rounded down to whole tonnes.

The formula text is parsed back to an AST with `etsl.compiler.printer.parse_expr`; one
renderer per node type (a dispatch table) turns it into words. Function names become words
(floor → "rounded down"), names become noun phrases ("its base emissions"), units become
readable ("t CO₂e a year"). Parentheses follow the printer's precedence levels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from etsl.compiler import ast
from etsl.compiler.builtins import BUILTINS
from etsl.compiler.model import Formula, RuleModel, SchemeModel
from etsl.compiler.printer import ATOM, NOT, PRODUCT, SHARE, SUM, parse_expr, precedence
from etsl.compiler.units import CURRENCIES
from etsl.compiler.vocabulary import MEANINGS, RUNTIME_INPUTS


@dataclass(frozen=True, slots=True)
class Term:
    """What a name in a formula means: its kind, its words, its unit and description."""

    name: str
    kind: str  # input, param, table, rule, runtime, period, value, unit
    words: str
    unit: str = ""
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The words for one scheme: who participates, and a phrase for every name."""

    participant: str | None
    terms: Mapping[str, Term]
    has_periods: bool = True


# ---- names and units ------------------------------------------------------------------------

_GAS_WORDS = {
    "CO2e": "CO₂e",
    "CO2": "CO₂",
    "CH4": "CH₄",
    "N2O": "N₂O",
    "SF6": "SF₆",
    "NF3": "NF₃",
    "HFC": "HFCs",
    "PFC": "PFCs",
}
_UNIT_WORDS = {
    "kL_oe": "kL oil-equivalent",
    "yr": "year",
    "%": "%",
    "short_t": "short t",
    "t": "t",
    "kt": "kt",
    "Mt": "Mt",
}
_MASS_PREFIX = re.compile(r"^(short_|k|M|G)?t(CO2e|CO2|CH4|N2O|SF6|NF3|HFC|PFC)$")


_NAME_WORDS = {"banked": "banked units", "allocation_amount": "free allocation"}


def humanize(name: str) -> str:
    """An identifier as words: `base_emissions` → `base emissions` (acronyms kept)."""
    return _NAME_WORDS.get(name, name.replace("_", " ").strip())


def article(noun: str) -> str:
    """`a facility`, `an entity`."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def unit_symbol(symbol: str) -> str:
    """One unit symbol for readers: `tCO2e` → `t CO₂e`, `kL_oe` → `kL oil-equivalent`."""
    match = _MASS_PREFIX.match(symbol)
    if match:
        prefix = (match.group(1) or "").replace("short_", "short ")
        return f"{prefix}t {_GAS_WORDS.get(match.group(2), match.group(2))}"
    return _UNIT_WORDS.get(symbol, symbol)


def unit_words(unit: str | None) -> str:
    """A compound unit for readers: `kL_oe/yr` → `kL oil-equivalent a year`."""
    if not unit:
        return ""
    top, *bottom = unit.split("/")
    text = " ".join(unit_symbol(part) for part in top.split("·"))
    for part in bottom:
        text += " a year" if part == "yr" else f" per {unit_symbol(part)}"
    return text


def number_words(value: Decimal) -> str:
    """A decimal with thousands separators and no exponent: 1500000 → `1,500,000`."""
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    negative = text.startswith("-")
    whole, dot, fraction = text.lstrip("-").partition(".")
    return f"{'−' if negative else ''}{int(whole):,}{dot}{fraction}"


def plain_number_words(value: Decimal) -> str:
    """A unitless number: years and small counts stay ungrouped (2021, not 2,021)."""
    if abs(value) < 10000 and value == value.to_integral_value():
        return f"{value.normalize():f}".replace("-", "−")
    return number_words(value)


def quantity_words(value: Decimal, unit: str | None) -> str:
    """A literal quantity: `1500 kL_oe/yr` → `1,500 kL oil-equivalent a year`."""
    if unit == "%":
        return f"{number_words(value)} %"
    if unit == "yr":
        return f"{plain_number_words(value)} year{'' if value == 1 else 's'}"
    words = unit_words(unit)
    return f"{number_words(value)} {words}" if words else plain_number_words(value)


def literal_words(text: str) -> str:
    """A cell or constant as written in ETSL (`8 %`, `40 EUR/tCO2e`) for readers."""
    match = re.fullmatch(r"(-?\d[\d_]*(?:\.\d+)?)\s*(\S+)?", text.strip())
    if not match:
        return text
    return quantity_words(Decimal(match.group(1).replace("_", "")), match.group(2))


def whole_unit(unit: str) -> str:
    """What `floor` rounds to, for a result unit: whole tonnes, whole JPY, a whole number."""
    if unit.split("/")[0] in ("tCO2e", "t", "tCO2") or _MASS_PREFIX.match(unit.split("/")[0]):
        return "whole tonnes" if "/" not in unit else f"whole {unit_words(unit)}"
    if unit in CURRENCIES:
        return f"whole {unit}"
    return "a whole number"


# ---- the lexicon --------------------------------------------------------------------------

_RUNTIME_WORDS = {
    "surrendered": "the eligible units it surrenders",
    "carry_in": "the units carried in from the previous period",
    "owed_in": "the make-good owed from the previous period",
}


def _table_words(dims: list[str], name: str) -> str:
    return f"the {humanize(name)} for the period" if dims == ["period"] else f"its {humanize(name)}"


def lexicon(model: SchemeModel) -> Lexicon:
    """Words for every name a formula of `model` can use."""
    terms: dict[str, Term] = {}
    for name, meaning in RUNTIME_INPUTS.items():
        terms[name] = Term(name, "runtime", _RUNTIME_WORDS[name], "tCO2e", meaning)
    for period in model.periods:
        terms[period.name] = Term(period.name, "period", period.name, "", period.label)
    for unit in model.units:
        terms[unit.name] = Term(unit.name, "unit", unit.name, "", unit.description)
    for item in model.participant.inputs if model.participant else ():
        for value in item.values or ():
            terms[value] = Term(value, "value", value)
        choices = f"one of {', '.join(item.values)}" if item.values else None
        terms[item.name] = Term(
            item.name,
            "input",
            f"its {humanize(item.name)}",
            "" if item.values else item.unit or item.type,
            item.description or choices,
        )
    for param in model.params:
        terms[param.name] = Term(
            param.name,
            "param",
            _param_words(param.name, param.formula.text),
            param.formula.unit,
            param.description,
        )
    for table in model.tables:
        terms[table.name] = Term(
            table.name, "table", _table_words(table.dims, table.name), table.unit, table.description
        )
    for rule in model.rules:
        terms[rule.name] = Term(
            rule.name,
            "rule",
            f"its {humanize(rule.name)}",
            rule.formula.unit,
            rule.description or MEANINGS.get(rule.name),
        )
    terms["period"] = Term("period", "period", "the period")
    participant = model.participant.name if model.participant else None
    return Lexicon(humanize(participant) if participant else None, terms, bool(model.periods))


def _param_words(name: str, text: str) -> str:
    """A parameter with its literal value shown: `the coverage threshold (1,500 kL …)`."""
    words = f"the {humanize(name)}"
    try:
        value = parse_expr(text)
    except ValueError:
        return words
    if isinstance(value, ast.Quantity):
        return f"{words} ({quantity_words(value.value, value.unit)})"
    return words


# ---- expressions ----------------------------------------------------------------------------

_OPERATORS = {"+": "+", "-": "−", "*": "×", "/": "÷"}
_COMPARISONS = {
    ">=": "is at least",
    "<=": "is at most",
    ">": "is more than",
    "<": "is less than",
    "==": "is",
    "!=": "is not",
}


class _Words:
    """Renders one expression; `lex` supplies the words for names."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex

    def words(self, expr: ast.Expr) -> str:
        return _RENDERERS[type(expr)](self, expr)

    def wrapped(self, expr: ast.Expr, minimum: int) -> str:
        """Words for an operand, in parentheses when the words would run into the next
        operator ("the smaller of a and b − c" is ambiguous; "(the smaller of a and b) − c"
        is not)."""
        text = self.words(expr)
        open_ended = isinstance(expr, ast.If) or (
            isinstance(expr, ast.Call) and expr.func in BUILTINS and not BUILTINS[expr.func].noun
        )
        return f"({text})" if precedence(expr) < minimum or open_ended else text

    def name(self, e: ast.Name) -> str:
        term = self.lex.terms.get(e.name)
        return term.words if term else humanize(e.name)

    def attribute(self, e: ast.Attribute) -> str:
        if isinstance(e.base, ast.Name) and e.base.name in ("holding", "issuer"):
            return f"the {e.base.name}'s {humanize(e.name)}"
        return f"{self.wrapped(e.base, ATOM)}'s {humanize(e.name)}"

    def quantity(self, e: ast.Quantity) -> str:
        return "zero" if e.value == 0 else quantity_words(e.value, e.unit)

    def binary(self, e: ast.Binary) -> str:
        if e.op == "/" and _is_plain_number(e.left) and _is_plain_number(e.right):
            return f"{self.words(e.left)}/{self.words(e.right)}"
        level = precedence(e)
        return (
            f"{self.wrapped(e.left, level)} {_OPERATORS[e.op]} {self.wrapped(e.right, level + 1)}"
        )

    def compare(self, e: ast.Compare) -> str:
        return f"{self.wrapped(e.left, SHARE)} {_COMPARISONS[e.op]} {self.wrapped(e.right, SHARE)}"

    def logical(self, e: ast.Logical) -> str:
        level = precedence(e)
        return f"{self.wrapped(e.left, level)} {e.op} {self.wrapped(e.right, level + 1)}"

    def negate(self, e: ast.Not) -> str:
        if isinstance(e.operand, ast.Name) and e.operand.name == "covered":
            return "it is not covered"
        if isinstance(e.operand, ast.Member):
            return self.member(e.operand, negated=True)
        return f"not {self.wrapped(e.operand, NOT)}"

    def member(self, e: ast.Member, negated: bool = False) -> str:
        values = list(e.values)
        if not negated:
            listed = values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"
            return f"{self.wrapped(e.operand, SHARE)} is {listed}"
        if len(values) == 1:
            listed = f"not {values[0]}"
        elif len(values) == 2:
            listed = f"neither {values[0]} nor {values[1]}"
        else:
            listed = f"none of {', '.join(values)}"
        return f"{self.wrapped(e.operand, SHARE)} is {listed}"

    def share(self, e: ast.ShareOf) -> str:
        return f"{self.wrapped(e.share, PRODUCT)} of {self.wrapped(e.whole, PRODUCT)}"

    def branch(self, e: ast.If) -> str:
        return "; ".join(
            f"{self.words(value)} if {self.condition(test)}"
            if test is not None
            else f"otherwise {self.words(value)}"
            for test, value in if_chain(e)
        )

    def condition(self, e: ast.Expr) -> str:
        if isinstance(e, ast.Name) and e.name == "covered":
            return "it is covered"
        term = self.lex.terms.get(e.name) if isinstance(e, ast.Name) else None
        if term is not None and term.unit == "bool":
            return f"“{humanize(term.name)}” holds"
        return self.words(e)

    def call(self, e: ast.Call) -> str:
        special = _SPECIAL_CALLS.get(e.func)
        phrase = special(self, e.args) if special is not None else None
        if phrase is not None:
            return phrase
        if e.func not in BUILTINS:
            return f"{e.func}({', '.join(self.words(a) for a in e.args)})"
        return _PLACEHOLDER.sub(lambda m: self.placeholder(m, e.args), _wording(e))

    def placeholder(self, match: re.Match[str], args: tuple[ast.Expr, ...]) -> str:
        """One `{N:level}` or `{list:level}` of a built-in's wording (compiler/builtins.py)."""
        level = _LEVELS.get(match.group(2) or "")

        def render(arg: ast.Expr) -> str:
            return self.wrapped(arg, level) if level is not None else self.words(arg)

        if match.group(1) == "list":
            return _listing([render(a) for a in args])
        return render(args[int(match.group(1))])


def if_chain(e: ast.If) -> list[tuple[ast.Expr | None, ast.Expr]]:
    """`if a then x else if b then y else z` as [(a, x), (b, y), (None, z)]."""
    chain: list[tuple[ast.Expr | None, ast.Expr]] = []
    current: ast.Expr = e
    while isinstance(current, ast.If):
        chain.append((current.condition, current.then))
        current = current.otherwise
    chain.append((None, current))
    return chain


def _is_plain_number(e: ast.Expr) -> bool:
    return isinstance(e, ast.Quantity) and e.unit is None


def _is_zero(e: ast.Expr) -> bool:
    return isinstance(e, ast.Quantity) and e.value == 0


def _listing(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _years(w: _Words, args: tuple[ast.Expr, ...]) -> str:
    target = args[0] if args else None
    if isinstance(target, ast.Name) and target.name != "period":
        return f"the years in period {target.name}"
    return "the years in the period"


def _at_least_zero(w: _Words, args: tuple[ast.Expr, ...]) -> str | None:
    """`max(0, x)`: "x (but not less than zero)"."""
    if len(args) == 2 and _is_zero(args[0]):
        return f"{w.wrapped(args[1], SUM)} (but not less than zero)"
    return None


def _wording(e: ast.Call) -> str:
    return BUILTINS[e.func].wording(len(e.args))


_PLACEHOLDER = re.compile(r"\{(\d+|list)(?::(\w+))?\}")
_LEVELS = {"atom": ATOM, "product": PRODUCT, "sum": SUM}

#: Calls worded better than their registry template in particular forms (None: use it).
_SPECIAL_CALLS: dict[str, Callable[[_Words, tuple[ast.Expr, ...]], str | None]] = {
    "years": _years,
    "max": _at_least_zero,
}

_RENDERERS: dict[type, Callable[[_Words, Any], str]] = {
    ast.Quantity: _Words.quantity,
    ast.Bool: lambda w, e: "true" if e.value else "false",
    ast.DateLit: lambda w, e: e.value.strftime("%-d %B %Y"),
    ast.Name: _Words.name,
    ast.Attribute: _Words.attribute,
    ast.Call: _Words.call,
    ast.Binary: _Words.binary,
    ast.Compare: _Words.compare,
    ast.Logical: _Words.logical,
    ast.Not: _Words.negate,
    ast.Neg: lambda w, e: f"−{w.wrapped(e.operand, ATOM)}",
    ast.If: _Words.branch,
    ast.Member: _Words.member,
    ast.ShareOf: _Words.share,
}


@lru_cache(maxsize=4096)
def _parse(text: str) -> ast.Expr | None:
    try:
        return parse_expr(text)
    except (ValueError, AssertionError):
        return None


def phrase(text: str, lex: Lexicon, unit: str = "") -> str:
    """A formula as a noun phrase; a top-level `floor`/`ceil` names what it rounds to."""
    expr = _parse(text)
    if expr is None:
        return text
    words = _Words(lex)
    if isinstance(expr, ast.If):
        return "; ".join(
            f"if {words.condition(test)}, {phrase_of(value, words, unit)}"
            if test is not None
            else f"otherwise {phrase_of(value, words, unit)}"
            for test, value in if_chain(expr)
        )
    if isinstance(expr, ast.Call) and expr.func in ("floor", "ceil") and len(expr.args) == 1:
        verb = "rounded down" if expr.func == "floor" else "rounded up"
        return f"{words.words(expr.args[0])}, {verb} to {whole_unit(unit)}"
    return words.words(expr)


def condition(text: str, lex: Lexicon) -> str:
    """A boolean formula as a clause: `shortfall > 0` → `its shortfall is more than zero`."""
    expr = _parse(text)
    return _Words(lex).condition(expr) if expr is not None else text


# ---- sentences --------------------------------------------------------------------------


def subject(lex: Lexicon, name: str) -> str:
    """`Each facility's cap for a period` (or `The cap` without participants)."""
    owner = f"Each {lex.participant}'s" if lex.participant else "The"
    when = " for a period" if lex.has_periods else ""
    return f"{owner} {humanize(name)}{when}"


def rule_sentence(rule: RuleModel, lex: Lexicon) -> str:
    """One rule in one sentence of plain English."""
    if rule.formula.unit == "bool":
        return _bool_sentence(rule, lex)
    if isinstance(_parse(rule.formula.text), ast.If):
        return f"{subject(lex, rule.name)}: {phrase(rule.formula.text, lex, rule.formula.unit)}."
    return f"{subject(lex, rule.name)} is {phrase(rule.formula.text, lex, rule.formula.unit)}."


def phrase_of(expr: ast.Expr, words: _Words, unit: str) -> str:
    from etsl.compiler.printer import print_expr

    return phrase(print_expr(expr), words.lex, unit)


def _bool_sentence(rule: RuleModel, lex: Lexicon) -> str:
    who = lex.participant or "participant"
    constant = rule.formula.text in ("true", "false")
    if rule.name == "covered":
        if constant:
            return (
                f"Every {who} is covered."
                if rule.formula.text == "true"
                else f"No {who} is covered."
            )
        return f"{article(who).capitalize()} is covered when {condition(rule.formula.text, lex)}."
    label = humanize(rule.name).capitalize()
    if constant:
        return f"“{label}” is always {rule.formula.text}."
    return f"“{label}” holds when {condition(rule.formula.text, lex)}."


def terms_used(rule: RuleModel, lex: Lexicon) -> list[Term]:
    """The inputs, parameters and tables a rule reads directly, with their descriptions."""
    kinds = ("input", "param", "table", "runtime")
    return [
        lex.terms[name]
        for name in rule.depends_on
        if name in lex.terms and lex.terms[name].kind in kinds
    ]


def formula_phrase(formula: Formula | None, lex: Lexicon) -> str | None:
    """A formula's value in words, or None when there is no formula."""
    return phrase(formula.text, lex, formula.unit) if formula is not None else None


def formula_condition(formula: Formula | None, lex: Lexicon) -> str | None:
    """A condition in words, or None when there is none."""
    return condition(formula.text, lex) if formula is not None else None
