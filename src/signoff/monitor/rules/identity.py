"""Identity hygiene: reviews overdue, expired identities still in use, idle identities, owners
nobody can reach through the approver directory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from signoff.identity.agents import Lifecycle, Status, merge_registries
from signoff.ledger.events import EventType
from signoff.monitor.alerts import Alert, Severity
from signoff.monitor.model import Snapshot, event_time
from signoff.monitor.rules.base import Rule, rule

_USE_EVENTS = (EventType.TOKEN_ISSUED, EventType.PUSH_WITNESSED, EventType.TASK_REQUESTED)


def _uses(snap: Snapshot, agent: str) -> Iterator[tuple[dt.datetime, int | None, str | None]]:
    """(time, ledger seq, commit) of every use of `agent`: commits on protected branches, task
    requests, tokens issued and accepted pushes (`push.witnessed`; refusals are `push.refused`
    and `token.refused`, not uses) in the ledger."""
    for c in snap.commits:
        if any(a.id == agent for a in c.actors):
            yield c.time, None, c.sha
    for e in snap.of_type(*_USE_EVENTS):
        if e.subjects.get("agent") == agent:
            yield event_time(e), e.seq, e.subjects.get("commit")


@rule("identity.review-overdue", Severity.WARNING, "An agent is past its review_by date.")
def review_overdue(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    today = snap.now.date()
    for a in snap.registry.agents:
        if a.lifecycle(today) is Lifecycle.REVIEW_DUE:
            yield r.alert(
                f"agent:{a.id}",
                f"agent {a.id} was due for review on {a.review_by} (owner {a.owner})",
                f"ask {a.owner} to review {a.id}'s purpose and scope, then move review_by",
            )


@rule(
    "identity.expired-in-use",
    Severity.HIGH,
    "An expired, suspended or retired agent was used after it ended, or still holds open tasks.",
)
def expired_in_use(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    today = snap.now.date()
    for a in snap.registry.agents:
        life = a.lifecycle(today)
        if life not in (Lifecycle.EXPIRED, Lifecycle.SUSPENDED, Lifecycle.RETIRED):
            continue
        if life is Lifecycle.EXPIRED and a.expires is not None:
            ended = dt.datetime.combine(a.expires + dt.timedelta(days=1), dt.time(), dt.UTC)
        else:  # suspended/retired: the registry has no date; every use in the window counts
            ended = snap.since
        late = [(t, s, c) for t, s, c in _uses(snap, a.id) if t >= ended]
        tasks = (snap.open_tasks or {}).get(a.id, ())
        if not late and not tasks:
            continue
        parts = []
        if late:
            parts.append(f"used {len(late)} time(s) since {ended.date()}")
        if tasks:
            parts.append(f"holds {len(tasks)} open task(s): {', '.join(tasks[:5])}")
        yield r.alert(
            f"agent:{a.id}",
            f"agent {a.id} is {life.value} but " + " and ".join(parts),
            f"revoke {a.id}'s open tasks and tokens, and find out who still runs it "
            f"(owner {a.owner})",
            seqs=[s for _, s, _ in late if s is not None],
            commits=[c for _, _, c in late if c],
        )


@rule("identity.unused", Severity.INFO, "An active agent has not been used for N days.")
def unused(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    limit = snap.now - dt.timedelta(days=snap.config.unused_days)
    registered = {
        e.subjects["agent"]: event_time(e)
        for e in snap.of_type(EventType.IDENTITY_REGISTERED)
        if "agent" in e.subjects
    }
    for a in snap.registry.agents:
        if a.status is not Status.ACTIVE or a.lifecycle(snap.now.date()) is Lifecycle.EXPIRED:
            continue
        last = max((t for t, _, _ in _uses(snap, a.id)), default=None)
        since = last or registered.get(a.id) or snap.registry_since
        if since is None or since > limit:
            continue  # used recently, or we cannot tell how long it has existed
        what = f"last used {last.date()}" if last else f"never used since {since.date()}"
        yield r.alert(
            f"agent:{a.id}",
            f"agent {a.id} is active but {what} ({snap.config.unused_days}-day threshold)",
            f"ask {a.owner} whether {a.id} is still needed; retire it if not",
        )


@rule("identity.no-owner", Severity.HIGH, "An agent has no owner.")
def no_owner(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    for a in snap.registry.agents:
        if not a.owner.strip():
            yield r.alert(
                f"agent:{a.id}",
                f"agent {a.id} has no owner: nobody answers for it",
                f"name an owner for {a.id} in the registry, or suspend it",
            )


@rule(
    "identity.owner-not-approver",
    Severity.WARNING,
    "An agent's owner is not in the approver directory (policy groups or allowed signers).",
)
def owner_outside_directory(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    if not snap.approvers:
        return  # no directory to check against (reported as "not configured" elsewhere)
    known = {x.lower() for x in snap.approvers}
    for a in snap.registry.agents:
        if a.owner.strip() and a.owner.lower() not in known and a.status is Status.ACTIVE:
            yield r.alert(
                f"agent:{a.id}",
                f"agent {a.id}'s owner {a.owner} is not in any approver group or allowed signers",
                f"make {a.id}'s owner a person or group from the policy, or add {a.owner} there",
            )


@rule(
    "identity.registry-drift",
    Severity.WARNING,
    "A repository's agents.yml and the control plane's registered agents disagree.",
)
def registry_drift(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    """Read on the control plane, which knows both sides: each repository's `agents.yml` on
    its protected ref against the registered agents. The gate with `--server` applies the
    stricter of the two (`signoff.identity.agents.merge_registries`); this says where they
    differ, so the weaker one can be fixed."""
    if not snap.server:
        return
    for repo_registry in snap.repo_registries:
        _, drift = merge_registries(repo_registry, snap.registry)
        for line in drift:
            yield r.alert(
                f"registry-drift:{line[:160]}",
                f"{line} ({repo_registry.source} vs the control plane's registered agents)",
                "bring .signoff/agents.yml and the registered agent in line (the stricter "
                "side is applied meanwhile)",
            )


RULES = (
    review_overdue,
    expired_in_use,
    unused,
    no_owner,
    owner_outside_directory,
    registry_drift,
)
