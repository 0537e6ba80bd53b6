"""Only the hook's own identity records pushes: a push record is what makes agent work
*witnessed* (or a person's push), so a `ci` token, which anyone who edits a workflow can reach,
must not be able to forge one."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from brokerkit import Kit, start
from pg import fresh_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kit]:
    with contextlib.ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            url = stack.enter_context(fresh_database("signoff_push"))
        k = start(tmp_path, url)
        try:
            yield k
        finally:
            k.issuer.stop()
            k.server.stop()


def _forged(kit: Kit) -> list[dict[str, object]]:
    """A witnessed push of an unverified commit to a limited agent's task, and a person's push
    that never happened."""
    task = kit.task()
    issued = kit.exchange_oidc(task["id"]).json()
    digest = "sha256:" + hashlib.sha256(issued["token"].encode()).hexdigest()
    head = kit.work.git("rev-parse", "HEAD")
    ref = {"ref": "refs/heads/agent/x", "old": "0" * 40, "new": head}
    return [
        {"repo": "widget", "outcome": "accepted", "jti": issued["jti"], "token_sha256": digest,
         "refs": [ref], "commits": [head]},
        {"repo": "widget", "outcome": "accepted", "pusher": "root", "refs": [ref],
         "commits": [head]},
    ]  # fmt: skip


def test_only_the_hook_records_pushes(kit: Kit) -> None:
    bodies = _forged(kit)
    auditor = kit.admin.token_for("aud", ["auditor"])
    ledger = kit.server.ctx.recorder.ledger
    size = ledger.size()
    for token in (kit.ci_token, kit.admin.token, auditor):
        for body in bodies:
            r = kit.admin.as_(token).post("/v1/pushes", body)
            assert r.status_code == 403, r.text
            assert "record-pushes" in r.json()["error"]["message"]
    head = str(bodies[0]["commits"][0])  # type: ignore[index]
    assert kit.admin.ok("GET", "/v1/witnessed", params={"repo": "widget", "commit": [head]}) == []
    assert ledger.size() == size
    hook = kit.admin.as_(kit.hook_token)
    assert hook.post("/v1/pushes", bodies[0]).status_code == 201
    got = kit.admin.ok("GET", "/v1/witnessed", params={"repo": "widget", "commit": [head]})
    assert [w["commit"] for w in got] == [head]


def test_the_hook_role_is_a_service_alone(kit: Kit) -> None:
    for body in (
        {"name": "h", "roles": ["hook", "ci"]},
        {"name": "h", "roles": ["hook"], "human": "root"},
    ):
        r = kit.admin.post("/v1/tokens", body)
        assert r.status_code == 422 and r.json()["error"]["field"] == "roles", r.text
    hook = kit.admin.as_(kit.hook_token)
    assert hook.get("/v1/repos").status_code == 403  # it reads nothing else
    assert hook.post("/v1/tokens/introspect", {"token": "x" * 12}).status_code == 200
