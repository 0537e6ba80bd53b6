"""Trace output: text for people, JSON (`signoff.trace/v1`), Mermaid and Graphviz DOT."""

from __future__ import annotations

import json
from typing import Any

from signoff.output.escape import display
from signoff.trace.graph import Graph, Node, Slice

SCHEMA = "signoff.trace/v1"


def _label(g: Graph, key: str) -> str:
    n = g.nodes[key]
    text = n.label
    if n.kind in ("commit",) and len(text) >= 40:
        text = text[:12]
    if n.kind in ("artifact", "token", "intent") and text.startswith("sha256:"):
        text = text[:19] + "..."
    name = n.attrs.get("name") or n.attrs.get("subject")
    if name:
        text += f" {name}"
    if "revoked" in n.attrs:
        text += " [REVOKED]"
    return display(f"{n.kind} {text}")


def to_json(g: Graph, s: Slice) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "start": s.start,
        "nodes": [
            {"id": k, "kind": g.nodes[k].kind, "label": g.nodes[k].label, **g.nodes[k].attrs}
            for k in s.keys
        ],
        "edges": [{"from": e.src, "to": e.dst, "rel": e.rel} for e in s.edges],
        "touched": s.impact,
    }


def from_json(doc: dict[str, Any]) -> tuple[Graph, Slice]:
    """The graph slice back from `to_json` (what `signoff trace --server` gets), so every
    renderer here works on it unchanged."""
    g = Graph()
    for n in doc["nodes"]:
        attrs = {k: v for k, v in n.items() if k not in ("id", "kind", "label")}
        g.nodes[n["id"]] = Node(n["id"], n["kind"], n["label"], attrs)
    for e in doc["edges"]:
        g.link(e["from"], e["to"], e["rel"])
    keys = [n["id"] for n in doc["nodes"]]
    impact = {k: list(v) for k, v in doc["touched"].items()}
    return g, Slice(doc["start"], keys, list(g.edges), impact)


def to_text(g: Graph, s: Slice) -> str:
    lines = [f"trace from {_label(g, s.start)}", ""]
    out: dict[str, list[str]] = {}
    for e in s.edges:
        out.setdefault(e.src, []).append(f"{e.rel} -> {_label(g, e.dst)}")
    for k in s.keys:
        lines.append(_label(g, k))
        files = g.nodes[k].attrs.get("files")
        if files:
            lines.append(f"    files: {display(', '.join(files[:10]))}")
        lines += [f"    {x}" for x in out.get(k, [])]
    kind = g.nodes[s.start].kind
    if kind in ("agent", "task"):
        lines.append("")
        lines.append(f"Revoking {kind} {g.nodes[s.start].label} flags everything it touched:")
        for what, items in s.impact.items():
            lines.append(f"  {len(items)} {what}(s): {', '.join(i[:19] for i in items) or '-'}")
    return "\n".join(lines) + "\n"


def _ids(s: Slice) -> dict[str, str]:
    return {k: f"n{i}" for i, k in enumerate(s.keys)}


def _q(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "'")


def to_mermaid(g: Graph, s: Slice) -> str:
    ids = _ids(s)
    lines = ["flowchart LR"]
    lines += [
        f'    {ids[k]}["{_q(_label(g, k)).replace("[", "(").replace("]", ")")}"]' for k in s.keys
    ]
    lines += [f'    {ids[e.src]} -->|"{_q(e.rel)}"| {ids[e.dst]}' for e in s.edges]
    return "\n".join(lines) + "\n"


def to_dot(g: Graph, s: Slice) -> str:
    ids = _ids(s)
    lines = ["digraph trace {", "  rankdir=LR;", "  node [shape=box];"]
    lines += [f'  {ids[k]} [label="{_q(_label(g, k))}"];' for k in s.keys]
    lines += [f'  {ids[e.src]} -> {ids[e.dst]} [label="{_q(e.rel)}"];' for e in s.edges]
    return "\n".join(lines) + "\n}\n"


def render(g: Graph, s: Slice, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(g, s), indent=2, sort_keys=True) + "\n"
    if fmt == "mermaid":
        return to_mermaid(g, s)
    if fmt == "dot":
        return to_dot(g, s)
    return to_text(g, s)
