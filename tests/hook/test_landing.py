"""Landing on a protected branch through the hook passes the gate (`--no-token-mode
remote-user`): real pushes over file:// into a bare repository, a real control plane, approvals
and overrides given through its API, and the ledger it keeps."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brokerkit import Kit, push, start
from gitrepo import HUMAN, keygen
from serverkit import held_person

from signoff.ledger.events import Event, EventType

POLICY = """\
version: 1
groups:
  maintainers: [alice@example.com, bob@example.com]
  break-glass: [carol@example.com]
default_approval: {approvals: 1, from: maintainers}
approvals: {break_glass: break-glass}
four_eyes: {approvals: 1, from: maintainers}
protected_branches: [main, "release/*"]
"""
ALICE = {"REMOTE_USER": "alice"}
_N = itertools.count()


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    tmp = tmp_path_factory.mktemp("landing")
    key, pub = keygen(tmp, "alice")
    k = start(tmp, base_files={".signoff/policy.yml": POLICY,
                               ".signoff/allowed_signers": f"alice@example.com {pub}\n"},
              no_token_mode="remote-user")  # fmt: skip
    k.alice_key = key  # type: ignore[attr-defined]
    k.admin.ok("POST", "/v1/humans", {"id": "alice", "email": "alice@example.com", "name": "alice"})
    k.approvers = {  # type: ignore[attr-defined]
        who: held_person(k.admin, tmp, who, ["approver"]) for who in ("bob", "carol")
    }
    yield k
    k.issuer.stop()
    k.server.stop()


def _out(proc: Any) -> str:
    return str(proc.stderr) + str(proc.stdout)


def _main(kit: Kit) -> str:
    return kit.work.git("ls-remote", "origin", "refs/heads/main").split()[0]


def _agent_work(kit: Kit, path: str = "src/app.py") -> tuple[str, str]:
    """An agent's commit on its own branch, pushed with its task token (witnessed); the work
    repo is left on that branch. Returns (branch, commit)."""
    branch = f"agent/land-{next(_N)}"
    kit.work.git("fetch", "-q", "origin", "main")
    kit.work.git("checkout", "-q", "-B", branch, "FETCH_HEAD")
    kit.work.write(path, f"print({branch!r})\n")
    sha = kit.work.commit("agent work")
    tok = kit.token(kit.task()["id"])
    proc = push(kit.work, f"{branch}:refs/heads/{branch}", token=tok)
    assert proc.returncode == 0, _out(proc)
    return branch, sha


def _events(kit: Kit, type_: EventType, n: int = 20) -> list[Event]:
    return list(kit.server.ctx.recorder.ledger.recent(n, type_))


def _approve(kit: Kit, who: str, base: str, head: str, decision: str = "approve",
             **kw: Any) -> None:  # fmt: skip
    api = kit.approvers[who]  # type: ignore[attr-defined]
    api.ok("POST", "/v1/repos/widget/approvals",
           {"base": base, "head": head, "decision": decision, **kw})  # fmt: skip


def test_unapproved_agent_work_pushed_by_a_person_is_refused_until_approved(kit: Kit) -> None:
    branch, sha = _agent_work(kit)
    old = _main(kit)
    proc = push(kit.work, f"{branch}:refs/heads/main", env=ALICE)
    assert proc.returncode != 0, _out(proc)
    assert ("signoff: refused: refs/heads/main: the gate says needs-approval: 1 file(s) need "
            "approval: 1 from maintainers") in _out(proc)  # fmt: skip
    assert "src/app.py (source): 1 from maintainers" in _out(proc)
    assert _main(kit) == old
    refused = _events(kit, EventType.PUSH_REFUSED, 1)[0]
    assert refused.payload["code"] == "gate" and refused.payload["pusher"] == "alice"
    decided = _events(kit, EventType.DECISION_MADE, 1)[0]
    assert (decided.subjects["commit"], decided.payload["decision"]) == (sha, "needs-approval")
    assert decided.payload["range"]["target_branch"] == "main"
    assert decided.payload["commits"][0]["attribution"] == "agent"  # witnessed: the agent's

    _approve(kit, "bob", old, sha)
    proc = push(kit.work, f"{branch}:refs/heads/main", env=ALICE)  # the same push
    assert proc.returncode == 0, _out(proc)
    assert "signoff: refs/heads/main: the gate says allow" in _out(proc)
    assert _main(kit) == sha
    decided = _events(kit, EventType.DECISION_MADE, 1)[0]
    assert (decided.subjects["commit"], decided.payload["decision"]) == (sha, "allow")
    landed = _events(kit, EventType.PUSH_WITNESSED, 1)[0]
    assert landed.subjects == {"repo": "widget", "human": "alice"}


def test_break_glass_lets_it_through_recorded_as_overridden(kit: Kit) -> None:
    branch, sha = _agent_work(kit)
    old = _main(kit)
    _approve(kit, "carol", old, sha, "override", reason="hotfix for the outage")
    proc = push(kit.work, f"{branch}:refs/heads/main", env=ALICE)
    assert proc.returncode == 0, _out(proc)
    assert "the gate says overridden" in _out(proc)
    assert "OVERRIDDEN (not approved) by carol@example.com: hotfix for the outage" in _out(proc)
    decided = _events(kit, EventType.DECISION_MADE, 1)[0]
    assert decided.payload["decision"] == "overridden"
    (ov,) = decided.payload["overrides"]
    assert (ov["by"], ov["reason"]) == ("carol@example.com", "hotfix for the outage")


def test_four_eyes_a_single_authors_policy_loosening_waits_for_another_person(kit: Kit) -> None:
    kit.work.git("fetch", "-q", "origin", "main")
    kit.work.git("checkout", "-q", "-B", "loosen", "FETCH_HEAD")
    old = kit.work.head()
    text = (kit.work.path / ".signoff" / "policy.yml").read_text()
    kit.work.write(".signoff/policy.yml", text + "treat_unverified_as_agent: false\n")
    sha = kit.work.commit("policy: trust unsigned commits", author=HUMAN,
                          sign_key=kit.alice_key)  # type: ignore[attr-defined]  # fmt: skip
    proc = push(kit.work, "loosen:refs/heads/alice/loosen", env=ALICE)  # up for review
    assert proc.returncode == 0, _out(proc)
    proc = push(kit.work, "loosen:refs/heads/main", env=ALICE)
    assert proc.returncode != 0, _out(proc)
    assert ".signoff/policy.yml (governance): 1 from maintainers" in _out(proc)
    decided = _events(kit, EventType.DECISION_MADE, 1)[0]
    assert decided.payload["commits"][0]["attribution"] == "human"  # alice's own signed work

    _approve(kit, "bob", old, sha)
    proc = push(kit.work, "loosen:refs/heads/main", env=ALICE)
    assert proc.returncode == 0, _out(proc)
    assert _main(kit) == sha


def test_deleting_rewinding_or_aliasing_a_protected_branch(kit: Kit) -> None:
    kit.work.git("fetch", "-q", "origin", "main")
    main = kit.work.git("rev-parse", "FETCH_HEAD").strip()
    parent = kit.work.git("rev-parse", f"{main}^").strip()
    proc = push(kit.work, f"{parent}:refs/heads/main", env=ALICE, force=True)
    assert "not a fast-forward: a protected branch's history is never rewritten" in _out(proc)
    proc = push(kit.work, ":refs/heads/main", env=ALICE)
    assert "a protected branch is never deleted through the hook" in _out(proc)
    assert _main(kit) == main
    # `MAIN` is `main` on a case-insensitive server: it is gated like main
    branch, _ = _agent_work(kit)
    proc = push(kit.work, f"{branch}:refs/heads/MAIN", env=ALICE)
    assert proc.returncode != 0 and "refs/heads/MAIN: the gate says needs-approval" in _out(proc)


def test_an_ordinary_branch_is_not_gated(kit: Kit) -> None:
    branch, _ = _agent_work(kit)
    proc = push(kit.work, f"{branch}:refs/heads/alice/review", env=ALICE)
    assert proc.returncode == 0, _out(proc)
    assert "the gate says" not in _out(proc)


def test_the_monitor_sees_hook_landings_as_decided(kit: Kit, tmp_path: Path) -> None:
    """What landed through the gate is covered by its decisions: no drift alert for it."""
    import datetime as dt
    import subprocess

    from signoff.monitor.engine import evaluate
    from signoff.monitor.snapshot import gather

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(kit.bare), str(clone)], check=True)
    since = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # the test commits are old
    snap = gather(now=dt.datetime.now(dt.UTC), repo=clone, since=since,
                  ledger_url=kit.server.ctx.recorder.ledger.url)  # fmt: skip
    assert any(a.id == "unregistered:bot" or a.id == "bot" for c in snap.commits for a in c.actors)
    rules = {a.rule for a in evaluate(snap)}
    assert not rules & {"drift.no-decision", "drift.unapproved-change"}, rules
    assert "drift.override" in rules  # the break-glass landing is reported
