"""Numbers the linkage checks compare: cap decline rates and reduction factors over time,
per-tonne fines and price levels, each with the evidence it was read from.

    >>> from datetime import date
    >>> from etsl.linkage.timing import Window
    >>> [(r.value, r.when) for r in decline(eu_ets, Window(date(2020, 1, 1))).rates]
    [(Decimal('0.0174'), 'phase3'), (Decimal('0.022'), 'phase4'), ...]

Kinds come from the vocabularies (compiler/enums.py: a price control's kind says whether it
is a floor or a ceiling); values come from `etsl.linkage.reading`, which reads formulas for
a known period and never guesses what data would decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from etsl.compiler import ast
from etsl.compiler.enums import PRICE_CONTROLS
from etsl.compiler.model import (
    ConsequenceModel,
    PenaltyModel,
    PeriodModel,
    PriceMeasureModel,
    PriceModel,
    RuleModel,
    SchemeModel,
    TableModel,
)
from etsl.compiler.numbers import round_half_up
from etsl.compiler.printer import print_expr
from etsl.compiler.units import UnknownUnit, dims_name, parse_unit
from etsl.linkage.facts import NOT_STATED, Evidence, evidence, number
from etsl.linkage.reading import Case, Reader, literal, parsed
from etsl.linkage.said import Code, Listing, Said, Term, Value, template
from etsl.linkage.timing import ALWAYS, Window, periods_in
from etsl.linkage.worded import CONSEQUENCE_WORDS, formula_words, price_words, vocabulary_words


def percent(value: Decimal) -> str:
    return f"{number(value * 100)} %"


# ---- cap decline and reduction factors ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    """A value that applies `when` (a period's name, or the condition that selects it);
    `words` says the same for readers (periods by name, conditions as scheme text)."""

    value: Decimal
    when: str
    words: Listing = Listing(())


_WHEN = template("rate-when", "when {condition}")
_FROM_YEAR = template("rate-from-year", "from {year}")
_YEAR_FROM = re.compile(r"(?:compliance_)?year >= (\d{4})")


@dataclass(frozen=True, slots=True)
class Trajectory:
    """The values a scheme's stringency parameter takes over the periods analysed."""

    name: str
    rates: tuple[Rate, ...]
    evidence: Evidence

    def values(self) -> set[Decimal]:
        return {r.value for r in self.rates}

    def words(self) -> Listing | str:
        """'1.74 % (phase3), 2.2 % (phase4) or 4.3 % (when year >= 2024)'."""
        if len(self.values()) == 1:
            return percent(self.rates[0].value)
        return Listing(tuple(_applying(percent(r.value), r.words) for r in self.rates), "or")


_DECLINE = re.compile(
    r"(^|_)(lrf|linear_reduction_factor|annual_reduction_rate|cap_decline(_rate)?)$"
)


def _decline_item(m: SchemeModel) -> tuple[str, object, str] | None:
    """The rule, parameter or by-period table that states the annual cap decline (a
    plain number named like `lrf`): rules first, as they may select among the others."""
    for kind, items in (("rules", m.rules), ("params", m.params), ("tables", m.tables)):
        for item in items:
            unit = item.unit if isinstance(item, TableModel) else item.formula.unit
            if _DECLINE.search(item.name) and unit == "":
                return item.name, item, f"{kind}[{item.name}]"
    return None


def decline(m: SchemeModel, window: Window = ALWAYS) -> Trajectory | None:
    """The annual cap decline rates of the scheme's periods within the window."""
    found = _decline_item(m)
    if found is None:
        return None
    name, item, field = found
    rates = _rates(m, name, periods_in(m, window))
    if not rates:
        return None
    shown = Trajectory(name, rates, evidence(m, field, NOT_STATED)).words()
    return Trajectory(
        name, rates, evidence(m, field, _NAMED(name=Term(name, False), value=shown), item)
    )


_NAMED = template("evidence-named-value", "{name}: {value}")


def _rates(m: SchemeModel, name: str, periods: list[PeriodModel]) -> tuple[Rate, ...]:
    """Each value with when it applies: values of a whole period first (in period order),
    then values a condition selects, earliest condition first."""
    plain: dict[Decimal, list[tuple[str, Value]]] = {}
    conditional: dict[Decimal, list[tuple[str, Value]]] = {}
    names: list[str | None] = [p.name for p in periods] or [None]
    for period in names:
        period_name = period or ""
        cases = Reader(m, period).cases(name)
        if not cases:
            return ()
        for case in cases:
            if isinstance(case.value, Decimal):
                target = conditional if case.when else plain
                label = _when_label(case.when, period_name)
                whens = target.setdefault(case.value, [])
                whens.extend([label] if label not in whens else [])
    ordered = list(plain.items()) + list(reversed(conditional.items()))
    return tuple(_rate(value, [w for w in whens if w[0]]) for value, whens in ordered)


def _when_label(conditions: tuple[str, ...], period: str) -> tuple[str, Value]:
    """When a value applies, as text and as words: the condition that selects it, else the
    period's name."""
    if conditions:
        condition = " and ".join(conditions)
        since = _YEAR_FROM.fullmatch(condition)
        words = _FROM_YEAR(year=since[1]) if since else _WHEN(condition=Code(condition))
        return f"when {condition}", words
    return period, Term(period, quoted=False)


def _rate(value: Decimal, whens: list[tuple[str, Value]]) -> Rate:
    text = ", ".join(w for w, _ in whens)
    return Rate(value, text, Listing(tuple(words for _, words in whens), "comma"))


@dataclass(frozen=True, slots=True)
class Factors:
    """The reduction below base emissions (the F of a cap `… × (1 − F)`) in one period."""

    period: PeriodModel
    cases: tuple[Case, ...]
    evidence: Evidence

    def by_key(self) -> dict[tuple[str, ...], Decimal]:
        return {c.when: c.value for c in self.cases if isinstance(c.value, Decimal)}

    def words(self) -> Listing:
        """'27 % (office), 25 % (factory)'."""
        shown = [
            _applying(percent(c.value), Listing(tuple(Term(w, quoted=False) for w in c.when)))
            for c in self.cases
            if isinstance(c.value, Decimal)
        ]
        return Listing(tuple(shown), "comma")


_APPLYING = template("value-applying", "{value} ({when})")


def _applying(value: str, when: str | Listing) -> Said | str:
    """A value with when it applies: '4.3 % (phase4)'; the value alone when always."""
    return (
        _APPLYING(value=value, when=when)
        if when and (not isinstance(when, Listing) or when.items)
        else value
    )


def _reduction_term(rule: RuleModel) -> ast.Expr | None:
    """F in a cap written `… (1 − F) …`: the share of base emissions to be reduced."""
    expr = parsed(rule.formula.text)
    for node in ast.walk(expr) if expr is not None else ():
        if (
            isinstance(node, ast.Binary)
            and node.op == "-"
            and isinstance(node.left, ast.Quantity)
            and node.left.value == 1
            and node.left.unit is None
        ):
            return node.right
    return None


def reduction_factors(m: SchemeModel, window: Window = ALWAYS) -> list[Factors]:
    """The cap's reduction factors in each period within the window, where the cap (or
    target) is written as base emissions times (1 − factor) and the factor can be read."""
    rule = next((r for r in m.rules if r.name in ("cap", "target") and not r.default), None)
    term = _reduction_term(rule) if rule else None
    declining = _decline_item(m)
    if rule is None or term is None or (declining and print_expr(term) == declining[0]):
        return []
    text = print_expr(term)
    item = next((t for t in m.tables if t.name == text), None) or rule
    found = []
    for period in periods_in(m, window):
        cases = Reader(m, period.name).cases(text)
        if cases and all(isinstance(c.value, Decimal) for c in cases):
            field = f"{rule.name}: 1 - {text}"
            plain = Factors(period, tuple(cases), evidence(m, field, NOT_STATED))
            shown = _NAMED(name=Term(period.name, False), value=plain.words())
            found.append(Factors(period, tuple(cases), evidence(m, field, shown, item)))
    return found


# ---- penalties ---------------------------------------------------------------------------------


def consequences(m: SchemeModel) -> list[tuple[PenaltyModel, ConsequenceModel]]:
    return [(p, q) for p in m.penalties for q in p.consequences]


_PER_TONNE = re.compile(r"^([A-Z]{3})/tCO2e$")
_TIMES_SHORTFALL = re.compile(r"^(?:(?P<left>[^*]+?) \* shortfall|shortfall \* (?P<right>[^*]+))$")
_LITERAL_RATE = re.compile(r"^(\d[\d_]*(?:\.\d+)?) ([A-Z]{3}/[A-Za-z_0-9]+)$")
_WORD = re.compile(r"^[A-Za-z_]\w*$")


def latest_entry(m: SchemeModel, table: TableModel) -> tuple[str, str] | None:
    """(period, cell) of a by-period table for the scheme's last period ('*' if not listed)."""
    if table.dims != ["period"] or not m.periods:
        return None
    last = m.periods[-1].name
    for key in (last, "*"):
        if key in table.entries:
            return last, table.entries[key]
    return None


def _rate_in(m: SchemeModel, text: str) -> tuple[Decimal, str] | None:
    """The rate of a fine written `RATE * shortfall` (RATE a literal, parameter or table)."""
    match = _TIMES_SHORTFALL.match(text.strip())
    rate = (match["left"] or match["right"]).strip() if match else ""
    written = _LITERAL_RATE.match(rate)
    if written:
        value = literal(rate)
        currency = _PER_TONNE.match(unit_name(written[2]))
        return (value, currency[1]) if value is not None and currency else None
    return _named_rate(m, rate) if _WORD.match(rate) else None


def unit_name(unit: str) -> str:
    """The canonical name of a unit's dimensions (`USD/short_tCO2` → 'USD/tCO2e')."""
    try:
        return str(dims_name(parse_unit(unit).dims))
    except UnknownUnit:
        return ""


def _named_rate(m: SchemeModel, name: str) -> tuple[Decimal, str] | None:
    param = next((p for p in m.params if p.name == name), None)
    currency = _PER_TONNE.match(param.formula.unit) if param else None
    if param and currency and param.formula.constant:
        return Decimal(param.formula.constant), currency[1]
    table = next((t for t in m.tables if t.name == name), None)
    currency = _PER_TONNE.match(table.unit) if table else None
    entry = latest_entry(m, table) if table and currency else None
    value = literal(entry[1]) if entry else None
    return (value, currency[1]) if value is not None and currency else None


@dataclass(frozen=True)
class FineLevel:
    """A fine per tonne of shortfall in base units of `CUR/tCO2e`: one rate (`fine RATE *
    shortfall`, low = high) or a range (`fine from LOW * shortfall up to HIGH * shortfall`)."""

    low: Decimal
    high: Decimal
    currency: str
    evidence: Evidence


def fine_per_tonne(m: SchemeModel) -> FineLevel | None:
    """The per-tonne fine (latest period) with its evidence."""
    for penalty, q in consequences(m):
        found = _fine_rates(m, q) if q.kind == "fine" else None
        if found:
            field = f"penalties[{penalty.name or ''}].fine"
            said = evidence(m, field, _consequence_words(m, q), q)
            return FineLevel(found[0][0], found[1][0], found[0][1], said)
    return None


def _fine_rates(
    m: SchemeModel, q: ConsequenceModel
) -> tuple[tuple[Decimal, str], tuple[Decimal, str]] | None:
    """The lowest and highest rate of a fine per tonne, each with its currency."""
    if q.amount:
        rate = _rate_in(m, q.amount.text)
        return (rate, rate) if rate else None
    if not (q.lower and q.limit):
        return None
    low, high = _rate_in(m, q.lower.text), _rate_in(m, q.limit.text)
    return (low, high) if low and high and low[1] == high[1] else None


def fines(m: SchemeModel) -> list[Evidence]:
    return [
        evidence(m, f"penalties[{p.name or ''}].fine", _consequence_words(m, q), q)
        for p, q in consequences(m)
        if q.kind == "fine"
    ]


_CONSEQUENCE = template("evidence-consequence", "{kind}: {amount}")
_CONSEQUENCE_UP_TO = template("evidence-consequence-up-to", "{kind}: {amount}, up to {limit}")
_CONSEQUENCE_RANGE = template("evidence-consequence-range", "{kind}: from {lower} up to {limit}")


def _consequence_words(m: SchemeModel, q: ConsequenceModel) -> Said:
    """A consequence by its description, else its amount and limit in words."""
    kind = vocabulary_words(CONSEQUENCE_WORDS, [q.kind])
    amount: Value = q.description or (formula_words(m, q.amount.text) if q.amount else "")
    if q.lower and q.limit and not q.description:
        lower, limit = formula_words(m, q.lower.text), formula_words(m, q.limit.text)
        return _CONSEQUENCE_RANGE(kind=kind, lower=lower, limit=limit)
    if q.limit and not q.description:
        return _CONSEQUENCE_UP_TO(kind=kind, amount=amount, limit=formula_words(m, q.limit.text))
    return _CONSEQUENCE(kind=kind, amount=amount)


_PENALTY_NONE = template("evidence-penalty-none", "declared none")


def penalty_evidence(m: SchemeModel) -> Evidence:
    kinds = [q.kind for _, q in consequences(m)]
    value = (
        vocabulary_words(CONSEQUENCE_WORDS, kinds)
        if kinds
        else (_PENALTY_NONE() if m.penalties else NOT_STATED)
    )
    first = m.penalties[0] if m.penalties else None
    return evidence(m, "penalties", value, first)


# ---- price controls -------------------------------------------------------------------------


def price_kind(price: PriceModel) -> str:
    """floor, ceiling, supply or reference (compiler/enums.py), `other` when unknown."""
    return PRICE_CONTROLS.kind(price.name) or "other"


def prices(m: SchemeModel, kind: str) -> list[PriceModel]:
    return [p for p in m.price_controls if price_kind(p) == kind]


def price_evidence(m: SchemeModel, price: PriceModel) -> Evidence:
    """A price control in words: its kind, value, start and rise."""
    words = price_words(m, price, control_words(price))
    return evidence(m, f"price_controls[{price.name}]", words, price)


def controls(m: SchemeModel, kind: str) -> list[tuple[str, Evidence]]:
    """The scheme's price controls of a kind, with or without a level, and their evidence."""
    measured = [x for x in m.price_measures if PRICE_CONTROLS.kind(x.name) == kind]
    return [(p.name, price_evidence(m, p)) for p in prices(m, kind)] + [
        (x.name, measure_evidence(m, x)) for x in measured
    ]


def measure_evidence(m: SchemeModel, measure: PriceMeasureModel) -> Evidence:
    """A price control stated without a level, in words: its kind and description."""
    words = _MEASURE(control=control_words(measure), description=measure.description)
    return evidence(m, f"price_controls[{measure.name}]", words, measure)


_MEASURE = template("price-measure", "{control}, its level not stated: {description}")


def control_words(price: PriceModel | PriceMeasureModel) -> Value:
    """A price control's name in words ('price ceiling'), its term when not in the vocabulary."""
    control = CONTROL_WORDS.get(price.name)
    return control() if control else Term(price.name, quoted=False)


@dataclass(frozen=True, slots=True)
class Level:
    """A price floor or ceiling as an amount per tonne of CO2e in one currency."""

    price: PriceModel
    value: Decimal
    currency: str
    evidence: Evidence

    def words(self) -> Said:
        """'65 USD/t CO2e (price ceiling from 2021, rising 5 % plus inflation)'."""
        price = self.price
        amount = f"{number(round_half_up(self.value, 2))} {self.currency}/t CO2e"
        named = control_words(price)
        since = _SINCE(control=named, year=str(price.from_year)) if price.from_year else named
        if not price.rising:
            return _LEVEL(amount=amount, control=since)
        plus = price.rising_plus.upper() if price.rising_plus else ""  # an index: CPI
        rising = price.rising.text + (f" plus {plus}" if plus else "")
        return _LEVEL_RISING(amount=amount, control=since, rising=rising)


#: A price control's words in running text ('price ceiling'), from the vocabulary.
CONTROL_WORDS = {
    c.value: template(f"price-control-{c.value}", c.words[:1].lower() + c.words[1:])
    for c in PRICE_CONTROLS.choices
}
_SINCE = template("price-control-since", "{control} from {year}")
_LEVEL = template("price-level", "{amount} ({control})")
_LEVEL_RISING = template("price-level-rising", "{amount} ({control}, rising {rising})")


def levels(m: SchemeModel, kind: str) -> list[Level]:
    """The scheme's price controls of a kind that are prices per tonne (not volumes or
    shares), in base units (a price per short ton is converted to one per tonne)."""
    found = []
    for price in prices(m, kind):
        currency = _PER_TONNE.match(price.value.unit)
        value = Decimal(price.value.constant) if price.value.constant else None
        if currency and value is not None:
            found.append(Level(price, value, currency[1], price_evidence(m, price)))
    return found


def binding(found: Iterable[Level], kind: str) -> Level | None:
    """The level that binds the market: the highest floor, or the lowest ceiling."""
    ordered = sorted(found, key=lambda level: level.value, reverse=kind == "floor")
    return ordered[0] if ordered else None


# ---- other model facts -------------------------------------------------------------------------


def mandatory_absolute(m: SchemeModel) -> bool:
    """Mandatory, and every cap it declares is absolute (the EU Art. 25 test)."""
    return m.meta_value("participation") == "mandatory" and m.meta_values("cap_type") == [
        "absolute"
    ]


def allows(mode: str | None) -> bool:
    return mode not in (None, "none")


def uses_short_tons(m: SchemeModel) -> bool:
    texts = [i.unit or "" for i in (m.participant.inputs if m.participant else [])]
    texts += [p.value.text for p in m.price_controls] + [p.formula.text for p in m.params]
    texts += [r.formula.text for r in m.rules] + [c for t in m.tables for c in t.entries.values()]
    texts += [s.limit.text for s in m.surrender if s.limit]
    return any("short_t" in text for text in texts)
