"""The control plane on PostgreSQL, and two `signoff serve` replicas on one database behaving
as one service: no lost updates, one consistent ledger."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from clirun import run
from gitrepo import Repo
from pg import fresh_database
from serverkit import Api, ProcServer, make_settings
from serverteam import Team, World, build_world, seed_team

from signoff.ledger.service import Ledger
from signoff.server.app import open_context
from signoff.server.tokens.service import bootstrap

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database("signoff_server") as url:
        yield url


def test_flow_on_postgres(
    pg_url: str, start_server: Any, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    server = start_server(pg_url)
    team = seed_team(server, world)
    w = team.world
    for who, cls in [
        ("alice", "ci-workflow"),
        ("bob", "ci-workflow"),
        ("alice", "source"),
        ("alice", "lockfile"),
        ("carol", "lockfile"),
    ]:
        r = team.api(who).post(
            "/v1/repos/demo/approvals",
            {"base": w.base, "head": w.head, "decision": "approve", "classes": [cls]},
        )
        assert r.status_code == 201, r.text
    res = run(
        capsys,
        "check",
        "--repo",
        str(w.repo.path),
        "--base",
        w.base,
        "--head",
        w.head,
        "--server",
        server.url,
        "--token",
        team.tokens["ci"],
        "--server-repo",
        "demo",
    )
    assert res.code == 0, res.out + res.err
    assert server.ctx.recorder.ledger.verify().ok


def _replicas(pg_url: str, tmp_path: Path, n: int = 2) -> list[ProcServer]:
    data = tmp_path / "shared-data"  # one ledger key for every replica
    out = []
    for i in range(n):
        out.append(ProcServer(make_settings(data, pg_url), tmp_path / f"replica{i}.log"))
    return out


def test_two_replicas_one_service(pg_url: str, repo: Repo, tmp_path: Path) -> None:
    world = build_world(repo, tmp_path)
    settings = make_settings(tmp_path / "shared-data", pg_url)
    ctx = open_context(settings)  # migrate and bootstrap before the replicas start
    admin_token = bootstrap(ctx, "root", "root@example.com", "Root", 3600).token
    ctx.recorder.ledger.close()
    ctx.db.close()
    a, b = _replicas(pg_url, tmp_path)
    try:
        # seed through replica A, read through replica B
        team = _seed_through(a.url, admin_token, world)
        apis = [Api(a.url, admin_token), Api(b.url, admin_token)]
        assert apis[1].get("/v1/agents/copilot").json()["version"] == 1

        def on(i: int, token: str) -> Api:
            return Api((a.url, b.url)[i % 2], token)

        # 1. concurrent approvals from both replicas: every one stored, none lost
        w = team.world
        jobs = [(i, who) for i in range(12) for who in ("alice", "bob")]

        def approve(job: tuple[int, str]) -> int:
            i, who = job
            body = {
                "base": w.base,
                "head": w.head,
                "decision": "approve",
                "classes": ["source"],
                "comment": f"#{i}",
            }
            return on(i, team.tokens[who]).post("/v1/repos/demo/approvals", body).status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(approve, jobs)) == {201}
        found = apis[0].get("/v1/repos/demo/approvals", params={"limit": 200}).json()["items"]
        assert len(found) == len(jobs)

        # 2. racing compare-and-set on one task from both replicas: exactly one wins
        t = (
            on(0, team.tokens["dave"])
            .post(
                "/v1/tasks",
                {
                    "agent": "copilot",
                    "repo": "demo",
                    "base_commit": w.base,
                    "intent_text": "x",
                    "allowed_paths": ["src/**"],
                },
            )
            .json()
        )

        def close(i: int) -> int:
            state = ("closed", "revoked")[i % 2]
            return (
                on(i, team.tokens["dave"])
                .patch(f"/v1/tasks/{t['id']}", {"state": state, "version": 1})
                .status_code
            )

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(close, range(16)))
        assert codes.count(200) == 1 and codes.count(409) == 15

        # 3. racing agent edits with one version: exactly one wins
        def edit(i: int) -> int:
            return (
                apis[i % 2]
                .patch("/v1/agents/copilot", {"version": 1, "purpose": f"edit {i}"})
                .status_code
            )

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(edit, range(10)))
        assert codes.count(200) == 1 and set(codes) == {200, 409}

        # 4. the ledger is one consistent log: verifies, one event per write, no gaps
        with Ledger(pg_url, key_path=settings.ledger_key) as lg:
            assert lg.verify().ok
            events = lg.recent(1000)
        seqs = [e.seq for e in events]
        assert seqs == list(range(len(seqs)))
        types = [e.type.value for e in events]
        assert types.count("approval.given") == len(jobs)
        assert types.count("task.closed") + types.count("task.revoked") == 1
        assert types.count("task.requested") == 1 and "token.revoked" not in types
    finally:
        for s in (a, b):
            s.stop()


def _seed_through(url: str, admin_token: str, world: World) -> Team:
    """`seed_team` against a replica instead of an in-process server."""

    class Remote:
        def __init__(self) -> None:
            self.url = url

        def bootstrap(self) -> str:
            return admin_token

    return seed_team(Remote(), world)  # type: ignore[arg-type]
