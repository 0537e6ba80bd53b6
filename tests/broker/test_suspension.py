"""Suspending an agent or a task's requester ends the tokens they stand behind for good (a
reactivation does not bring them back); a suspended requester's tasks get no new tokens; one
agent-operator cannot end another's task; each task gets its own branch namespace."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from brokerkit import Kit, start
from pg import fresh_database

from signoff.ledger.events import EventType


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kit]:
    with contextlib.ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            url = stack.enter_context(fresh_database("signoff_susp"))
        k = start(tmp_path, url)
        try:
            yield k
        finally:
            k.issuer.stop()
            k.server.stop()


def active(kit: Kit, token: str) -> bool:
    out = kit.admin.as_(kit.hook_token).ok("POST", "/v1/tokens/introspect", {"token": token})
    return bool(out["active"])


def _status(kit: Kit, path: str, status: str) -> None:
    version = kit.admin.ok("GET", path)["version"]
    kit.admin.ok("PATCH", path, {"version": version, "status": status})


def test_reactivating_an_agent_does_not_bring_its_tokens_back(kit: Kit) -> None:
    task = kit.task()
    token = kit.token(task["id"])
    _status(kit, "/v1/agents/bot", "suspended")
    assert not active(kit, token)
    revoked = [e for e in kit.server.ctx.recorder.ledger.recent(20)
               if e.type is EventType.TOKEN_REVOKED]  # fmt: skip
    assert revoked and revoked[-1].payload["selector"] == "agent"
    _status(kit, "/v1/agents/bot", "active")
    assert not active(kit, token)  # it stays ended
    assert active(kit, kit.token(task["id"]))  # a new exchange, under today's checks


def test_a_suspended_requester_stops_their_tasks(kit: Kit) -> None:
    kit.admin.ok("POST", "/v1/humans", {"id": "olive", "email": "olive@example.com",
                                        "name": "Olive"})  # fmt: skip
    olive = kit.admin.as_(kit.admin.token_for("olive-op", ["agent-operator"], "olive"))
    body = {"agent": "bot", "repo": "widget", "base_commit": kit.base, "intent_text": "fix",
            "allowed_paths": ["src/**"], "actions": ["push-branch"]}  # fmt: skip
    task = olive.ok("POST", "/v1/tasks", body)
    token = kit.token(task["id"])
    _status(kit, "/v1/humans/olive", "suspended")
    assert not active(kit, token)
    r = kit.exchange_oidc(task["id"])
    assert r.status_code == 403 and "requester" in r.json()["error"]["message"]
    _status(kit, "/v1/humans/olive", "active")
    assert not active(kit, token)
    assert active(kit, kit.token(task["id"]))


def test_only_the_requester_or_an_admin_ends_a_task(kit: Kit) -> None:
    for who in ("olive", "pat"):
        kit.admin.ok("POST", "/v1/humans", {"id": who, "email": f"{who}@example.com",
                                            "name": who.title()})  # fmt: skip
    olive = kit.admin.as_(kit.admin.token_for("olive-op", ["agent-operator"], "olive"))
    pat = kit.admin.as_(kit.admin.token_for("pat-op", ["agent-operator"], "pat"))
    body = {"agent": "bot", "repo": "widget", "base_commit": kit.base, "intent_text": "fix",
            "allowed_paths": ["src/**"], "actions": ["push-branch"]}  # fmt: skip
    first, second = olive.ok("POST", "/v1/tasks", body), olive.ok("POST", "/v1/tasks", body)
    r = pat.patch(f"/v1/tasks/{first['id']}", {"version": 1, "state": "revoked"})
    assert r.status_code == 403 and "olive" in r.json()["error"]["message"], r.text
    r = pat.post("/v1/tokens/revoke", {"task": first["id"]})
    assert r.status_code == 403
    assert olive.ok("PATCH", f"/v1/tasks/{first['id']}", {"version": 1, "state": "closed"})
    assert kit.admin.ok("PATCH", f"/v1/tasks/{second['id']}", {"version": 1, "state": "revoked"})
    # each task pushes under its own namespace by default (the agent is scoped to agent/**)
    assert first["branch_prefix"] == f"agent/{first['id']}/"
    assert second["branch_prefix"] == f"agent/{second['id']}/"
