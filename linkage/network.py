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

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

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
from etsl.linkage.said import Said, Scheme, in_english, template
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
    message: Said
    evidence: tuple[Evidence, ...]
    hint: Said | None = None
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


_TO_SELF = template("link-to-self", "{scheme} declares a link to itself")
_REMOVE = template("hint-remove-link", "remove the link")
_MISSING = template(
    "link-target-missing",
    "{scheme} links to {target}, which is not among the schemes analysed: whether {target} "
    "declares the link back cannot be checked",
)
_IN_LIBRARY = template(
    "hint-in-library", "it is in the bundled library: add its file to the schemes analysed"
)
_CHECK_NAME = template(
    "hint-check-name", "check the name, or add the scheme's file to the schemes analysed"
)
_DECLARE_BACK = template("hint-declare-back", "declare `link {one} …` in {other}")
_CONSISTENT = template(
    "hint-consistent-directions", "two-way on both sides, or outbound matched by inbound"
)


def _dangling(model: SchemeModel, target: str, models: dict[str, SchemeModel]) -> Issue | None:
    if target == model.name:
        return Issue(
            codes.LINK_TO_SELF.name,
            "warning",
            _TO_SELF(scheme=Scheme(model.name)),
            (link_evidence(model, target),),
            _REMOVE(),
            (model.name,),
        )
    if target in models:
        return None
    from etsl.compiler.driver import library_scheme_names

    hint = _IN_LIBRARY() if target in library_scheme_names() else _CHECK_NAME()
    return Issue(
        codes.LINK_TARGET_MISSING.name,
        "warning",
        _MISSING(scheme=Scheme(model.name), target=Scheme(target)),
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
                    _DECLARE_BACK(one=one, other=Scheme(other)),
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
                    _CONSISTENT(),
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


# ---- documents -----------------------------------------------------------------------------------


def network_data(report: NetworkReport) -> dict[str, Any]:
    data = in_english(asdict(report))
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
    hint = f"; hint: {issue.hint.text()}" if issue.hint else ""
    where = issue.evidence[0].where
    return f"{issue.severity}: {issue.message.text()} ({where}){hint}  [{issue.code}]"


def _indirect_line(pair: IndirectPair) -> str:
    ways = [f"through the chain {' → '.join(pair.path)}"] if pair.path else []
    ways += (
        [f"through credits both accept at the same time ({', '.join(pair.credits)})"]
        if pair.credits
        else []
    )
    return f"{pair.a} and {pair.b}: " + "; ".join(ways)


def _flow_line(flow: Flow) -> str:
    return f"{flow.kind} '{flow.what}' of {flow.origin} reaches {flow.reaches} {flow.route.text()}"


def plain_report(
    pairs: Sequence[LinkReport], network: NetworkReport | None, fmt: str, color: bool = False
) -> str:
    """A pair or network report as text (rich, coloured when asked) or JSON; the HTML and
    Markdown documents are rendered by `etsl.documents.linkage_report`."""
    if fmt == "json":
        return json.dumps(document_data(pairs, network), indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return network_text(network, color) if network else pair_texts(pairs, color)
    raise ValueError(f"unknown report format {fmt!r}")
