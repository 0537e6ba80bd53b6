"""Revocation reaches what was shipped: which verified releases hold a revoked identity's work.

Revocation is retroactive (docs/release.md, "Identities"): when the ledger records that an agent
(`identity.suspended`, no task subject) or a task (`task.revoked`, or `identity.suspended` naming
the task alone) was revoked, every release verified PASSED *before* that revocation whose range
holds its work no longer stands. The work is read from each `release.verified` event: its
`agents` map (agent -> commits) and its `commits`, tied to tasks by `push.witnessed`.

- `revoked_releases(events)` lists them (pure);
- `flag_drafts(events)` gives one `release.revoked` event per (release run, revocation) not yet
  recorded, which the control plane and `signoff ledger append` write right after a revocation
  (the monitoring rule `release.revoked` raises an alert naming each release);
- `bundle_revocations(statement, events)` says why an attestation of such a release no longer
  holds (`signoff attest verify --check-revocations`).

A release verified PASSED *after* the revocation, for the same head, has already judged it:
`release verify` fails revoked work unless release managers re-qualified it
(`signoff.release.requalify`), so such a later run is what re-qualifies the release.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from signoff.ledger.events import Event, EventDraft, EventType
from signoff.release.events import EventLog
from signoff.release.ledgerview import LedgerView

ACTOR = "signoff-revocation"
MAX_LISTED = 200


@dataclass(frozen=True, slots=True)
class RevokedRelease:
    verified: Event  # the `release.verified` (PASSED) that no longer stands
    revoked: str  # "agent:<id>" or "task:<id>"
    revocation_seq: int
    revocation_time: str
    commits: tuple[str, ...]  # the revoked identity's commits in the release

    @property
    def label(self) -> str:
        """The release as people name it: its tag, its report id, else its head commit."""
        s = self.verified.subjects
        return s.get("release") or s.get("report") or s.get("commit", "?")

    @property
    def head(self) -> str:
        head = _range(self.verified).get("head") or self.verified.subjects.get("commit")
        return head if isinstance(head, str) else ""


def revoked_releases(events: Sequence[Event]) -> list[RevokedRelease]:
    """Every PASSED release run that holds work of an identity revoked after it was verified."""
    view = LedgerView.build(events)
    times = {e.seq: e.time for e in events}
    out: list[RevokedRelease] = []
    for e in events:
        if e.type is not EventType.RELEASE_VERIFIED or e.payload.get("result") != "PASSED":
            continue
        for revoked, seq, commits in _revoked_work(e, view):
            if seq > e.seq and not _reverified(events, e, seq):
                out.append(RevokedRelease(e, revoked, seq, times.get(seq, ""), commits))
    return out


def _revoked_work(e: Event, view: LedgerView) -> list[tuple[str, int, tuple[str, ...]]]:
    found: list[tuple[str, int, tuple[str, ...]]] = []
    agents = e.payload.get("agents")
    for agent, shas in sorted(agents.items()) if isinstance(agents, Mapping) else ():
        if agent in view.suspended_agents:
            found.append((f"agent:{agent}", view.suspended_agents[agent], tuple(_strings(shas))))
    tasks: dict[str, list[str]] = {}
    for sha in _strings(e.payload.get("commits")):
        for task in view.commit_tasks.get(sha, ()):
            if task in view.revoked_tasks:
                tasks.setdefault(task, []).append(sha)
    found += [(f"task:{t}", view.revoked_tasks[t], tuple(s)) for t, s in sorted(tasks.items())]
    return found


def _reverified(events: Sequence[Event], verified: Event, revocation_seq: int) -> bool:
    """A later PASSED run for the same head, recorded after the revocation, judged it."""
    head = _range(verified).get("head")
    return any(
        e.type is EventType.RELEASE_VERIFIED
        and e.seq > revocation_seq
        and e.payload.get("result") == "PASSED"
        and _range(e).get("head") == head
        for e in events
    )


def flag_drafts(events: Sequence[Event]) -> list[EventDraft]:
    """`release.revoked` events for revoked releases the log does not flag yet."""
    done = {
        (e.payload.get("verified_seq"), e.payload.get("revocation_seq"))
        for e in events
        if e.type is EventType.RELEASE_REVOKED
    }
    drafts = []
    for r in revoked_releases(events):
        if (r.verified.seq, r.revocation_seq) in done:
            continue
        done.add((r.verified.seq, r.revocation_seq))
        subjects = {k: v for k, v in r.verified.subjects.items() if k in _KEPT_SUBJECTS}
        kind, _, ident = r.revoked.partition(":")
        subjects[kind] = ident
        payload = {
            "verified_seq": r.verified.seq,
            "revocation_seq": r.revocation_seq,
            "revoked": r.revoked,
            "release": r.label,
            "range": _range(r.verified),
            "artifacts": [a for a in _artifacts(r.verified)][:MAX_LISTED],
            "commits": list(r.commits[:MAX_LISTED]),
        }
        witnessed = ("payload.verified_seq", "payload.revocation_seq", "payload.commits")
        drafts.append(EventDraft(EventType.RELEASE_REVOKED, ACTOR, subjects, payload, witnessed))
    return drafts


_KEPT_SUBJECTS = ("commit", "release", "repo", "report")


def bundle_revocations(statement: Mapping[str, Any], events: Sequence[Event]) -> list[str]:
    """Why a verified attestation's release no longer stands (empty: nothing reached it).

    The release is matched by the statement's subjects (artifact digests, or the release commit);
    a revocation fails it when no PASSED run for that head was recorded after the revocation, or
    when this attestation was made before the revocation (the one the revocation reached)."""
    found = [_subject_digests(s) for s in _list(statement.get("subject"))]
    digests = {d.get("sha256") for d in found} - {None}
    commits = {d.get("gitCommit") for d in found} - {None}
    pred = statement.get("predicate")
    made = _when(pred.get("timeVerified") if isinstance(pred, Mapping) else None)
    view = LedgerView.build(events)
    times = {e.seq: e.time for e in events}
    out = []
    for e in events:
        if e.type is not EventType.RELEASE_VERIFIED:
            continue
        if not (set(_artifacts(e)) & digests or _range(e).get("head") in commits):
            continue
        for revoked, seq, _ in _revoked_work(e, view):
            at = _when(times.get(seq))
            stale = made is None or at is None or made < at
            if stale or not _reverified(events, e, seq):
                out.append(
                    f"release {e.subjects.get('release') or _range(e).get('head', '?')[:12]} "
                    f"holds work of {revoked}, revoked at ledger seq {seq}"
                    + (" after this attestation was made" if stale else "")
                )
    return sorted(set(out))


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _subject_digests(subject: object) -> Mapping[str, Any]:
    digest = subject.get("digest") if isinstance(subject, Mapping) else None
    return digest if isinstance(digest, Mapping) else {}


def _range(e: Event) -> Mapping[str, Any]:
    rng = e.payload.get("range")
    return rng if isinstance(rng, Mapping) else {}


def _artifacts(e: Event) -> Iterable[str]:
    items = e.payload.get("artifacts")
    for a in items if isinstance(items, list) else ():
        if isinstance(a, Mapping) and isinstance(a.get("digest"), str):
            yield a["digest"].removeprefix("sha256:")


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _when(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else None


def flag_releases(log: EventLog) -> list[tuple[int, str]]:
    """Append `release.revoked` for every newly revoked release; (seq, release) of each."""
    out = []
    for draft in flag_drafts(log.all()):
        seq, _ = log.append(draft)
        out.append((seq, str(draft.payload["release"])))
    return out
