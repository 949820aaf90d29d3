"""The link declarations themselves: who declares the link, directions, dates, units and
conditions. The network report words reciprocity problems with the same functions."""

from __future__ import annotations

from dataclasses import replace

from etsl.compiler import codes
from etsl.compiler.model import LinkModel
from etsl.linkage.checks.registry import CARB_LINKAGE, ICAP_GUIDE, check
from etsl.linkage.facts import (
    Hit,
    Pair,
    accepted,
    home,
    link_evidence,
    link_to,
    links_evidence,
    not_stated_words,
    surrender_summary,
)
from etsl.linkage.flows import receives
from etsl.linkage.said import Said, Scheme, Template, Value, template, terms

CONSISTENT = frozenset({("two_way", "two_way"), ("outbound", "inbound"), ("inbound", "outbound")})


#: Link directions in words: 'a two-way link', 'declares its link … two-way'.
DIRECTIONS = {
    "two_way": template("direction-two-way", "two-way"),
    "outbound": template("direction-outbound", "outbound"),
    "inbound": template("direction-inbound", "inbound"),
}
A_DIRECTION = {
    "two_way": template("a-direction-two-way", "a two-way"),
    "outbound": template("a-direction-outbound", "an outbound"),
    "inbound": template("a-direction-inbound", "an inbound"),
}
_ONE_SIDED = template(
    "link-one-sided", "{one} declares {direction} link to {other}, which does not declare it back"
)
_MISMATCH = template(
    "link-direction-mismatch",
    "{a} declares its link to {b} {direction_a} and {b} declares its link to {a} "
    "{direction_b}: the declarations describe different flows",
)
_UNDECLARED = template("link-undeclared", "neither {a} nor {b} declares a link to the other")
_DATES = template("link-dates-differ", "{a} declares {dates_a}, {b} {dates_b}")
_DATES_SPAN = template("link-dates", "{since} to {until}")
_UNITS = template("link-units-differ", "{a} links {units_a}, {b} links {units_b}")
_NOT_ACCEPTED = template(
    "link-units-not-accepted", "units of {b} flow into {a}, which accepts none of them"
)
_CONDITIONS = template("link-conditions-differ", "link conditions differ between {a} and {b}")


def _direction(direction: str, words: dict[str, Template] = DIRECTIONS) -> Value:
    found = words.get(direction)
    return found() if found else direction


def one_sided_message(one: str, other: str, direction: str) -> Said:
    """The words for a link that `one` declares and `other` does not declare back."""
    said = _direction(direction, A_DIRECTION)
    return _ONE_SIDED(one=Scheme(one), other=Scheme(other), direction=said)


def mismatch_message(a: str, b: str, direction_a: str, direction_b: str) -> Said:
    return _MISMATCH(
        a=Scheme(a),
        b=Scheme(b),
        direction_a=_direction(direction_a),
        direction_b=_direction(direction_b),
    )


def _dates(link: LinkModel) -> Said:
    return _DATES_SPAN(since=str(link.since or "-"), until=str(link.until or "-"))


@check(
    codes.LINK_UNDECLARED,
    "info",
    rationale="""Neither scheme declares a link to the other, so this analysis is of a
       hypothetical link (units are assumed to flow both ways).""",
    how_to="`link OTHER two_way since 2014-01-01` in both schemes.",
    sources=(ICAP_GUIDE,),
    example="`eu_ets` and `jvets` declare no link to each other.",
)
def link_undeclared(p: Pair) -> list[Hit]:
    if link_to(p.a, p.b.name) or link_to(p.b, p.a.name):
        return []
    return [
        Hit(
            _UNDECLARED(a=Scheme(p.a.name), b=Scheme(p.b.name)),
            links_evidence(p),
        )
    ]


@check(
    codes.LINK_ONE_SIDED,
    "warning",
    rationale="""A link needs both systems' legal acts (a linking agreement): a one-sided
       declaration describes units the other side may not recognise.""",
    how_to="`link OTHER two_way …` in the partner scheme, or `outbound` / `inbound` for a "
    "one-way recognition.",
    sources=(ICAP_GUIDE,),
    example="`a` declares `link b two_way`; `b` declares no link to `a`.",
    both_ways=True,
)
def link_one_sided(p: Pair) -> list[Hit]:
    own = link_to(p.a, p.b.name)
    if own is None or link_to(p.b, p.a.name):
        return []
    return [
        Hit(
            one_sided_message(p.a.name, p.b.name, own.direction),
            links_evidence(p),
        )
    ]


@check(
    codes.LINK_DIRECTION_MISMATCH,
    "warning",
    rationale="""The two declarations describe different flows of units: two-way on both
       sides, or outbound on one side matched by inbound on the other, are consistent.""",
    sources=(ICAP_GUIDE,),
    example="`a` declares `link b two_way`; `b` declares `link a outbound`.",
)
def link_direction_mismatch(p: Pair) -> list[Hit]:
    la, lb = link_to(p.a, p.b.name), link_to(p.b, p.a.name)
    if la is None or lb is None or (la.direction, lb.direction) in CONSISTENT:
        return []
    return [
        Hit(
            mismatch_message(p.a.name, p.b.name, la.direction, lb.direction),
            links_evidence(p),
        )
    ]


@check(
    codes.LINK_DATES_DIFFER,
    "warning",
    rationale="""The sides declare different dates for the link; units could be recognised
       on one side before or after the other recognises them.""",
    sources=(ICAP_GUIDE,),
    example="`link b two_way since 2014-01-01` against `link a two_way since 2013-01-01`.",
)
def link_dates_differ(p: Pair) -> list[Hit]:
    la, lb = link_to(p.a, p.b.name), link_to(p.b, p.a.name)
    if la is None or lb is None or (la.since, la.until) == (lb.since, lb.until):
        return []
    return [
        Hit(
            _DATES(a=Scheme(p.a.name), b=Scheme(p.b.name), dates_a=_dates(la), dates_b=_dates(lb)),
            links_evidence(p),
        )
    ]


@check(
    codes.LINK_UNITS_DIFFER,
    "info",
    rationale="""Each side lists the units the link covers; different lists mean the sides
       recognise different instruments.""",
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
            _UNITS(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                units_a=terms(la.units),
                units_b=terms(lb.units),
            ),
            links_evidence(p),
        )
    ]


@check(
    codes.LINK_UNITS_NOT_ACCEPTED,
    "warning",
    rationale="""The declarations say units flow into this side, but its surrender rules
       accept no unit issued by the partner, so the link has no effect there.""",
    how_to="`allowance X from PARTNER` in `units`, and `accept X` in `surrender`.",
    sources=(ICAP_GUIDE, CARB_LINKAGE),
    example="`a` declares `link b two_way` but accepts only its own `A_allowance`.",
    both_ways=True,
)
def link_units_not_accepted(p: Pair) -> list[Hit]:
    if not receives(p.a, p.b) or any(home(p.a, u) == p.b.name for u, _ in accepted(p.a)):
        return []
    return [
        Hit(
            _NOT_ACCEPTED(a=Scheme(p.a.name), b=Scheme(p.b.name)),
            (surrender_summary(p.a), link_evidence(p.a, p.b.name), link_evidence(p.b, p.a.name)),
        )
    ]


@check(
    codes.LINK_CONDITIONS_DIFFER,
    "info",
    rationale="""Each side's link conditions are shown together so the reader can confirm
       they describe the same agreement.""",
    sources=(ICAP_GUIDE,),
    example='`link b two_way "no double use"` against `link a two_way` without conditions.',
)
def link_conditions_differ(p: Pair) -> list[Hit]:
    la, lb = link_to(p.a, p.b.name), link_to(p.b, p.a.name)
    if la is None or lb is None or la.conditions == lb.conditions:
        return []
    return [
        Hit(
            _CONDITIONS(a=Scheme(p.a.name), b=Scheme(p.b.name)),
            (
                replace(link_evidence(p.a, p.b.name), value=_conditions(la.conditions)),
                replace(link_evidence(p.b, p.a.name), value=_conditions(lb.conditions)),
            ),
        )
    ]


_LINK_CONDITIONS = template("evidence-link-conditions", "conditions: {conditions}")


def _conditions(text: str | None) -> Said:
    return _LINK_CONDITIONS(conditions=text) if text else not_stated_words()
