"""Token, approval and ledger-integrity rules, from events appended through the ledger API
(shaped as the broker and the server's approvals endpoint write them)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from signoff.identity.agents import Agent, Registry, Status
from signoff.ledger.events import Event, EventType
from signoff.ledger.service import Ledger
from signoff.monitor.config import MonitorConfig, WorkingHours
from signoff.monitor.engine import evaluate
from signoff.monitor.model import LedgerHealth, Snapshot
from signoff.taxonomy import Kind, Mode

from .conftest import SHA_A, SHA_B, World

WORKFLOW = "o/r/.github/workflows/agent.yml@refs/heads/main"
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)  # a Wednesday


def _refusal(w: World, code: str, agent: str = "copilot") -> int:
    return w.append(
        EventType.TOKEN_REFUSED,
        {"attempted_task": "task_9", "agent": agent, "repo": "demo"},
        {"outcome": "refused", "stage": "exchange", "code": code, "reason": f"refused: {code}"},
        actor="signoff:broker",
    )


def _issue(w: World, digest: str, jti: str, iss: str = "https://token.actions.example") -> int:
    return w.append(
        EventType.TOKEN_ISSUED,
        {"task": "task_1", "agent": "copilot", "token_sha256": digest},
        {"jti": jti, "proof": {"method": "oidc", "iss": iss, "job_workflow_ref": WORKFLOW}},
    )


def _push(w: World, digest: str, outcome: str = "accepted") -> int:
    return w.append(
        EventType.PUSH_REFUSED if outcome == "refused" else EventType.PUSH_WITNESSED,
        {"task": "task_1", "agent": "copilot", "token_sha256": digest, "repo": "demo"},
        {"outcome": outcome, "jti": "j1", "refs": []},
        actor="signoff:hook",
    )


def test_healthy_token_use_raises_nothing(world: World) -> None:
    _issue(world, SHA_A, "j1")
    _push(world, SHA_A)
    _issue(world, SHA_B, "j2")
    assert world.alerts() == []


def test_use_after_revocation(world: World) -> None:
    _issue(world, SHA_A, "j1")
    revoked = world.append(
        EventType.TOKEN_REVOKED,
        {"agent": "copilot", "task": "task_1"},
        {"selector": "task", "revoked_jti": ["j1"], "count": 1, "reason": "done"},
    )
    used = _push(world, SHA_A, outcome="refused")
    (a,) = world.rules()["token.use-after-revocation"]
    assert a.subject == f"token:{SHA_A}" and {revoked, used} <= set(a.evidence.ledger_seqs)


def test_replay_scope_and_refusal_spike(world: World) -> None:
    seqs = [_refusal(world, "replayed"), _refusal(world, "scope")]
    seqs += [_refusal(world, "untrusted") for _ in range(3)]
    found = world.rules()
    assert found["token.replay"][0].evidence.ledger_seqs == (seqs[0],)
    assert found["token.out-of-scope"][0].evidence.ledger_seqs == (seqs[1],)
    assert set(found["token.refusal-spike"][0].evidence.ledger_seqs) == set(seqs)


def test_few_refusals_are_not_a_spike(world: World) -> None:
    for _ in range(4):
        _refusal(world, "expired")
    assert "token.refusal-spike" not in world.rules()


def test_new_oidc_issuer(world: World) -> None:
    _issue(world, SHA_A, "j1")
    seq = _issue(world, SHA_B, "j2", iss="https://evil.example")
    (a,) = world.rules()["token.new-issuer"]
    assert a.evidence.ledger_seqs == (seq,) and "evil.example" in a.message


def test_approval_faster_than_reading_through_the_ledger(world: World) -> None:
    base = world.repo.head()
    head = world.agent_commit()
    world.decide(head, base, "needs-approval", [head])
    appr = world.append(
        EventType.APPROVAL_GIVEN,
        {"repo": "demo", "commit": head, "base": base, "approval": "appr_1"},
        {"decision": "approve", "approver": "alice@example.com"},
    )
    world.decide(head, base, "allow", [head])
    (a,) = world.rules()["approval.too-fast"]
    assert appr in a.evidence.ledger_seqs and "1 changed lines" in a.message


# -- approvals over controlled times (the ledger stamps real time, so timing is set here) -----


def _ev(
    seq: int, t: dt.datetime, type_: EventType, subjects: dict[str, str], **payload: object
) -> Event:
    stamp = t.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return Event(seq, stamp, type_, "x", subjects, payload, ())


def _approval(seq: int, t: dt.datetime, who: str, head: str) -> Event:
    return _ev(seq, t, EventType.APPROVAL_GIVEN, {"commit": head, "base": "b" * 40}, approver=who)


def test_concentration_of_approvals() -> None:
    t = NOW - dt.timedelta(days=1)
    events = [_approval(i, t, "alice@example.com", f"{i:040x}") for i in range(8)]
    events += [_approval(8 + i, t, "bob@example.com", f"{8 + i:040x}") for i in range(3)]
    found = evaluate(Snapshot(now=NOW, events=tuple(events)))
    (a,) = [x for x in found if x.rule == "approval.concentration"]
    assert a.subject == "approver:alice@example.com" and "8 of 11" in a.message
    balanced = [_approval(i, t, f"p{i % 3}@example.com", f"{i:040x}") for i in range(12)]
    assert evaluate(Snapshot(now=NOW, events=tuple(balanced))) == []


def test_review_speed_scales_with_diff_size() -> None:
    head, base = "c" * 40, "b" * 40
    start = NOW - dt.timedelta(hours=2)
    decided = _ev(0, start, EventType.DECISION_MADE, {"commit": head, "base": base})
    approved = _approval(1, start + dt.timedelta(minutes=2), "alice@example.com", head)
    snap = Snapshot(now=NOW, events=(decided, approved), diff_lines={(base, head): 400})
    assert [a.rule for a in evaluate(snap)] == ["approval.too-fast"]  # 120 s < 400 lines * 1 s
    snap = Snapshot(now=NOW, events=(decided, approved), diff_lines={(base, head): 50})
    assert evaluate(snap) == []


def test_off_hours_only_when_configured() -> None:
    night = NOW.replace(hour=2)
    events = (_approval(0, night, "bob@example.com", "d" * 40),)
    assert evaluate(Snapshot(now=NOW, events=events)) == []
    cfg = MonitorConfig(working_hours=WorkingHours(timezone="Europe/Paris"))
    (a,) = evaluate(Snapshot(now=NOW, events=events, config=cfg))
    assert a.rule == "approval.off-hours" and a.subject == "approver:bob@example.com"
    day = (_approval(0, NOW, "bob@example.com", "d" * 40),)
    assert evaluate(Snapshot(now=NOW, events=day, config=cfg)) == []


def test_agent_without_owner() -> None:
    ghost = Agent("ghost", "ghost", Kind.AI_AGENT, "", "?", Mode.SUPERVISED, Status.ACTIVE,
                  dt.date(2999, 1, 1), None)  # fmt: skip
    found = evaluate(Snapshot(now=NOW, registry=Registry((ghost,), "d", "server")))
    assert [a.rule for a in found] == ["identity.no-owner"]


# -- ledger integrity ------------------------------------------------------------------------


def test_tampered_ledger_fails_verification(world: World) -> None:
    for _ in range(3):
        _issue(world, SHA_A, "j1")
    with Ledger(world.url) as lg:
        lg.checkpoint()
    db = sqlite3.connect(world.tmp / "ledger.db")
    db.execute(
        "UPDATE ledger_events SET leaf = "
        "CAST(replace(CAST(leaf AS TEXT), 'j1', 'j9') AS BLOB) WHERE seq = 1"
    )
    db.commit()
    db.close()
    (a,) = world.rules()["ledger.verify-failed"]
    assert a.severity.value == "critical" and a.evidence.ledger_seqs == (1,)


def test_log_behind_a_checkpoint_saved_elsewhere(world: World, tmp_path: Path) -> None:
    _issue(world, SHA_A, "j1")
    with Ledger(world.url) as lg:
        own = lg.checkpoint().note
    fork = tmp_path / "fork.db"
    shutil.copy(world.tmp / "ledger.db", fork)
    with Ledger(f"sqlite:///{fork}", key_path=tmp_path / "ledger.db.key") as lg:
        lg.append(next(iter(lg.recent(1))).draft)
        saved = lg.checkpoint().note
    assert "ledger.checkpoint-inconsistent" not in world.rules(trusted_note=own)
    found = world.rules(trusted_note=saved)
    assert "ledger.checkpoint-inconsistent" in found and "ledger.verify-failed" not in found


def test_checkpoint_not_advancing(world: World) -> None:
    _issue(world, SHA_A, "j1")  # the first append signs a checkpoint
    with Ledger(world.url, checkpoint_every=0, checkpoint_seconds=0) as lg:
        lg.append(next(iter(lg.recent(1))).draft)
    assert "ledger.checkpoint-stale" not in world.rules()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    (a,) = world.rules(now=later)["ledger.checkpoint-stale"]
    assert "1 event(s)" in a.message


def test_health_model_stale_without_any_checkpoint() -> None:
    snap = Snapshot(now=NOW, ledger=LedgerHealth(ok=True, size=3))
    assert [a.rule for a in evaluate(snap)] == ["ledger.checkpoint-stale"]


def test_one_use_after_revocation_counts_once(world: World) -> None:
    """The revocation is evidence, not a use: one push after it is "used 1 time(s)"."""
    _issue(world, SHA_A, "j1")
    world.append(
        EventType.TOKEN_REVOKED,
        {"agent": "copilot", "task": "task_1", "token_sha256": SHA_A},
        {"selector": "jti", "revoked_jti": ["j1"], "count": 1, "reason": "leaked"},
    )
    _push(world, SHA_A, outcome="refused")
    (a,) = world.rules()["token.use-after-revocation"]
    assert "used 1 time(s) after its revocation" in a.message, a.message


def test_approval_of_a_change_this_clone_cannot_read_is_not_zero_lines(world: World) -> None:
    base, head = "1" * 40, "2" * 40  # approved on the server; not in this clone
    world.decide(head, base, "needs-approval", [head])
    world.append(
        EventType.APPROVAL_GIVEN,
        {"repo": "demo", "commit": head, "base": base, "approval": "appr_9"},
        {"decision": "approve", "approver": "alice@example.com"},
    )
    (a,) = world.rules()["approval.too-fast"]
    assert "size unknown" in a.message and "0 changed lines" not in a.message, a.message


ART = "sha256:" + "c" * 64


def _release(w: World, agents: dict[str, list[str]], commits: list[str]) -> None:
    w.append(
        EventType.RELEASE_VERIFIED,
        {"commit": commits[0], "release": "v1.0", "repo": "demo"},
        {"result": "PASSED", "commits": commits, "agents": agents},
    )
    w.append(EventType.RELEASE_PROMOTED, {"artifact": ART, "release": "v1.0", "repo": "demo"},
             {"release": "v1.0"}, actor="carol@example.com")  # fmt: skip


def test_promoted_artifact_with_work_of_a_revoked_agent(world: World) -> None:
    sha = world.repo.head()
    _release(world, {"copilot": [sha]}, [sha])
    assert "release.revoked-work-promoted" not in world.rules()
    # revoked after the promotion: revocation is retroactive
    seq = world.append(EventType.IDENTITY_SUSPENDED, {"agent": "copilot"}, {"status": "suspended"})
    (a,) = world.rules()["release.revoked-work-promoted"]
    assert a.subject == f"artifact:{ART}" and a.evidence.commits == (sha,)
    assert seq in a.evidence.ledger_seqs and "revoked agent copilot" in a.message


def test_promoted_artifact_with_work_of_a_revoked_task(world: World) -> None:
    sha = world.repo.head()
    world.append(EventType.PUSH_WITNESSED, {"commit": sha, "task": "task_7", "agent": "copilot"},
                 {"outcome": "accepted"}, actor="signoff:hook")  # fmt: skip
    _release(world, {"copilot": [sha]}, [sha])
    world.append(EventType.TASK_REVOKED, {"task": "task_7", "agent": "copilot"}, {"reason": "x"})
    (a,) = world.rules()["release.revoked-work-promoted"]
    assert "revoked task task_7" in a.message and a.evidence.commits == (sha,)


def test_expired_agents_shipped_work_raises_nothing(world: World) -> None:
    """Expiry is not retroactive: work done while the agent was valid stays shippable."""
    world.registry(AGENTS_EXPIRED)
    sha = world.repo.head()
    _release(world, {"copilot": [sha]}, [sha])
    assert "release.revoked-work-promoted" not in world.rules()


AGENTS_EXPIRED = """\
version: 1
agents:
  - id: copilot
    owner: alice@example.com
    purpose: issue fixes
    mode: supervised
    review_by: 2020-01-01
    expires: 2020-06-01
    match: {catalog: [github-copilot]}
"""
