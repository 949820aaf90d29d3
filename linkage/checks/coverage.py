"""Coverage and measurement: gases, GWP basis and scope."""

from __future__ import annotations

from etsl.compiler import codes
from etsl.linkage.checks.registry import EU_CH_AGREEMENT, ICAP_GUIDE, PMR_HANDBOOK, check
from etsl.linkage.facts import Hit, Pair, evidence
from etsl.linkage.said import Listing, Said, Scheme, template, terms
from etsl.linkage.worded import SCOPE_WORDS, vocabulary_words

_GASES = template("gases-differ", "only {a} covers {only_a}; only {b} covers {only_b}")
_GASES_ONE_SIDE = template("gases-differ-one-side", "only {a} covers {only_a}")
_GWP = template(
    "gwp-basis-differs",
    "GWP basis {basis_a} in {a} and {basis_b} in {b} give different values ({values})",
)
_SCOPE = template("scope-differs", "scope is {scope_a} in {a} and {scope_b} in {b}")


def _gases(gases: set[str]) -> Listing:
    """Gases as terms, so that the documents write them as the pages do (CH₄, NF₃)."""
    return terms(sorted(gases))


def _scopes(scope: list[str]) -> Listing:
    return vocabulary_words(SCOPE_WORDS, scope)


def _gases_said(a: str, ga: set[str], b: str, gb: set[str]) -> Said:
    """Which side alone covers which gases; a side that covers no gas of its own is left out."""
    if not ga - gb:
        return _GASES_ONE_SIDE(a=Scheme(b), only_a=_gases(gb - ga))
    if not gb - ga:
        return _GASES_ONE_SIDE(a=Scheme(a), only_a=_gases(ga - gb))
    return _GASES(a=Scheme(a), b=Scheme(b), only_a=_gases(ga - gb), only_b=_gases(gb - ga))


@check(
    codes.GASES_DIFFER,
    "warning",
    rationale="""The EU-Swiss essential criteria require minimum gas coverage; a unit for a
       gas one side does not cover represents reductions the other side does not count.""",
    sources=(EU_CH_AGREEMENT, ICAP_GUIDE),
    example="`gases CO2 gwp AR4` against `gases CO2, CH4, N2O gwp AR4`.",
)
def gases_differ(p: Pair) -> list[Hit]:
    ga, gb = set(p.a.gases), set(p.b.gases)
    if not ga or not gb or ga == gb:
        return []
    return [
        Hit(
            _gases_said(p.a.name, ga, p.b.name, gb),
            (
                evidence(p.a, "gases", terms(p.a.gases)),
                evidence(p.b, "gases", terms(p.b.gases)),
            ),
        )
    ]


@check(
    codes.GWP_BASIS_DIFFERS,
    "warning",
    rationale="""A tonne of CO2e means a different amount of a gas under SAR, AR4, AR5 or
       AR6 GWPs; units from the two sides are then not equivalent for that gas.""",
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
            _GWP(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                basis_a=terms([p.a.gwp_basis] if p.a.gwp_basis else []),
                basis_b=terms([p.b.gwp_basis] if p.b.gwp_basis else []),
                values=values,
            ),
            (
                evidence(p.a, "gwp_basis", terms([p.a.gwp_basis] if p.a.gwp_basis else [])),
                evidence(p.b, "gwp_basis", terms([p.b.gwp_basis] if p.b.gwp_basis else [])),
            ),
        )
    ]


@check(
    codes.SCOPE_DIFFERS,
    "warning",
    rationale="""If one side covers indirect emissions (purchased electricity and heat) and
       the other does not, the same tonne may be counted twice or not at all across the
       linked market.""",
    sources=(ICAP_GUIDE, PMR_HANDBOOK),
    example="`scope direct, indirect` against `scope direct`.",
)
def scope_differs(p: Pair) -> list[Hit]:
    sa, sb = set(p.a.scope), set(p.b.scope)
    if not sa or not sb or sa == sb:
        return []
    return [
        Hit(
            _SCOPE(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                scope_a=_scopes(p.a.scope),
                scope_b=_scopes(p.b.scope),
            ),
            (
                evidence(p.a, "scope", vocabulary_words(SCOPE_WORDS, p.a.scope)),
                evidence(p.b, "scope", vocabulary_words(SCOPE_WORDS, p.b.scope)),
            ),
        )
    ]
