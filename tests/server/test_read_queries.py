"""What `signoff check --server` reads on every run costs one query: the approvals bound to
its digests, with the repository check folded in (an unknown repository is still a 404)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from serverteam import Team


@contextmanager
def selects(team: Team) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine = team.server.ctx.db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_reading_approvals_is_one_query_and_an_unknown_repository_a_404(any_team: Team) -> None:
    ci = any_team.api("ci")
    digest = "sha256:" + "ab" * 32
    assert ci.ok("GET", "/v1/repos/demo/approvals", params={"digest": [digest]})["items"] == []
    with selects(any_team) as seen:  # the caller is cached now: only the read itself
        got = ci.ok("GET", "/v1/repos/demo/approvals", params={"digest": [digest]})
        missing = ci.get("/v1/repos/nope/approvals", params={"digest": [digest]})
    assert got == {"items": [], "next_cursor": None}
    assert missing.status_code == 404 and "no repository 'nope'" in missing.text
    assert len(seen) == 2, seen  # one per request
