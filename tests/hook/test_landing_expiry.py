"""Landing through the hook judges an agent's expiry at the time of its work (the push the hook
witnessed), not retroactively; a suspended (revoked) agent's work never lands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from brokerkit import Kit, push, start
from serverkit import held_person

POLICY = """\
version: 1
groups:
  maintainers: [bob@example.com]
default_approval: {approvals: 1, from: maintainers}
"""
AGENTS = """\
version: 1
agents:
  - id: bot
    owner: root@example.com
    purpose: tests
    review_by: 2020-06-01
    expires: 2021-01-01
    match: {emails: [bot@agents.example]}
"""
ALICE = {"REMOTE_USER": "alice"}


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    tmp = tmp_path_factory.mktemp("expiry")
    k = start(tmp, base_files={".signoff/policy.yml": POLICY, ".signoff/agents.yml": AGENTS},
              no_token_mode="remote-user")  # fmt: skip
    k.admin.ok("POST", "/v1/humans", {"id": "alice", "email": "alice@example.com", "name": "alice"})
    k.bob = held_person(k.admin, tmp, "bob", ["approver"])  # type: ignore[attr-defined]
    yield k
    k.issuer.stop()
    k.server.stop()


def _out(proc: Any) -> str:
    return str(proc.stderr) + str(proc.stdout)


def _approved_agent_work(kit: Kit, branch: str) -> str:
    """The agent pushes a commit with its token (the control plane knows it as active; the
    repository's registry says it expired on 2021-01-01), and bob approves it."""
    kit.work.git("checkout", "-q", "-B", branch, kit.base)
    kit.work.write("src/app.py", f"print({branch!r})\n")
    sha = kit.work.commit("agent work")
    proc = push(kit.work, f"{branch}:refs/heads/{branch}", token=kit.token(kit.task()["id"]))
    assert proc.returncode == 0, _out(proc)
    kit.bob.ok("POST", "/v1/repos/widget/approvals",  # type: ignore[attr-defined]
               {"base": kit.base, "head": sha, "decision": "approve"})  # fmt: skip
    return sha


def test_work_pushed_after_the_agent_expired_does_not_land(kit: Kit) -> None:
    _approved_agent_work(kit, "agent/late")
    proc = push(kit.work, "agent/late:refs/heads/main", env=ALICE)
    assert proc.returncode != 0, _out(proc)
    assert "agent bot expired on 2021-01-01, before the work" in _out(proc)
    assert "(pushed then)" in _out(proc)


def test_work_pushed_while_the_agent_was_valid_still_lands(kit: Kit) -> None:
    import sqlalchemy as sa

    from signoff.server.broker.tables import witnessed

    sha = _approved_agent_work(kit, "agent/early")
    with kit.server.ctx.db.write() as conn:  # the hook witnessed this push in 2020
        conn.execute(sa.update(witnessed).where(witnessed.c.commit_sha == sha)
                     .values(time="2020-06-15T10:00:00Z"))  # fmt: skip
    proc = push(kit.work, "agent/early:refs/heads/main", env=ALICE)
    assert proc.returncode == 0, _out(proc)
    assert "the gate says allow" in _out(proc)
