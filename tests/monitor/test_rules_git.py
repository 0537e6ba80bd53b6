"""Identity, agents-in-git and drift rules, from real git history and a real ledger."""

from __future__ import annotations

import pytest
from gitrepo import CLAUDE_TRAILER, HUMAN

from signoff.gate.check import run_check
from signoff.gate.record import record_decision
from signoff.ledger.events import EventType

from .conftest import AGENTS, SHA_A, World


def test_healthy_deployment_raises_nothing(world: World) -> None:
    base = world.repo.head()
    c = world.agent_commit()
    world.decide(c, base, "allow", [c])
    world.repo.write("docs/guide.md", "by a human\n")
    world.repo.commit("docs", author=HUMAN)
    assert world.alerts() == []


def test_release_change_without_decision_is_drift(world: World) -> None:
    c = world.agent_commit()
    (a,) = world.rules()["drift.no-decision"]
    assert a.evidence.commits == (c,)
    assert "no decision was ever recorded" in a.message


def test_gate_said_needs_approval_but_it_landed(world: World) -> None:
    base = world.repo.head()
    world.repo.branch("feature")
    c = world.agent_commit()
    seq = record_decision(world.url, run_check(world.repo.path, base, "feature"))
    world.repo.checkout("main")
    world.repo.git("merge", "-q", "--ff-only", "feature")
    (a,) = world.rules()["drift.no-decision"]
    assert a.evidence.ledger_seqs == (seq,) and a.evidence.commits == (c,)
    assert "needs-approval" in a.message


def test_override_and_ignored_veto(world: World) -> None:
    base = world.repo.head()
    c1 = world.agent_commit()
    world.decide(c1, base, "overridden", [c1])
    c2 = world.agent_commit("package.json", '{"name": "x", "version": "1.0.0"}\n')
    world.decide(c2, c1, "needs-approval", [c2])
    veto = world.append(
        EventType.APPROVAL_VETOED,
        {"repo": "demo", "commit": c2, "base": c1, "approval": "appr_1"},
        {"decision": "veto", "approver": "bob@example.com"},
    )
    found = world.rules()
    assert [a.evidence.commits for a in found["drift.override"]] == [(c1,)]
    (v,) = found["drift.veto-ignored"]
    assert veto in v.evidence.ledger_seqs and "bob@example.com" in v.message
    assert "drift.no-decision" not in found  # each commit reported once, by its own rule


def test_veto_then_allow_is_addressed(world: World) -> None:
    base = world.repo.head()
    c = world.agent_commit()
    world.append(EventType.APPROVAL_VETOED, {"commit": c, "base": base}, {"approver": "bob@x"})
    world.decide(c, base, "allow", [c])
    assert world.alerts() == []


def test_unregistered_agent_on_protected_branch(world: World) -> None:
    world.repo.write("src/app.py", "print('hi')\n")
    c = world.repo.commit(f"feat: greet\n\n{CLAUDE_TRAILER}")
    found = world.rules()
    (a,) = found["git.unregistered-agent"]
    assert a.evidence.commits == (c,) and "claude" in a.subject


def test_unregistered_agent_off_protected_branches_is_ignored(world: World) -> None:
    world.repo.branch("scratch")
    world.repo.write("src/app.py", "print('hi')\n")
    world.repo.commit(f"feat: greet\n\n{CLAUDE_TRAILER}")
    assert "git.unregistered-agent" not in world.rules()


def test_identity_review_owner_and_unused(world: World) -> None:
    world.registry(
        AGENTS
        + """\
  - id: stale
    owner: zed@example.com
    purpose: forgotten experiment
    review_by: 2020-01-01
    match: {emails: [stale@example.com]}
""",
        monitor="version: 1\nwindow_days: 3650\nidentity: {unused_days: 30}\n",
    )
    found = world.rules()
    assert [a.subject for a in found["identity.review-overdue"]] == ["agent:stale"]
    assert [a.subject for a in found["identity.owner-not-approver"]] == ["agent:stale"]
    # neither ever committed and the registry landed in 2025: idle for longer than 30 days
    assert {a.subject for a in found["identity.unused"]} == {"agent:copilot", "agent:stale"}


def test_expired_agent_still_used_and_holding_tasks(world: World) -> None:
    world.registry(
        AGENTS
        + """\
  - id: old-bot
    owner: alice@example.com
    purpose: retired experiment
    expires: 2020-01-01
    match: {emails: [old-bot@example.com]}
"""
    )
    issued = world.append(
        EventType.TOKEN_ISSUED,
        {"task": "task_1", "agent": "old-bot", "token_sha256": SHA_A},
        {"jti": "j1", "proof": {"method": "pop"}},
    )
    world.append(
        EventType.TASK_REQUESTED,
        {"task": "task_2", "agent": "old-bot", "repo": "demo"},
        {"expires": "2999-01-01T00:00:00Z"},
    )
    (a,) = world.rules()["identity.expired-in-use"]
    assert issued in a.evidence.ledger_seqs and "task_2" in a.message


@pytest.mark.parametrize("end", [EventType.TASK_CLOSED, EventType.TASK_REVOKED])
def test_closed_tasks_and_active_agents_are_fine(world: World, end: EventType) -> None:
    world.append(
        EventType.TASK_REQUESTED,
        {"task": "task_3", "agent": "copilot", "repo": "demo"},
        {"expires": "2999-01-01T00:00:00Z"},
    )
    world.append(end, {"task": "task_3", "agent": "copilot"}, {"task_state": end.value[5:]})
    assert world.alerts() == []


def test_unapproved_agent_change_of_any_class_is_drift(world: World) -> None:
    """A source change by an agent on main with no passing decision: `drift.no-decision`
    covers only release-impacting classes, so this rule reports the rest."""
    base = world.repo.head()
    src = world.agent_commit("src/app.py", "print('agent')\n")
    docs = world.agent_commit("docs/guide.md", "agent docs\n")
    world.decide(docs, src, "allow", [docs])
    found = world.rules()
    (a,) = found["drift.unapproved-change"]
    assert a.evidence.commits == (src,) and "changes src/app.py" in a.message
    assert "no decision was ever recorded" in a.message
    assert "drift.no-decision" not in found
    world.decide(src, base, "overridden", [src])
    found = world.rules()
    assert "drift.unapproved-change" not in found
    assert [x.evidence.commits for x in found["drift.override"]] == [(src,)]
