"""How a linkage check is registered: its code (compiler/codes.py gives the title and the
remedy), severity, rationale, how to act on the remedy, and the sources of its criterion.

Directional checks ("one side has X, the other not") are written for one orientation and
registered `both_ways`; the registry runs them for (a, b) and (b, a).
"""

from __future__ import annotations

from collections.abc import Callable

from etsl.compiler.codes import Code
from etsl.linkage.facts import Check, Hit, Pair, Reference, Run, Severity

#: The checks each module registers, by module name, in the order they are defined.
REGISTRY: dict[str, list[Check]] = {}


def _words(text: str) -> str:
    return " ".join(text.split())


def check(
    code: Code,
    severity: Severity,
    *,
    rationale: str,
    sources: tuple[Reference, ...],
    example: str,
    how_to: str = "",
    both_ways: bool = False,
) -> Callable[[Run], Run]:
    """Register a check function under a code of the registry (area `linkage`)."""
    assert code.area == "linkage", code

    def register(function: Run) -> Run:
        run = _both_ways(function) if both_ways else function
        REGISTRY.setdefault(function.__module__, []).append(
            Check(
                code.name,
                severity,
                code.summary.rstrip("."),
                _words(rationale),
                code.fix,
                _words(how_to),
                sources,
                run,
                _words(example),
            )
        )
        return function

    return register


def _both_ways(function: Run) -> Run:
    def run(pair: Pair) -> list[Hit]:
        hits = function(pair) + function(pair.flipped())
        return list(dict.fromkeys(hits))

    return run


# ---- where the criteria come from ------------------------------------------------------------

ART_25 = Reference(
    "Directive 2003/87/EC (EU ETS Directive), Article 25: links with other emissions trading "
    "systems that are mandatory and have an absolute cap",
    "https://eur-lex.europa.eu/eli/dir/2003/87/oj",
)
ICAP_GUIDE = Reference(
    "ICAP, A Guide to Linking Emissions Trading Systems (September 2018): alignment of design "
    "features, direct and indirect links",
    "https://icapcarbonaction.com/en/a-guide-to-linking-emissions-trading-systems",
)
PMR_HANDBOOK = Reference(
    "PMR and ICAP, Emissions Trading in Practice: a Handbook on Design and Implementation "
    "(World Bank, 2016), step 9 'Consider linking': cap stringency, allocation, price "
    "controls, offsets, compliance and enforcement, MRV"
)
GOERS = Reference(
    "Goers and Pflüglmayer (2012), on linking with the EU ETS: voluntary participation, "
    "relative caps, unrestricted borrowing and price caps exclude a link"
)
EU_CH_AGREEMENT = Reference(
    "Agreement between the European Union and the Swiss Confederation on the linking of their "
    "greenhouse gas emissions trading systems (OJ L 322, 7.12.2017), Annex I: essential "
    "criteria",
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX%3A22017A1207%2801%29",
)
CARB_LINKAGE = Reference(
    "17 CCR §95942: compliance instruments of a linked system may be used interchangeably; "
    "its offset credits count against the offset limit",
    "https://casetext.com/regulation/california-code-of-regulations/title-17-public-health/division-3-air-resources/chapter-1-air-resources-board/subchapter-10-climate-change/article-5-california-cap-on-greenhouse-gas-emissions-and-market-based-compliance-mechanisms/subarticle-12-linkage-to-external-greenhouse-gas-emissions-trading-systems/section-95942-interchange-of-compliance-instruments-with-linked-external-greenhouse-gas-emissions-trading-systems",
)
RGGI_ELEMENTS = Reference(
    "RGGI, Program Overview and Design: one allowance is one short ton of CO2",
    "https://www.rggi.org/program-overview-and-design/elements",
)
