"""The trace graph (`signoff.trace/v1` JSON) drawn as SVG, server-side, in pure Python.

A layered layout: one column per node kind in the trace's own order (artifact → release →
commit → agent → task → token/intent → approval → signature → identity), nodes stacked in each
column, edges as straight lines. No Graphviz, no script: the picture is part of the page, and
every label goes through `markupsafe.escape`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

ORDER = ("artifact", "release", "commit", "agent", "task", "token", "intent", "approval",
         "signature", "identity")  # fmt: skip
COL_W, ROW_H, BOX_W, BOX_H, PAD = 190, 46, 160, 32, 16
FILL = {"artifact": "#e3ecfa", "release": "#e6f4ea", "commit": "#f5f6f8", "task": "#fff4e0",
        "approval": "#e9f5ec", "signature": "#f3e8fb", "agent": "#fbeaea"}  # fmt: skip


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def svg(doc: Mapping[str, Any], title: str) -> Markup:
    nodes: Sequence[Mapping[str, Any]] = doc.get("nodes", [])
    cols: dict[str, list[Mapping[str, Any]]] = {}
    for n in nodes:
        kind = str(n.get("kind", ""))
        cols.setdefault(kind if kind in ORDER else "identity", []).append(n)
    kinds = [k for k in ORDER if k in cols]
    pos: dict[str, tuple[int, int]] = {}
    for ci, k in enumerate(kinds):
        for ri, n in enumerate(cols[k]):
            pos[str(n["id"])] = (PAD + ci * COL_W, PAD + 20 + ri * ROW_H)
    width = PAD * 2 + max(1, len(kinds)) * COL_W
    height = PAD * 2 + 20 + max([len(v) for v in cols.values()] or [1]) * ROW_H
    out = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            'viewBox="0 0 {w} {h}" width="{w}" height="{h}"><title>{t}</title>'
        ).format(w=width, h=height, t=title)
    ]
    for ci, k in enumerate(kinds):
        out.append(Markup('<text x="{}" y="{}" font-weight="bold">{}</text>').format(
            PAD + ci * COL_W, PAD + 8, k))  # fmt: skip
    for e in doc.get("edges", []):
        a, b = pos.get(str(e.get("from"))), pos.get(str(e.get("to")))
        if a and b:
            out.append(
                Markup(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#6b6b6b" stroke-width="1.2">'
                    "<title>{}</title></line>"
                ).format(a[0] + BOX_W, a[1] + BOX_H // 2, b[0], b[1] + BOX_H // 2, e.get("rel", ""))
            )
    for n in nodes:
        x, y = pos[str(n["id"])]
        kind, label = str(n.get("kind", "")), str(n.get("label", n["id"]))
        out.append(Markup(
            '<g><title>{full}</title><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="5" '
            'fill="{fill}" stroke="#444"/><text x="{tx}" y="{ty}">{label}</text></g>'
        ).format(full=f"{kind}: {label}", x=x, y=y, w=BOX_W, h=BOX_H, fill=FILL.get(kind, "#fff"),
                 tx=x + 8, ty=y + 20, label=_short(label)))  # fmt: skip
    out.append(Markup("</svg>"))
    return Markup("").join(out) if nodes else escape("The ledger has no trace for this release.")
