"""Approvals through the API change the gate's decision (`signoff check --server`), with the
same separation of duties as signed records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clirun import run
from gitrepo import Repo
from serverkit import ThreadServer
from serverteam import Team, World, build_world, seed_team

from signoff.ledger.service import Ledger


def check(team: Team, capsys: pytest.CaptureFixture[str], token: str = "ci") -> tuple[int, Any]:
    w = team.world
    r = run(
        capsys,
        "check",
        "--repo",
        str(w.repo.path),
        "--base",
        w.base,
        "--head",
        w.head,
        "--format",
        "json",
        "--server",
        team.server.url,
        "--token",
        team.tokens[token],
        "--server-repo",
        "demo",
    )
    assert r.code in (0, 1), r.err
    return r.code, r.json()


def approve(team: Team, who: str, decision: str = "approve", **extra: Any) -> Any:
    w = team.world
    body = {"base": w.base, "head": w.head, "decision": decision, **extra}
    return team.api(who).post("/v1/repos/demo/approvals", body)


def test_api_approvals_let_the_change_through(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(team, capsys)
    assert code == 1
    needs = {(s["class"], s["group"]): s["needed"] for s in out["approvals"]}
    assert needs == {
        ("ci-workflow", "maintainers"): 2,
        ("lockfile", "maintainers"): 1,
        ("lockfile", "release-managers"): 1,
        ("source", "maintainers"): 1,
    }
    a = approve(team, "alice", comment="looks fine")  # every class that needs approval
    assert a.status_code == 201, a.text
    assert a.json()["approver"] == "alice@example.com"
    digests = a.json()["digests"]
    assert {
        s["class"]: f"sha256:{s['digest']}" for s in out["approvals"] if s["class"] in digests
    } == digests
    assert approve(team, "bob", classes=["ci-workflow"]).status_code == 201
    c = approve(team, "carol", classes=["lockfile"])
    assert c.status_code == 201
    assert c.json()["warnings"] == ["lockfile: carol@example.com is not in group maintainers"]
    code, out = check(team, capsys)
    assert code == 0, out["approvals"]
    ci = next(s for s in out["approvals"] if s["class"] == "ci-workflow")
    assert ci["sources"] == {"alice@example.com": "server", "bob@example.com": "server"}
    assert out["approval_records"]["server"] == team.server.url
    # both gate runs posted their decision records; the ledger holds them and verifies
    decisions = team.api("auditor").get("/v1/repos/demo/decisions").json()["items"]
    assert [d["decision"] for d in decisions] == ["allow", "needs-approval"]
    ledger: Ledger = team.server.ctx.recorder.ledger
    kinds = [e.type.value for e in ledger.recent(200)]
    assert kinds.count("approval.given") == 3 and kinds.count("decision.made") == 2
    assert ledger.verify().ok


def test_text_output_names_the_server_source(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    approve(team, "alice", classes=["source"])
    w = team.world
    r = run(
        capsys,
        "check",
        "--repo",
        str(w.repo.path),
        "--base",
        w.base,
        "--head",
        w.head,
        "--server",
        team.server.url,
        "--token",
        team.tokens["ci"],
        "--server-repo",
        "demo",
    )
    assert "alice@example.com (via server)" in r.out
    assert "decision recorded on" in r.err


@pytest.mark.parametrize("who", ["dave", "ci", "auditor", "admin"])
def test_only_approvers_approve(shared_team: Team, who: str) -> None:
    team = shared_team
    before = team.counts()
    r = approve(team, who)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "forbidden"
    assert team.counts() == before


def test_veto_blocks_and_stale_digest_is_ignored(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    for who, cls in [
        ("alice", "ci-workflow"),
        ("bob", "ci-workflow"),
        ("carol", "lockfile"),
        ("alice", "lockfile"),
        ("alice", "source"),
    ]:
        assert approve(team, who, classes=[cls]).status_code == 201
    assert approve(team, "bob", "veto", classes=["source"]).status_code == 201
    code, out = check(team, capsys)
    assert code == 1
    src = next(s for s in out["approvals"] if s["class"] == "source")
    assert src["state"] == "vetoed" and src["vetoers"] == ["bob@example.com"]


def test_override_needs_break_glass_and_a_reason(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    r = approve(team, "alice", "override", reason="prod down")
    assert r.status_code == 403 and "break-glass" in r.json()["error"]["message"]
    r = approve(team, "carol", "override")
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = approve(team, "carol", "approve", reason="not for approvals")
    assert r.status_code == 422
    assert approve(team, "carol", "override", reason="incident 42").status_code == 201
    code, out = check(team, capsys)
    assert code == 0 and out["decision"] == "overridden"
    assert {o["source"] for o in out["approval_records"]["overrides"]} == {"server"}
    assert "approval.overridden" in [
        e.type.value for e in team.server.ctx.recorder.ledger.recent(50)
    ]


def test_requester_alone_does_not_count(
    new_repo: Any, tmp_path: Path, live: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    repo: Repo = new_repo("req")
    world: World = build_world(repo, tmp_path, co_author="alice@example.com")
    team = seed_team(live, world)
    assert approve(team, "alice", classes=["source"]).status_code == 201
    _, out = check(team, capsys)
    src = next(s for s in out["approvals"] if s["class"] == "source")
    assert src["approvers"] == [] and src["requesters"] == ["alice@example.com"]
    assert any("requester" in i["reason"] for i in src["ignored"])
    assert approve(team, "bob", classes=["source"]).status_code == 201
    _, out = check(team, capsys)
    src = next(s for s in out["approvals"] if s["class"] == "source")
    assert src["state"] == "approved"


def test_server_computes_digests_and_refuses_bad_ranges(team: Team) -> None:
    w = team.world
    r = team.api("alice").post(
        "/v1/repos/demo/approvals", {"base": w.base, "head": "f" * 40, "decision": "approve"}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "git"
    r = team.api("alice").post(
        "/v1/repos/demo/approvals",
        {"base": w.base, "head": w.head, "decision": "approve", "digests": {"source": "0" * 64}},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "digests"
    r = approve(team, "alice", classes=["docs"])
    assert r.status_code == 422 and r.json()["error"]["field"] == "classes"


def test_gate_server_errors_are_one_line(team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    w = team.world
    argv = [
        "check",
        "--repo",
        str(w.repo.path),
        "--base",
        w.base,
        "--head",
        w.head,
        "--server",
        team.server.url,
        "--server-repo",
        "demo",
    ]
    r = run(capsys, *argv, "--token", "so_" + "a" * 59)
    assert r.code == 2 and "HTTP 401" in r.err and "Traceback" not in r.err
    r = run(capsys, *argv, "--token", team.tokens["alice"])  # approver cannot append decisions
    assert r.code == 2 and "HTTP 403" in r.err
    r = run(capsys, *argv)
    assert r.code == 2 and "SIGNOFF_TOKEN" in r.err
