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

from collections.abc import Sequence

from etsl.documents.figures.network import network_svg
from etsl.documents.render import render
from etsl.linkage.network import NetworkReport, document_data, plain_report
from etsl.linkage.pair import LinkReport
from markupsafe import Markup

#: Formats this module renders; text and JSON come from `etsl.linkage.network.plain_report`.
DOCUMENT_FORMATS = ("md", "html")


def render_document(
    pairs: Sequence[LinkReport], network: NetworkReport | None, fmt: str, color: bool = False
) -> str:
    """A pair or network report as text, json, md or html (self-contained)."""
    if fmt not in DOCUMENT_FORMATS:
        return plain_report(pairs, network, fmt, color)
    data = document_data(pairs, network)
    data["svg"] = Markup(network_svg(network)) if network else None
    data["title"] = title(pairs, network)
    return render(f"link.{fmt}.j2", **data)


def title(pairs: Sequence[LinkReport], network: NetworkReport | None) -> str:
    """The report's title: the network's size, or the pairs it checks."""
    if network:
        return f"Link network of {len(network.schemes)} schemes"
    return "Linkage: " + ", ".join(f"{p.a.name} and {p.b.name}" for p in pairs)
