"""Linkage reports as documents: a pair or network report as HTML or Markdown.

    >>> from etsl.linkage.network import analyse_network
    >>> html = render_document([], analyse_network([tokyo_cat, saitama_tset]), "html")
    >>> html.startswith("<!DOCTYPE html>"), "<svg" in html
    (True, True)

The analysis (findings, the network) is `etsl.linkage`'s plain data; this module draws the
network with the figures kit and renders the templates in the one rendering environment,
so scheme text is escaped and linked exactly as on every other page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from etsl.compiler.model import SchemeModel
from etsl.documents.figures.comparison import brief_name, sole_places
from etsl.documents.figures.network import network_svg
from etsl.documents.i18n import N_, current, ngettext, pgettext
from etsl.documents.i18n import gettext as _
from etsl.documents.prose import Lexicon, condition
from etsl.documents.render import render
from etsl.documents.shell import Shell
from etsl.documents.wording import capital, label, scheme_title
from etsl.linkage.network import NetworkReport, document_data, plain_report
from etsl.linkage.pair import LinkReport
from etsl.linkage.said import Joined, Voice, spoken
from markupsafe import Markup

#: What flows through a link, in words.
FLOW_KINDS = {
    "credit": N_("credit"),
    "offset": N_("offset credit"),
    "allowance": N_("allowance"),
    "ceiling": N_("price ceiling"),
    "floor": N_("price floor"),
}
#: The title of the linkage report inside a site.
SITE_TITLE = N_("Links between the schemes")

#: Formats this module renders; text and JSON come from `etsl.linkage.network.plain_report`.
DOCUMENT_FORMATS = ("md", "html")


def render_document(
    pairs: Sequence[LinkReport],
    network: NetworkReport | None,
    fmt: str,
    color: bool = False,
    shell: Shell | None = None,
    models: Sequence[SchemeModel] = (),
) -> str:
    """A pair or network report as text, json, md or html (self-contained, or inside a
    site's `shell`). `models`, when given, are the schemes analysed: their jurisdictions
    shorten their names as the comparisons' charts do (`Saitama Prefecture`)."""
    if fmt not in DOCUMENT_FORMATS:
        return plain_report(pairs, network, fmt, color)
    data = document_data(pairs, network)
    names = scheme_titles(pairs, network)
    data["names"] = names
    places = sole_places(models)
    data["short"] = {name: brief_name(names[name], name, places.get(name)) for name in names}
    _reword(data, reader_voice(data["short"]))
    for finding in (f for pair in data["pairs"] for f in pair["findings"]):
        finding["message"] = sentence(finding["message"])
    data["kinds"] = {kind: _(words) for kind, words in FLOW_KINDS.items()}
    data["svg"] = Markup(network_svg(network, data["short"].__getitem__)) if network else None
    data["title"] = title(pairs, network, names)
    data["shell"] = shell or Shell()
    return render(f"link.{fmt}.j2", **data)


#: How lists are joined in the language being written (`and`, `or`: before the last item).
_JOINS = {
    "and": N_(" and "),
    "or": N_(" or "),
    "comma": N_(", "),
    "semicolon": N_("; "),
    "arrow": " → ",
}


#: Words for scheme text quoted in a finding, which names no scheme's own terms.
_NO_TERMS = Lexicon(None, {})


def reader_voice(short: Mapping[str, str]) -> Voice:
    """Linkage messages in the language being written: templates from the catalogue, schemes
    by their short titles, identifiers by their terms, scheme text (a condition) in words as
    the scheme pages word it, `the issuer's shortfall is zero` (messages are shown with
    `|code_spans`, so a title's backquote is made a quote)."""

    def term(name: str, quoted: bool) -> str:
        return _("“{name}”").format(name=label(name)) if quoted else label(name)

    def scheme(name: str, quoted: bool) -> str:
        return (short.get(name) or label(name)).replace("`", "'")

    def listing(items: list[str], joined: Joined) -> str:
        if not items:
            return _("none")
        if joined in ("and", "or") and len(items) > 1:
            return _(", ").join(items[:-1]) + _(_JOINS[joined]) + items[-1]
        return (_(_JOINS[joined]) if joined != "arrow" else " → ").join(items)

    return Voice(
        template=lambda text: pgettext("linkage", text),
        scheme=scheme,
        term=term,
        code=lambda text: condition(text, _NO_TERMS),
        listing=listing,
    )


def _reword(data: Any, voice: Voice) -> None:
    """Word, in place, every message of the report's plain data (kept under `k_said`, see
    `etsl.linkage.said.in_english`) for readers, in the language being written."""
    if isinstance(data, dict):
        if {"scheme", "value"} <= data.keys():  # evidence: words, or scheme text (as code)
            data["as_written"] = "value_said" not in data
        for key, value in list(data.items()):
            if key.endswith("_said"):
                data[key.removesuffix("_said")] = gas_symbols(spoken(value, voice))
            else:
                _reword(value, voice)
    elif isinstance(data, list | tuple):
        for value in data:
            _reword(value, voice)


#: Gases and tonnes of them as the pages write them, by language (the analysis writes
#: `t CO2e` for its text report).
_GAS_SYMBOLS = {
    "en": ((re.compile(r"\bCO2(e?)\b"), "CO₂\\1"),),
    "ja": (
        (re.compile(r"\bCO2(e?)\b"), "CO₂\\1"),
        (re.compile(r"\b(M?)t CO₂(e?)\b"), lambda m: f"{'百万' if m[1] else ''}t-CO₂{m[2]}"),
        (re.compile(r"(\d) JPY\b"), "\\1円"),
    ),
}


def gas_symbols(text: str) -> str:
    """`394.5 Mt CO2e`, `65 USD/t CO2e` as the pages write them: `Mt CO₂e`, `USD/t CO₂e`
    (in Japanese `百万t-CO₂e`, `USD/t-CO₂e`, and yen as Japanese pages write it: `4,300円`)."""
    for pattern, words in _GAS_SYMBOLS.get(current(), ()):
        text = pattern.sub(words, text)
    return text


def sentence(text: str) -> str:
    """A finding as a sentence of a page: capitalised, with its full stop."""
    return _("{sentence}.").format(sentence=capital(text))


def scheme_titles(pairs: Sequence[LinkReport], network: NetworkReport | None) -> dict[str, str]:
    """Each scheme's title (its name when it has none)."""
    refs = list(network.schemes) if network else [r for p in pairs for r in (p.a, p.b)]
    return {r.name: scheme_title(r.title, r.name) for r in refs}


def title(pairs: Sequence[LinkReport], network: NetworkReport | None, names: dict[str, str]) -> str:
    """The report's title: the network's size, or the pairs it checks."""
    if network:
        count = len(network.schemes)
        return ngettext(
            "Links between {count} scheme", "Links between {count} schemes", count
        ).format(count=count)
    between = [_("{a} and {b}").format(a=names[p.a.name], b=names[p.b.name]) for p in pairs]
    return _("Linkage: {pairs}").format(pairs="; ".join(between))
