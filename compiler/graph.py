"""The rule graph: which value depends on which, each edge carrying the span of the use.

    rule_graph(checked) -> (RuleGraph, diagnostics)

Nodes are named `kind:name` (input:emissions, param:threshold, table:reduction_factor,
rule:cap, runtime:surrendered, penalty:non_compliance); an edge u → v means v uses u.
A cycle is one `rule-cycle` diagnostic that lists every edge of it.

The graph is plain dictionaries: compiling needs only an order, ancestors and a cycle test,
and importing networkx costs more than a whole `etsl check` of a bundled scheme. networkx
is imported where a graph is analysed or exported (`RuleGraph.to_networkx`), and to word
the diagnostics of a graph that has a cycle.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from etsl.compiler import ast, codes
from etsl.compiler.check import CheckedScheme
from etsl.compiler.diagnostics import Diagnostic, Related, error
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.source import Span
from etsl.compiler.system import YEAR
from etsl.compiler.vocabulary import RUNTIME_INPUTS, is_default

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class RuleGraph:
    """A directed graph over `kind:name` nodes. `nodes` maps each node to its attributes
    (kind, name, span, …) and `edges` each (used, user) pair to the span of the use, both
    in the order they were added; `uses` maps a node to the nodes it uses."""

    scheme: str
    nodes: Mapping[str, Mapping[str, Any]]
    edges: Mapping[tuple[str, str], Span]
    uses: Mapping[str, tuple[str, ...]]

    @functools.cached_property
    def order(self) -> tuple[str, ...]:
        """`evaluation_order`, sorted once (the cycle test and lowering both need it)."""
        return _evaluation_order(self)

    def has_node(self, node: str) -> bool:
        return node in self.nodes

    def predecessors(self, node: str) -> tuple[str, ...]:
        """The nodes `node` uses directly."""
        return self.uses.get(node, ())

    def ancestors(self, node: str) -> set[str]:
        """Every node `node` uses, directly or through others."""
        found: set[str] = set()
        pending = list(self.predecessors(node))
        while pending:
            current = pending.pop()
            if current not in found:
                found.add(current)
                pending.extend(self.predecessors(current))
        return found

    def to_networkx(self) -> nx.DiGraph:
        """The same graph as a networkx DiGraph (edge attribute `span`, graph attribute
        `scheme`), for analysis and export."""
        import networkx as nx

        g = nx.DiGraph(scheme=self.scheme)
        g.add_nodes_from((node, dict(data)) for node, data in self.nodes.items())
        g.add_edges_from((used, user, {"span": span}) for (used, user), span in self.edges.items())
        return g


def node_of(s: ResolvedScheme, name: str) -> str | None:
    """The graph node a name in an expression refers to (None for periods and enum values)."""
    if name in s.fields:
        return f"input:{name}"
    if name in s.params:
        return f"param:{name}"
    if name in s.tables:
        return f"table:{name}"
    if name in s.rules:
        return f"rule:{name}"
    if name in RUNTIME_INPUTS:
        return f"runtime:{name}"
    if name in s.system.names:
        return f"system:{name}"
    return None


def _uses(s: ResolvedScheme, expr: ast.Expr) -> Iterator[tuple[str, Span]]:
    """What an expression uses in the same row: `earlier_years(x)` reads x of earlier rows."""
    nodes = list(ast.walk(expr))
    earlier = {
        id(n.args[0]) for n in nodes if isinstance(n, ast.Call) and n.func == "earlier_years"
    }
    for node in nodes:
        if isinstance(node, ast.Name) and id(node) not in earlier:
            target = node_of(s, node.name)
            if target:
                yield target, node.span
        elif isinstance(node, ast.Call) and node.func in ("held", "eligible"):
            yield "runtime:surrendered" if node.func == "eligible" else "input:holdings", node.span


def _declared(s: ResolvedScheme) -> Iterator[tuple[str, str, Any]]:
    """(kind, name, declaration) of every input, parameter, table and rule."""
    for kind, table in (
        ("input", s.fields),
        ("param", s.params),
        ("table", s.tables),
        ("rule", s.rules),
    ):
        for name, decl in table.items():
            yield kind, name, decl


def _nodes(checked: CheckedScheme) -> dict[str, dict[str, Any]]:
    s = checked.resolved
    nodes: dict[str, dict[str, Any]] = {}
    for kind, name, decl in _declared(s):
        extra = (
            {"default": is_default(decl), "vocabulary": decl.vocabulary} if kind == "rule" else {}
        )
        nodes[f"{kind}:{name}"] = {
            "kind": kind,
            "name": name,
            "span": decl.span,
            "type": str(checked.types.get(name, "")),
            "description": decl.description,
            **extra,
        }
    for name in sorted(s.system.names):
        decl = s.system.declaration(name)
        nodes[f"system:{name}"] = {
            "kind": "system",
            "name": name,
            "span": decl.span if decl else s.scheme.span,
            "type": str(checked.types.get(name, "")),
            "description": getattr(decl, "description", None),
            "system_kind": _SYSTEM_KINDS.get(type(decl), "rule"),
        }
    for name, meaning in RUNTIME_INPUTS.items():
        nodes[f"runtime:{name}"] = {
            "kind": "runtime",
            "name": name,
            "span": s.scheme.span,
            "type": "tCO2e",
            "description": meaning,
        }
    return nodes


#: The kind of each system declaration in the system program (compiler/lower_system.py).
_SYSTEM_KINDS = {ast.SystemInput: "input", ast.Param: "param", ast.Table: "table"}


def _edges(s: ResolvedScheme) -> Iterator[tuple[str, str, Span]]:
    for name, param in s.params.items():
        for used, span in _uses(s, param.value):
            yield used, f"param:{name}", span
    for name, table in s.tables.items():
        for dim in table.dims:
            if dim in s.fields:
                yield f"input:{dim}", f"table:{name}", table.span
    for name, rule in s.rules.items():
        for used, span in _uses(s, rule.expr):
            yield used, f"rule:{name}", span
    for item in s.surrender.items if s.surrender else ():
        for expr in ast.clause_exprs(item):
            for used, span in _uses(s, expr):
                yield used, "runtime:surrendered", span
    yield from _penalty_edges(s)
    yield from _system_edges(s)
    for used in ("rule:obligation", "runtime:surrendered", "runtime:carry_in", "runtime:owed_in"):
        yield used, "runtime:credits_left", s.scheme.span


def _penalty_edges(s: ResolvedScheme) -> Iterator[tuple[str, str, Span]]:
    for index, penalty in enumerate(s.penalties):
        node = f"penalty:{penalty.name or index + 1}"
        exprs = [penalty.condition] + [
            e for c in penalty.consequences for e in (c.amount, c.lower, c.limit)
        ]
        for expr in exprs:
            if expr is not None:
                for used, span in _uses(s, expr):
                    yield used, node, span


def _system_edges(s: ResolvedScheme) -> Iterator[tuple[str, str, Span]]:
    """System values use what their expressions name (a participant value only inside an
    aggregate), and a price path its inflation input."""
    for owner, expr in s.system.expressions():
        for used, span in _uses(s, expr):
            if used != f"input:{YEAR}":
                yield used, f"system:{owner}", span
    for price in s.system.prices.values():
        if price.rising_plus in s.system.inputs:
            yield f"system:{price.rising_plus}", f"system:{price.name}", price.span


def rule_graph(checked: CheckedScheme) -> tuple[RuleGraph, list[Diagnostic]]:
    """Build the dependency graph and report every cycle once."""
    nodes = _nodes(checked)
    edges: dict[tuple[str, str], Span] = {}
    uses: dict[str, list[str]] = {}
    for used, user, span in _edges(checked.resolved):
        for node in (user, used):
            kind, name = node.split(":", 1)
            nodes.setdefault(node, {"kind": kind, "name": name, "span": span})
        if (used, user) not in edges:
            edges[used, user] = span
            uses.setdefault(user, []).append(used)
    g = RuleGraph(checked.resolved.name, nodes, edges, {node: tuple(u) for node, u in uses.items()})
    return g, ([] if _is_acyclic(g) else _cycles(g.to_networkx()))


def _is_acyclic(g: RuleGraph) -> bool:
    return len(evaluation_order(g)) == len(g.nodes)


def _cycles(g: nx.DiGraph) -> list[Diagnostic]:
    import networkx as nx

    problems = []
    for component in sorted(nx.strongly_connected_components(g), key=min):
        if len(component) == 1:
            (only,) = component
            if not g.has_edge(only, only):
                continue
        cycle = nx.find_cycle(g.subgraph(component), source=min(component))
        names = [g.nodes[u]["name"] for u, _ in cycle] + [g.nodes[cycle[0][0]]["name"]]
        related = [
            Related(
                g.edges[u, v]["span"], f"'{g.nodes[v]['name']}' uses '{g.nodes[u]['name']}' here"
            )
            for u, v in cycle
        ]
        first = g.edges[cycle[-1][0], cycle[-1][1]]["span"]
        levels = {u.startswith("system:") for u, _ in cycle}
        problems.append(
            error(
                codes.LEVEL_CYCLE if len(levels) == 2 else codes.RULE_CYCLE,
                ("system and participant values" if len(levels) == 2 else "rules")
                + " depend on each other in a cycle: "
                + " → ".join(names),
                first,
                "break the cycle: an aggregate's participant values must not read the system "
                "value computed from it"
                if len(levels) == 2
                else "break the cycle: one of these values must not depend on the others",
                related,
            )
        )
    return problems


def evaluation_order(g: RuleGraph) -> list[str]:
    """Nodes in dependency order, the smallest name first among those ready (networkx's
    lexicographical topological sort). Nodes on a cycle are left out."""
    return list(g.order)


def _evaluation_order(g: RuleGraph) -> tuple[str, ...]:
    users: dict[str, list[str]] = {}
    waiting = {node: len(g.predecessors(node)) for node in g.nodes}
    for used, user in g.edges:
        users.setdefault(used, []).append(user)
    ready = [node for node, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for user in users.get(node, ()):
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    return tuple(order)
