"""Price controls (kinds from compiler/enums.py), their levels in a common currency, banking
and borrowing. A kind of price control is compared only where both sides state it: declared,
or declared none (a scheme that lists its price controls has none of a kind it does not list,
unless it says `price ceiling not_stated`); "has none" is said only of a side that has none."""

from __future__ import annotations

from decimal import Decimal

from etsl.compiler import codes
from etsl.compiler.features import PRICE_KINDS
from etsl.compiler.model import SchemeModel
from etsl.compiler.numbers import round_half_up
from etsl.linkage.amounts import (
    CONTROL_WORDS,
    Level,
    allows,
    binding,
    controls,
    levels,
)
from etsl.linkage.checks.penalties import RATE_HOW_TO
from etsl.linkage.checks.registry import GOERS, ICAP_GUIDE, PMR_HANDBOOK, check
from etsl.linkage.facts import (
    DECLARED_NONE,
    Evidence,
    Hit,
    Pair,
    Rates,
    Statement,
    evidence,
    kind_evidence,
    kind_states,
    number,
    states,
)
from etsl.linkage.flows import allowances_crossing
from etsl.linkage.said import Said, Scheme, Term, template, terms
from etsl.linkage.worded import MODE_WORDS, quantity_words, vocabulary_words


def _reaches(source: SchemeModel, target: SchemeModel) -> bool:
    """Whether a price control of `source` acts on `target`: its allowances cross."""
    return bool(allowances_crossing(source, target))


_CEILING = template(
    "price-ceiling-unilateral",
    "{a} has a price ceiling {price} and {b}, which states its price controls, has none: the "
    "ceiling also caps the price in {b}",
)
_FLOOR = template(
    "price-floor-unilateral",
    "{a} has a price floor {price} and {b}, which states its price controls, has none: the "
    "floor transmits to the linked market",
)
_LEVELS = {
    "floor": template(
        "price-floors-differ",
        "the price floors differ: {a} {level_a}, {b} {level_b}; in the linked market the floor "
        "of {binds} binds both sides",
    ),
    "ceiling": template(
        "price-ceilings-differ",
        "the price ceilings differ: {a} {level_a}, {b} {level_b}; in the linked market the "
        "ceiling of {binds} binds both sides",
    ),
}
_ABOUT = template("price-level-about", "{level}, about {converted}")
_NEEDS_RATE = {
    "floor": template(
        "price-floors-need-rate",
        "the price floors are in {ca} and {cb}: an exchange rate between them is needed to "
        "compare them",
    ),
    "ceiling": template(
        "price-ceilings-need-rate",
        "the price ceilings are in {ca} and {cb}: an exchange rate between them is needed to "
        "compare them",
    ),
}
_SUPPLY = template(
    "supply-adjustment-unilateral",
    "{a} adjusts supply ({controls}); {b}, which states its price controls, has no such mechanism",
)
_BORROWING = template(
    "borrowing-unilateral", "{a} allows borrowing ({mode}); {b} declares that it does not"
)
_BORROWING_DURING = template(
    "borrowing-unilateral-during",
    "{a} allows borrowing in {periods} ({mode}); {b} declares that it does not",
)
_BANKING = template("banking-differs", "banking is {mode_a} in {a} and {mode_b} in {b}")


def _none_of(m: SchemeModel, kind: str) -> Evidence:
    """Evidence that `m` has none of a kind, at its `price KIND none` where it says so."""
    controls = terms(m.price_control_names())
    said = m.price_kinds.get(_KINDS[kind])
    return evidence(m, "price_controls", NONE_OF[kind](controls=controls), said)


def _has_none(m: SchemeModel, kind: str) -> bool:
    return kind_states(m, kind) is Statement.NONE


_KINDS = {"ceiling": "ceiling", "floor": "floor", "supply adjustment": "supply"}


#: Evidence that a scheme has price controls, but none of a kind.
NONE_OF = {
    "ceiling": template("evidence-no-ceiling", "{controls} (no ceiling)"),
    "floor": template("evidence-no-floor", "{controls} (no floor)"),
    "supply adjustment": template("evidence-no-supply", "{controls} (no supply adjustment)"),
}


@check(
    codes.PRICE_CEILING_UNILATERAL,
    "warning",
    rationale="""A price ceiling (or cost-containment reserve) on one side releases units at
       the ceiling price, and where those units cross the link it caps the price on the other
       side too. Goers and Pflüglmayer list price caps among the features that exclude EU
       linking. A side that states no price controls is not compared.""",
    sources=(GOERS, ICAP_GUIDE, PMR_HANDBOOK),
    example="`california` declares `price ceiling 65 USD/tCO2e`; `rggi` declares price "
    "controls but no ceiling.",
    both_ways=True,
)
def price_ceiling_unilateral(p: Pair) -> list[Hit]:
    if not _has_none(p.b, "ceiling") or not _reaches(p.a, p.b):
        return []
    return [
        Hit(
            _CEILING(a=Scheme(p.a.name), b=Scheme(p.b.name), price=Term(name)),
            (said, _none_of(p.b, "ceiling")),
        )
        for name, said in controls(p.a, "ceiling")
    ]


@check(
    codes.PRICE_FLOOR_UNILATERAL,
    "info",
    rationale="""A price floor (auction reserve price) on one side props up the common
       price of a market linked both ways: floors transmit. A side that states no price
       controls is not compared.""",
    sources=(ICAP_GUIDE, PMR_HANDBOOK),
    example="`uk_ets` declares `price auction_reserve 22 GBP/tCO2e`; a partner declares a "
    "ceiling but no floor.",
    both_ways=True,
)
def price_floor_unilateral(p: Pair) -> list[Hit]:
    if not _has_none(p.b, "floor"):
        return []
    if not (_reaches(p.a, p.b) and _reaches(p.b, p.a)):
        return []
    return [
        Hit(
            _FLOOR(a=Scheme(p.a.name), b=Scheme(p.b.name), price=Term(name)),
            (said, _none_of(p.b, "floor")),
        )
        for name, said in controls(p.a, "floor")
    ]


def _converted(level: Level, currency: str, rates: Rates) -> Decimal | None:
    return rates.convert(level.value, level.currency, currency)


def _level_words(level: Level, shown: Decimal | None = None, currency: str = "") -> Said:
    """A level per tonne; as the scheme writes it too where that differs (per short ton)."""
    written = quantity_words(level.price.value.text)
    said = (
        _LEVEL_AS_WRITTEN(written=written, level=level.words())
        if "short_t" in level.price.value.text
        else level.words()
    )
    if shown is None or currency == level.currency:
        return said
    return _ABOUT(level=said, converted=f"{number(round_half_up(shown, 2))} {currency}/t CO2e")


_LEVEL_AS_WRITTEN = template("price-level-written", "{written} = {level}")


@check(
    codes.PRICE_LEVELS_DIFFER,
    "warning",
    rationale="""In a linked market one price forms: the highest floor and the lowest
       ceiling of the two sides bind both. Floors and ceilings are compared per tonne of
       CO2e (a price per short ton is converted to one per tonne) and in one currency,
       converting only with a rate the user gives.""",
    how_to="Give exchange rates with `--rate BASE/QUOTE=VALUE`.",
    sources=(ICAP_GUIDE, PMR_HANDBOOK),
    example="`price ceiling 65 USD/tCO2e` against `price ccr_trigger 13 USD/short_tCO2`.",
)
def price_levels_differ(p: Pair) -> list[Hit]:
    hits = []
    for kind in ("floor", "ceiling"):
        la, lb = binding(levels(p.a, kind), kind), binding(levels(p.b, kind), kind)
        theirs = _converted(lb, la.currency, p.rates) if la and lb else None
        if la is None or lb is None or theirs is None or theirs == la.value:
            continue
        binds = (max if kind == "floor" else min)((la.value, p.a.name), (theirs, p.b.name))[1]
        hits.append(
            Hit(
                _LEVELS[kind](
                    a=Scheme(p.a.name),
                    b=Scheme(p.b.name),
                    level_a=_level_words(la),
                    level_b=_level_words(lb, theirs, la.currency),
                    binds=Scheme(binds),
                ),
                (la.evidence, lb.evidence),
            )
        )
    return hits


@check(
    codes.PRICE_NEEDS_RATE,
    "info",
    rationale="""Price floors and ceilings in different currencies can only be compared
       with an exchange rate; ETSL never assumes one.""",
    how_to=RATE_HOW_TO,
    sources=(ICAP_GUIDE,),
    example="`price ceiling 65 USD/tCO2e` against `price cost_containment 46 GBP/tCO2e`, with "
    "no exchange rate given.",
)
def price_needs_rate(p: Pair) -> list[Hit]:
    hits = []
    for kind in ("floor", "ceiling"):
        la, lb = binding(levels(p.a, kind), kind), binding(levels(p.b, kind), kind)
        if la is None or lb is None or _converted(lb, la.currency, p.rates) is not None:
            continue
        hits.append(
            Hit(
                _NEEDS_RATE[kind](ca=la.currency, cb=lb.currency),
                (la.evidence, lb.evidence),
            )
        )
    return hits


@check(
    codes.SUPPLY_ADJUSTMENT_UNILATERAL,
    "info",
    rationale="""A supply-adjustment mechanism (e.g. the EU Market Stability Reserve)
       withdraws or releases units on one side; where those units cross the link it moves the
       common price. A side that states no price controls is not compared.""",
    sources=(ICAP_GUIDE,),
    example="`eu_ets` declares `price msr_intake 24 %`; a partner declares price controls "
    "but no supply adjustment.",
    both_ways=True,
)
def supply_adjustment_unilateral(p: Pair) -> list[Hit]:
    mine = controls(p.a, "supply")
    if not mine or not _has_none(p.b, "supply"):
        return []
    if not _reaches(p.a, p.b):
        return []
    return [
        Hit(
            _SUPPLY(a=Scheme(p.a.name), b=Scheme(p.b.name), controls=terms([x[0] for x in mine])),
            (mine[0][1], _none_of(p.b, "supply adjustment")),
        )
    ]


_KIND_NOT_STATED = template(
    "price-control-not-stated",
    "{a} has a {kind}; {b} states price controls but not whether it has one, so they are not "
    "compared",
)


def _kind_not_stated(p: Pair, written: str, kind: str) -> list[Hit]:
    mine = controls(p.a, kind)
    if not mine or kind_states(p.b, kind) is not Statement.NOT_STATED:
        return []
    if states(p.b, "price controls") is not Statement.DECLARED:
        return []  # feature-undeclared says the whole feature is not stated
    return [
        Hit(
            _KIND_NOT_STATED(a=Scheme(p.a.name), b=Scheme(p.b.name), kind=CONTROL_WORDS[written]()),
            (
                mine[0][1],
                kind_evidence(p.b, kind),
            ),
        )
    ]


@check(
    codes.PRICE_CONTROL_NOT_STATED,
    "info",
    rationale="""A scheme may state some kinds of price control and not others: its sources
       state a floor but not whether it has a ceiling. A kind one side has and the other does
       not state is not compared, rather than read as absent.""",
    how_to='State the kind where the sources do (`price ceiling …`, or `price ceiling none "…"`).',
    sources=(ICAP_GUIDE,),
    example="`california` declares `price ceiling 65 USD/tCO2e`; `quebec` declares an auction "
    "reserve price and `price ceiling not_stated`.",
    both_ways=True,
)
def price_control_not_stated(p: Pair) -> list[Hit]:
    return [hit for w, kind in PRICE_KINDS.items() for hit in _kind_not_stated(p, w, kind)]


@check(
    codes.BORROWING_UNILATERAL,
    "warning",
    rationale="""Borrowing future units on one side lets the linked market as a whole
       borrow; Goers and Pflüglmayer exclude systems with unrestricted borrowing from EU
       linking. Only a side that states it allows no borrowing is said not to allow it.""",
    how_to="`borrowing none`, or `borrowing next_period up to …`.",
    sources=(GOERS, ICAP_GUIDE),
    example="`borrowing next_period` on one side, `borrowing none` on the other.",
    both_ways=True,
)
def borrowing_unilateral(p: Pair) -> list[Hit]:
    mine, theirs = p.a.borrowing, p.b.borrowing
    if mine is None or states(p.b, "borrowing") is not Statement.NONE:
        return []
    allowing = [r for r in mine.during if allows(r.mode)]
    a, b = Scheme(p.a.name), Scheme(p.b.name)
    item: object  # what the evidence points at: the declaration, or its period's rule
    if allows(mine.mode):
        said = _BORROWING(a=a, b=b, mode=Term(mine.mode, False))
        field, item, mode = "borrowing", mine, mine.mode
    elif allowing:  # only in some periods (`borrowing none { during cycle2 next_period }`)
        first = allowing[0]
        field, item, mode = f"borrowing during {', '.join(first.periods)}", first, first.mode
        said = _BORROWING_DURING(a=a, b=b, periods=terms(first.periods), mode=Term(mode, False))
    else:
        return []
    words = vocabulary_words(MODE_WORDS, [mode])
    return [
        Hit(
            said,
            (
                evidence(p.a, field, words, item),
                evidence(p.b, "borrowing", DECLARED_NONE(), theirs),
            ),
        )
    ]


@check(
    codes.BANKING_DIFFERS,
    "info",
    rationale="""Different banking rules let units banked on one side be used later on the
       other side, shifting emissions over time across the linked market.""",
    sources=(ICAP_GUIDE,),
    example="`banking next_period` on one side, `banking unlimited` on the other.",
)
def banking_differs(p: Pair) -> list[Hit]:
    ba, bb = p.a.banking, p.b.banking
    if ba is None or bb is None or (ba.mode, ba.limit) == (bb.mode, bb.limit):
        return []
    return [
        Hit(
            _BANKING(
                a=Scheme(p.a.name), b=Scheme(p.b.name), mode_a=Term(ba.mode), mode_b=Term(bb.mode)
            ),
            (
                evidence(p.a, "banking", vocabulary_words(MODE_WORDS, [ba.mode]), ba),
                evidence(p.b, "banking", vocabulary_words(MODE_WORDS, [bb.mode]), bb),
            ),
        )
    ]
