"""Releases: the reports stored by `POST /v1/repos/{repo}/releases/verify`, and one release's
gate report, trace picture and attestation (all from `signoff.server.releases`)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from signoff.errors import Error
from signoff.server.auth import Principal
from signoff.server.context import Context
from signoff.server.releases import service, tracing
from signoff.server.releases.schemas import ReleaseOut, ReleaseSummary
from signoff.server.repos import service as repos
from signoff.web.views.graph import svg


@dataclass(frozen=True)
class ReleaseView:
    release: ReleaseOut
    graph: Markup
    trace_text: str


def listing(ctx: Context, who: Principal) -> list[ReleaseSummary]:
    out: list[ReleaseSummary] = []
    for r in repos.list_repos(ctx, who, 200, None).items:
        out.extend(service.list_releases(ctx, who, r.name, None, 50, None).items)
    return sorted(out, key=lambda s: s.created, reverse=True)


def detail(ctx: Context, who: Principal, release_id: str) -> ReleaseView:
    rel = service.get(ctx, who, release_id)
    title = f"Trace of release {rel.tag or rel.head[:12]}"
    for name in dict.fromkeys(x for x in (rel.tag, rel.id, rel.head[:12]) if x):
        try:  # the ledger names a release by its tag, else by its head commit
            t = tracing.trace(ctx, who, "release", name, rel.repo)
        except Error:
            continue
        return ReleaseView(rel, svg(t.trace, title), t.text)
    return ReleaseView(rel, svg({}, title), "")
