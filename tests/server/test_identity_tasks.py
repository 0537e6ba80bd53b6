"""Agent lifecycle, tasks, policy/registry versions, and compare-and-set versions."""

from __future__ import annotations

from typing import Any

import pytest
from serverkit import ThreadServer
from serverteam import Team, World, seed_team

from signoff.protected import POLICY_PATH


def task(team: Team, **kw: Any) -> Any:
    body = {
        "agent": "copilot",
        "repo": "demo",
        "base_commit": team.world.base,
        "intent_text": "Fix issue #12: bump left-pad",
        "allowed_paths": ["src/**"],
        "actions": ["push-branch"],
        "ttl_seconds": 600,
        **kw,
    }
    return team.api("dave").post("/v1/tasks", body)


def ledger_types(team: Team) -> list[str]:
    return [e.type.value for e in team.server.ctx.recorder.ledger.recent(500)]


def test_agent_lifecycle_and_ledger(team: Team) -> None:
    a = team.admin.get("/v1/agents/copilot").json()
    assert a["lifecycle"] == "active" and a["version"] == 1
    assert team.admin.get("/v1/agents/old-bot").json()["lifecycle"] == "expired"
    r = team.admin.patch("/v1/agents/copilot", {"version": 1, "mode": "limited"})
    assert r.status_code == 200 and r.json()["version"] == 2
    stale = team.admin.patch("/v1/agents/copilot", {"version": 1, "mode": "blocked"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    t = task(team)
    assert t.status_code == 201, t.text
    r = team.admin.patch("/v1/agents/copilot", {"version": 2, "status": "suspended"})
    assert r.json()["lifecycle"] == "suspended"
    # pending work of a suspended agent is flagged; it gets no new task (owner named)
    flagged = team.api("auditor").get(f"/v1/tasks/{t.json()['id']}").json()
    assert flagged["flags"] == ["agent copilot is suspended; owner: platform@example.com"]
    r = task(team)
    assert r.status_code == 403 and "platform@example.com" in r.json()["error"]["message"]
    r = team.admin.patch("/v1/agents/copilot", {"version": 3, "status": "retired"})
    assert r.status_code == 200
    r = team.admin.patch("/v1/agents/copilot", {"version": 4, "status": "active"})
    assert r.status_code == 409
    types = ledger_types(team)
    assert "identity.suspended" in types and types.count("identity.registered") >= 2


def test_key_fingerprints_not_keys_in_the_ledger(team: Team, world: World) -> None:
    r = team.admin.post(
        "/v1/agents",
        {
            "id": "k",
            "owner": "o@example.com",
            "purpose": "p",
            "review_by": "2999-01-01",
            "match": {"signing_keys": [world.pubs["alice"]]},
        },
    )
    assert r.status_code == 201, r.text
    event = team.server.ctx.recorder.ledger.recent(1)[0].to_json()
    keys = event["payload"]["agent"]["match"]["signing_keys"]
    assert keys[0].startswith("SHA256:") and world.pubs["alice"].split()[1] not in str(event)


def test_tasks(team: Team) -> None:
    r = task(team)
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["requester"] == "dave" and t["state"] == "open"
    assert t["intent_text"] is None  # default retention: none
    assert t["intent_digest"].startswith("sha256:") and t["policy_digest"].startswith("sha256:")
    event = team.server.ctx.recorder.ledger.recent(1)[0].to_json()
    assert event["type"] == "task.requested" and "Fix issue" not in str(event)
    cases: list[tuple[dict[str, Any], int]] = [
        ({"actions": ["publish"]}, 403),
        ({"actions": ["push-branch", "tag"]}, 403),
        ({"actions": ["teleport"]}, 422),
        ({"ttl_seconds": 3600}, 422),  # over copilot's max_token_ttl (900)
        ({"agent": "old-bot"}, 403),
        ({"agent": "ghost"}, 422),
        ({"base_commit": "f" * 40}, 422),
        ({"intent_digest": "sha256:" + "0" * 64}, 422),  # both text and digest
        ({"branch_prefix": "../main"}, 422),
    ]
    for bad, status in cases:
        before = team.counts()
        r = task(team, **bad)
        assert r.status_code == status, (bad, r.text)
        assert team.counts() == before
    body = {"agent": "copilot", "repo": "demo", "base_commit": team.world.base, "intent_text": "x"}
    assert team.api("alice").post("/v1/tasks", body).status_code == 403  # approvers don't
    # close: compare-and-set on the version; a second writer loses
    ok = team.api("dave").patch(f"/v1/tasks/{t['id']}", {"state": "closed", "version": 1})
    assert ok.status_code == 200 and ok.json()["state"] == "closed"
    lost = team.api("dave").patch(f"/v1/tasks/{t['id']}", {"state": "revoked", "version": 1})
    assert lost.status_code == 409
    types = ledger_types(team)
    assert "task.closed" in types and "token.revoked" not in types
    page = team.api("auditor").get("/v1/tasks", params={"state": "closed"}).json()
    assert [x["id"] for x in page["items"]] == [t["id"]]


def test_intent_retention(start_server: Any, world: World) -> None:
    server: ThreadServer = start_server(name="keep", intent_retention="30d")
    team = seed_team(server, world)
    t = task(team).json()
    assert t["intent_text"] == "Fix issue #12: bump left-pad"
    r = task(team, intent_text=None, intent_digest="sha256:" + "ab" * 32)
    assert r.status_code == 201 and r.json()["intent_digest"] == "sha256:" + "ab" * 32


def test_policy_and_registry_versions(team: Team, world: World) -> None:
    text = (world.repo.path / POLICY_PATH).read_text()
    for n in (1, 2):
        r = team.admin.post("/v1/repos/demo/policy", {"text": text})
        assert r.status_code == 201 and r.json()["version"] == n
    cur = team.api("ci").get("/v1/repos/demo/policy").json()
    assert cur["version"] == 2 and cur["ledger_seq"] is not None
    import hashlib

    assert cur["digest"] == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    bad = team.admin.post("/v1/repos/demo/policy", {"text": "version: 1\nrules: [1]\n"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_document"
    assert "policy.yml" in bad.json()["error"]["message"]
    agents = (world.repo.path / ".signoff/agents.yml").read_text()
    assert team.admin.post("/v1/repos/demo/registry", {"text": agents}).status_code == 201
    assert team.api("ci").get("/v1/repos/demo/registry/versions").json()["items"][0]["version"] == 1
    assert team.api("ci").get("/v1/repos/nope/policy").status_code == 404


@pytest.mark.parametrize("path", ["relative/path", "/does/not/exist", "/etc", "/tmp/../etc/passwd"])
def test_repo_paths_are_checked(shared_team: Team, path: str) -> None:
    before = shared_team.counts()
    r = shared_team.admin.post("/v1/repos", {"name": "x", "path": path})
    assert r.status_code == 422 and r.json()["error"]["field"] == "path"
    assert shared_team.counts() == before
