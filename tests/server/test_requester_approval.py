"""A task's requester never approves its agent's work, even when they push the agent's commit
themselves (no hook witnessed it): the server knows its tasks and refuses at the API."""

from __future__ import annotations

from serverkit import claim
from serverteam import Team


def test_the_requester_cannot_approve_their_agents_work(any_team: Team) -> None:
    team = any_team
    w = team.world
    both = team.admin.token_for("alice-both", ["agent-operator", "approver"], "alice")
    alice = team.api(None).as_(claim(team.server.url, both, team.world.keys["alice"]))
    task = alice.ok(
        "POST",
        "/v1/tasks",
        {"agent": "copilot", "repo": "demo", "base_commit": w.base, "intent_text": "bump deps",
         "branch_prefix": "agent/", "actions": ["push-branch"], "ttl_seconds": 600,
         "allowed_paths": ["src/**"]},
    )  # fmt: skip
    body = {"base": w.base, "head": w.head, "decision": "approve", "classes": ["source"]}
    before = team.counts()
    for api in (alice, team.api("alice")):  # whichever of her tokens she uses
        r = api.post("/v1/repos/demo/approvals", body)
        assert r.status_code == 403, r.text
        err = r.json()["error"]
        assert err["code"] == "requester_cannot_approve"
        assert task["id"] in err["message"]
    assert team.counts() == before
    assert (
        team.api("alice").post("/v1/repos/demo/approvals", {**body, "decision": "veto"}).status_code
        == 201
    )
    assert team.api("bob").post("/v1/repos/demo/approvals", body).status_code == 201


def test_a_task_on_unrelated_history_does_not_bar_the_requester(any_team: Team) -> None:
    team = any_team
    w = team.world
    repo = w.repo
    repo.checkout("main")
    repo.write("docs/other.md", "elsewhere\n")
    elsewhere = repo.commit("unrelated")  # not an ancestor of the change's head
    operator = team.api(None).as_(team.admin.token_for("alice-op", ["agent-operator"], "alice"))
    operator.ok(
        "POST",
        "/v1/tasks",
        {"agent": "copilot", "repo": "demo", "base_commit": elsewhere, "intent_text": "docs",
         "branch_prefix": "agent/", "actions": ["push-branch"], "ttl_seconds": 600,
         "allowed_paths": ["src/**"]},
    )  # fmt: skip
    body = {"base": w.base, "head": w.head, "decision": "approve", "classes": ["source"]}
    assert team.api("alice").post("/v1/repos/demo/approvals", body).status_code == 201
