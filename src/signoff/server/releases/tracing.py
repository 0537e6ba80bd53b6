"""Trace on the control plane: the same graph and slice as `signoff trace --ledger`, over the
server's ledger, rendered once as JSON (`signoff.trace/v1`), text, Mermaid and DOT."""

from __future__ import annotations

from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.errors import InvalidInputError, NotFoundError
from signoff.server.releases.schemas import TraceOut
from signoff.server.releases.sources import ServerLog
from signoff.server.repos.service import load as load_repo

TRACE_KINDS = ("commit", "artifact", "task", "agent", "release")


def trace_start(**given: str | None) -> tuple[str, str]:
    """The one start node of a trace query (`commit=...` or `artifact=...` or ...)."""
    named = [(k, v) for k, v in given.items() if v]
    if len(named) != 1 or named[0][0] not in TRACE_KINDS:
        raise InvalidInputError(f"give exactly one of {', '.join(TRACE_KINDS)}")
    return named[0][0], str(named[0][1])


def trace(ctx: Context, who: Principal, kind: str, value: str, repo_name: str | None) -> TraceOut:
    """The trace slice from one start node (`commit`, `artifact`, `task`, `agent`, `release`),
    with commit subjects, authors and files from the registered copy when `repo_name` is given."""
    from signoff.trace.graph import build_graph
    from signoff.trace.graph import trace as slice_of
    from signoff.trace.render import to_dot, to_json, to_mermaid, to_text

    who.require(Perm.READ_RELEASES)
    kind, value = trace_start(**{kind: value})
    path = str(load_repo(ctx, repo_name)["path"]) if repo_name else None
    graph = build_graph(ServerLog(ctx.recorder).all())
    start = f"{kind}:{value}"
    if start not in graph.nodes:
        raise NotFoundError(f"{kind} {value} does not appear in the ledger")
    sliced = slice_of(graph, start)
    if path is not None:
        from signoff.gitio.runner import Git
        from signoff.trace.gitinfo import enrich

        enrich(graph, Git(path), sliced.keys)
    return TraceOut(
        trace=to_json(graph, sliced),
        text=to_text(graph, sliced),
        mermaid=to_mermaid(graph, sliced),
        dot=to_dot(graph, sliced),
    )
