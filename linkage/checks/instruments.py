"""Units of account: currencies, short tons against tonnes, and how each side names and
classes the partner's units."""

from __future__ import annotations

from decimal import Decimal

from etsl.compiler import codes
from etsl.linkage.amounts import uses_short_tons
from etsl.linkage.checks.penalties import RATE_HOW_TO
from etsl.linkage.checks.registry import ICAP_GUIDE, RGGI_ELEMENTS, check
from etsl.linkage.facts import Hit, Pair, evidence, home, kind_words, meta, unit_words
from etsl.linkage.said import Scheme, Term, template, terms

_CURRENCY = template(
    "currency-differs",
    "{a} uses {ca}, {b} uses {cb}; amounts are compared only with an exchange rate between them",
)
_CURRENCY_RATE = template(
    "currency-differs-rate", "{a} uses {ca}, {b} uses {cb}; amounts are compared at {rate}"
)
_SHORT_TONS = template("tonne-measure-differs", "{a} measures in short tons, {b} in metric tonnes")
_ORIGIN = template(
    "unit-origin-unknown",
    "{a} declares {kind} {unit} from {b}, which declares no unit {unit} (it declares {declared})",
)
_KIND = template("unit-kind-differs", "{unit} is {kind_a} in {a} but {kind_b} in {b}")


@check(
    codes.CURRENCY_DIFFERS,
    "info",
    rationale="""Prices, penalties and price controls of the two sides are in different
       currencies; comparing them needs an exchange rate, which ETSL never assumes.""",
    how_to=RATE_HOW_TO,
    sources=(ICAP_GUIDE,),
    example="`currency USD` against `currency CAD`.",
)
def currency_differs(p: Pair) -> list[Hit]:
    ca, cb = p.a.meta_value("currency"), p.b.meta_value("currency")
    if ca is None or cb is None or ca == cb:
        return []
    given = p.rates.convert(Decimal(1), cb, ca) is not None
    said = _CURRENCY_RATE if given else _CURRENCY
    rate = {"rate": p.rates.text_for(ca, cb)} if given else {}
    return [
        Hit(
            said(a=Scheme(p.a.name), b=Scheme(p.b.name), ca=ca, cb=cb, **rate),
            (meta(p.a, "currency"), meta(p.b, "currency")),
        )
    ]


@check(
    codes.TONNE_MEASURE_DIFFERS,
    "warning",
    rationale="""One allowance is one short ton in RGGI and one metric tonne elsewhere
       (1 short ton = 0.90718474 t); units exchanged one-for-one would not be equivalent.""",
    sources=(RGGI_ELEMENTS,),
    example="`rggi` writes `13 USD/short_tCO2`; the partner writes `USD/tCO2e`.",
    both_ways=True,
)
def tonne_measure_differs(p: Pair) -> list[Hit]:
    if not uses_short_tons(p.a) or uses_short_tons(p.b):
        return []
    return [
        Hit(
            _SHORT_TONS(a=Scheme(p.a.name), b=Scheme(p.b.name)),
            (evidence(p.a, "units", _PER_SHORT_TON()), evidence(p.b, "units", _PER_TONNE())),
        )
    ]


@check(
    codes.UNIT_ORIGIN_UNKNOWN,
    "warning",
    rationale="""A unit a scheme says comes from the partner should be one the partner
       issues; otherwise the two schemes name the instrument differently and recognition is
       unclear.""",
    sources=(ICAP_GUIDE,),
    example="`saitama_tset` declares `credit tokyo_excess from tokyo_cat`; `tokyo_cat` "
    "calls it `excess_reduction`.",
    both_ways=True,
)
def unit_origin_unknown(p: Pair) -> list[Hit]:
    names = {u.name for u in p.b.units}
    return [
        Hit(
            _ORIGIN(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                kind=kind_words(u.kind),
                unit=Term(u.name),
                declared=terms(sorted(names)),
            ),
            (
                evidence(p.a, f"units[{u.name}]", unit_words(u), u),
                evidence(p.b, "units", terms(sorted(names))),
            ),
        )
        for u in p.a.units
        if u.origin == p.b.name and u.name not in names
    ]


@check(
    codes.UNIT_KIND_DIFFERS,
    "warning",
    rationale="""A unit one side treats as an allowance and the other as a credit is counted
       against different limits on each side.""",
    sources=(ICAP_GUIDE,),
    example="`credit CHU from swiss_ets` while `swiss_ets` declares `allowance CHU`.",
    both_ways=True,
)
def unit_kind_differs(p: Pair) -> list[Hit]:
    theirs = {u.name: u for u in p.b.units if home(p.b, u) == p.b.name}
    return [
        Hit(
            _KIND(
                unit=Term(u.name),
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                kind_a=kind_words(u.kind, article=True),
                kind_b=kind_words(theirs[u.name].kind, article=True),
            ),
            (
                evidence(p.a, f"units[{u.name}]", unit_words(u), u),
                evidence(p.b, f"units[{u.name}]", unit_words(theirs[u.name]), theirs[u.name]),
            ),
        )
        for u in p.a.units
        if u.origin == p.b.name and u.name in theirs and u.kind != theirs[u.name].kind
    ]


_PER_SHORT_TON = template("evidence-per-short-ton", "amounts per short ton (2,000 lb) of CO2")
_PER_TONNE = template("evidence-per-tonne", "amounts per tonne of CO2e")
