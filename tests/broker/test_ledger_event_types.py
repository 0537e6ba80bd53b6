"""What the control plane writes to the ledger, by type: refusals, task ends and configuration
changes each have their own event type, never a borrowed one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from brokerkit import Kit, push, start
from policies import POLICY

from signoff.ledger.events import Event, EventType


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    k = start(tmp_path_factory.mktemp("types"))
    yield k
    k.issuer.stop()
    k.server.stop()


def events(kit: Kit) -> list[Event]:
    lg = kit.server.ctx.recorder.ledger
    out: list[Event] = lg.events(list(range(lg.size())))
    return out


def about(kit: Kit, task_id: str) -> list[Event]:
    return [
        e
        for e in events(kit)
        if task_id in (e.subjects.get("task"), e.subjects.get("attempted_task"))
    ]


def test_refused_exchange_is_token_refused(kit: Kit) -> None:
    task = kit.task()
    assert kit.exchange_oidc(task["id"], kit.issuer.token(repository_id="1")).status_code == 401
    (e,) = about(kit, task["id"])[1:]  # after task.requested
    assert e.type is EventType.TOKEN_REFUSED
    assert e.subjects["attempted_task"] == task["id"] and "task" not in e.subjects
    assert e.payload["outcome"] == "refused" and e.payload["code"]


def test_refused_push_is_push_refused(kit: Kit) -> None:
    task = kit.task()
    tok = kit.token(task["id"])
    branch = f"agent/{task['id'][-8:]}"
    kit.work.git("checkout", "-q", "-B", branch, kit.base)
    try:
        kit.work.write("src/types.py", "x = 1\n")
        kit.work.commit("types")
        proc = push(kit.work, f"{branch}:refs/heads/release/1.0", token=tok)
        assert proc.returncode != 0 and "protected" in proc.stderr + proc.stdout
    finally:
        kit.work.git("checkout", "-q", "main")
    mine = about(kit, task["id"])
    assert [e.type for e in mine] == [
        EventType.TASK_REQUESTED,
        EventType.TOKEN_ISSUED,
        EventType.PUSH_REFUSED,
    ]
    refused = mine[-1]
    assert refused.subjects["attempted_task"] == task["id"] and "commit" not in refused.subjects
    assert refused.payload["outcome"] == "refused" and refused.payload["reasons"]


@pytest.mark.parametrize("state", ["closed", "revoked"])
def test_closing_or_revoking_a_task_is_task_closed_or_revoked(kit: Kit, state: str) -> None:
    task = kit.task()
    out = kit.admin.ok("PATCH", f"/v1/tasks/{task['id']}", {"state": state, "version": 1})
    end = about(kit, task["id"])[-1]
    assert end.type is EventType(f"task.{state}") and end.seq == out["ledger_seq"]
    assert end.subjects == {"task": task["id"], "agent": "bot"}
    assert end.payload["task_state"] == state
    assert EventType.TOKEN_REVOKED not in {e.type for e in about(kit, task["id"])}


def test_revoking_a_tasks_tokens_also_records_the_task_revoked(kit: Kit) -> None:
    task = kit.task()
    kit.token(task["id"])
    kit.admin.ok("POST", "/v1/tokens/revoke", {"task": task["id"], "reason": "done"})
    *_, tokens, ended = about(kit, task["id"])
    assert tokens.type is EventType.TOKEN_REVOKED and tokens.payload["count"] == 1
    assert ended.type is EventType.TASK_REVOKED and ended.payload["revocation_seq"] == tokens.seq
    assert kit.admin.ok("GET", f"/v1/tasks/{task['id']}")["ledger_seq"] == ended.seq
    # revoking again (the task is no longer open) revokes tokens only
    kit.admin.ok("POST", "/v1/tokens/revoke", {"task": task["id"]})
    assert about(kit, task["id"])[-1].type is EventType.TOKEN_REVOKED


def test_configuration_changes_are_config_changed(kit: Kit) -> None:
    out = kit.admin.ok("POST", "/v1/repos/widget/policy", {"text": POLICY})
    e = events(kit)[out["ledger_seq"]]
    assert e.type is EventType.CONFIG_CHANGED and e.payload["change"] == "policy-version"
    assert e.subjects == {"repo": "widget", "policy_digest": out["digest"]}
    changes = {
        str(x.payload.get("change")): x for x in events(kit) if x.type is EventType.CONFIG_CHANGED
    }
    assert {"repo-registered", "api-token-issued", "trust-policy-set"} <= set(changes)
    assert changes["trust-policy-set"].subjects == {"agent": "bot"}
    assert changes["repo-registered"].subjects["repo"] == "widget"
    # identity.changed is left to identities: no repo or API token rides on it
    for x in events(kit):
        if x.type in (EventType.IDENTITY_CHANGED, EventType.IDENTITY_REGISTERED):
            assert not {"repo", "token_sha256"} & set(x.subjects), x
