"""Revocation reaches what was shipped: a promoted artifact whose release contains work of a
revoked agent or task.

Revocation is retroactive (a compromise taints everything the identity produced, before and
after); expiry is not (work done and approved while the agent was valid stays valid), so an
expired or retired agent's work raises nothing here (`signoff.identity.validity`).

Read from the ledger: `release.promoted` (subjects `artifact`, `release`, `repo`) is matched to
the latest `release.verified` of the same release (and repository) recorded before it, whose
payload lists the release's agent commits (`agents`: agent -> SHAs) and its `commits`. Revoked:
an agent named by `identity.suspended` (no task subject), an agent the registry lists as
suspended, and a task named by `task.revoked` (its commits are those `push.witnessed` tied to
it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from signoff.identity.validity import Validity, identity_state_at
from signoff.ledger.events import Event, EventType
from signoff.monitor.alerts import Alert, Severity
from signoff.monitor.model import Snapshot
from signoff.monitor.rules.base import Rule, rule
from signoff.release.ledgerview import LedgerView
from signoff.release.revocation import revoked_releases


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _verified_for(snap: Snapshot, promoted: Event) -> Event | None:
    """The latest `release.verified` of the promoted release, recorded before the promotion."""
    label, repo = promoted.subjects.get("release"), promoted.subjects.get("repo")
    found = None
    for e in snap.of_type(EventType.RELEASE_VERIFIED):
        if e.seq > promoted.seq:
            break
        s = e.subjects
        if s.get("release") == label and (repo is None or s.get("repo") in (None, repo)):
            found = e
    return found


class _Taint(NamedTuple):
    who: str  # "agent X" or "task T"
    revoked_seq: int | None  # the ledger event that revoked it (None: the registry says so)
    commits: list[str]


def _tainted(view: LedgerView, snap: Snapshot, verified: Event) -> list[_Taint]:
    """Each revoked agent or task with work in the verified release, and its commits there."""
    suspended: dict[str, int | None] = dict(view.suspended_agents)
    for a in snap.registry.agents:  # the registry's word, by the rule the release gate uses
        state = identity_state_at(a, snap.now, view.suspended_agents)
        if state.validity is Validity.REVOKED:
            suspended.setdefault(a.id, None)
    out: list[_Taint] = []
    agents = verified.payload.get("agents")
    for agent, shas in sorted(agents.items()) if isinstance(agents, Mapping) else ():
        if agent in suspended:
            out.append(_Taint(f"agent {agent}", suspended[agent], _strings(shas)))
    tasks: dict[str, list[str]] = {}
    for sha in _strings(verified.payload.get("commits")):
        for task in view.commit_tasks.get(sha, ()):
            if task in view.revoked_tasks:
                tasks.setdefault(task, []).append(sha)
    out += [_Taint(f"task {t}", view.revoked_tasks[t], shas) for t, shas in sorted(tasks.items())]
    return out


@rule(
    "release.revoked-work-promoted",
    Severity.CRITICAL,
    "A promoted artifact's release contains work of an agent or task that was revoked.",
)
def revoked_work_promoted(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    promotions = snap.of_type(EventType.RELEASE_PROMOTED)
    if not promotions:
        return
    view = LedgerView.build(snap.events or ())
    for p in promotions:
        verified = _verified_for(snap, p)
        tainted = _tainted(view, snap, verified) if verified is not None else []
        if verified is None or not tainted:
            continue
        artifact, release = p.subjects.get("artifact", "?"), p.subjects.get("release", "?")
        commits = [sha for t in tainted for sha in t.commits]
        yield r.alert(
            f"artifact:{artifact}",
            f"artifact {artifact[:19]} of release {release} was promoted, but the release "
            f"contains work of revoked {', '.join(t.who for t in tainted)} "
            f"({len(set(commits))} commit(s))",
            "stop distributing the artifact; re-verify the release and have people re-review "
            "(or revert) the revoked identity's commits before promoting again",
            seqs=[
                p.seq,
                verified.seq,
                *(t.revoked_seq for t in tainted if t.revoked_seq is not None),
            ],
            commits=commits,
        )


@rule(
    "release.revoked",
    Severity.CRITICAL,
    "A release verified PASSED holds work of an agent or task revoked afterwards.",
)
def release_revoked(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    """Each verified release a later revocation reaches (signoff.release.revocation), whether or
    not it was promoted; a release verified again after the revocation is not one."""
    if not snap.events:
        return
    for rev in revoked_releases(snap.events):
        yield r.alert(
            f"release:{rev.label}",
            f"release {rev.label} (verified PASSED at ledger seq {rev.verified.seq}) holds "
            f"{len(rev.commits)} commit(s) of {rev.revoked.replace(':', ' ', 1)}, revoked at "
            f"ledger seq {rev.revocation_seq}: its attestation no longer stands",
            "re-review or revert that work, have release managers re-qualify it "
            "(signoff release requalify), and verify the release again",
            seqs=[rev.verified.seq, rev.revocation_seq],
            commits=rev.commits,
        )


RULES = (revoked_work_promoted, release_revoked)
