"""The catalogue of linkage checks: one small pure function per check, registered with a code.

    >>> hits = CATALOGUE["participation-voluntary"].run(Pair(eu_ets, jvets))
    >>> hits[0].message
    "'eu_ets' is mandatory but 'jvets' is voluntary ..."

Each check reads two `SchemeModel`s (never the AST) and returns `Hit`s: a message plus the
evidence in both schemes (model field, declared value, location or scheme path, and the
scheme's own citation). The registry attaches the code, severity, rationale, remedy and the
source of the criterion. Directional checks ("one side has X, the other not") are written for
one orientation and registered `both_ways`; the registry runs them for (a, b) and (b, a).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from etsl.compiler.model import (
    PeriodModel,
    SchemeModel,
    SurrenderModel,
)
from etsl.linkage.facts import (
    NOT_DECLARED,
    Check,
    Evidence,
    Hit,
    Pair,
    Rates,
    Reference,
    Run,
    Severity,
    accept_evidence,
    accepted,
    accepts,
    allows,
    cap_decline,
    consequences,
    credits,
    evidence,
    fine_per_tonne,
    fines,
    flows_to,
    home,
    join_names,
    limit_of,
    link_evidence,
    link_to,
    mandatory_absolute,
    meta,
    number,
    penalty_evidence,
    price_evidence,
    prices,
    receives,
    surrender_summary,
    unit_flows,
    uses_short_tons,
)

# ---- the criteria's sources (reference/ets-facts.md §6-§8) -----------------------------------

ART_25 = Reference(
    "EU ETS Directive 2003/87/EC Art. 25 as summarised in the COM(2017)427 "
    "explanatory memorandum (EUMonitor)",
    "https://eur-lex.europa.eu/eli/dir/2003/87/oj",
    "§6, §8",
)
ICAP_GUIDE = Reference(
    "ICAP, A Guide to Linking Emissions Trading Systems (Sept 2018): alignment of design features",
    "https://icapcarbonaction.com/en/a-guide-to-linking-emissions-trading-systems",
    "§8",
)
PMR_STEP9 = Reference(
    "PMR ETS Handbook, step 9 (summary by greentryst [S]): cap stringency, "
    "allocation, price-stability mechanisms, offsets, compliance and "
    "enforcement, MRV",
    None,
    "§8",
)
GOERS = Reference(
    "Goers & Pflüglmayer (2012), scirp abstract: voluntary participation, "
    "intensity caps, unrestricted borrowing and price caps exclude EU linking",
    None,
    "§8",
)
PARITY = Reference(
    "Lexology 4a1628aa [S]: parity of stringency, enforcement, offset standards and allocation",
    None,
    "§8",
)
EU_CH_ANNEX = Reference(
    "EU-Switzerland linking agreement, Annex I essential criteria (Decision 1/2023, lexaris.io)",
    None,
    "§7, §8",
)
CLIMATE_TRUST = Reference(
    "climatetrust.org: link types one-way, two-way and indirect (via common offsets)", None, "§8"
)
RGGI_TON = Reference("RGGI program elements (rggi.org): 1 allowance = 1 short ton", None, "§7")

# ---- registry -----------------------------------------------------------------------------

_REGISTRY: list[Check] = []


def check(
    code: str,
    severity: Severity,
    title: str,
    *,
    rationale: str,
    remedy: str,
    sources: tuple[Reference, ...],
    example: str,
    both_ways: bool = False,
) -> Callable[[Run], Run]:
    """Register a check function under a stable kebab-case code."""

    def register(function: Run) -> Run:
        run = _both_ways(function) if both_ways else function
        _REGISTRY.append(
            Check(
                code,
                severity,
                title,
                " ".join(rationale.split()),
                " ".join(remedy.split()),
                sources,
                run,
                " ".join(example.split()),
            )
        )
        return function

    return register


def _both_ways(function: Run) -> Run:
    def run(pair: Pair) -> list[Hit]:
        hits = function(pair) + function(pair.flipped())
        return list(dict.fromkeys(hits))

    return run


# ---- participation and cap type (EU Art. 25) ----------------------------------------------


@check(
    "participation-voluntary",
    "blocker",
    "Mandatory scheme linked to a voluntary one",
    rationale="""Article 25 of the EU ETS Directive lets the EU link only with systems where
       participation is mandatory; Goers & Pflüglmayer exclude voluntary systems from linking.
       Voluntary participants can leave when prices rise, so the mandatory side's cap no longer
       bounds the emissions its units cover.""",
    remedy="""Make participation mandatory for the covered sources before linking, or use a
       one-way link (the mandatory side accepts no units from the voluntary side) with a
       quantitative limit on imported units.""",
    sources=(ART_25, GOERS, EU_CH_ANNEX),
    example="`eu_ets` declares `participation mandatory`; `jvets` declares "
    "`participation voluntary`.",
    both_ways=True,
)
def participation_voluntary(p: Pair) -> list[Hit]:
    if (
        p.a.meta_value("participation") != "mandatory"
        or p.b.meta_value("participation") != "voluntary"
    ):
        return []
    return [
        Hit(
            f"'{p.a.name}' is mandatory but '{p.b.name}' is voluntary: the EU Art. 25 test "
            "requires both sides to be mandatory",
            (meta(p.a, "participation"), meta(p.b, "participation")),
        )
    ]


_NOT_ABSOLUTE = frozenset({"intensity", "self_set", "none"})


@check(
    "cap-type-incompatible",
    "blocker",
    "Absolute cap linked to an intensity or self-set cap",
    rationale="""A mandatory system with an absolute cap (the EU Art. 25 test) cannot link
       with a system whose cap is an intensity target, self-set or absent: the partner's supply
       of units grows with output or is chosen by participants, so the linked market's total
       emissions are no longer bounded.""",
    remedy="""Convert the partner's target to an absolute cap, or restrict the link to one
       way (the absolute side exports only) with a quantitative limit on imported units.""",
    sources=(ART_25, GOERS, PMR_STEP9),
    example="`eu_ets` declares `participation mandatory` and `cap_type absolute`; "
    "`china_ets` declares `cap_type intensity`.",
    both_ways=True,
)
def cap_type_incompatible(p: Pair) -> list[Hit]:
    other = p.b.meta_value("cap_type")
    if not mandatory_absolute(p.a) or other not in _NOT_ABSOLUTE:
        return []
    return [
        Hit(
            f"'{p.a.name}' is mandatory with an absolute cap but '{p.b.name}' has cap type "
            f"'{other}'",
            (meta(p.a, "cap_type"), meta(p.a, "participation"), meta(p.b, "cap_type")),
        )
    ]


@check(
    "cap-type-differs",
    "warning",
    "Cap types differ",
    rationale="""Different kinds of cap (absolute, intensity, self-set) make the units of
       the two systems represent different environmental commitments even where no legal test
       forbids the link.""",
    remedy="""Harmonise the cap type, or apply an exchange rate or quantitative limit to the
       units of the less stringent side.""",
    sources=(ICAP_GUIDE, PMR_STEP9),
    example="`trial_integrated_market` declares `cap_type self_set`; a partner declares "
    "`cap_type intensity`.",
)
def cap_type_differs(p: Pair) -> list[Hit]:
    kinds = (p.a.meta_value("cap_type"), p.b.meta_value("cap_type"))
    if (
        None in kinds
        or kinds[0] == kinds[1]
        or cap_type_incompatible(p)
        or cap_type_incompatible(p.flipped())
    ):
        return []
    return [
        Hit(
            f"cap types differ: '{p.a.name}' {kinds[0]}, '{p.b.name}' {kinds[1]}",
            (meta(p.a, "cap_type"), meta(p.b, "cap_type")),
        )
    ]


_FEATURES: dict[str, Callable[[SchemeModel], tuple[str | None, object]]] = {
    "participation": lambda m: (m.meta_value("participation"), m.meta.get("participation")),
    "cap_type": lambda m: (m.meta_value("cap_type"), m.meta.get("cap_type")),
    "currency": lambda m: (m.meta_value("currency"), m.meta.get("currency")),
    "calendar": lambda m: (m.calendar, None),
    "gases": lambda m: (", ".join(m.gases) or None, None),
    "scope": lambda m: (", ".join(m.scope) or None, None),
    "banking": lambda m: (m.banking.mode if m.banking else None, m.banking),
}


@check(
    "feature-undeclared",
    "info",
    "A design feature is not declared",
    rationale="""Compatibility can only be assessed for features both schemes declare.
       A feature missing on one or both sides is reported so that the gap in the comparison is
       visible instead of silently passing.""",
    remedy="""Declare the feature in the scheme (participation, cap_type, currency,
       calendar, gases, scope, banking), citing its source.""",
    sources=(ICAP_GUIDE,),
    example="`saitama_tset` has no `participation` line; `tokyo_cat` declares "
    "`participation mandatory`.",
)
def feature_undeclared(p: Pair) -> list[Hit]:
    missing: dict[tuple[str, ...], list[str]] = {}
    for feature, read in _FEATURES.items():
        sides = tuple(m.name for m in (p.a, p.b) if read(m)[0] is None)
        if sides:
            missing.setdefault(sides, []).append(feature)
    return [
        Hit(
            f"not declared by {' and '.join(repr(n) for n in sides)}: {', '.join(features)}",
            (_declared(p.a, features), _declared(p.b, features)),
        )
        for sides, features in missing.items()
    ]


def _declared(m: SchemeModel, features: list[str]) -> Evidence:
    values = [(f, _FEATURES[f](m)[0]) for f in features]
    shown = "; ".join(f"{f}: {v or NOT_DECLARED}" for f, v in values)
    return evidence(m, ", ".join(features), shown)


@check(
    "scheme-not-active",
    "info",
    "A scheme is not active",
    rationale="""A scheme that has ended, been superseded, or is only proposed or a trial
       cannot currently be linked; the analysis is historical or hypothetical.""",
    remedy="Confirm the period the link would cover, or analyse the successor scheme.",
    sources=(ICAP_GUIDE,),
    example="`trial_integrated_market` declares `status ended`.",
    both_ways=True,
)
def scheme_not_active(p: Pair) -> list[Hit]:
    status = p.a.meta_value("status")
    if status in (None, "active"):
        return []
    return [Hit(f"'{p.a.name}' has status '{status}'", (meta(p.a, "status"), meta(p.b, "status")))]


# ---- stringency ------------------------------------------------------------------------------


@check(
    "cap-decline-differs",
    "warning",
    "Caps decline at different rates",
    rationale="""Linked systems should have comparable stringency: the EU-Swiss essential
       criteria require a cap at least as stringent (linear reduction factor 2.2 % from 2021).
       When one cap declines more slowly, its cheaper units flow to the stricter side.""",
    remedy="""Harmonise the annual reduction rates, or limit the units imported from the
       slower-declining side.""",
    sources=(EU_CH_ANNEX, PARITY, PMR_STEP9),
    example="`param lrf = 2.2 %` on one side, `param lrf = 1.74 %` on the other.",
)
def cap_decline_differs(p: Pair) -> list[Hit]:
    ra, rb = cap_decline(p.a), cap_decline(p.b)
    if ra is None or rb is None or ra[0] == rb[0]:
        return []
    return [
        Hit(
            f"the cap declines by {number(ra[0] * 100)} % a year in '{p.a.name}' and by "
            f"{number(rb[0] * 100)} % in '{p.b.name}'",
            (ra[1], rb[1]),
        )
    ]


@check(
    "stringency-not-comparable",
    "info",
    "Cap stringency cannot be compared",
    rationale="""Stringency is compared through an annual cap decline rate declared as a
       constant parameter or by-period table named `lrf`, `linear_reduction_factor`,
       `annual_reduction_rate` or `cap_decline`. Without one on both sides the comparison is
       left to the reader.""",
    remedy="Declare the annual reduction rate as `param lrf = …` (with its source) on both sides.",
    sources=(PMR_STEP9, PARITY),
    example="`eu_ets` has `table phase_lrf by period`; `jvets` declares no reduction rate.",
)
def stringency_not_comparable(p: Pair) -> list[Hit]:
    rates = [(m, cap_decline(m)) for m in (p.a, p.b)]
    missing = [m.name for m, rate in rates if rate is None]
    if not missing:
        return []
    return [
        Hit(
            f"no annual cap decline rate declared by {' and '.join(repr(n) for n in missing)}",
            tuple(rate[1] if rate else evidence(m, "params", NOT_DECLARED) for m, rate in rates),
        )
    ]


# ---- penalties ---------------------------------------------------------------------------------


@check(
    "penalty-missing",
    "warning",
    "No penalty on one side",
    rationale="""Compliance and enforcement must be comparable: if one side imposes no
       consequence for a shortfall, its participants can hold fewer units than they emit and
       the linked market's cap is not enforced there.""",
    remedy="""Introduce a penalty (a per-tonne fine with make-good), or accept that side's
       units only one way and under a quantitative limit.""",
    sources=(PMR_STEP9, PARITY, ICAP_GUIDE),
    example="`saitama_tset` declares `penalty none`; `tokyo_cat` fines up to JPY 500,000.",
    both_ways=True,
)
def penalty_missing(p: Pair) -> list[Hit]:
    if consequences(p.a) or not consequences(p.b):
        return []
    says = "declares `penalty none`" if p.a.penalties else "declares no penalty"
    return [
        Hit(
            f"'{p.a.name}' {says}: no consequence for a shortfall, unlike '{p.b.name}'",
            (penalty_evidence(p.a), penalty_evidence(p.b)),
        )
    ]


Fine = tuple[Decimal, str, Evidence]


def _fine_pair(p: Pair) -> tuple[Fine, Fine] | None:
    fa, fb = fine_per_tonne(p.a), fine_per_tonne(p.b)
    return (fa, fb) if fa and fb else None


@check(
    "penalty-level-differs",
    "warning",
    "Per-tonne penalties differ",
    rationale="""The penalty is the price at which a participant may choose not to comply;
       in a linked market the lower penalty acts as a price ceiling for both sides. Penalties
       are compared per tonne, converting currency only with a rate given by `--rate`.""",
    remedy="Harmonise the per-tonne penalty (after conversion), or add make-good on the "
    "weaker side.",
    sources=(PMR_STEP9, PARITY),
    example="`fine 100 EUR/tCO2e * shortfall` on one side, `fine 40 EUR/tCO2e * shortfall` "
    "on the other.",
)
def penalty_level_differs(p: Pair) -> list[Hit]:
    fines_ = _fine_pair(p)
    if fines_ is None:
        return []
    (va, ca, ea), (vb, cb, eb) = fines_
    converted = p.rates.convert(vb, cb, ca)
    if converted is None or converted == va:
        return []
    note = f" (= {number(converted)} {ca} at {_rate_text(p.rates, ca, cb)})" if ca != cb else ""
    return [
        Hit(
            f"'{p.a.name}' fines {number(va)} {ca}/tCO2e, '{p.b.name}' {number(vb)} "
            f"{cb}/tCO2e{note}; the lower penalty caps the price of the linked market",
            (ea, eb),
        )
    ]


def _rate_text(rates: Rates, a: str, b: str) -> str:
    return next((t for t in rates.texts() if {t[:3], t[4:7]} == {a, b}), "")


@check(
    "penalty-needs-rate",
    "info",
    "Penalties are in different currencies",
    rationale="""Per-tonne penalties in different currencies can only be compared with an
       exchange rate; ETSL never assumes one.""",
    remedy="Run again with `--rate BASE/QUOTE=VALUE` (e.g. `--rate EUR/JPY=160`).",
    sources=(PMR_STEP9,),
    example="`fine 100 EUR/tCO2e * shortfall` against `fine 3000 JPY/tCO2e * shortfall`, "
    "no `--rate`.",
)
def penalty_needs_rate(p: Pair) -> list[Hit]:
    fines_ = _fine_pair(p)
    if fines_ is None or p.rates.convert(Decimal(1), fines_[1][1], fines_[0][1]) is not None:
        return []
    (_, ca, ea), (_, cb, eb) = fines_
    return [
        Hit(
            f"penalties are in {ca} and {cb}: give an exchange rate (--rate {ca}/{cb}=…) "
            "to compare them",
            (ea, eb),
        )
    ]


@check(
    "penalty-not-comparable",
    "info",
    "Penalties cannot be compared per tonne",
    rationale="""Only fines written per tonne of shortfall (`100 EUR/tCO2e * shortfall`, or
       a parameter or by-period table in CUR/tCO2e) can be compared. Lump-sum or capped fines,
       or a side whose only consequences are not fines, are shown for the reader to judge.""",
    remedy="Compare the enforcement rules by hand, or express the fine per tonne.",
    sources=(PMR_STEP9,),
    example="`fine up to 500000 JPY` (a capped lump sum) against a per-tonne fine.",
)
def penalty_not_comparable(p: Pair) -> list[Hit]:
    fa, fb = fines(p.a), fines(p.b)
    if not (fa or fb) or not consequences(p.a) or not consequences(p.b) or _fine_pair(p):
        return []
    without = [m.name for m, f in ((p.a, fa), (p.b, fb)) if not f]
    what = f"'{without[0]}' has no fine" if without else "the fines are not both per tonne"
    proof = (fa or [penalty_evidence(p.a)]) + (fb or [penalty_evidence(p.b)])
    return [
        Hit(
            f"{what}: the penalties of '{p.a.name}' and '{p.b.name}' cannot be compared per tonne",
            tuple(proof),
        )
    ]


_MAKE_GOOD = frozenset({"make_good", "deduct"})


@check(
    "make-good-missing",
    "warning",
    "No make-good on one side",
    rationale="""Where a shortfall must be made good (surrendered later or deducted from the
       next allocation) the environmental outcome is preserved; where a fine releases the
       participant, the linked cap leaks through that side.""",
    remedy="Add `make_good shortfall` (or a deduction) to the other side's penalty.",
    sources=(PMR_STEP9, PARITY),
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
            f"'{p.b.name}' requires missing units to be made good; '{p.a.name}' does not",
            (penalty_evidence(p.a), penalty_evidence(p.b)),
        )
    ]


# ---- credits and offsets ----------------------------------------------------------------------


@check(
    "credit-not-accepted",
    "warning",
    "Credit accepted on one side only",
    rationale="""Units of a linked market are fungible: a credit one side accepts frees an
       allowance that can be surrendered on the other side, so credits flow through the link
       into a system that does not accept them (an indirect link via offsets).""",
    remedy="""Harmonise the eligible credit types, or exclude the credit from the units
       that may be transferred, or set a quantitative limit on imported units.""",
    sources=(CLIMATE_TRUST, PARITY, PMR_STEP9),
    example="`california` accepts `sector_based` offsets; `quebec` does not.",
    both_ways=True,
)
def credit_not_accepted(p: Pair) -> list[Hit]:
    return [
        Hit(
            f"'{p.a.name}' accepts {unit.kind} '{unit.name}' but '{p.b.name}' does not: "
            f"'{unit.name}' reaches '{p.b.name}' {_route(p, unit.name)}",
            (accept_evidence(p.a, item), surrender_summary(p.b)),
        )
        for unit, item in credits(p.a, p.b)
        if flows_to(p.a, p.b) and not accepts(p.b, p.a, unit)
    ]


def _route(p: Pair, unit: str) -> str:
    """How a credit reaches the partner: as itself, or by freeing units that cross."""
    if unit_flows(p.a, p.b, unit):
        return "through the link"
    return (
        "indirectly: it does not cross the link itself, but each tonne surrendered with it "
        "frees a unit that does"
    )


@check(
    "credit-unlimited",
    "warning",
    "Credits without a quantitative limit",
    rationale="""An unlimited offset channel on one side undoes the partner's offset limit:
       the partner's participants buy allowances freed by offsets on the unlimited side.""",
    remedy="Set a quantitative limit (`accept U up to 8 % of obligation`, or a combined `limit`).",
    sources=(PMR_STEP9, PARITY, ICAP_GUIDE),
    example="`jvets` accepts `jCER` without limit; the partner caps offsets at 8 % of the "
    "obligation.",
    both_ways=True,
)
def credit_unlimited(p: Pair) -> list[Hit]:
    own = [(u, item) for u, item in credits(p.a, p.b) if not limit_of(p.a, u.name)]
    theirs = [u for u, _ in credits(p.b, p.a) if not limit_of(p.b, u.name)]
    if not own or theirs or not flows_to(p.a, p.b):
        return []
    return [
        Hit(
            f"'{p.a.name}' accepts {unit.kind} '{unit.name}' without a quantitative limit; "
            f"'{p.b.name}' has no unlimited credits",
            (accept_evidence(p.a, item), surrender_summary(p.b)),
        )
        for unit, item in own
    ]


@check(
    "credit-limits-differ",
    "info",
    "Credit limits differ",
    rationale="""Both sides limit credits, but differently; the effective limit of the
       linked market is the looser of the two.""",
    remedy="Compare the limits below and harmonise them if they diverge materially.",
    sources=(PMR_STEP9, PARITY),
    example="`limit ARBOC up to offset_limit` (8 % then 4 %) against "
    "`limit QC_offset up to offset_limit` (8 %).",
)
def credit_limits_differ(p: Pair) -> list[Hit]:
    la, lb = _limits(p.a, p.b), _limits(p.b, p.a)
    if (
        not la
        or not lb
        or {s.limit.text for s in la if s.limit} == {s.limit.text for s in lb if s.limit}
    ):
        return []
    proof = [_limit_evidence(p.a, s) for s in la] + [_limit_evidence(p.b, s) for s in lb]
    return [Hit(f"credit limits differ between '{p.a.name}' and '{p.b.name}'", tuple(proof))]


def _limits(m: SchemeModel, partner: SchemeModel) -> list[SurrenderModel]:
    names = {u.name for u, _ in credits(m, partner)}
    return [s for s in m.surrender if s.limit and names & set(s.units)]


def _limit_evidence(m: SchemeModel, s: SurrenderModel) -> Evidence:
    return evidence(
        m, "surrender", f"{', '.join(s.units)} up to {s.limit.text if s.limit else ''}", s
    )


# ---- price controls, banking, borrowing ------------------------------------------------------


@check(
    "price-ceiling-unilateral",
    "warning",
    "Price ceiling on one side only",
    rationale="""A price ceiling (or cost-containment reserve) on one side releases units at
       the ceiling price, and through the link caps the price on the other side too.
       Goers & Pflüglmayer list price caps among the features that exclude EU linking.""",
    remedy="""Adopt a common ceiling, or limit the units imported from the side with the
       ceiling, or make the link one-way.""",
    sources=(GOERS, ICAP_GUIDE, PMR_STEP9),
    example="`california` declares `price ceiling 65 USD/tCO2e`; `quebec` declares none.",
    both_ways=True,
)
def price_ceiling_unilateral(p: Pair) -> list[Hit]:
    if prices(p.b, "ceiling") or not flows_to(p.a, p.b):
        return []
    return [
        Hit(
            f"'{p.a.name}' has a price ceiling '{price.name}' and '{p.b.name}' has none: "
            f"it also caps the price in '{p.b.name}'",
            (price_evidence(p.a, price), evidence(p.b, "price_controls", "no ceiling")),
        )
        for price in prices(p.a, "ceiling")
    ]


@check(
    "price-floor-unilateral",
    "info",
    "Price floor on one side only",
    rationale="""A price floor (auction reserve price) on one side props up the common
       price of a two-way linked market: floors transmit.""",
    remedy="Agree a common floor, or accept that the floor applies to the linked market.",
    sources=(ICAP_GUIDE, PMR_STEP9),
    example="`california` declares `price auction_reserve 10 USD/tCO2e`; `quebec` none.",
    both_ways=True,
)
def price_floor_unilateral(p: Pair) -> list[Hit]:
    if prices(p.b, "floor") or not (flows_to(p.a, p.b) and flows_to(p.b, p.a)):
        return []
    return [
        Hit(
            f"'{p.a.name}' has a price floor '{price.name}' and '{p.b.name}' has none: "
            "the floor transmits to the linked market",
            (price_evidence(p.a, price), evidence(p.b, "price_controls", "no floor")),
        )
        for price in prices(p.a, "floor")
    ]


@check(
    "supply-adjustment-unilateral",
    "info",
    "Supply adjustment on one side only",
    rationale="""A supply-adjustment mechanism (e.g. the EU Market Stability Reserve)
       withdraws or releases units on one side; in a linked market it moves the common price.""",
    remedy="Coordinate the mechanism in the linking agreement.",
    sources=(ICAP_GUIDE, EU_CH_ANNEX),
    example="`eu_ets` declares `price msr_intake 24 %`; `swiss_ets` has no MSR.",
    both_ways=True,
)
def supply_adjustment_unilateral(p: Pair) -> list[Hit]:
    mine = prices(p.a, "supply")
    if not mine or prices(p.b, "supply") or not flows_to(p.a, p.b):
        return []
    return [
        Hit(
            f"'{p.a.name}' adjusts supply ({join_names(x.name for x in mine)}); "
            f"'{p.b.name}' has no such mechanism",
            (price_evidence(p.a, mine[0]), evidence(p.b, "price_controls", "none")),
        )
    ]


@check(
    "borrowing-unilateral",
    "warning",
    "Borrowing on one side only",
    rationale="""Borrowing future units on one side lets the linked market as a whole
       borrow; Goers & Pflüglmayer exclude systems with unrestricted borrowing from EU linking.""",
    remedy="Forbid borrowing, or limit it (`borrowing next_period up to …`) on both sides.",
    sources=(GOERS, ICAP_GUIDE),
    example="`borrowing next_period` on one side, `borrowing none` on the other.",
    both_ways=True,
)
def borrowing_unilateral(p: Pair) -> list[Hit]:
    mine, theirs = p.a.borrowing, p.b.borrowing
    if not allows(mine.mode if mine else None) or allows(theirs.mode if theirs else None):
        return []
    return [
        Hit(
            f"'{p.a.name}' allows borrowing ({mine.mode if mine else ''}); '{p.b.name}' does not",
            (
                evidence(p.a, "borrowing", mine.mode if mine else NOT_DECLARED, mine),
                evidence(p.b, "borrowing", theirs.mode if theirs else NOT_DECLARED, theirs),
            ),
        )
    ]


@check(
    "banking-differs",
    "info",
    "Banking rules differ",
    rationale="""Different banking rules let units banked on one side be used later on the
       other side, shifting emissions over time across the linked market.""",
    remedy="Harmonise banking, or restrict the use of banked partner units.",
    sources=(ICAP_GUIDE,),
    example="`banking next_period` on one side, `banking unlimited` on the other.",
)
def banking_differs(p: Pair) -> list[Hit]:
    ba, bb = p.a.banking, p.b.banking
    if ba is None or bb is None or (ba.mode, ba.limit) == (bb.mode, bb.limit):
        return []
    return [
        Hit(
            f"banking is '{ba.mode}' in '{p.a.name}' and '{bb.mode}' in '{p.b.name}'",
            (evidence(p.a, "banking", ba.mode, ba), evidence(p.b, "banking", bb.mode, bb)),
        )
    ]


# ---- time, gases, scope, MRV ----------------------------------------------------------------


@check(
    "calendar-differs",
    "info",
    "Compliance calendars differ",
    rationale="""A fiscal year starting in April and a calendar year put the two surrender
       deadlines at different times of the year.""",
    remedy="Align the compliance years or agree when transferred units count.",
    sources=(ICAP_GUIDE,),
    example="`calendar fiscal_year from April` against `calendar calendar_year`.",
)
def calendar_differs(p: Pair) -> list[Hit]:
    ca, cb = (p.a.calendar, p.a.fiscal_year_start), (p.b.calendar, p.b.fiscal_year_start)
    if None in (ca[0], cb[0]) or ca == cb:
        return []
    return [
        Hit(
            f"'{p.a.name}' uses {_calendar(ca)}, '{p.b.name}' {_calendar(cb)}",
            (evidence(p.a, "calendar", _calendar(ca)), evidence(p.b, "calendar", _calendar(cb))),
        )
    ]


def _calendar(c: tuple[str | None, str | None]) -> str:
    return f"{c[0]} from {c[1]}" if c[1] else str(c[0])


def _since(p: Pair) -> str | None:
    dates = [
        link.since
        for m, o in ((p.a, p.b), (p.b, p.a))
        if (link := link_to(m, o.name)) and link.since
    ]
    return max(dates) if dates else None


def _misaligned(p: Pair) -> list[tuple[PeriodModel, PeriodModel]]:
    since = _since(p)
    out = []
    for x in p.a.periods:
        for y in p.b.periods:
            if not (x.start_date and x.end_date and y.start_date and y.end_date):
                continue
            overlap = x.start_date <= y.end_date and y.start_date <= x.end_date
            live = since is None or min(x.end_date, y.end_date) >= since
            if overlap and live and (x.start_date, x.end_date) != (y.start_date, y.end_date):
                out.append((x, y))
    return out


@check(
    "periods-misaligned",
    "warning",
    "Compliance periods are not aligned",
    rationale="""Overlapping compliance periods with different boundaries (after the link
       starts) mean units are surrendered for different windows on each side, complicating
       banking, surrender and the joint accounting of the linked market.""",
    remedy="Align the period boundaries, or agree in the linking agreement how units of "
    "each period count on the other side.",
    sources=(ICAP_GUIDE,),
    example="`period first = FY2010 .. FY2014` against `period first = FY2011 .. FY2014`.",
)
def periods_misaligned(p: Pair) -> list[Hit]:
    return [
        Hit(
            f"'{p.a.name}' period '{x.name}' ({x.start_date} .. {x.end_date}) overlaps "
            f"'{p.b.name}' period '{y.name}' ({y.start_date} .. {y.end_date}) with different "
            "boundaries",
            (
                evidence(p.a, f"periods[{x.name}]", f"{x.start} .. {x.end}", x),
                evidence(p.b, f"periods[{y.name}]", f"{y.start} .. {y.end}", y),
            ),
        )
        for x, y in _misaligned(p)
    ]


@check(
    "gases-differ",
    "warning",
    "Covered gases differ",
    rationale="""The EU-Swiss essential criteria require minimum gas coverage; a unit for a
       gas one side does not cover represents reductions the other side does not count.""",
    remedy="Harmonise the covered gases, or exclude units for the uncovered gases.",
    sources=(EU_CH_ANNEX, ICAP_GUIDE),
    example="`gases CO2 gwp AR4` against `gases CO2, CH4, N2O gwp AR4`.",
)
def gases_differ(p: Pair) -> list[Hit]:
    ga, gb = set(p.a.gases), set(p.b.gases)
    if not ga or not gb or ga == gb:
        return []
    return [
        Hit(
            f"only '{p.a.name}' covers {join_names(sorted(ga - gb))}; "
            f"only '{p.b.name}' covers {join_names(sorted(gb - ga))}",
            (
                evidence(p.a, "gases", ", ".join(p.a.gases)),
                evidence(p.b, "gases", ", ".join(p.b.gases)),
            ),
        )
    ]


@check(
    "gwp-basis-differs",
    "warning",
    "GWP bases give different values",
    rationale="""A tonne of CO2e means a different amount of a gas under SAR, AR4, AR5 or
       AR6 GWPs; units from the two sides are then not equivalent for that gas.""",
    remedy="Use a common GWP basis, or an exchange rate per gas.",
    sources=(ICAP_GUIDE,),
    example="`gases CO2, CH4 gwp SAR` (CH4 = 21) against `gases CO2, CH4 gwp AR5` (CH4 = 28).",
)
def gwp_basis_differs(p: Pair) -> list[Hit]:
    differing = sorted(g for g in set(p.a.gwp) & set(p.b.gwp) if p.a.gwp[g] != p.b.gwp[g])
    if not differing:
        return []
    values = "; ".join(f"{g}: {p.a.gwp[g]} vs {p.b.gwp[g]}" for g in differing)
    return [
        Hit(
            f"GWP basis {p.a.gwp_basis} in '{p.a.name}' and {p.b.gwp_basis} in "
            f"'{p.b.name}' give different values ({values})",
            (
                evidence(p.a, "gwp_basis", p.a.gwp_basis or ""),
                evidence(p.b, "gwp_basis", p.b.gwp_basis or ""),
            ),
        )
    ]


@check(
    "scope-differs",
    "warning",
    "Emission scope differs",
    rationale="""If one side covers indirect emissions (purchased electricity and heat) and
       the other does not, the same tonne may be counted twice or not at all across the
       linked market.""",
    remedy="Harmonise the scope, or exclude units from the scope the partner does not cover.",
    sources=(ICAP_GUIDE, PMR_STEP9),
    example="`scope direct, indirect` against `scope direct`.",
)
def scope_differs(p: Pair) -> list[Hit]:
    sa, sb = set(p.a.scope), set(p.b.scope)
    if not sa or not sb or sa == sb:
        return []
    return [
        Hit(
            f"scope is {join_names(p.a.scope)} in '{p.a.name}' and {join_names(p.b.scope)} in '{p.b.name}'",
            (
                evidence(p.a, "scope", ", ".join(p.a.scope)),
                evidence(p.b, "scope", ", ".join(p.b.scope)),
            ),
        )
    ]


@check(
    "mrv-missing",
    "warning",
    "MRV is not described",
    rationale="""Monitoring, reporting and verification must be equivalent for a tonne to
       mean the same on both sides. A scheme without an `mrv` description cannot be assessed.""",
    remedy='Declare `mrv "…"` with its source (reporting cycle, verifier, deadline).',
    sources=(PMR_STEP9, ICAP_GUIDE),
    example='`tokyo_cat` declares `mrv "… verified by third-party verifiers …"`; '
    "`saitama_tset` declares none.",
)
def mrv_missing(p: Pair) -> list[Hit]:
    missing = [m.name for m in (p.a, p.b) if m.meta_value("mrv") is None]
    if not missing:
        return []
    return [
        Hit(
            f"{' and '.join(repr(n) for n in missing)} "
            f"{'does' if len(missing) == 1 else 'do'} not describe monitoring, reporting "
            "and verification",
            (meta(p.a, "mrv"), meta(p.b, "mrv")),
        )
    ]


@check(
    "mrv-verification-unstated",
    "info",
    "Verification is stated on one side only",
    rationale="""Only one side's MRV description mentions verification; third-party
       verification is a usual condition of mutual recognition.""",
    remedy="Confirm and declare how emissions are verified on both sides.",
    sources=(PMR_STEP9,),
    example='`mrv "Annual report, verified by …"` against `mrv "Annual self-report"`.',
    both_ways=True,
)
def mrv_verification_unstated(p: Pair) -> list[Hit]:
    ta, tb = p.a.meta_value("mrv"), p.b.meta_value("mrv")
    if ta is None or tb is None or "verif" in ta.lower() or "verif" not in tb.lower():
        return []
    return [
        Hit(
            f"'{p.b.name}' states verification, '{p.a.name}' does not",
            (meta(p.a, "mrv"), meta(p.b, "mrv")),
        )
    ]


# ---- units of account -------------------------------------------------------------------------


@check(
    "currency-differs",
    "info",
    "Currencies differ",
    rationale="""Prices, penalties and price controls of the two sides are in different
       currencies; comparing them needs an exchange rate.""",
    remedy="Give an exchange rate with `--rate BASE/QUOTE=VALUE` to compare amounts.",
    sources=(ICAP_GUIDE,),
    example="`currency USD` against `currency CAD`.",
)
def currency_differs(p: Pair) -> list[Hit]:
    ca, cb = p.a.meta_value("currency"), p.b.meta_value("currency")
    if ca is None or cb is None or ca == cb:
        return []
    given = p.rates.convert(Decimal(1), cb, ca) is not None
    tail = (
        f"rate given: {_rate_text(p.rates, ca, cb)}"
        if given
        else f"an exchange rate is needed (--rate {ca}/{cb}=…)"
    )
    return [
        Hit(
            f"'{p.a.name}' uses {ca}, '{p.b.name}' uses {cb}; {tail}",
            (meta(p.a, "currency"), meta(p.b, "currency")),
        )
    ]


@check(
    "tonne-measure-differs",
    "warning",
    "Short tons against metric tonnes",
    rationale="""One allowance is one short ton in RGGI and one metric tonne elsewhere
       (1 short ton = 0.90718474 t); units exchanged one-for-one would not be equivalent.""",
    remedy="Apply an exchange rate of 0.90718474 t per short-ton unit in the linking agreement.",
    sources=(RGGI_TON,),
    example="`rggi` writes `13 USD/short_tCO2`; the partner writes `USD/tCO2e`.",
    both_ways=True,
)
def tonne_measure_differs(p: Pair) -> list[Hit]:
    if not uses_short_tons(p.a) or uses_short_tons(p.b):
        return []
    return [
        Hit(
            f"'{p.a.name}' measures in short tons, '{p.b.name}' in metric tonnes",
            (evidence(p.a, "units", "short_tCO2"), evidence(p.b, "units", "tCO2e")),
        )
    ]


@check(
    "unit-origin-unknown",
    "warning",
    "A partner unit is not declared by the partner",
    rationale="""A unit declared `from` the partner should be one the partner issues;
       otherwise the two schemes name the instrument differently and recognition is unclear.""",
    remedy="Use the partner's unit name, or declare the unit in the partner scheme.",
    sources=(ICAP_GUIDE,),
    example="`saitama_tset` declares `credit tokyo_excess from tokyo_cat`; `tokyo_cat` "
    "calls it `excess_reduction`.",
    both_ways=True,
)
def unit_origin_unknown(p: Pair) -> list[Hit]:
    names = {u.name for u in p.b.units}
    return [
        Hit(
            f"'{p.a.name}' declares {u.kind} '{u.name}' from '{p.b.name}', which declares "
            f"no unit '{u.name}' (it declares {join_names(sorted(names))})",
            (
                evidence(p.a, f"units[{u.name}]", f"{u.kind} {u.name} from {u.origin}", u),
                evidence(p.b, "units", join_names(sorted(names))),
            ),
        )
        for u in p.a.units
        if u.origin == p.b.name and u.name not in names
    ]


@check(
    "unit-kind-differs",
    "warning",
    "A unit's kind differs between the schemes",
    rationale="""A unit one side treats as an allowance and the other as a credit is counted
       against different limits on each side.""",
    remedy="Declare the unit with the same kind on both sides.",
    sources=(ICAP_GUIDE,),
    example="`credit CHU from swiss_ets` while `swiss_ets` declares `allowance CHU`.",
    both_ways=True,
)
def unit_kind_differs(p: Pair) -> list[Hit]:
    theirs = {u.name: u for u in p.b.units if home(p.b, u) == p.b.name}
    return [
        Hit(
            f"'{u.name}' is a {u.kind} in '{p.a.name}' but a {theirs[u.name].kind} in '{p.b.name}'",
            (
                evidence(p.a, f"units[{u.name}]", u.kind, u),
                evidence(p.b, f"units[{u.name}]", theirs[u.name].kind, theirs[u.name]),
            ),
        )
        for u in p.a.units
        if u.origin == p.b.name and u.name in theirs and u.kind != theirs[u.name].kind
    ]


# ---- link declarations -------------------------------------------------------------------------


@check(
    "link-undeclared",
    "info",
    "Neither scheme declares the link",
    rationale="""Neither scheme declares a link to the other, so this analysis is of a
       hypothetical link.""",
    remedy="Declare `link OTHER two_way|inbound|outbound …` on both sides once agreed.",
    sources=(CLIMATE_TRUST,),
    example="`eu_ets` and `jvets` declare no link to each other.",
)
def link_undeclared(p: Pair) -> list[Hit]:
    if link_to(p.a, p.b.name) or link_to(p.b, p.a.name):
        return []
    return [
        Hit(
            f"neither '{p.a.name}' nor '{p.b.name}' declares a link to the other",
            (link_evidence(p.a, p.b.name), link_evidence(p.b, p.a.name)),
        )
    ]


@check(
    "link-one-sided",
    "warning",
    "Link declared by one side only",
    rationale="""A link needs both systems' legal acts (a linking agreement): a one-sided
       declaration describes units the other side may not recognise.""",
    remedy="Declare the matching link in the partner scheme, or model a one-way recognition.",
    sources=(ICAP_GUIDE, CLIMATE_TRUST),
    example="`a` declares `link b two_way`; `b` declares no link to `a`.",
    both_ways=True,
)
def link_one_sided(p: Pair) -> list[Hit]:
    own = link_to(p.a, p.b.name)
    if own is None or link_to(p.b, p.a.name):
        return []
    return [
        Hit(
            f"'{p.a.name}' declares a {own.direction} link to '{p.b.name}', which does not "
            "declare it back",
            (link_evidence(p.a, p.b.name), link_evidence(p.b, p.a.name)),
        )
    ]


CONSISTENT = frozenset({("two_way", "two_way"), ("outbound", "inbound"), ("inbound", "outbound")})


@check(
    "link-direction-mismatch",
    "warning",
    "Link directions disagree",
    rationale="""The two declarations describe different flows of units: `two_way` on
       both sides, or `outbound` matched by `inbound`, are consistent.""",
    remedy="Correct one declaration so both describe the same flow.",
    sources=(CLIMATE_TRUST,),
    example="`a` declares `link b two_way`; `b` declares `link a outbound`.",
)
def link_direction_mismatch(p: Pair) -> list[Hit]:
    la, lb = link_to(p.a, p.b.name), link_to(p.b, p.a.name)
    if la is None or lb is None or (la.direction, lb.direction) in CONSISTENT:
        return []
    return [
        Hit(
            f"'{p.a.name}' declares {la.direction}, '{p.b.name}' declares {lb.direction}",
            (link_evidence(p.a, p.b.name), link_evidence(p.b, p.a.name)),
        )
    ]


@check(
    "link-dates-differ",
    "warning",
    "Link start or end dates differ",
    rationale="""The sides declare different dates for the link; units could be recognised
       on one side before or after the other recognises them.""",
    remedy="Use the dates of the linking agreement on both sides.",
    sources=(ICAP_GUIDE,),
    example="`link b two_way since 2014-01-01` against `link a two_way since 2013-01-01`.",
)
def link_dates_differ(p: Pair) -> list[Hit]:
    la, lb = link_to(p.a, p.b.name), link_to(p.b, p.a.name)
    if la is None or lb is None or (la.since, la.until) == (lb.since, lb.until):
        return []
    return [
        Hit(
            f"'{p.a.name}' declares {la.since or '-'} .. {la.until or '-'}, '{p.b.name}' "
            f"{lb.since or '-'} .. {lb.until or '-'}",
            (link_evidence(p.a, p.b.name), link_evidence(p.b, p.a.name)),
        )
    ]


@check(
    "link-units-differ",
    "info",
    "Linked units differ",
    rationale="""The `for` lists name the units the link covers; different lists mean the
       sides recognise different instruments.""",
    remedy="List the same units on both sides.",
    sources=(ICAP_GUIDE,),
    example="`link b two_way for A_allowance, B_allowance` against `link a two_way for "
    "B_allowance`.",
)
def link_units_differ(p: Pair) -> list[Hit]:
    la, lb = link_to(p.a, p.b.name), link_to(p.b, p.a.name)
    if la is None or lb is None or set(la.units) == set(lb.units):
        return []
    return [
        Hit(
            f"'{p.a.name}' links {join_names(la.units)}, '{p.b.name}' links {join_names(lb.units)}",
            (link_evidence(p.a, p.b.name), link_evidence(p.b, p.a.name)),
        )
    ]


@check(
    "link-units-not-accepted",
    "warning",
    "Linked side accepts none of the partner's units",
    rationale="""The declarations say units flow into this side, but its surrender rules
       accept no unit issued by the partner, so the link has no effect there.""",
    remedy="Declare the partner's unit (`allowance X from PARTNER`) and accept it in `surrender`.",
    sources=(ICAP_GUIDE, CLIMATE_TRUST),
    example="`a` declares `link b two_way` but accepts only its own `A_allowance`.",
    both_ways=True,
)
def link_units_not_accepted(p: Pair) -> list[Hit]:
    if not receives(p.a, p.b) or any(home(p.a, u) == p.b.name for u, _ in accepted(p.a)):
        return []
    return [
        Hit(
            f"units of '{p.b.name}' flow into '{p.a.name}', which accepts none of them",
            (surrender_summary(p.a), link_evidence(p.a, p.b.name), link_evidence(p.b, p.a.name)),
        )
    ]


@check(
    "link-conditions-differ",
    "info",
    "Link conditions differ",
    rationale="""Each side's link conditions are shown together so the reader can confirm
       they describe the same agreement.""",
    remedy="Align the condition texts with the linking agreement.",
    sources=(ICAP_GUIDE,),
    example='`link b two_way "no double use"` against `link a two_way` without conditions.',
)
def link_conditions_differ(p: Pair) -> list[Hit]:
    la, lb = link_to(p.a, p.b.name), link_to(p.b, p.a.name)
    if la is None or lb is None or la.conditions == lb.conditions:
        return []
    return [
        Hit(
            f"link conditions differ between '{p.a.name}' and '{p.b.name}'",
            (
                replace(link_evidence(p.a, p.b.name), value=la.conditions or NOT_DECLARED),
                replace(link_evidence(p.b, p.a.name), value=lb.conditions or NOT_DECLARED),
            ),
        )
    ]


@check(
    "allocation-differs",
    "info",
    "Allocation methods differ",
    rationale="""Allocation is one of the design features to align; free allocation on one
       side and auctioning on the other shifts rents and competitiveness across the link.""",
    remedy="Compare the allocation rules and agree on competitiveness safeguards.",
    sources=(PMR_STEP9, PARITY),
    example="`allocation grandfathering` against `allocation auction`.",
)
def allocation_differs(p: Pair) -> list[Hit]:
    aa, ab = p.a.allocation, p.b.allocation
    if aa is None or ab is None or set(aa.methods) == set(ab.methods):
        return []
    return [
        Hit(
            f"allocation is {join_names(aa.methods)} in '{p.a.name}' and {join_names(ab.methods)} in "
            f"'{p.b.name}'",
            (
                evidence(p.a, "allocation", ", ".join(aa.methods), aa),
                evidence(p.b, "allocation", ", ".join(ab.methods), ab),
            ),
        )
    ]


CATALOGUE: dict[str, Check] = {c.code: c for c in _REGISTRY}
