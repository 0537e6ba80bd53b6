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


def test_approvals_are_found_by_digest_page_by_page_in_every_statement_shape(
    any_team: Team,
) -> None:
    from signoff.server.approvals import repository as approvals

    db = any_team.server.ctx.db
    with db.write() as conn:
        for i in range(5):
            row = {
                "id": f"apr-{i}", "repo": "demo", "repository": "r", "decision": "approve",
                "approver": "alice@example.com", "human_id": "alice", "base": "b", "head": "h",
                "policy_digest": "p", "digests": "{}", "changeset_digest": None, "comment": "",
                "reason": "", "time": f"2030-01-01T00:00:0{i}.000000Z", "ledger_seq": None,
            }  # fmt: skip
            approvals.insert(conn, row, {"source": "d-even" if i % 2 == 0 else "d-odd"})
    with db.read() as conn:
        every = [r["id"] for r in approvals.find(conn, "demo", [], None, 10)]
        even = [r["id"] for r in approvals.find(conn, "demo", ["d-even"], None, 10)]
        first = approvals.find_in_repo(conn, "demo", ["d-even", "d-odd"], None, 2)
        assert first is not None
        after = (first[1]["time"], first[1]["id"])
        rest = approvals.find_in_repo(conn, "demo", ["d-even", "d-odd"], after, 10)
        odd_after = approvals.find(
            conn, "demo", ["d-odd"], ("2030-01-01T00:00:01.000000Z", "apr-1"), 10
        )
        nowhere = approvals.find_in_repo(conn, "nope", [], None, 10)
        empty = approvals.find_in_repo(conn, "demo", ["d-none"], None, 10)
    assert every == [f"apr-{i}" for i in range(5)]
    assert even == ["apr-0", "apr-2", "apr-4"]
    assert [r["id"] for r in first] == ["apr-0", "apr-1", "apr-2"]  # limit + 1: a next page
    assert rest is not None and [r["id"] for r in rest] == ["apr-2", "apr-3", "apr-4"]
    assert [r["id"] for r in odd_after] == ["apr-3"]
    assert nowhere is None and empty == []
