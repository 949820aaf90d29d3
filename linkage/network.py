"""The link network of many schemes: reciprocity, linked markets and indirect flows.

    >>> report = analyse_network([tokyo_cat, saitama_tset, eu_ets])
    >>> report.components
    (('saitama_tset', 'tokyo_cat'),)

The link graph is a networkx DiGraph over scheme names. An edge u → v means units of u can be
surrendered in v (from either side's declaration: `two_way` gives both edges, `outbound` u → v,
`inbound` v → u). What travels along an edge is worded as in the pair reports
(`etsl.linkage.flows`): a credit accepted in u reaches v through the link (it crosses itself)
or by freeing allowances of u that cross; a link that carries only credits frees no
allowances, so credits and price ceilings reach only schemes joined by links allowances
cross, and floors only where allowances cross both ways. Only what happens while the links
operate counts. Schemes that accept the same credits at the same time are linked indirectly
through them even without a declared link. A link to a scheme that is not analysed is a
reciprocity finding (it cannot be confirmed), never a crash.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
from etsl.compiler import codes
from etsl.compiler.model import SchemeModel
from etsl.linkage.checks.links import CONSISTENT, mismatch_message, one_sided_message
from etsl.linkage.facts import (
    Evidence,
    Rates,
    link_evidence,
    link_to,
)
from etsl.linkage.pair import (
    FORMAT_VERSION,
    LinkReport,
    SchemeRef,
    check_pair,
    pair_texts,
    report_data,
    text_console,
    with_where,
)
from etsl.linkage.travel import Flow, IndirectPair, credit_flows, indirect_pairs, price_flows

#: Codes only the network analysis reports (the pair checks' codes are in the catalogue).
NETWORK_CODES = (codes.LINK_TARGET_MISSING, codes.LINK_TO_SELF)

_FLOWS: dict[str, tuple[tuple[int, int], ...]] = {
    "two_way": ((0, 1), (1, 0)),
    "outbound": ((0, 1),),
    "inbound": ((1, 0),),
}


@dataclass(frozen=True, slots=True)
class Edge:
    """Units of `source` can be surrendered in `target`, per these schemes' declarations."""

    source: str
    target: str
    declared_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Issue:
    """A reciprocity problem or a diagnostic about the declarations."""

    code: str
    severity: str
    message: str
    evidence: tuple[Evidence, ...]
    hint: str | None = None
    schemes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NetworkReport:
    schemes: tuple[SchemeRef, ...]
    edges: tuple[Edge, ...]
    reciprocity: tuple[Issue, ...]
    components: tuple[tuple[str, ...], ...]
    unlinked: tuple[str, ...]
    indirect_pairs: tuple[IndirectPair, ...]
    credit_flows: tuple[Flow, ...]
    price_flows: tuple[Flow, ...]
    diagnostics: tuple[Issue, ...]
    pairs: tuple[LinkReport, ...]
    rates: tuple[str, ...]

    @property
    def blocked(self) -> bool:
        return any(p.blockers for p in self.pairs)


# ---- the graph ---------------------------------------------------------------------------------


def link_graph(models: dict[str, SchemeModel]) -> tuple[nx.DiGraph, list[Issue]]:
    """The directed flow graph of units, and findings for links that cannot be drawn."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(models))
    problems: list[Issue] = []
    for model in models.values():
        for link in model.links:
            problem = _dangling(model, link.target, models)
            if problem:
                problems.append(problem)
                continue
            ends = (model.name, link.target)
            for i, j in _FLOWS.get(link.direction, ()):
                if not graph.has_edge(ends[i], ends[j]):
                    graph.add_edge(ends[i], ends[j], declared_by=set())
                graph.edges[ends[i], ends[j]]["declared_by"].add(model.name)
    return graph, problems


def _dangling(model: SchemeModel, target: str, models: dict[str, SchemeModel]) -> Issue | None:
    if target == model.name:
        return Issue(
            codes.LINK_TO_SELF.name,
            "warning",
            f"'{model.name}' declares a link to itself",
            (link_evidence(model, target),),
            "remove the link",
            (model.name,),
        )
    if target in models:
        return None
    from etsl.compiler.driver import library_scheme_names

    hint = (
        "it is in the bundled library: add its file to the schemes analysed"
        if target in library_scheme_names()
        else "check the name, or add the scheme's file to the schemes analysed"
    )
    return Issue(
        codes.LINK_TARGET_MISSING.name,
        "warning",
        f"'{model.name}' links to '{target}', which is not among the schemes analysed: "
        f"whether '{target}' declares the link back cannot be checked",
        (link_evidence(model, target),),
        hint,
        (model.name, target),
    )


def _reciprocity(models: dict[str, SchemeModel], dangling: list[Issue]) -> list[Issue]:
    """Links not declared back, directions that disagree, and links whose other side is not
    analysed (so they cannot be confirmed), in the words of the pair checks."""
    issues = []
    for a, b in _declared_pairs(models):
        ma, mb = models[a], models[b]
        la, lb = link_to(ma, b), link_to(mb, a)
        proof = (link_evidence(ma, b), link_evidence(mb, a))
        if la is None or lb is None:
            one, other, link = (a, b, la) if la else (b, a, lb)
            assert link is not None
            issues.append(
                Issue(
                    codes.LINK_ONE_SIDED.name,
                    "warning",
                    one_sided_message(one, other, link.direction),
                    proof,
                    f"declare 'link {one} …' in '{other}'",
                    (a, b),
                )
            )
        elif (la.direction, lb.direction) not in CONSISTENT:
            issues.append(
                Issue(
                    codes.LINK_DIRECTION_MISMATCH.name,
                    "warning",
                    mismatch_message(a, b, la.direction, lb.direction),
                    proof,
                    "two-way on both sides, or outbound matched by inbound",
                    (a, b),
                )
            )
    return issues + [i for i in dangling if i.code == codes.LINK_TARGET_MISSING.name]


def _declared_pairs(models: dict[str, SchemeModel]) -> list[tuple[str, str]]:
    pairs = {
        tuple(sorted((m.name, link.target)))
        for m in models.values()
        for link in m.links
        if link.target in models and link.target != m.name
    }
    return sorted((a, b) for a, b in pairs)


def analyse_network(models: Iterable[SchemeModel], rates: Rates | None = None) -> NetworkReport:
    """Analyse the link network of several schemes (pair reports for every declared link)."""
    by_name = {m.name: m for m in models}
    graph, problems = link_graph(by_name)
    components = sorted(
        tuple(sorted(c)) for c in nx.weakly_connected_components(graph) if len(c) > 1
    )
    linked = {name for c in components for name in c}
    edges = tuple(
        Edge(u, v, tuple(sorted(graph.edges[u, v]["declared_by"]))) for u, v in sorted(graph.edges)
    )
    return NetworkReport(
        schemes=tuple(SchemeRef.of(by_name[n]) for n in sorted(by_name)),
        edges=edges,
        reciprocity=tuple(_reciprocity(by_name, problems)),
        components=tuple(components),
        unlinked=tuple(sorted(set(by_name) - linked)),
        indirect_pairs=tuple(indirect_pairs(graph, by_name)),
        credit_flows=tuple(credit_flows(graph, by_name)),
        price_flows=tuple(price_flows(graph, by_name)),
        diagnostics=tuple(i for i in problems if i.code != codes.LINK_TARGET_MISSING.name),
        pairs=tuple(check_pair(by_name[a], by_name[b], rates) for a, b in _declared_pairs(by_name)),
        rates=(rates or Rates()).texts(),
    )


# ---- drawing ----------------------------------------------------------------------------------

_COLORS = {"blocked": "#c0392b", "warnings": "#b9770e", "compatible": "#1e8449", "none": "#7f8c8d"}
_PALETTE = ("#2e86c1", "#8e44ad", "#16a085", "#d35400", "#c71585", "#2c3e50")
_NODE_RADIUS = 9


def _layout(names: Sequence[str], centre: float, radius: float) -> dict[str, tuple[float, float]]:
    if len(names) == 1:
        return {names[0]: (centre, centre)}
    step = 2 * math.pi / max(len(names), 1)
    return {
        name: (
            centre + radius * math.cos(i * step - math.pi / 2),
            centre + radius * math.sin(i * step - math.pi / 2),
        )
        for i, name in enumerate(names)
    }


def _shorten(p: tuple[float, float], q: tuple[float, float]) -> tuple[float, ...]:
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = math.hypot(dx, dy) or 1.0
    gap = (_NODE_RADIUS + 3) / length
    return (p[0] + dx * gap, p[1] + dy * gap, q[0] - dx * gap, q[1] - dy * gap)


def network_svg(report: NetworkReport, size: int = 520) -> str:
    """The network drawn on a circle: arrows show where units flow, colour the pair verdict."""
    names = [n for c in report.components for n in c] + list(report.unlinked)
    centre, radius = size / 2, size / 2 - 110
    at = _layout(names, centre, radius)
    verdicts = {frozenset((p.a.name, p.b.name)): p.verdict for p in report.pairs}
    one_sided = {frozenset(i.schemes) for i in report.reciprocity if i.code == "link-one-sided"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" role="img" aria-label="link network">',
        "<title>Link network</title>",
        _markers(),
    ]
    directed = {(e.source, e.target) for e in report.edges}
    for pair in sorted({frozenset((e.source, e.target)) for e in report.edges}, key=sorted):
        u, v = sorted(pair)
        parts.append(
            _edge(
                at[u],
                at[v],
                verdicts.get(pair, "none"),
                (u, v) in directed,
                (v, u) in directed,
                pair in one_sided,
            )
        )
    component_of = {n: i for i, c in enumerate(report.components) for n in c}
    for name in names:
        parts.append(_node(name, at[name], centre, component_of.get(name)))
    parts.append(_legend(size))
    parts.append("</svg>")
    return "\n".join(parts)


def _markers() -> str:
    defs = "".join(
        f'<marker id="arrow-{key}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" '
        f'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{color}"/></marker>'
        for key, color in _COLORS.items()
    )
    return f"<defs>{defs}</defs>"


def _edge(
    p: tuple[float, float],
    q: tuple[float, float],
    verdict: str,
    forward: bool,
    backward: bool,
    dashed: bool,
) -> str:
    x1, y1, x2, y2 = _shorten(p, q)
    marks = (f' marker-end="url(#arrow-{verdict})"' if forward else "") + (
        f' marker-start="url(#arrow-{verdict})"' if backward else ""
    )
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{_COLORS[verdict]}" stroke-width="2.5"{dash}{marks}/>'
    )


def _node(name: str, at: tuple[float, float], centre: float, component: int | None) -> str:
    x, y = at
    fill = _PALETTE[component % len(_PALETTE)] if component is not None else "#bdc3c7"
    anchor = "middle" if abs(x - centre) < 1 else ("start" if x > centre else "end")
    dx = 0 if anchor == "middle" else (14 if anchor == "start" else -14)
    dy = -16 if y < centre and anchor == "middle" else (24 if anchor == "middle" else 5)
    return (
        f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="{_NODE_RADIUS}" fill="{fill}" '
        f'stroke="#222" stroke-width="1"/><text x="{x + dx:.1f}" y="{y + dy:.1f}" '
        f'text-anchor="{anchor}" font-family="sans-serif" font-size="13">'
        f"{escape(name)}</text></g>"
    )


def _legend(size: int) -> str:
    rows = [("blocked", "blocker"), ("warnings", "warnings"), ("compatible", "compatible")]
    items = [
        f'<text x="10" y="{size - 58 + 16 * i}" font-family="sans-serif" font-size="11" '
        f"fill={quoteattr(_COLORS[key])}>— {label}</text>"
        for i, (key, label) in enumerate(rows)
    ]
    items.append(
        f'<text x="10" y="{size - 10}" font-family="sans-serif" font-size="11" '
        'fill="#555">arrows: where units flow; dashed: declared by one side</text>'
    )
    return "".join(items)


# ---- documents -----------------------------------------------------------------------------------


def network_data(report: NetworkReport) -> dict[str, Any]:
    data = asdict(report)
    data["pairs"] = [report_data(p) for p in report.pairs]
    data["blocked"] = report.blocked
    with_where(data)
    return data


def document_data(pairs: Sequence[LinkReport], network: NetworkReport | None) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "pairs": [report_data(p) for p in (network.pairs if network else pairs)],
        "network": network_data(network) if network else None,
    }


def network_text(report: NetworkReport, color: bool = False) -> str:
    console, buffer = text_console(color)
    from rich.text import Text

    def section(title: str, lines: Sequence[str], empty: str = "(none)") -> None:
        console.print(Text(title, style="bold underline"))
        for line in lines or [empty]:
            console.print(Text(f"  {line}"))
        console.print()

    section(f"Schemes ({len(report.schemes)})", [f"{s.name}  {s.path}" for s in report.schemes])
    section("Linked markets", [" ↔ ".join(c) for c in report.components])
    section(
        "Reciprocity",
        [_issue_line(i) for i in report.reciprocity],
        "every link among the schemes analysed is declared by both sides, in consistent directions",
    )
    section("Pairs linked only indirectly", [_indirect_line(p) for p in report.indirect_pairs])
    section(
        "Credits reaching schemes that do not accept them",
        [_flow_line(f) for f in report.credit_flows],
    )
    section(
        "Price controls reaching schemes without them", [_flow_line(f) for f in report.price_flows]
    )
    section("Diagnostics", [_issue_line(i) for i in report.diagnostics])
    return str(buffer.getvalue()) + str(pair_texts(report.pairs, color))


def _issue_line(issue: Issue) -> str:
    hint = f"; hint: {issue.hint}" if issue.hint else ""
    return f"{issue.severity}: {issue.message} ({issue.evidence[0].where}){hint}  [{issue.code}]"


def _indirect_line(pair: IndirectPair) -> str:
    ways = [f"through the chain {' → '.join(pair.path)}"] if pair.path else []
    ways += (
        [f"through credits both accept at the same time ({', '.join(pair.credits)})"]
        if pair.credits
        else []
    )
    return f"{pair.a} and {pair.b}: " + "; ".join(ways)


def _flow_line(flow: Flow) -> str:
    return f"{flow.kind} '{flow.what}' of {flow.origin} reaches {flow.reaches} {flow.route}"


@functools.cache
def _template(name: str) -> Any:
    """HTML: Jinja2 autoescape. Markdown: every value escaped for the HTML a renderer emits
    (`& < >`, leaving quotes readable); the inline SVG is trusted markup in both."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    markdown = name.endswith(".md.j2")
    env = Environment(
        loader=PackageLoader("etsl.documents", "templates"),
        autoescape=not markdown,
        finalize=_md_escape if markdown else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _md_cell
    env.filters["http"] = _http
    return env.get_template(name)


def _md_escape(value: object) -> object:
    from markupsafe import Markup

    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _http(url: object) -> str:
    """The URL if it is http(s), else '' (never link `javascript:` from a scheme file)."""
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else ""


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_document(
    pairs: Sequence[LinkReport], network: NetworkReport | None, fmt: str, color: bool = False
) -> str:
    """A pair or network report as text, json, md or html (self-contained)."""
    if fmt == "json":
        return json.dumps(document_data(pairs, network), indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return network_text(network, color) if network else pair_texts(pairs, color)
    from markupsafe import Markup

    data = document_data(pairs, network)
    data["svg"] = Markup(network_svg(network)) if network else None
    data["title"] = _title(pairs, network)
    rendered: str = _template(f"link.{fmt}.j2").render(**data)
    return rendered


def _title(pairs: Sequence[LinkReport], network: NetworkReport | None) -> str:
    if network:
        return f"Link network of {len(network.schemes)} schemes"
    return "Linkage: " + ", ".join(f"{p.a.name} and {p.b.name}" for p in pairs)
