"""The signals under the alerts (`signoff.monitor.signals`) on one hand-built snapshot, and their
documentation. The server's `/metrics` end of it is in test_server_alerts.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from signoff.identity.agents import Agent, Registry, Status
from signoff.ledger.events import Event, EventType
from signoff.monitor import signals
from signoff.monitor.config import MonitorConfig, WorkingHours
from signoff.monitor.engine import evaluate
from signoff.monitor.model import ActorRef, CommitFact, LedgerHealth, Snapshot
from signoff.taxonomy import Kind, Mode

DOCS = Path(__file__).parents[2] / "docs" / "monitoring.md"
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)  # a Wednesday
SHA_A = "sha256:" + "a" * 64
BASE = "b" * 40


def _ev(
    seq: int, t: dt.datetime, type_: EventType, subjects: dict[str, str], **payload: object
) -> Event:
    stamp = t.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return Event(seq, stamp, type_, "x", subjects, payload, ())


def _agent(id_: str, status: Status = Status.ACTIVE, **dates: dt.date) -> Agent:
    return Agent(id_, id_, Kind.AI_AGENT, "alice@example.com", "test", Mode.SUPERVISED, status,
                 dates.get("review_by"), dates.get("expires"))  # fmt: skip


def _situation() -> Snapshot:
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    registry = Registry(
        (
            _agent("copilot", review_by=dt.date(2999, 1, 1)),
            _agent("late", review_by=dt.date(2026, 1, 1)),
            _agent("old-bot", expires=dt.date(2025, 1, 1)),
            _agent("paused", Status.SUSPENDED),
            _agent("idle", review_by=dt.date(2999, 1, 1)),
        ),
        "d",
        "test",
    )
    e: list[Event] = []

    def add(t: dt.datetime, type_: EventType, subjects: dict[str, str], **payload: object) -> int:
        e.append(_ev(len(e), t, type_, subjects, **payload))
        return len(e) - 1

    add(NOW - 60 * day, EventType.IDENTITY_REGISTERED, {"agent": "idle"})
    add(NOW - hour, EventType.TASK_REQUESTED, {"agent": "copilot", "task": "t1"})
    refused = {"agent": "copilot", "attempted_task": "t1"}
    add(NOW - 3 * day, EventType.TOKEN_REFUSED, refused, code="expired")  # baseline, not window
    add(NOW - 2 * hour, EventType.TOKEN_REFUSED, refused, code="replayed")
    add(NOW - 2 * hour, EventType.TOKEN_REFUSED, refused, code="scope")
    add(NOW - 2 * hour, EventType.TOKEN_REFUSED, refused, code="scope")
    add(NOW - 2 * hour, EventType.TOKEN_REFUSED, refused, code="revoked")
    add(NOW - 2 * hour, EventType.PUSH_REFUSED, {"repo": "demo"}, reasons=["outside scope"])
    add(NOW - 2 * hour, EventType.TOKEN_ISSUED, {"agent": "copilot", "token_sha256": SHA_A},
        jti="j1")  # fmt: skip
    add(NOW - 2 * hour, EventType.TOKEN_REVOKED, {"token_sha256": SHA_A}, revoked_jti=["j1"])
    add(NOW - hour, EventType.PUSH_WITNESSED, {"agent": "copilot", "token_sha256": SHA_A})
    add(NOW - hour, EventType.PUSH_WITNESSED, {"agent": "copilot", "token_sha256": SHA_A})
    # three changes put up for review, approved within seconds; alice approves all three, bob
    # one; one approval at 02:00 UTC, outside 08:00-19:00
    for i, head in enumerate(("1" * 40, "2" * 40, "3" * 40)):
        t = NOW - day - dt.timedelta(hours=i * 2)  # 12:00, 10:00, 08:00
        add(t, EventType.DECISION_MADE, {"commit": head, "base": BASE}, decision="needs-approval")
        add(t + dt.timedelta(seconds=5), EventType.APPROVAL_GIVEN, {"commit": head, "base": BASE},
            approver="alice@example.com")  # fmt: skip
    add(NOW.replace(hour=2), EventType.APPROVAL_GIVEN, {"commit": "1" * 40, "base": BASE},
        approver="bob@example.com")  # fmt: skip
    copilot = (ActorRef("copilot", True),)
    commits = (
        CommitFact("c" * 40, NOW - day, "main", copilot, ("requirements.txt",)),
        CommitFact("d" * 40, NOW - day, "main", copilot, ("requirements.txt",)),
    )
    cfg = MonitorConfig(working_hours=WorkingHours(), unused_days=30)
    return Snapshot(
        now=NOW, config=cfg, registry=registry, commits=commits, events=tuple(e),
        open_tasks={"old-bot": ("t8", "t9"), "paused": ("t7",), "copilot": ("t1",)},
        ledger=LedgerHealth(ok=True, size=len(e), latest_checkpoint_size=len(e) - 3,
                            latest_checkpoint_time=NOW - 600 * dt.timedelta(seconds=1)),
    )  # fmt: skip


def _values(snap: Snapshot) -> dict[tuple[str, tuple[str, ...]], float]:
    metrics = signals.compute(snap, evaluate(snap))
    return {(m.spec.name, k): v for m in metrics for k, v in m.samples}


def test_signals_of_a_seeded_situation() -> None:
    v = _values(_situation())
    agents = {s: v[("signoff_agents", (s,))] for s in ("active", "review-due", "expired")}
    assert agents == {"active": 2, "review-due": 1, "expired": 1}
    assert v[("signoff_agents", ("suspended",))] == 1 and v[("signoff_agents", ("retired",))] == 0
    assert v[("signoff_agents_unused", ())] == 1  # idle: registered 60 days ago, never used
    assert v[("signoff_ended_agent_open_tasks", ("expired",))] == 2
    assert v[("signoff_ended_agent_open_tasks", ("suspended",))] == 1
    refusals = {k: n for (name, k), n in v.items() if name == "signoff_token_refusals"}
    assert refusals == {
        ("push.refused", "none"): 1,
        ("token.refused", "replayed"): 1,
        ("token.refused", "revoked"): 1,
        ("token.refused", "scope"): 2,
        ("token.refused", "none"): 0,
    }
    assert v[("signoff_token_refusals_baseline", ())] == 1 / 7
    assert v[("signoff_token_uses_after_revocation", ())] == 3  # two pushes + one refusal
    assert v[("signoff_token_replays", ())] == 1
    assert v[("signoff_token_out_of_scope", ())] == 3  # two exchanges, one push
    assert v[("signoff_approvals", ())] == 4
    assert v[("signoff_approved_changes", ())] == 3
    assert v[("signoff_approval_top_share", ("alice@example.com",))] == 1.0
    assert v[("signoff_approvals_too_fast", ())] == 3  # bob's approval has no decision after it
    assert v[("signoff_approvals_off_hours", ())] == 1
    assert v[("signoff_drift_commits", ("no-decision",))] == 2
    assert v[("signoff_drift_commits", ("override",))] == 0
    assert v[("signoff_ledger_verified", ())] == 1
    assert v[("signoff_ledger_unchecked_events", ())] == 3
    assert v[("signoff_ledger_checkpoint_timestamp_seconds", ())] == NOW.timestamp() - 600
    assert v[("signoff_monitor_last_run_timestamp_seconds", ())] == NOW.timestamp()


def test_nothing_configured_gives_only_registry_signals() -> None:
    v = _values(Snapshot(now=NOW))
    names = {name for name, _ in v}
    assert names == {
        "signoff_monitor_last_run_timestamp_seconds",
        "signoff_agents",
        "signoff_agents_unused",
        "signoff_ended_agent_open_tasks",
        "signoff_drift_commits",
    }


def test_stored_signals_round_trip() -> None:
    metrics = signals.compute(_situation(), [])
    raw = [*signals.to_json(metrics), {"name": "signoff_from_the_future", "samples": []}]
    assert signals.from_json(raw) == metrics


def test_every_metric_is_documented() -> None:
    text = DOCS.read_text()
    missing = [n for n, s in signals.CATALOG.items()
               if f"`{n}{'_total' if s.kind == 'counter' else ''}" not in text]  # fmt: skip
    assert not missing
