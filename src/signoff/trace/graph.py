"""A typed graph over ledger events, and the slice of it one start node reaches.

Nodes are keyed `kind:id`. The chain kinds have a level, lowest = closest to what ships:
artifact 0, release 1, commit 2, agent 2.5, task 3, token and intent 4. From the start node the
slice goes *up* (to lower levels: what this ended up in) and *down* (to higher levels: where it
came from), never sideways, so tracing one commit does not pull in every other commit of its
release. Approvals, signatures and identities are attached to the nodes they touch but never
walked through: one builder identity must not link every artifact it ever built.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from signoff.ledger.events import Event, EventType
from signoff.release.ledgerview import intent_digests

LEVEL = {
    "artifact": 0.0,
    "release": 1.0,
    "commit": 2.0,
    "agent": 2.5,
    "task": 3.0,
    "token": 4.0,
    "intent": 4.0,
}
ATTACHED = ("approval", "signature", "identity", "agent")
KINDS = (
    "artifact",
    "release",
    "commit",
    "agent",
    "task",
    "token",
    "intent",
    "approval",
    "signature",
    "identity",
)


@dataclass
class Node:
    id: str
    kind: str
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Edge:
    src: str
    dst: str
    rel: str


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    _adj: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def node(self, kind: str, ident: str, label: str | None = None, **attrs: Any) -> str:
        key = f"{kind}:{ident}"
        n = self.nodes.setdefault(key, Node(key, kind, label or ident))
        n.attrs.update({k: v for k, v in attrs.items() if v is not None})
        return key

    def link(self, src: str, dst: str, rel: str) -> None:
        e = Edge(src, dst, rel)
        if dst not in self._adj[src]:
            self.edges.append(e)
            self._adj[src].add(dst)
            self._adj[dst].add(src)

    def neighbours(self, key: str) -> set[str]:
        return self._adj.get(key, set())


def build_graph(events: Iterable[Event]) -> Graph:
    g = Graph()
    for e in events:
        s, p = e.subjects, e.payload
        if e.type is EventType.RELEASE_VERIFIED:
            head = s.get("commit", "")
            rel = g.node(
                "release",
                s.get("release") or head[:12],
                result=p.get("result"),
                commit=head,
                seq=e.seq,
            )
            for sha in _strings(p.get("commits")):
                g.link(rel, g.node("commit", sha), "contains")
            agents = p.get("agents")
            for agent, shas in agents.items() if isinstance(agents, Mapping) else ():
                for sha in _strings(shas):
                    g.link(g.node("commit", sha), g.node("agent", str(agent)), "by agent")
            for art in p.get("artifacts") or ():
                if isinstance(art, Mapping) and isinstance(art.get("digest"), str):
                    a = g.node("artifact", art["digest"], name=art.get("name"))
                    g.link(a, rel, "verified in")
        elif e.type is EventType.ARTIFACT_BUILT:
            a = g.node("artifact", s["artifact"], name=p.get("name"))
            if "commit" in s:
                g.link(a, g.node("commit", s["commit"]), "built from")
            builder = str(p.get("builder") or e.actor)
            g.link(a, g.node("identity", builder), f"built by (seq {e.seq})")
        elif e.type is EventType.ARTIFACT_SIGNED:
            a = g.node("artifact", s["artifact"], name=p.get("name"))
            sig = g.node("signature", str(e.seq), f"signature #{e.seq}", time=e.time)
            g.link(a, sig, "signed")
            g.link(sig, g.node("identity", str(p.get("signer") or e.actor)), "by")
        elif e.type is EventType.RELEASE_PROMOTED and "release" in s:
            a = g.node("artifact", s["artifact"])
            rel = g.node("release", s["release"], promoted=f"by {e.actor} (seq {e.seq})")
            g.link(a, rel, f"promoted by {e.actor}")  # kept as "verified in" if that came first
        elif e.type is EventType.TASK_REQUESTED and "task" in s:
            t = g.node("task", s["task"], requester=p.get("requester") or e.actor)
            if "agent" in s:
                g.link(g.node("agent", s["agent"]), t, "works on")
            for d in sorted(intent_digests(p, s)):
                g.link(t, g.node("intent", d), "intent")
        elif e.type is EventType.TOKEN_ISSUED and "task" in s and "token" in s:
            g.link(g.node("task", s["task"]), g.node("token", s["token"]), "token")
        elif e.type is EventType.PUSH_WITNESSED and "commit" in s:
            c = g.node("commit", s["commit"], witnessed=True)
            if "task" in s:
                g.link(c, g.node("task", s["task"]), "pushed for")
            if "token" in s:
                g.link(c, g.node("token", s["token"]), "pushed with")
        elif e.type.value.startswith("approval.") and "commit" in s:
            ap = g.node("approval", str(e.seq), f"{e.type.value} by {e.actor}", time=e.time)
            g.link(g.node("commit", s["commit"]), ap, e.type.value.removeprefix("approval."))
        if e.type in (EventType.IDENTITY_SUSPENDED, EventType.TASK_REVOKED):
            for kind in ("agent", "task"):
                if kind in s and not (kind == "agent" and "task" in s):
                    g.node(kind, s[kind], revoked=f"seq {e.seq}")
    return g


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass
class Slice:
    start: str
    keys: list[str]
    edges: list[Edge]
    impact: dict[str, list[str]]


def trace(g: Graph, start: str) -> Slice:
    """The nodes `start` reaches up and down the chain, with what it touched."""
    if start not in g.nodes:
        raise KeyError(start)
    seen = {start}
    for direction in (-1, 1):
        frontier = [start]
        if direction == -1 and g.nodes[start].kind == "agent":
            frontier += [n for n in g.neighbours(start) if g.nodes[n].kind == "task"]
            seen.update(frontier)
        while frontier:
            nxt = []
            for key in frontier:
                here = LEVEL.get(g.nodes[key].kind)
                for n in g.neighbours(key):
                    kind = g.nodes[n].kind
                    if n in seen or kind in ATTACHED or here is None:
                        continue
                    if (LEVEL[kind] - here) * direction > 0:
                        seen.add(n)
                        nxt.append(n)
            frontier = nxt
    attached = {n for k in seen for n in g.neighbours(k) if g.nodes[n].kind in ATTACHED}
    attached |= {m for n in attached if g.nodes[n].kind == "signature" for m in g.neighbours(n)}
    keys = sorted(seen | attached, key=lambda k: (KINDS.index(g.nodes[k].kind), k))
    inside = set(keys)
    edges = [e for e in g.edges if e.src in inside and e.dst in inside]
    impact = {
        kind: [g.nodes[k].label for k in keys if g.nodes[k].kind == kind and k != start]
        for kind in ("commit", "release", "artifact")
    }
    return Slice(start, keys, edges, impact)
