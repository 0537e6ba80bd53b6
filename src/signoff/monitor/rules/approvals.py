"""Approval anomalies: one person approving most agent changes, approvals faster than anyone
could read the diff, approvals outside working hours.

Reads server approvals from the ledger (`approval.given`: `subjects.commit` is the approved head,
`subjects.base` its base, `payload.approver` the person) and the first `decision.made` for the
same head as the moment the change was put up for review. The size of a change is measured in
the repository (`Snapshot.diff_lines`); where it cannot be, the message says so and the floor
(`min_review_seconds`) alone applies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from signoff.ledger.events import Event, EventType
from signoff.monitor.alerts import Alert, Severity
from signoff.monitor.model import Snapshot, event_time
from signoff.monitor.rules.base import Rule, rule


def given(snap: Snapshot) -> list[Event]:
    return [e for e in snap.of_type(EventType.APPROVAL_GIVEN) if event_time(e) >= snap.since]


def _approver(e: Event) -> str:
    return str(e.payload.get("approver") or e.actor)


def approval_counts(snap: Snapshot) -> tuple[int, Counter[str], dict[str, list[int]]]:
    """Over the window's approvals: how many distinct changes (base, head) were approved, how
    many of them each approver approved, and each approver's `approval.given` seqs."""
    by_change: dict[tuple[str, str], set[str]] = defaultdict(set)
    seqs: dict[str, list[int]] = defaultdict(list)
    for e in given(snap):
        who = _approver(e)
        by_change[(e.subjects.get("base", ""), e.subjects.get("commit", ""))].add(who)
        seqs[who].append(e.seq)
    counts = Counter(who for people in by_change.values() for who in people)
    return len(by_change), counts, seqs


@rule(
    "approval.concentration",
    Severity.WARNING,
    "One person gave most of the approvals of agent changes in the window.",
)
def concentration(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    total, counts, seqs = approval_counts(snap)
    if total < snap.config.concentration_min_changes:
        return
    for who, n in counts.most_common():
        share = n / total
        if share <= snap.config.concentration_share:
            break
        yield r.alert(
            f"approver:{who}",
            f"{who} approved {n} of {total} agent changes ({share:.0%}) since {snap.since.date()}",
            "spread reviews across the group (or add reviewers to it); check that these "
            "approvals were real reviews",
            seqs=seqs[who],
        )


@rule(
    "approval.too-fast",
    Severity.WARNING,
    "An approval came sooner after review started than the diff could be read.",
)
def too_fast(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    first_decision: dict[str, Event] = {}
    for d in snap.of_type(EventType.DECISION_MADE):
        first_decision.setdefault(d.subjects.get("commit", ""), d)
    for e in given(snap):
        head, base = e.subjects.get("commit", ""), e.subjects.get("base", "")
        start = first_decision.get(head)
        if start is None:
            continue  # no record of when review began: cannot judge
        lines = snap.diff_lines.get((base, head))
        needed = snap.config.review_threshold(lines or 0)  # unknown size: the floor alone
        took = (event_time(e) - event_time(start)).total_seconds()
        if took >= needed:
            continue
        who = _approver(e)
        size = f"{lines} changed lines" if lines is not None else "size unknown: not in this clone"
        yield r.alert(
            f"approval:{e.subjects.get('approval') or e.seq}",
            f"{who} approved {head[:12]} ({size}) {took:.0f}s after review "
            f"began; reading it takes at least {needed:.0f}s",
            f"ask {who} to confirm the review; re-review the change if it was not read",
            seqs=[start.seq, e.seq],
            commits=[head],
        )


@rule(
    "approval.off-hours",
    Severity.INFO,
    "Approvals were given outside the configured working hours.",
)
def off_hours(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    hours = snap.config.working_hours
    if hours is None:
        return
    late: dict[str, list[Event]] = defaultdict(list)
    for e in given(snap):
        if not hours.contains(event_time(e)):
            late[_approver(e)].append(e)
    for who, events in sorted(late.items()):
        yield r.alert(
            f"approver:{who}",
            f"{who} gave {len(events)} approval(s) outside working hours "
            f"({hours.start:%H:%M}-{hours.end:%H:%M} {hours.timezone})",
            f"confirm with {who} that these approvals were theirs (a stolen key or token "
            "approves at any hour)",
            seqs=[e.seq for e in events],
            commits=[e.subjects.get("commit", "") for e in events if e.subjects.get("commit")],
        )


RULES = (concentration, too_fast, off_hours)
