"""What a scheme declares, in words, for the evidence of a finding: units and names as
terms, amounts with readable units, formulas by the description the scheme gives them.

    >>> accept_words(california, california.surrender[0]).text()
    'accepts CCA'
    >>> print(limit_words(california, "offset_limit").text())  # doctest: +ELLIPSIS
    offset_limit (Most offset credits the entity may surrender for one obligation ...)
    >>> print(formula_words(tokyo_cat, "floor(required_reduction / 3)").text())
    ... # doctest: +ELLIPSIS
    required_reduction (Reduction the facility must achieve ...) divided by 3, rounded down
    >>> quantity_words("6 USD/short_tCO2"), quantity_words("2.2 %")
    ('6 USD/short ton CO2', '2.2 %')

Evidence quotes a scheme, so it must read like the scheme's own words, not its syntax: a
reader of the linkage page sees 'accepts ARBOC, sector based up to the quantitative usage
limit (…)', never `accept ARBOC, sector_based up to offset_limit`. A formula the scheme
does not describe is shown as written (`Code`), the one place scheme text remains.
"""

from __future__ import annotations

import re

from etsl.compiler import ast
from etsl.compiler.enums import (
    ALLOCATION_METHODS,
    BANK_MODES,
    CALENDARS,
    CAP_TYPES,
    CONSEQUENCE_KINDS,
    LINK_DIRECTIONS,
    LINK_STATUSES,
    PARTICIPATION,
    SCOPES,
    STATUSES,
    Vocabulary,
)
from etsl.compiler.model import (
    LinkModel,
    ParamModel,
    PriceModel,
    RuleModel,
    SchemeModel,
    SurrenderModel,
    TableModel,
)
from etsl.compiler.printer import print_expr
from etsl.linkage.reading import parsed
from etsl.linkage.said import Code, Listing, Said, Scheme, Template, Term, Value, template, terms

_LITERAL = re.compile(r"^-?\d[\d_]*(?:\.\d+)? [^\s*/+()-][^\s*+()]*$|^-?\d[\d_]*(?:\.\d+)?$")
#: Units as readers write them (the rest of a unit is already words: USD, EUR, %).
_UNIT_WORDS = (("short_tCO2e", "short ton CO2e"), ("short_tCO2", "short ton CO2"))
_TONNES = re.compile(r"\bt(CO2e?)\b")


def quantity_words(text: str) -> str:
    """A literal amount with its unit in words (`10 USD/tCO2e` → '10 USD/t CO2e')."""
    for written, words in _UNIT_WORDS:
        text = text.replace(written, words)
    return _TONNES.sub(r"t \1", text.replace("_", ""))


def formula_words(m: SchemeModel, text: str) -> Value:
    """A formula in words: a literal amount, a value the scheme names and describes (by its
    name and description), else what it is computed from."""
    if _LITERAL.match(text):
        return quantity_words(text)
    if re.fullmatch(r"[A-Za-z_]\w*", text):
        return limit_words(m, text)
    expr = parsed(text)
    shown = _expr_words(m, expr) if expr is not None else None
    if shown is not None:
        return shown
    names = read_names(text)
    return _COMPUTED(names=terms(names, "and")) if names else Code(text)


_SHARE_OF = template("evidence-share-of", "{share} of {whole}")
_DIVIDED = template("evidence-divided", "{amount} divided by {divisor}")
_ROUNDED = {
    "floor": template("evidence-rounded-down", "{amount}, rounded down"),
    "ceil": template("evidence-rounded-up", "{amount}, rounded up"),
    "round": template("evidence-rounded", "{amount}, rounded"),
}


def _expr_words(m: SchemeModel, e: ast.Expr) -> Value | None:
    """Simple formulas in words: '5 % of obligation, rounded down', 'required reduction
    divided by 3' (None for any other formula)."""
    if isinstance(e, ast.Call) and e.func in _ROUNDED and len(e.args) == 1:
        inner = _expr_words(m, e.args[0])
        return _ROUNDED[e.func](amount=inner) if inner is not None else None
    if isinstance(e, ast.ShareOf) and isinstance(e.share, ast.Quantity):
        return _share_of(m, e.share, e.whole)
    if isinstance(e, ast.Binary) and e.op == "/" and isinstance(e.right, ast.Quantity):
        return _divided(m, e.left, e.right)
    return None


def _share_of(m: SchemeModel, share: ast.Quantity, whole: ast.Expr) -> Value | None:
    if not isinstance(whole, ast.Name):
        return None
    return _SHARE_OF(share=quantity_words(print_expr(share)), whole=limit_words(m, whole.name))


def _divided(m: SchemeModel, left: ast.Expr, right: ast.Quantity) -> Value | None:
    if not isinstance(left, ast.Name):
        return None
    return _DIVIDED(amount=limit_words(m, left.name), divisor=quantity_words(print_expr(right)))


_COMPUTED = template("evidence-computed", "an amount computed from {names}")
_CONDITIONS = template("evidence-conditions-on", "conditions on {names}")


def read_names(text: str) -> list[str]:
    """The values a formula reads, in order (`holding.project_type` as `project_type`)."""
    expr = parsed(text)
    found = [
        node.name
        for node in (ast.walk(expr) if expr is not None else ())
        if isinstance(node, ast.Name | ast.Attribute) and node.name not in _SUBJECTS
    ]
    return list(dict.fromkeys(found))


#: The records a filter reads attributes of, which are not themselves conditions.
_SUBJECTS = frozenset({"holding", "issuer"})


def condition_words(text: str) -> Value:
    """A filter in words: what it reads ('conditions on the period and the project type')."""
    names = read_names(text)
    return _CONDITIONS(names=terms(names, "and")) if names else Code(text)


_NAMED = template("evidence-named", "{name} ({description})")


def limit_words(m: SchemeModel, name: str) -> Value:
    """A value the scheme names: its term, with the scheme's description of it."""
    items: list[ParamModel | RuleModel | TableModel] = [*m.params, *m.rules, *m.tables]
    described = next((i.description for i in items if i.name == name and i.description), None)
    return (
        _NAMED(name=Term(name, quoted=False), description=described)
        if described
        else Term(name, quoted=False)
    )


ACCEPTS = template("evidence-accepts", "accepts {units}")
_LIMITED = template("evidence-limited", "{units} up to {limit}")
_UP_TO = template("evidence-up-to", "{clause} up to {limit}")
_WHERE = template("evidence-where", "{clause}, under a condition: {condition}")


def accept_words(m: SchemeModel, item: SurrenderModel) -> Said:
    """An accept clause: 'accepts CER, ERU up to … , under a condition: …'."""
    said = ACCEPTS(units=terms(item.units))
    if item.limit:
        said = _UP_TO(clause=said, limit=_limit(m, item))
    if item.where:
        said = _WHERE(clause=said, condition=item.description or condition_words(item.where.text))
    return said


def limited_words(m: SchemeModel, item: SurrenderModel) -> Said:
    """A limit clause: 'ARBOC, QC offset up to …'."""
    return _LIMITED(units=terms(item.units), limit=_limit(m, item))


_DESCRIBED_LIMIT = template("evidence-described-limit", "a limit ({description})")


def _computed(words: Value) -> bool:
    return isinstance(words, Code) or (isinstance(words, Said) and words.id == _COMPUTED.id)


def _limit(m: SchemeModel, item: SurrenderModel) -> Value:
    """A clause's limit in words, by the clause's description when the formula has none."""
    words = formula_words(m, item.limit.text) if item.limit else ""
    if not isinstance(words, str) and item.description and _computed(words):
        return _DESCRIBED_LIMIT(description=item.description)
    return words


_LINK = template("evidence-link", "link to {target} ({direction})")
_LINK_STATUS = template("evidence-link-status", "{link} ({status})")
_LINK_SINCE = template("evidence-link-since", "{link} from {date}")
_LINK_UNTIL = template("evidence-link-until", "{link} until {date}")
_LINK_FOR = template("evidence-link-for", "{link}, for {units}")


def link_words(link: LinkModel) -> Said:
    """A link declaration: 'two-way link to Québec from 2014-01-01, for QCA, CCA'."""
    direction = vocabulary_words(DIRECTION_WORDS, [link.direction])
    said = _LINK(direction=direction, target=Scheme(link.target))
    if link.status:
        said = _LINK_STATUS(link=said, status=vocabulary_words(STATUS_WORDS, [link.status]))
    if link.since:
        said = _LINK_SINCE(link=said, date=link.since)
    if link.until:
        said = _LINK_UNTIL(link=said, date=link.until)
    return _LINK_FOR(link=said, units=terms(link.units)) if link.units else said


_PRICE = template("evidence-price", "{control}: {value}")
_PRICE_FROM = template("evidence-price-from", "{price} from {year}")
_PRICE_RISING = template("evidence-price-rising", "{price}, rising {rate} a year")
_PRICE_PLUS = template("evidence-price-plus", "{price}, rising {rate} a year plus {index}")


def price_words(m: SchemeModel, price: PriceModel, control: Value) -> Said:
    """A price control: 'auction reserve price: 10 USD/t CO2e from 2012, rising 5 % a year
    plus the rate of inflation'."""
    said = _PRICE(control=control, value=formula_words(m, price.value.text))
    if price.from_year:
        said = _PRICE_FROM(price=said, year=str(price.from_year))
    if price.rising and price.rising_plus:
        index = _input_words(m, price.rising_plus)
        return _PRICE_PLUS(price=said, rate=formula_words(m, price.rising.text), index=index)
    if price.rising:
        return _PRICE_RISING(price=said, rate=formula_words(m, price.rising.text))
    return said


def _input_words(m: SchemeModel, name: str) -> Value:
    """A system or participant input by its description (its term if it has none)."""
    inputs = [*(m.participant.inputs if m.participant else [])]
    found = next((i for i in inputs if i.name == name and i.description), None)
    if found is None or not found.description:
        return Term(name, quoted=False)
    head = re.split("[:：]", found.description)[0]  # a translated description's colon too
    return head[:1].lower() + head[1:] if head[1:2].islower() else head


def _words(vocabulary: Vocabulary) -> dict[str, Template]:
    """A vocabulary's words in running text, one message per value."""
    prefix = vocabulary.name.replace(" ", "-")
    return {
        c.value: template(f"word-{prefix}-{c.value}", c.words[:1].lower() + c.words[1:])
        for c in vocabulary.choices
    }


#: Banking and borrowing modes, link directions and statuses, consequences: in words.
MODE_WORDS = _words(BANK_MODES)
DIRECTION_WORDS = _words(LINK_DIRECTIONS)
STATUS_WORDS = _words(LINK_STATUSES)
CONSEQUENCE_WORDS = _words(CONSEQUENCE_KINDS)
ALLOCATION_WORDS = _words(ALLOCATION_METHODS)
CALENDAR_WORDS = _words(CALENDARS)
SCOPE_WORDS = _words(SCOPES)
#: Summary facts (`meta`) whose values are words of a vocabulary.
META_WORDS = {
    "participation": _words(PARTICIPATION),
    "cap_type": _words(CAP_TYPES),
    "status": _words(STATUSES),
}


def vocabulary_words(words: dict[str, Template], values: list[str]) -> Listing:
    """Declared values in words ('allowed, without time limit'); terms when unknown."""
    return Listing(
        tuple(words[v]() if v in words else Term(v, quoted=False) for v in values), "comma"
    )
