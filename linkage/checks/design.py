"""Participation, cap type, what each scheme states, status and allocation (EU Art. 25)."""

from __future__ import annotations

from etsl.compiler import codes
from etsl.linkage.amounts import mandatory_absolute
from etsl.linkage.checks.registry import (
    ART_25,
    EU_CH_AGREEMENT,
    GOERS,
    ICAP_GUIDE,
    PMR_HANDBOOK,
    check,
)
from etsl.linkage.facts import (
    FEATURE_WORDS,
    FEATURES,
    Hit,
    Pair,
    evidence,
    meta,
    stated,
    statement_evidence,
)
from etsl.linkage.said import Joined, Listing, Scheme, Term, template, terms
from etsl.linkage.worded import ALLOCATION_WORDS, vocabulary_words

_VOLUNTARY = template(
    "participation-voluntary",
    "{a} is mandatory but {b} is voluntary: the EU Art. 25 test requires both sides to be "
    "mandatory",
)
_INCOMPATIBLE = template(
    "cap-type-incompatible", "{a} is mandatory with an absolute cap but {b} has cap type {kinds}"
)
_CAP_TYPES = template("cap-type-differs", "cap types differ: {a} {kinds_a}, {b} {kinds_b}")
_UNDECLARED = template("feature-undeclared", "not stated by {schemes}, so not compared: {features}")
_STATUS = template("scheme-not-active", "{a} has status {status}")
_ALLOCATION = template(
    "allocation-differs", "allocation is {methods_a} in {a} and {methods_b} in {b}"
)


def _cap_types(kinds: list[str], joined: Joined = "comma") -> Listing:
    quoted = joined == "and"
    return Listing(tuple(Term(k, quoted) for k in kinds), joined)


@check(
    codes.PARTICIPATION_VOLUNTARY,
    "blocker",
    rationale="""Article 25 of the EU ETS Directive lets the EU link only with systems where
       participation is mandatory; Goers and Pflüglmayer exclude voluntary systems from
       linking. Voluntary participants can leave when prices rise, so the mandatory side's cap
       no longer bounds the emissions its units cover.""",
    how_to="In the scheme: `participation mandatory`; for a one-way link, `link OTHER outbound` "
    "on the mandatory side.",
    sources=(ART_25, GOERS, EU_CH_AGREEMENT),
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
            _VOLUNTARY(a=Scheme(p.a.name), b=Scheme(p.b.name)),
            (meta(p.a, "participation"), meta(p.b, "participation")),
        )
    ]


_NOT_ABSOLUTE = frozenset({"intensity", "self_set", "none"})


@check(
    codes.CAP_TYPE_INCOMPATIBLE,
    "blocker",
    rationale="""A mandatory system with an absolute cap (the EU Art. 25 test) cannot link
       with a system whose cap is an intensity target, self-set or absent: the partner's supply
       of units grows with output or is chosen by participants, so the linked market's total
       emissions are no longer bounded.""",
    how_to="In the partner scheme: `cap_type absolute`; for a one-way link, `link OTHER "
    "outbound` on the absolute side.",
    sources=(ART_25, GOERS, PMR_HANDBOOK),
    example="`eu_ets` declares `participation mandatory` and `cap_type absolute`; "
    "`china_ets` declares `cap_type intensity`.",
    both_ways=True,
)
def cap_type_incompatible(p: Pair) -> list[Hit]:
    other = [kind for kind in p.b.meta_values("cap_type") if kind in _NOT_ABSOLUTE]
    if not mandatory_absolute(p.a) or not other:
        return []
    return [
        Hit(
            _INCOMPATIBLE(a=Scheme(p.a.name), b=Scheme(p.b.name), kinds=_cap_types(other, "and")),
            (meta(p.a, "cap_type"), meta(p.a, "participation"), meta(p.b, "cap_type")),
        )
    ]


@check(
    codes.CAP_TYPE_DIFFERS,
    "warning",
    rationale="""Different kinds of cap (absolute, intensity, self-set) make the units of
       the two systems represent different environmental commitments even where no legal test
       forbids the link.""",
    sources=(ICAP_GUIDE, PMR_HANDBOOK),
    example="`trial_integrated_market` declares `cap_type self_set`; a partner declares "
    "`cap_type intensity`.",
)
def cap_type_differs(p: Pair) -> list[Hit]:
    kinds = (p.a.meta_values("cap_type"), p.b.meta_values("cap_type"))
    if (
        not kinds[0]
        or not kinds[1]
        or set(kinds[0]) == set(kinds[1])
        or cap_type_incompatible(p)
        or cap_type_incompatible(p.flipped())
    ):
        return []
    return [
        Hit(
            _CAP_TYPES(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                kinds_a=_cap_types(kinds[0]),
                kinds_b=_cap_types(kinds[1]),
            ),
            (meta(p.a, "cap_type"), meta(p.b, "cap_type")),
        )
    ]


@check(
    codes.FEATURE_UNDECLARED,
    "info",
    rationale="""A feature a scheme does not state is unknown, not absent: a scheme that
       says nothing about price controls may well have them. Comparisons need both sides
       stated, so each gap is reported here instead of being read as "has none". A scheme
       that states it has none of a feature has stated it; one that states its sources are
       silent on it is still reported, pointing at that statement.""",
    how_to="Declarations: `participation`, `cap_type`, `currency`, `calendar`, `gases`, "
    "`scope`, `price`, `units` (credits), `banking`, `borrowing`, `mrv`, `penalty`, `link`, "
    'each also as `… none`; `not_stated FEATURE "why"` when the sources are silent.',
    sources=(ICAP_GUIDE,),
    example="`quebec` states no price controls; `california` declares an auction reserve "
    "price and a price ceiling.",
)
def feature_undeclared(p: Pair) -> list[Hit]:
    missing: dict[tuple[str, ...], list[str]] = {}
    for feature in FEATURES:
        sides = tuple(m.name for m in (p.a, p.b) if not stated(m, feature))
        if sides:
            missing.setdefault(sides, []).append(feature)
    return [
        Hit(
            _UNDECLARED(
                schemes=Listing(tuple(Scheme(s) for s in sides)),
                features=Listing(tuple(FEATURE_WORDS[f]() for f in features), "comma"),
            ),
            (statement_evidence(p.a, features), statement_evidence(p.b, features)),
        )
        for sides, features in missing.items()
    ]


@check(
    codes.SCHEME_NOT_ACTIVE,
    "info",
    rationale="""A scheme that has ended, been superseded, or is only proposed or a trial
       cannot currently be linked; the analysis is historical or hypothetical.""",
    sources=(ICAP_GUIDE,),
    example="`trial_integrated_market` declares `status ended`.",
    both_ways=True,
)
def scheme_not_active(p: Pair) -> list[Hit]:
    status = p.a.meta_value("status")
    if status in (None, "active"):
        return []
    said = _STATUS(a=Scheme(p.a.name), status=Term(status))
    return [Hit(said, (meta(p.a, "status"), meta(p.b, "status")))]


@check(
    codes.ALLOCATION_DIFFERS,
    "info",
    rationale="""Allocation is one of the design features to align; free allocation on one
       side and auctioning on the other shifts rents and competitiveness across the link.""",
    sources=(PMR_HANDBOOK, ICAP_GUIDE),
    example="`allocation grandfathering` against `allocation auction`.",
)
def allocation_differs(p: Pair) -> list[Hit]:
    aa, ab = p.a.allocation, p.b.allocation
    if aa is None or ab is None or set(aa.methods) == set(ab.methods):
        return []
    return [
        Hit(
            _ALLOCATION(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                methods_a=vocabulary_words(ALLOCATION_WORDS, aa.methods),
                methods_b=vocabulary_words(ALLOCATION_WORDS, ab.methods),
            ),
            (
                evidence(p.a, "allocation", terms(aa.methods), aa),
                evidence(p.b, "allocation", terms(ab.methods), ab),
            ),
        )
    ]
