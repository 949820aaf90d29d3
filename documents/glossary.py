"""The glossary: abbreviations the schemes and their sources use, with what they stand for.

    >>> [e.term for e in glossary_entries(["Offsets: ARBOC, and the TNAC."])]
    ['ARBOC', 'TNAC']

The site lists an abbreviation when one of its pages uses it. Each expansion goes through
the catalogue (context `glossary`), so the Japanese site gives the official Japanese term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from etsl.documents.i18n import pgettext


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    term: str
    meaning: str


#: Abbreviation → what it stands for (English; the catalogue translates it, context
#: `glossary`; `python -m etsl.documents.messages` adds these to it).
TERMS: dict[str, str] = {
    "AAU": "Assigned Amount Unit (Kyoto Protocol)",
    "ARBOC": "Air Resources Board Offset Credit (California)",
    "CCA": "California Carbon Allowance",
    "CCER": "China Certified Emission Reduction",
    "CCR": "Cost Containment Reserve",
    "CDM": "Clean Development Mechanism (Kyoto Protocol, Article 12)",
    "CER": "Certified Emission Reduction (a CDM credit)",
    "CHU": "Swiss emission allowance",
    "CO₂e": "Carbon dioxide equivalent",
    "CPI": "Consumer price index",
    "ECR": "Emissions Containment Reserve (RGGI)",
    "ERU": "Emission Reduction Unit (Joint Implementation)",
    "ETS": "Emissions trading system",
    "EUA": "European Union Allowance",
    "FY": "Fiscal year (in Japan, April to March)",
    "GHG": "Greenhouse gas",
    "GWP": "Global warming potential",
    "ICAP": "International Carbon Action Partnership",
    "JI": "Joint Implementation (Kyoto Protocol, Article 6)",
    "JPA": "Japan Allowance (JVETS)",
    "JVETS": "Japan's Voluntary Emissions Trading Scheme",
    "J-VER": "Japan Verified Emission Reduction (offset credit)",
    "KAU": "Korean Allowance Unit",
    "KCU": "Korean Credit Unit",
    "KOC": "Korean Offset Credit",
    "LRF": "Linear reduction factor (the yearly cut of the EU cap)",
    "lCER": "Long-term CER (afforestation and reforestation)",
    "MRV": "Monitoring, reporting and verification",
    "MSR": "Market Stability Reserve (EU ETS)",
    "NAP": "National allocation plan (EU ETS phases 1 and 2)",
    "NZU": "New Zealand Unit",
    "QCA": "Québec emission allowance",
    "RGA": "RGGI CO₂ allowance",
    "RGGI": "Regional Greenhouse Gas Initiative (north-eastern United States)",
    "RMU": "Removal Unit (Kyoto Protocol)",
    "SME": "Small and medium-sized enterprise",
    "tCER": "Temporary CER (afforestation and reforestation)",
    "TNAC": "Total number of allowances in circulation (EU ETS)",
    "TMG": "Tokyo Metropolitan Government",
    "UKA": "UK emission allowance",
    "VAP": "Voluntary Action Plan (Keidanren)",
}


def glossary_entries(texts: Iterable[str]) -> tuple[GlossaryEntry, ...]:
    """The abbreviations the texts use, in alphabetical order, with their meanings."""
    joined = "\n".join(texts)
    used = [term for term in TERMS if re.search(rf"(?<![\w-]){re.escape(term)}s?(?![\w-])", joined)]
    return tuple(
        GlossaryEntry(term, pgettext("glossary", TERMS[term]))
        for term in sorted(used, key=str.casefold)
    )
