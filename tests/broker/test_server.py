"""The broker's endpoints on a real loopback server: exchange, introspection, revocation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from brokerkit import Kit, start


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    k = start(tmp_path_factory.mktemp("broker"))
    yield k
    k.issuer.stop()
    k.server.stop()


def introspect(kit: Kit, token: str) -> dict[str, object]:
    out = kit.admin.as_(kit.ci_token).ok("POST", "/v1/tokens/introspect", {"token": token})
    assert isinstance(out, dict)
    return out


def test_oidc_exchange_issues_a_scoped_token(kit: Kit) -> None:
    task = kit.task()
    resp = kit.exchange_oidc(task["id"])
    assert resp.status_code == 200, resp.text
    info = introspect(kit, resp.json()["token"])
    assert info["active"] is True and info["sub"] == "agent:bot" and info["task"] == task["id"]
    assert info["scope"] == "push-branch"
    assert info["signoff_scope"]["paths_allow"] == ["src/**"]  # type: ignore[index]
    assert info["signoff_scope"]["agent_paths"] == ["src/**", "docs/**"]  # type: ignore[index]
    assert int(info["exp"]) - int(info["iat"]) <= 900  # type: ignore[call-overload]
    jwks = kit.admin.as_(None).get("/v1/jwks").json()
    assert jwks["keys"] and all("d" not in k for k in jwks["keys"])


def test_pop_exchange(kit: Kit) -> None:
    task = kit.task()
    resp = kit.exchange_pop(task["id"])
    assert resp.status_code == 200, resp.text
    assert introspect(kit, resp.json()["token"])["active"] is True


def test_replayed_oidc_jti_is_refused(kit: Kit) -> None:
    task = kit.task()
    oidc = kit.issuer.token()
    assert kit.exchange_oidc(task["id"], oidc).status_code == 200
    again = kit.exchange_oidc(task["id"], oidc)
    assert again.status_code == 409 and again.json()["error"]["code"] == "replayed"


def test_replayed_pop_nonce_is_refused(kit: Kit) -> None:
    from signoff.broker import pop

    task = kit.task()
    anon = kit.admin.as_(None)
    ch = anon.post("/v1/pop/challenge", {"agent": "bot", "task": task["id"]}).json()
    body = {"pop": {"nonce": ch["nonce"], "signature": pop.sign(kit.agent_key, ch["nonce"], "bot",
                                                               ch["audience"])}}  # fmt: skip
    assert anon.post(f"/v1/tasks/{task['id']}/token", body).status_code == 200
    again = anon.post(f"/v1/tasks/{task['id']}/token", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "replayed"


def test_pop_signed_by_another_key_is_refused(kit: Kit) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from signoff.broker import pop

    task = kit.task()
    anon = kit.admin.as_(None)
    ch = anon.post("/v1/pop/challenge", {"agent": "bot", "task": task["id"]}).json()
    sig = pop.sign(Ed25519PrivateKey.generate(), ch["nonce"], "bot", ch["audience"])
    body = {"pop": {"nonce": ch["nonce"], "signature": sig}}
    resp = anon.post(f"/v1/tasks/{task['id']}/token", body)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "bad_signature"


def test_untrusted_workload_is_refused(kit: Kit) -> None:
    task = kit.task()
    resp = kit.exchange_oidc(task["id"], kit.issuer.token(repository_id="666"))
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "untrusted"
    resp = kit.exchange_oidc(task["id"], kit.issuer.token(aud="https://github.com/acme"))
    assert resp.json()["error"]["code"] == "wrong_audience"


def test_scope_escalation_in_the_request_is_refused(kit: Kit) -> None:
    """Refused when the task is requested (it could never be honoured), and again by the
    broker's grant at exchange for any task that predates the check."""
    from signoff.broker.errors import BrokerError
    from signoff.broker.scope import AgentScope, TaskRequest, grant

    agent = AgentScope("bot", True, "active", (), ("agent/**",), ("src/**",), (), 900)
    for prefix in ("main", "release/", "Main", "feature/"):  # feature/: outside agent/**
        resp = kit.admin.post("/v1/tasks", {**_task_body(kit), "branch_prefix": prefix})
        err = resp.json()["error"]
        assert resp.status_code == 422 and err["code"] == "scope", resp.text
        assert err["field"] == "branch_prefix"
        req = TaskRequest("t", "bot", "widget", prefix, ("src/**",), (), ("push-branch",))
        with pytest.raises(BrokerError) as exc:
            grant(req, agent, (), 600)
        assert exc.value.code == "scope"
    outside = kit.admin.post("/v1/tasks", {**_task_body(kit), "actions": ["push-branch", "tag"]})
    assert outside.status_code == 403


@pytest.mark.parametrize(
    ("paths", "why"),
    [
        ([], "name the paths this task may change"),
        (["lib/**"], "allowed path `lib/**` is outside agent bot's registered paths"),
        (["src/**", "srcx/a.py"], "allowed path `srcx/a.py` is outside"),
    ],
)
def test_a_task_no_push_could_honour_is_refused_when_requested(
    kit: Kit, paths: list[str], why: str
) -> None:
    resp = kit.admin.post("/v1/tasks", {**_task_body(kit), "allowed_paths": paths})
    err = resp.json()["error"]
    assert resp.status_code == 422 and (err["code"], err["field"]) == ("scope", "allowed_paths")
    assert why in err["message"], err


def test_paths_that_may_match_inside_the_agent_scope_are_accepted(kit: Kit) -> None:
    for paths in (["src/**"], ["**/*.py"], ["src/a.py", "docs/"], ["s*/x.py"]):
        resp = kit.admin.post("/v1/tasks", {**_task_body(kit), "allowed_paths": paths})
        assert resp.status_code == 201, (paths, resp.text)


def _task_body(kit: Kit) -> dict[str, object]:
    return {"agent": "bot", "repo": "widget", "base_commit": kit.base, "intent_text": "x",
            "allowed_paths": ["src/**"]}  # fmt: skip


def test_suspended_agent_tokens_stop_at_once(kit: Kit) -> None:
    kit.agent("bot2")
    task = kit.task(agent="bot2")
    tok = kit.token(task["id"])
    assert introspect(kit, tok)["active"] is True
    agent = kit.admin.ok("GET", "/v1/agents/bot2")
    kit.admin.ok("PATCH", "/v1/agents/bot2", {"version": agent["version"], "status": "suspended"})
    info = introspect(kit, tok)
    assert info["active"] is False and "suspended" in str(info["reason"])
    assert kit.exchange_oidc(task["id"]).status_code == 403


def test_revocation_by_task_and_by_agent(kit: Kit) -> None:
    task = kit.task()
    t1, t2 = kit.token(task["id"]), kit.token(task["id"])
    out = kit.admin.ok("POST", "/v1/tokens/revoke", {"task": task["id"], "reason": "done"})
    assert len(out["revoked"]) == 2 and out["task_state"] == "revoked"
    assert not introspect(kit, t1)["active"] and not introspect(kit, t2)["active"]
    assert kit.exchange_oidc(task["id"]).status_code == 403  # the task is revoked too
    t3 = kit.token(kit.task()["id"])
    kit.admin.ok("POST", "/v1/tokens/revoke", {"agent": "bot"})
    assert introspect(kit, t3)["code"] == "revoked"


def test_introspection_needs_an_enforcer_and_revocation_the_requester(kit: Kit) -> None:
    tok = kit.token(kit.task()["id"])
    auditor = kit.admin.token_for("aud", ["auditor"])
    assert kit.admin.as_(auditor).post("/v1/tokens/introspect", {"token": tok}).status_code == 403
    assert kit.admin.as_(kit.ci_token).post("/v1/tokens/revoke", {"token": tok}).status_code == 403
    bad = introspect(kit, tok[:-4] + "AAAA")
    assert bad["active"] is False and set(bad) >= {"active", "reason", "code"}


def test_events_are_in_the_ledger_with_digests_only(kit: Kit) -> None:
    from signoff.ledger.service import Ledger

    task = kit.task()
    tok = kit.token(task["id"])
    kit.exchange_oidc(task["id"], kit.issuer.token(repository_id="1"))  # a refusal
    s = kit.server.settings
    ledger = Ledger(s.ledger_url, key_path=s.ledger_key)
    try:
        everything = ledger.events(list(range(ledger.size())))
    finally:
        ledger.close()
    mine = (task["id"],)
    events = [
        e
        for e in everything
        if mine in ((e.subjects.get("task"),), (e.subjects.get("attempted_task"),))
    ]
    types = [(e.type.value, e.payload.get("outcome")) for e in events]
    assert ("token.issued", None) in types and ("token.refused", "refused") in types
    import hashlib

    issued = next(e for e in events if e.type.value == "token.issued")
    assert issued.subjects["token_sha256"] == "sha256:" + hashlib.sha256(tok.encode()).hexdigest()
