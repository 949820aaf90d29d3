"""Compliance and enforcement: penalties, their per-tonne levels and make-good."""

from __future__ import annotations

from decimal import Decimal

from etsl.compiler import codes
from etsl.compiler.numbers import round_half_up
from etsl.linkage.amounts import FineLevel, consequences, fine_per_tonne, fines, penalty_evidence
from etsl.linkage.checks.registry import GOERS, ICAP_GUIDE, PMR_HANDBOOK, check
from etsl.linkage.facts import Hit, Pair, Statement, number, states
from etsl.linkage.said import Scheme, Value, template

RATE_HOW_TO = (
    "Run `etsl link` again with `--rate BASE/QUOTE=VALUE`, e.g. `--rate EUR/JPY=160` "
    "(1 EUR = 160 JPY); repeat it for each pair of currencies."
)


_MISSING = template(
    "penalty-missing", "{a} declares that a shortfall has no consequence, unlike {b}"
)
_LEVEL = template(
    "penalty-level-differs",
    "{a} fines {fine_a}, {b} {fine_b}; the lower penalty caps the price of the linked market",
)
_LEVEL_OVERLAPS = template(
    "penalty-ranges-overlap",
    "{a} fines {fine_a}, {b} {fine_b}; the ranges overlap, so which penalty is lower depends "
    "on the fine each authority sets",
)
_CONVERTED = template("amount-converted", "{amount} (= {converted} at {rate})")
_CONVERTED_ABOUT = template("amount-converted-about", "{amount} (about {converted} at {rate})")
_RATE = template(
    "penalty-needs-rate",
    "penalties are in {ca} and {cb}: an exchange rate between them is needed to compare them",
)
_NO_FINE = template("penalty-no-fine", "{scheme} states no fine")
_NOT_PER_TONNE = template("penalty-not-per-tonne", "the fines are not both per tonne")
_NOT_COMPARABLE = template(
    "penalty-not-comparable", "{what}: the penalties of {a} and {b} cannot be compared per tonne"
)
_MAKE_GOOD_SAID = template(
    "make-good-missing", "{b} requires missing units to be made good; {a} does not"
)


@check(
    codes.PENALTY_MISSING,
    "warning",
    rationale="""Compliance and enforcement must be comparable: if one side declares that a
       shortfall has no consequence, its participants can hold fewer units than they emit and
       the linked market's cap is not enforced there. Only a scheme that states it has no
       penalty is said to have none; one that states nothing is reported as not stated.""",
    how_to="In the scheme: a `penalty when shortfall > 0 tCO2e { … }` block with a fine and "
    "`make_good shortfall`.",
    sources=(PMR_HANDBOOK, ICAP_GUIDE),
    example="`saitama_tset` declares `penalty none`; `tokyo_cat` fines up to JPY 500,000.",
    both_ways=True,
)
def penalty_missing(p: Pair) -> list[Hit]:
    if states(p.a, "penalties") is not Statement.NONE or not consequences(p.b):
        return []
    return [
        Hit(
            _MISSING(a=Scheme(p.a.name), b=Scheme(p.b.name)),
            (penalty_evidence(p.a), penalty_evidence(p.b)),
        )
    ]


def _fine_pair(p: Pair) -> tuple[FineLevel, FineLevel] | None:
    fa, fb = fine_per_tonne(p.a), fine_per_tonne(p.b)
    return (fa, fb) if fa and fb else None


def _level_text(low: Decimal, high: Decimal, currency: str) -> str:
    """`100 EUR/tCO2e`, or `50–100 EUR/tCO2e` for a range (the same in every language)."""
    if low == high:
        return f"{number(low)} {currency}/tCO2e"
    return f"{number(low)}–{number(high)} {currency}/tCO2e"


@check(
    codes.PENALTY_LEVEL_DIFFERS,
    "warning",
    rationale="""The penalty is the price at which a participant may choose not to comply;
       in a linked market the lower penalty acts as a price ceiling for both sides. Penalties
       are compared per tonne, converting currency only with a rate the user gives.""",
    how_to="Give exchange rates with `--rate BASE/QUOTE=VALUE`; state fines as "
    "`fine RATE * shortfall`.",
    sources=(PMR_HANDBOOK, GOERS),
    example="`fine 100 EUR/tCO2e * shortfall` on one side, `fine 40 EUR/tCO2e * shortfall` "
    "on the other.",
)
def penalty_level_differs(p: Pair) -> list[Hit]:
    fines_ = _fine_pair(p)
    if fines_ is None:
        return []
    a, b = fines_
    low, high = (p.rates.convert(v, b.currency, a.currency) for v in (b.low, b.high))
    if low is None or high is None or (low, high) == (a.low, a.high):
        return []
    fine_b: Value = _level_text(b.low, b.high, b.currency)
    if a.currency != b.currency:
        rate = p.rates.text_for(a.currency, b.currency)
        low_cents, high_cents = round_half_up(low, 2), round_half_up(high, 2)
        converted = _level_text(low_cents, high_cents, a.currency).removesuffix("/tCO2e")
        said_as = _CONVERTED if (low_cents, high_cents) == (low, high) else _CONVERTED_ABOUT
        fine_b = said_as(amount=fine_b, converted=converted, rate=rate)
    overlap = a.low <= high and low <= a.high
    said = _LEVEL_OVERLAPS if overlap else _LEVEL
    fine_a = _level_text(a.low, a.high, a.currency)
    return [
        Hit(
            said(a=Scheme(p.a.name), b=Scheme(p.b.name), fine_a=fine_a, fine_b=fine_b),
            (a.evidence, b.evidence),
        )
    ]


@check(
    codes.PENALTY_NEEDS_RATE,
    "info",
    rationale="""Per-tonne penalties in different currencies can only be compared with an
       exchange rate; ETSL never assumes one.""",
    how_to=RATE_HOW_TO,
    sources=(PMR_HANDBOOK,),
    example="`fine 100 EUR/tCO2e * shortfall` against `fine 3000 JPY/tCO2e * shortfall`, "
    "with no exchange rate given.",
)
def penalty_needs_rate(p: Pair) -> list[Hit]:
    fines_ = _fine_pair(p)
    if fines_ is None:
        return []
    a, b = fines_
    if p.rates.convert(Decimal(1), b.currency, a.currency) is not None:
        return []
    return [Hit(_RATE(ca=a.currency, cb=b.currency), (a.evidence, b.evidence))]


@check(
    codes.PENALTY_NOT_COMPARABLE,
    "info",
    rationale="""Only fines written per tonne of shortfall (a literal, parameter or
       by-period table in currency per tonne, times the shortfall) can be compared. Lump-sum
       or capped fines, or a side whose only consequences are not fines, are shown for the
       reader to judge.""",
    how_to="`fine 100 EUR/tCO2e * shortfall`",
    sources=(PMR_HANDBOOK,),
    example="`fine up to 500000 JPY` (a capped lump sum) against a per-tonne fine.",
)
def penalty_not_comparable(p: Pair) -> list[Hit]:
    fa, fb = fines(p.a), fines(p.b)
    if not (fa or fb) or not consequences(p.a) or not consequences(p.b) or _fine_pair(p):
        return []
    without = [m.name for m, f in ((p.a, fa), (p.b, fb)) if not f]
    what = _NO_FINE(scheme=Scheme(without[0])) if without else _NOT_PER_TONNE()
    proof = (fa or [penalty_evidence(p.a)]) + (fb or [penalty_evidence(p.b)])
    return [
        Hit(
            _NOT_COMPARABLE(what=what, a=Scheme(p.a.name), b=Scheme(p.b.name)),
            tuple(proof),
        )
    ]


_MAKE_GOOD = frozenset({"make_good", "deduct"})


@check(
    codes.MAKE_GOOD_MISSING,
    "warning",
    rationale="""Where a shortfall must be made good (surrendered later or deducted from the
       next allocation) the environmental outcome is preserved; where a fine releases the
       participant, the linked cap leaks through that side.""",
    how_to="`make_good shortfall` (or `deduct …`) in the penalty block.",
    sources=(PMR_HANDBOOK, ICAP_GUIDE),
    example="`eu_ets` has `make_good shortfall`; the partner only fines.",
    both_ways=True,
)
def make_good_missing(p: Pair) -> list[Hit]:
    kinds_a = {q.kind for _, q in consequences(p.a)}
    kinds_b = {q.kind for _, q in consequences(p.b)}
    if not kinds_a or kinds_a & _MAKE_GOOD or not kinds_b & _MAKE_GOOD:
        return []
    return [
        Hit(
            _MAKE_GOOD_SAID(a=Scheme(p.a.name), b=Scheme(p.b.name)),
            (penalty_evidence(p.a), penalty_evidence(p.b)),
        )
    ]
