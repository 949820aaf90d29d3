"""The link declarations themselves: who declares the link, directions, dates, units and
conditions. The network report words reciprocity problems with the same functions."""

from __future__ import annotations

from dataclasses import replace

from etsl.compiler import codes
from etsl.linkage.checks.registry import CARB_LINKAGE, ICAP_GUIDE, check
from etsl.linkage.facts import (
    NOT_STATED,
    Hit,
    Pair,
    accepted,
    home,
    join_names,
    link_evidence,
    link_to,
    links_evidence,
    surrender_summary,
)
from etsl.linkage.flows import receives

CONSISTENT = frozenset({("two_way", "two_way"), ("outbound", "inbound"), ("inbound", "outbound")})


def one_sided_message(one: str, other: str, direction: str) -> str:
    """The words for a link that `one` declares and `other` does not declare back."""
    return (
        f"'{one}' declares a {direction.replace('_', '-')} link to '{other}', which does not "
        "declare it back"
    )


def mismatch_message(a: str, b: str, direction_a: str, direction_b: str) -> str:
    return (
        f"'{a}' declares its link to '{b}' {direction_a.replace('_', '-')} and '{b}' declares "
        f"its link to '{a}' {direction_b.replace('_', '-')}: the declarations describe "
        "different flows"
    )


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
            f"neither '{p.a.name}' nor '{p.b.name}' declares a link to the other",
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
    rationale="""The two declarations describe different flows of units: `two_way` on
       both sides, or `outbound` matched by `inbound`, are consistent.""",
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
            f"'{p.a.name}' declares {la.since or '-'} .. {la.until or '-'}, '{p.b.name}' "
            f"{lb.since or '-'} .. {lb.until or '-'}",
            links_evidence(p),
        )
    ]


@check(
    codes.LINK_UNITS_DIFFER,
    "info",
    rationale="""The `for` lists name the units the link covers; different lists mean the
       sides recognise different instruments.""",
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
            f"units of '{p.b.name}' flow into '{p.a.name}', which accepts none of them",
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
            f"link conditions differ between '{p.a.name}' and '{p.b.name}'",
            (
                replace(link_evidence(p.a, p.b.name), value=la.conditions or NOT_STATED),
                replace(link_evidence(p.b, p.a.name), value=lb.conditions or NOT_STATED),
            ),
        )
    ]
