"""The rule graph: which value depends on which, each edge carrying the span of the use.

    rule_graph(checked) -> (networkx.DiGraph, diagnostics)

Nodes are named `kind:name` (input:emissions, param:threshold, table:reduction_factor,
rule:cap, runtime:surrendered, penalty:non_compliance); an edge u → v means v uses u.
A cycle is one `rule-cycle` diagnostic that lists every edge of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx
from etsl.compiler import ast, codes
from etsl.compiler.check import CheckedScheme
from etsl.compiler.diagnostics import Diagnostic, Related, error
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.source import Span
from etsl.compiler.vocabulary import RUNTIME_INPUTS, is_default


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


def _add_nodes(g: nx.DiGraph, checked: CheckedScheme) -> None:
    s = checked.resolved
    for kind, name, decl in _declared(s):
        extra = (
            {"default": is_default(decl), "vocabulary": decl.vocabulary} if kind == "rule" else {}
        )
        g.add_node(
            f"{kind}:{name}",
            kind=kind,
            name=name,
            span=decl.span,
            type=str(checked.types.get(name, "")),
            description=decl.description,
            **extra,
        )
    for name, meaning in RUNTIME_INPUTS.items():
        g.add_node(
            f"runtime:{name}",
            kind="runtime",
            name=name,
            span=s.scheme.span,
            type="tCO2e",
            description=meaning,
        )


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
    for used in ("rule:obligation", "runtime:surrendered", "runtime:carry_in", "runtime:owed_in"):
        yield used, "runtime:credits_left", s.scheme.span


def _penalty_edges(s: ResolvedScheme) -> Iterator[tuple[str, str, Span]]:
    for index, penalty in enumerate(s.penalties):
        node = f"penalty:{penalty.name or index + 1}"
        exprs = [penalty.condition] + [e for c in penalty.consequences for e in (c.amount, c.limit)]
        for expr in exprs:
            if expr is not None:
                for used, span in _uses(s, expr):
                    yield used, node, span


def rule_graph(checked: CheckedScheme) -> tuple[nx.DiGraph, list[Diagnostic]]:
    """Build the dependency graph and report every cycle once."""
    g: nx.DiGraph = nx.DiGraph(scheme=checked.resolved.name)
    _add_nodes(g, checked)
    for used, user, span in _edges(checked.resolved):
        if not g.has_node(user):
            g.add_node(user, kind=user.split(":")[0], name=user.split(":")[1], span=span)
        if not g.has_node(used):
            g.add_node(used, kind=used.split(":")[0], name=used.split(":")[1], span=span)
        if not g.has_edge(used, user):
            g.add_edge(used, user, span=span)
    return g, _cycles(g)


def _cycles(g: nx.DiGraph) -> list[Diagnostic]:
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
        problems.append(
            error(
                codes.RULE_CYCLE,
                "rules depend on each other in a cycle: " + " → ".join(names),
                first,
                "break the cycle: one of these values must not depend on the others",
                related,
            )
        )
    return problems


def evaluation_order(g: nx.DiGraph) -> list[str]:
    """Nodes in dependency order (the graph must be acyclic)."""
    return list(nx.lexicographical_topological_sort(g))
