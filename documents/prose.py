"""Formulas in plain language, generated from the scheme model.

    >>> lex = lexicon(tokyo_cat)              # names → noun phrases, from the model
    >>> print(rule_sentence(tokyo_cat.rule("cap"), lex))
    Each facility's cap for a period is its base emissions × the years in the period ×
    (1 − its reduction factor), rounded down to whole tonnes.

The formula text is parsed back to an AST with `etsl.compiler.printer.parse_expr`; one
renderer per node type (a dispatch table) turns it into words. Every phrase is a gettext
message with named places (`{left} is at least {right}`), so the same renderer writes each
language in its own word order; the pieces (labels, articles, units, numbers) come from
`etsl.documents.wording`. Parentheses follow the printer's precedence levels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from etsl.compiler import ast
from etsl.compiler.builtins import BUILTINS
from etsl.compiler.enums import PRICE_CONTROLS
from etsl.compiler.model import Formula, PeriodModel, RuleModel, SchemeModel
from etsl.compiler.printer import (
    ATOM,
    NOT,
    PRODUCT,
    SHARE,
    SUM,
    common_multiple,
    parse_expr,
    precedence,
    print_expr,
)
from etsl.compiler.vocabulary import MEANINGS, RUNTIME_INPUTS, STEP_VALUES
from etsl.documents.i18n import N_, current
from etsl.documents.i18n import gettext as _
from etsl.documents.wording import (
    article,
    conjunctive,
    date_words,
    is_plural,
    is_proper,
    is_short_tons,
    label,
    listing,
    lowered,
    possessive,
    quantity_words,
    unit_words,
    value_words,
    vocab_words,
    whole_unit,
)

# Re-exported for the views that word units and literals.
__all__ = [
    "Lexicon",
    "Term",
    "condition",
    "formula_condition",
    "formula_phrase",
    "lexicon",
    "phrase",
    "range_phrase",
    "rule_sentence",
    "subject",
    "terms_used",
    "unit_words",
]


@dataclass(frozen=True, slots=True)
class Term:
    """What a name in a formula means: its kind, its words, its unit and description."""

    name: str
    kind: str  # input, param, table, rule, runtime, period, value, unit
    words: str
    unit: str = ""
    description: str | None = None
    market: bool = False  # one value for the whole market, not per participant


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The words for one scheme: who participates, and a phrase for every name."""

    participant: str | None
    terms: Mapping[str, Term]
    has_periods: bool = True
    by_year: bool = False  # its periods are kept by year: values are a year's


# ---- the lexicon --------------------------------------------------------------------------

_RUNTIME_WORDS = {
    "surrendered": N_("the eligible units it surrenders"),
    "carry_in": N_("the units carried in from the previous period"),
    "owed_in": N_("the make-good owed from the previous period"),
    "credits_left": N_("the credits it holds after surrendering"),
}


def _owned(name: str, market: bool) -> str:
    """`its base emissions`, or `the TNAC` for a market-wide value."""
    return (_("the {label}") if market else _("its {label}")).format(label=label(name))


def _table_words(dims: list[str], name: str) -> str:
    if dims == ["period"]:
        return _("the {label} for the period").format(label=label(name))
    return _owned(name, False)


def _market_names(model: SchemeModel) -> set[str]:
    """Market-wide values: inputs of a participant block other than the first, and rules
    that read such values (and constants) but nothing of a single participant."""
    if model.participant is None:
        return set()
    first = model.participant.name
    market = {i.name for i in model.participant.inputs if i.block not in (None, first)}
    market |= {r.name for r in model.rules if r.system}  # the system level
    own = {i.name for i in model.participant.inputs} - market | set(RUNTIME_INPUTS)
    rules = {r.name: set(r.depends_on) for r in model.rules}
    changed = bool(market)
    while changed:
        changed = False
        for name, reads in rules.items():
            individual = own | (set(rules) - market)
            if name not in market and reads & market and not reads & individual:
                market.add(name)
                changed = True
    return market


def lexicon(model: SchemeModel) -> Lexicon:
    """Words for every name a formula of `model` can use."""
    terms: dict[str, Term] = {}
    market = _market_names(model)
    for name, meaning in RUNTIME_INPUTS.items():
        terms[name] = Term(name, "runtime", _(_RUNTIME_WORDS[name]), "tCO2e", meaning)
    for period in model.periods:
        terms[period.name] = Term(period.name, "period", period_words(period), "", period.label)
    for unit in model.units:
        terms[unit.name] = Term(unit.name, "unit", label(unit.name), "", unit.description)
    for item in model.participant.inputs if model.participant else ():
        for value in item.values or ():
            terms[value] = Term(value, "value", value_words(value))
        choices = f"one of {', '.join(item.values)}" if item.values else None
        terms[item.name] = Term(
            item.name,
            "input",
            _owned(item.name, item.name in market),
            "" if item.values else item.unit or item.type,
            item.description or choices,
            item.name in market,
        )
    for param in model.params:
        terms[param.name] = Term(
            param.name,
            "param",
            _param_words(param.name, param.formula.text),
            written_unit(param.formula),
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
            _owned(rule.name, rule.name in market),
            rule.formula.unit,
            rule.description or MEANINGS.get(rule.name),
            rule.name in market,
        )
    for name in model.price_control_names():
        terms.setdefault(name, Term(name, "price", _price_control_words(name)))
    terms["period"] = Term("period", "period", _("the period"))
    for name, words in (
        ("year", _("the data year")),
        ("final_year", _("the year closes the period")),
    ):
        terms.setdefault(name, Term(name, "period", words, "", STEP_VALUES[name]))
    participant = model.participant.name if model.participant else None
    return Lexicon(
        label(participant) if participant else None,
        terms,
        bool(model.periods),
        any(p.by_year for p in model.periods),
    )


def _price_control_words(name: str) -> str:
    """A price control a formula reads (`round(ceiling)`): `the price ceiling` (価格上限)."""
    words = vocab_words(PRICE_CONTROLS, name) or label(name)
    return _("the {label}").format(label=lowered(words))


#: A period named by a word, not a number: `the period is the third phase`, not `… is third`.
_NAMED_PERIOD = {"phase": N_("the {label} phase"), "period": N_("the {label} period")}


def period_words(period: PeriodModel) -> str:
    """A period as a condition names it: `cycle 1`, `phase 2`, `CP1`; a period named by a
    word with its keyword: `the third phase`, `the first commitment period`."""
    words = label(period.name)
    if any(c.isdigit() for c in words) or words.endswith((" period", " phase")):
        return words
    return _(_NAMED_PERIOD[period.keyword]).format(label=words)


def system_lexicon(lex: Lexicon) -> Lexicon:
    """The words of a system value: its `year` is the year it is computed for, not a data
    row's year."""
    year = Term("year", "period", _("the year"), "", STEP_VALUES["year"])
    return replace(lex, terms={**lex.terms, "year": year})


def _param_words(name: str, text: str) -> str:
    """A parameter with its literal value shown: `the coverage threshold (1,500 kL …)`."""
    words = _("the {label}").format(label=label(name))
    try:
        value = parse_expr(text)
    except ValueError:
        return words
    if isinstance(value, ast.Quantity):
        shown = quantity_words(value.value, value.unit)
        return _("the {label} ({value})").format(label=label(name), value=shown)
    return words


# ---- expressions ----------------------------------------------------------------------------

_OPERATORS = {"+": "+", "-": "−", "*": "×", "/": "÷"}
_COMPARISONS = {
    ">=": (N_("{left} is at least {right}"), N_("{left} are at least {right}")),
    "<=": (N_("{left} is at most {right}"), N_("{left} are at most {right}")),
    ">": (N_("{left} is more than {right}"), N_("{left} are more than {right}")),
    "<": (N_("{left} is less than {right}"), N_("{left} are less than {right}")),
    "==": (N_("{left} is {right}"), N_("{left} are {right}")),
    "!=": (N_("{left} is not {right}"), N_("{left} are not {right}")),
}


#: Comparisons with a calendar year, worded as years ("2021 or later", 2021年以降).
_YEAR_COMPARISONS = {
    ">=": N_("{left} is {right} or later"),
    "<=": N_("{left} is {right} or earlier"),
    ">": N_("{left} is after {right}"),
    "<": N_("{left} is before {right}"),
}


#: A quantity of its own that is more than zero (`shortfall > 0 tCO2e`).
_HAS = N_("it has {thing}")

#: Both ends of a span of years: `year >= 2019 and year <= 2030` (2019年から2030年まで).
_YEAR_SPAN = N_("{left} is {low} to {high}")


def _year_span(e: ast.Logical) -> tuple[ast.Expr, ast.Expr, ast.Expr] | None:
    """(the year, from, to) when `e` bounds one year name on both sides with years."""
    if e.op != "and" or not (isinstance(e.left, ast.Compare) and isinstance(e.right, ast.Compare)):
        return None
    bounds = {c.op: c for c in (e.left, e.right)}
    low, high = bounds.get(">="), bounds.get("<=")
    if (
        low is None
        or high is None
        or not all(_is_year_name(c.left) and _is_year_literal(c.right) for c in (low, high))
    ):
        return None
    same = print_expr(low.left) == print_expr(high.left)  # nodes compare their spans too
    return (low.left, low.right, high.right) if same else None


def _is_year_name(expr: ast.Expr) -> bool:
    """The year, a compliance year, a holding's vintage: names whose values are years."""
    name = expr.name if isinstance(expr, (ast.Name, ast.Attribute)) else ""
    return name in ("year", "vintage") or name.endswith("_year")


def _is_year_literal(expr: ast.Expr) -> bool:
    return (
        isinstance(expr, ast.Quantity)
        and not expr.unit
        and expr.value == expr.value.to_integral_value()
        and 1800 <= expr.value <= 2200
    )


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
        return term.words if term else label(e.name)

    def attribute(self, e: ast.Attribute) -> str:
        if isinstance(e.base, ast.Name) and e.base.name in ("holding", "issuer"):
            owner = _("the holding") if e.base.name == "holding" else _("the issuer")
            return possessive(owner, label(e.name))
        return possessive(self.wrapped(e.base, ATOM), label(e.name))

    def quantity(self, e: ast.Quantity) -> str:
        return _("zero") if e.value == 0 else quantity_words(e.value, e.unit)

    def binary(self, e: ast.Binary) -> str:
        if e.op == "/" and _is_plain_number(e.left) and _is_plain_number(e.right):
            return f"{self.words(e.left)}/{self.words(e.right)}"
        level = precedence(e)
        return (
            f"{self.wrapped(e.left, level)} {_OPERATORS[e.op]} {self.wrapped(e.right, level + 1)}"
        )

    def compare(self, e: ast.Compare) -> str:
        owned = self.has(e)
        if owned is not None:
            return owned
        left = self.wrapped(e.left, SHARE)
        if e.op in _YEAR_COMPARISONS and _is_year_name(e.left) and _is_year_literal(e.right):
            return _(_YEAR_COMPARISONS[e.op]).format(left=left, right=self.words(e.right))
        singular, plural_form = _COMPARISONS[e.op]
        pattern = plural_form if is_plural(left) else singular
        return _(pattern).format(left=left, right=self.wrapped(e.right, SHARE))

    def has(self, e: ast.Compare) -> str | None:
        """`shortfall > 0 tCO2e` as a reader says it: `it has a shortfall` (不足量が0を超える),
        not `its shortfall is more than zero`."""
        zero = isinstance(e.right, ast.Quantity) and e.right.value == 0
        if e.op != ">" or not zero or not isinstance(e.left, ast.Name):
            return None
        left = self.words(e.left)
        if current() == "en" and not left.startswith("its "):
            return None
        noun = left.removeprefix("its ")
        thing = noun if is_plural(left) else article(noun)
        return _(_HAS).format(left=left, thing=thing)

    def logical(self, e: ast.Logical) -> str:
        span = _year_span(e)
        if span is not None:
            year, low, high = (self.words(x) for x in span)
            return _(_YEAR_SPAN).format(left=year, low=low, high=high)
        level = precedence(e)
        left, right = self.operand(e.left, level), self.operand(e.right, level + 1)
        if e.op == "and":
            return _("{left} and {right}").format(left=conjunctive(left), right=right)
        return _("{left} or {right}").format(left=left, right=right)

    def operand(self, e: ast.Expr, level: int) -> str:
        """An operand of `and`/`or`. In Japanese a yes-or-no value is a clause
        (「中小企業」が成り立つ): a bare noun cannot join the clause beside it. Nor can it in
        English: "its thermal input is more than 20 MW or “other annex 1 activity” holds"."""
        if isinstance(e, ast.Name) and (current() == "ja" or self.is_flag(e)):
            return self.condition(e)
        return self.wrapped(e, level)

    def negate(self, e: ast.Not) -> str:
        if isinstance(e.operand, ast.Name) and e.operand.name == "covered":
            return _("it is not covered")
        if isinstance(e.operand, ast.Member):
            return self.member(e.operand, negated=True)
        if isinstance(e.operand, ast.Name) and self.is_flag(e.operand):
            return _("“{label}” does not hold").format(label=label(e.operand.name))
        return _("not {value}").format(value=self.wrapped(e.operand, NOT))

    def member(self, e: ast.Member, negated: bool = False) -> str:
        values = [self.value(v) for v in e.values]
        operand = self.wrapped(e.operand, SHARE)
        if not negated:
            return _("{left} is {right}").format(left=operand, right=listing(values, "or"))
        if len(values) == 1:
            pattern = _("{left} is not {right}")
        elif len(values) == 2:
            pattern = _("{left} is neither {right}")
        else:
            pattern = _("{left} is none of {right}")
        shown = (
            _("{first} nor {second}").format(first=values[0], second=values[1])
            if len(values) == 2
            else ", ".join(values)
        )
        return pattern.format(left=operand, right=shown)

    def value(self, name: str) -> str:
        term = self.lex.terms.get(name)
        return term.words if term else value_words(name)

    def share(self, e: ast.ShareOf) -> str:
        return _("{share} of {whole}").format(
            share=self.wrapped(e.share, PRODUCT), whole=self.wrapped(e.whole, PRODUCT)
        )

    def branch(self, e: ast.If) -> str:
        return _("; ").join(
            _("{value} if {condition}").format(
                value=self.words(value), condition=self.condition(test)
            )
            if test is not None
            else _("otherwise {value}").format(value=self.words(value))
            for test, value in if_chain(e)
        )

    def condition(self, e: ast.Expr) -> str:
        if isinstance(e, ast.Name) and e.name == "covered":
            return _("it is covered")
        term = self.lex.terms.get(e.name) if isinstance(e, ast.Name) else None
        if term is not None and term.unit == "bool":
            return _("“{label}” holds").format(label=label(term.name))
        return self.words(e)

    def is_flag(self, e: ast.Expr) -> bool:
        """A yes-or-no input or rule named bare (`additional`, `exemption_requested`)."""
        term = self.lex.terms.get(e.name) if isinstance(e, ast.Name) else None
        return term is not None and term.unit == "bool"

    def call(self, e: ast.Call) -> str:
        special = _SPECIAL_CALLS.get(e.func)
        words = special(self, e.args) if special is not None else None
        if words is not None:
            return words
        if e.func not in BUILTINS:
            return f"{e.func}({', '.join(self.words(a) for a in e.args)})"
        return _PLACEHOLDER.sub(lambda m: self.placeholder(m, e.args), _wording(e))

    def placeholder(self, match: re.Match[str], args: tuple[ast.Expr, ...]) -> str:
        """One `{N:level}` or `{list:level}` of a built-in's wording (compiler/builtins.py)."""
        level = _LEVELS.get(match.group(2) or "")

        def render(arg: ast.Expr) -> str:
            return self.wrapped(arg, level) if level is not None else self.words(arg)

        if match.group(1) == "list":
            return listing([render(a) for a in args])
        return render(args[int(match.group(1))])


def if_chain(e: ast.If) -> list[tuple[ast.Expr | None, ast.Expr]]:
    """`if a then x else if b then y else z` as [(a, x), (b, y), (None, z)]."""
    chain: list[tuple[ast.Expr | None, ast.Expr]] = []
    current_expr: ast.Expr = e
    while isinstance(current_expr, ast.If):
        chain.append((current_expr.condition, current_expr.then))
        current_expr = current_expr.otherwise
    chain.append((None, current_expr))
    return chain


def _is_plain_number(e: ast.Expr) -> bool:
    return isinstance(e, ast.Quantity) and e.unit is None


def _is_zero(e: ast.Expr) -> bool:
    return isinstance(e, ast.Quantity) and e.value == 0


def _years(w: _Words, args: tuple[ast.Expr, ...]) -> str:
    target = args[0] if args else None
    if isinstance(target, ast.Name) and target.name != "period":
        return _("the years in period {name}").format(name=label(target.name))
    return _("the years in the period")


def _at_least_zero(w: _Words, args: tuple[ast.Expr, ...]) -> str | None:
    """`max(0, x)`: "x (but not less than zero)"."""
    if len(args) == 2 and _is_zero(args[0]):
        return _("{value} (but not less than zero)").format(value=w.wrapped(args[1], SUM))
    return None


def _wording(e: ast.Call) -> str:
    return _(BUILTINS[e.func].wording(len(e.args)))


_PLACEHOLDER = re.compile(r"\{(\d+|list)(?::(\w+))?\}")
_LEVELS = {"atom": ATOM, "product": PRODUCT, "sum": SUM}

#: Calls worded better than their registry template in particular forms (None: use it).
_SPECIAL_CALLS: dict[str, Callable[[_Words, tuple[ast.Expr, ...]], str | None]] = {
    "years": _years,
    "max": _at_least_zero,
}

_RENDERERS: dict[type, Callable[[_Words, Any], str]] = {
    ast.Quantity: _Words.quantity,
    ast.Bool: lambda w, e: _("true") if e.value else _("false"),
    ast.DateLit: lambda w, e: date_words(e.value),
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
    return _phrase(expr, _Words(lex), unit)


def _phrase(expr: ast.Expr, words: _Words, unit: str) -> str:
    if isinstance(expr, ast.If):
        return _("; ").join(
            _("if {condition}, {value}").format(
                condition=words.condition(test), value=_phrase(value, words, unit)
            )
            if test is not None
            else _("otherwise {value}").format(value=_phrase(value, words, unit))
            for test, value in if_chain(expr)
        )
    if isinstance(expr, ast.Call) and _to_whole_units(expr):
        pattern = _TO_WHOLE[expr.func]
        return _(pattern).format(value=words.words(expr.args[0]), whole=whole_unit(unit))
    return words.words(expr)


#: A top-level rounding to whole units, by rounding function.
_TO_WHOLE = {
    "floor": N_("{value}, rounded down to {whole}"),
    "ceil": N_("{value}, rounded up to {whole}"),
    "round": N_("{value}, rounded to {whole} (halves up)"),
}


def _to_whole_units(call: ast.Call) -> bool:
    """`floor(x)`, `ceil(x)`, `round(x)` or `round(x, 0)`: rounding to whole units."""
    places = call.args[1:]
    whole = not places or (isinstance(places[0], ast.Quantity) and places[0].value == 0)
    return call.func in _TO_WHOLE and len(call.args) <= 2 and whole


def condition(text: str, lex: Lexicon) -> str:
    """A boolean formula as a clause: `shortfall > 0` → `its shortfall is more than zero`."""
    expr = _parse(text)
    return _Words(lex).condition(expr) if expr is not None else text


# ---- sentences --------------------------------------------------------------------------


def subject(lex: Lexicon, name: str, market: bool = False, yearly: bool = False) -> str:
    """`Each facility's cap for a period`, `Japan's cap for a period`, `The TNAC`; a system
    value (`yearly`) is the market's for a year."""
    who = "market" if market or yearly or not lex.participant else "proper"
    if who != "market" and not is_proper(lex.participant or ""):
        who = "each"
    when = "year" if lex.by_year or yearly else "period" if lex.has_periods else ""
    pattern = _SUBJECTS[who, when]()
    return pattern.format(participant=lex.participant, name=label(name))


#: `subject` by whose value it is (the market's, a named participant's, each one's) and
#: for what stretch of time (a year of a period kept by year, a period, none).
_SUBJECTS: dict[tuple[str, str], Callable[[], str]] = {
    ("market", "year"): lambda: _("The {name} for a year"),
    ("market", "period"): lambda: _("The {name} for a period"),
    ("market", ""): lambda: _("The {name}"),
    ("proper", "year"): lambda: _("{participant}'s {name} for a year"),
    ("proper", "period"): lambda: _("{participant}'s {name} for a period"),
    ("proper", ""): lambda: _("{participant}'s {name}"),
    ("each", "year"): lambda: _("Each {participant}'s {name} for a year"),
    ("each", "period"): lambda: _("Each {participant}'s {name} for a period"),
    ("each", ""): lambda: _("Each {participant}'s {name}"),
}


def rule_sentence(rule: RuleModel, lex: Lexicon) -> str:
    """One rule in one sentence of plain language."""
    if rule.formula.unit == "bool":
        return _bool_sentence(rule, lex)
    term = lex.terms.get(rule.name)
    who = subject(lex, rule.name, bool(term and term.market), rule.system)
    if rule.system:
        lex = system_lexicon(lex)
    value = phrase(rule.formula.text, lex, rule.formula.unit)
    if isinstance(_parse(rule.formula.text), ast.If):
        return _("{subject}: {value}.").format(subject=who, value=value)
    return _("{subject} is {value}.").format(subject=who, value=value)


def _bool_sentence(rule: RuleModel, lex: Lexicon) -> str:
    who = lex.participant or _("participant")
    constant = rule.formula.text in ("true", "false")
    if rule.name == "covered":
        if constant and is_proper(who):
            pattern = (
                _("{participant} is covered.")
                if rule.formula.text == "true"
                else _("{participant} is not covered.")
            )
            return pattern.format(participant=who)
        if constant:
            pattern = (
                _("Every {participant} is covered.")
                if rule.formula.text == "true"
                else _("No {participant} is covered.")
            )
            return pattern.format(participant=who)
        someone = who if is_proper(who) else article(who)
        return _("{a_participant} is covered when {condition}.").format(
            a_participant=_capital(someone), condition=condition(rule.formula.text, lex)
        )
    name = _capital(label(rule.name))
    if constant:
        return _("“{label}” is always {value}.").format(
            label=name, value=_("true") if rule.formula.text == "true" else _("false")
        )
    return _("“{label}” holds when {condition}.").format(
        label=name, condition=condition(rule.formula.text, lex)
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if current() == "en" else text


#: An amount as a scheme writes it: a number and its unit (`82235598 short_tCO2`).
_AMOUNT = re.compile(r"^-?[\d_.]+ (\S+)$")


def written_unit(formula: Formula) -> str:
    """The unit a parameter is written in where readers must see it: short tons stay short
    tons (`82235598 short_tCO2`), although the model holds the amount in metric tonnes."""
    found = _AMOUNT.match(formula.text.strip())
    return found.group(1) if found and is_short_tons(found.group(1)) else formula.unit


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


def range_phrase(lower: Formula, upper: Formula, lex: Lexicon) -> str:
    """`fine from 5 * p * s up to 10 * p * s` → "5 to 10 times p × s" (ja 「p × sの5倍以上10倍
    以下」); other bounds → "A to B" (「A以上B以下」)."""
    multiple = common_multiple(lower.text, upper.text)
    if multiple is None:
        return _("{lower} to {upper}").format(
            lower=phrase(lower.text, lex, lower.unit), upper=phrase(upper.text, lex, upper.unit)
        )
    low, high, value = multiple
    return _("{low} to {high} times {value}").format(
        low=phrase(low, lex), high=phrase(high, lex), value=phrase(value, lex, upper.unit)
    )


def formula_condition(formula: Formula | None, lex: Lexicon) -> str | None:
    """A condition in words, or None when there is none."""
    return condition(formula.text, lex) if formula is not None else None
