"""Rule graphs as Graphviz dot and JSON."""

from __future__ import annotations

import json

import networkx as nx

_SHAPES = {
    "input": "box",
    "param": "note",
    "table": "tab",
    "rule": "ellipse",
    "runtime": "diamond",
    "penalty": "octagon",
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(g: nx.DiGraph) -> str:
    lines = [f"digraph {_quote(str(g.graph.get('scheme', 'scheme')))} {{", "  rankdir=LR;"]
    for node, data in g.nodes(data=True):
        shape = _SHAPES.get(data.get("kind", ""), "ellipse")
        style = ', style="dashed"' if data.get("default") else ""
        lines.append(
            f"  {_quote(node)} [label={_quote(data.get('name', node))}, shape={shape}{style}];"
        )
    for used, user, data in g.edges(data=True):
        span = data.get("span")
        label = f", tooltip={_quote(str(span))}" if span else ""
        lines.append(f"  {_quote(used)} -> {_quote(user)}[{label.lstrip(', ')}];")
    lines.append("}")
    return "\n".join(lines)


def to_json(g: nx.DiGraph) -> str:
    nodes = [
        {
            "id": n,
            "kind": d.get("kind"),
            "name": d.get("name"),
            "type": d.get("type"),
            "default": bool(d.get("default")),
            "location": str(d["span"]) if d.get("span") else None,
        }
        for n, d in g.nodes(data=True)
    ]
    edges = [
        {"from": u, "to": v, "location": str(d["span"]) if d.get("span") else None}
        for u, v, d in g.edges(data=True)
    ]
    return json.dumps(
        {"format": "etsl.graph/1", "scheme": g.graph.get("scheme"), "nodes": nodes, "edges": edges},
        indent=2,
    )
