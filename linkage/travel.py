"""What travels through a link network: credits and price controls that reach other schemes
while the links operate, and pairs of schemes linked only indirectly (through a chain of
links, or through credits both accept at the same time).

Worded as in the pair reports (`etsl.linkage.flows`): a credit of u reaches v *through the
link*, *by freeing allowances* that cross it, or *through the chain* u → … → v. Credits
and ceilings travel only along links that allowances cross; floors only along links that
allowances cross both ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
from etsl.compiler.model import SchemeModel, UnitModel
from etsl.linkage.amounts import price_evidence, prices
from etsl.linkage.facts import (
    CREDIT_KINDS,
    Evidence,
    Statement,
    accept_evidence,
    accepted,
    evidence,
    kind_states,
    names_in,
    stated,
    surrender_summary,
)
from etsl.linkage.flows import (
    THROUGH_LINK,
    Route,
    allowances_crossing,
    chain_route,
    linked_instrument,
)
from etsl.linkage.said import Said, template
from etsl.linkage.timing import (
    ALWAYS,
    Window,
    accepting_periods,
    accepts_during,
    link_window,
    period_window,
)


@dataclass(frozen=True, slots=True)
class IndirectPair:
    """Two schemes without a link of their own, joined by a chain of links (`path`) and/or
    by credits both accept at the same time (`credits`)."""

    a: str
    b: str
    path: tuple[str, ...]
    credits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Flow:
    """A credit type or price control of `origin` that reaches `reaches`, which lacks it;
    `route` says how, in the words of the pair reports; `indirect`: through a chain."""

    what: str
    kind: str
    origin: str
    reaches: str
    path: tuple[str, ...]
    indirect: bool
    evidence: tuple[Evidence, ...]
    route: Said


#: Evidence that a scheme reached has no price control of the kind that reaches it.
NO_KIND = {
    "ceiling": template("evidence-no-ceiling-at-all", "no ceiling"),
    "floor": template("evidence-no-floor-at-all", "no floor"),
}

# ---- indirect links ---------------------------------------------------------------------------


def common_credits(a: SchemeModel, b: SchemeModel) -> tuple[str, ...]:
    """Credits both schemes accept in periods that overlap in time."""
    found = []
    for unit, _ in accepted(a):
        if unit.kind not in CREDIT_KINDS or unit.name in found:
            continue
        spans = [period_window(p) for p in accepting_periods(a, unit.name)] or [ALWAYS]
        theirs = [
            period_window(p) for name in names_in(b, a, unit) for p in accepting_periods(b, name)
        ]
        if names_in(b, a, unit) and any(x.overlaps(y) for x in spans for y in theirs or [ALWAYS]):
            found.append(unit.name)
    return tuple(found)


def indirect_pairs(graph: nx.DiGraph, models: dict[str, SchemeModel]) -> list[IndirectPair]:
    """Pairs without a link of their own, joined by a chain of links or common credits."""
    undirected = graph.to_undirected()
    names = sorted(models)
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if undirected.has_edge(a, b):
                continue
            path = (
                tuple(nx.shortest_path(undirected, a, b)) if nx.has_path(undirected, a, b) else ()
            )
            common = common_credits(models[a], models[b])
            if path or common:
                found.append(IndirectPair(a, b, path, common))
    return found


# ---- what travels ----------------------------------------------------------------------------


def allowance_graph(models: dict[str, SchemeModel], graph: nx.DiGraph) -> nx.DiGraph:
    """The links that allowances cross: along these, one unit frees another."""
    carrying = nx.DiGraph()
    carrying.add_nodes_from(graph.nodes)
    carrying.add_edges_from(
        (u, v) for u, v in graph.edges if allowances_crossing(models[u], models[v])
    )
    return carrying


def _chain_window(models: dict[str, SchemeModel], path: Sequence[str]) -> Window:
    """While every link of a chain operates."""
    windows = [link_window(models[u], models[v]) for u, v in zip(path, path[1:], strict=False)]
    starts = [w.start for w in windows if w.start]
    ends = [w.end for w in windows if w.end]
    return Window(max(starts) if starts else None, min(ends) if ends else None)


def _credit_flow(
    models: dict[str, SchemeModel], carrying: nx.DiGraph, origin: str, unit: UnitModel, reached: str
) -> Flow | None:
    source, target = models[origin], models[reached]
    path = tuple(nx.shortest_path(carrying, origin, reached))
    if not stated(target, "credits"):
        return None
    if len(path) == 2 and linked_instrument(target, source, unit):
        return None
    window = _chain_window(models, path)
    route = chain_route([models[n] for n in path], unit)
    taken = any(accepts_during(target, n, window) for n in names_in(target, source, unit))
    if route is None or taken or not accepts_during(source, unit.name, window):
        return None
    item = next(item for u, item in accepted(source) if u.name == unit.name)
    proof = (accept_evidence(source, item), surrender_summary(target))
    return Flow(unit.name, unit.kind, origin, reached, path, route.chain, proof, route.words())


def credit_flows(graph: nx.DiGraph, models: dict[str, SchemeModel]) -> list[Flow]:
    carrying = allowance_graph(models, graph)
    flows = []
    for origin in sorted(models):
        for unit, _ in accepted(models[origin]):
            if unit.kind not in CREDIT_KINDS:
                continue
            for reached in sorted(nx.descendants(carrying, origin)):
                flow = _credit_flow(models, carrying, origin, unit, reached)
                if flow is not None:
                    flows.append(flow)
    return list(dict.fromkeys(flows))


def price_flows(graph: nx.DiGraph, models: dict[str, SchemeModel]) -> list[Flow]:
    """Ceilings reach every scheme allowances flow to; floors only schemes joined by links
    allowances cross both ways. A flow is reported only to a scheme that states it has none
    of that kind: one that states no price controls, or leaves that kind not stated (Québec's
    ceiling), or states it without a level, is not compared."""
    carrying = allowance_graph(models, graph)
    mutual = nx.DiGraph([(u, v) for u, v in carrying.edges if carrying.has_edge(v, u)])
    mutual.add_nodes_from(carrying.nodes)
    flows = []
    for kind, reach in (("ceiling", carrying), ("floor", mutual)):
        for origin in sorted(models):
            for price in prices(models[origin], kind):
                for reached in sorted(nx.descendants(reach, origin)):
                    target = models[reached]
                    if kind_states(target, kind) is not Statement.NONE:
                        continue
                    path = tuple(nx.shortest_path(reach, origin, reached))
                    proof = (
                        price_evidence(models[origin], price),
                        evidence(target, "price_controls", NO_KIND[kind]()),
                    )
                    route = Route(THROUGH_LINK, path).words()
                    flows.append(
                        Flow(price.name, kind, origin, reached, path, len(path) > 2, proof, route)
                    )
    return flows
