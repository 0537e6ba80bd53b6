"""Drift between git and the ledger: agent commits on a protected branch without a passing
decision (release-impacting ones, and those of any other class), let through by an override,
or landed despite a veto.

A commit is *covered* by a `decision.made` event whose `subjects.commit` is the commit or whose
`payload.commits[].sha` lists it (the gate's decision record). A covering decision with
`payload.decision == "allow"` is valid; `"overridden"` passes but is reported; a veto
(`approval.vetoed`, `subjects.commit` = the decided head) with no `allow` decision recorded after
it means the veto was ignored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from signoff.ledger.events import Event, EventType
from signoff.monitor.alerts import Alert, Severity
from signoff.monitor.model import CommitFact, Snapshot
from signoff.monitor.rules.base import Rule, rule


@dataclass
class _Cover:
    decisions: list[Event] = field(default_factory=list)
    vetoes: list[Event] = field(default_factory=list)


def _covers(snap: Snapshot) -> Mapping[str, _Cover]:
    out: dict[str, _Cover] = defaultdict(_Cover)
    heads: dict[str, set[str]] = defaultdict(set)  # decided head -> commits it covers
    for e in snap.of_type(EventType.DECISION_MADE):
        shas = {e.subjects.get("commit", "")}
        for c in e.payload.get("commits") or ():
            if isinstance(c, Mapping) and isinstance(c.get("sha"), str):
                shas.add(c["sha"])
        shas.discard("")
        heads[e.subjects.get("commit", "")] |= shas
        for s in shas:
            out[s].decisions.append(e)
    for e in snap.of_type(EventType.APPROVAL_VETOED):
        head = e.subjects.get("commit", "")
        for s in heads.get(head, set()) | {head}:
            out[s].vetoes.append(e)
    return out


def _agent_release_commits(snap: Snapshot) -> list[CommitFact]:
    return [c for c in snap.commits if c.actors and c.release_paths]


def _unapproved(snap: Snapshot, commits: list[CommitFact]) -> Iterator[tuple[CommitFact, _Cover]]:
    """The commits no `allow` or `overridden` decision covers and no veto names (those two
    are for the override and veto rules)."""
    covers = _covers(snap)
    for c in commits:
        cover = covers.get(c.sha, _Cover())
        if _verdicts(cover) & {"allow", "overridden"} or cover.vetoes:
            continue
        yield c, cover


def _why(cover: _Cover) -> str:
    verdicts = _verdicts(cover)
    if not verdicts:
        return "no decision was ever recorded for it"
    return f"its decisions were only {', '.join(sorted(verdicts))}"


def _verdicts(cover: _Cover) -> set[str]:
    return {str(d.payload.get("decision")) for d in cover.decisions}


def _who(c: CommitFact) -> str:
    return ", ".join(a.id for a in c.actors)


def _changes(c: CommitFact) -> str:
    if not c.paths:
        return "(a merge, or a commit with no file changes)"
    more = f" and {len(c.paths) - 3} more" if len(c.paths) > 3 else ""
    return f"changes {', '.join(c.paths[:3])}{more}"


@rule(
    "drift.no-decision",
    Severity.HIGH,
    "A release-impacting agent commit reached a protected branch without a passing decision.",
)
def no_decision(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    if snap.events is None:
        return
    for c, cover in _unapproved(snap, _agent_release_commits(snap)):
        yield r.alert(
            f"commit:{c.sha}",
            f"agent commit {c.sha[:12]} ({_who(c)}) on {c.branch} changes "
            f"{', '.join(c.release_paths[:3])} but {_why(cover)}",
            "find how it bypassed the required check (branch protection, direct push); run "
            "`signoff check` on it and get the approvals, or revert it",
            seqs=[d.seq for d in cover.decisions],
            commits=[c.sha],
        )


@rule(
    "drift.unapproved-change",
    Severity.HIGH,
    "An agent commit of any other class reached a protected branch without a passing decision.",
)
def unapproved_change(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    """What `drift.no-decision` leaves out: agent commits that change no release-impacting
    path (source, tests, docs, ...) and merge commits an agent made. Each commit is reported
    by one of the two rules."""
    if snap.events is None:
        return
    others = [c for c in snap.commits if c.actors and not c.release_paths]
    for c, cover in _unapproved(snap, others):
        yield r.alert(
            f"commit:{c.sha}",
            f"agent commit {c.sha[:12]} ({_who(c)}) on {c.branch} {_changes(c)} but {_why(cover)}",
            "find how it landed without review (a direct push, a bypassed check); get the "
            "approvals after the fact, or revert it",
            seqs=[d.seq for d in cover.decisions],
            commits=[c.sha],
        )


@rule(
    "drift.override",
    Severity.WARNING,
    "An agent commit on a protected branch passed only by a break-glass override.",
)
def override(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    covers = _covers(snap)
    for c in snap.commits:
        if not c.actors:
            continue
        cover = covers.get(c.sha, _Cover())
        verdicts = _verdicts(cover)
        if "overridden" in verdicts and "allow" not in verdicts:
            seqs = [d.seq for d in cover.decisions if d.payload.get("decision") == "overridden"]
            yield r.alert(
                f"commit:{c.sha}",
                f"agent commit {c.sha[:12]} ({_who(c)}) reached {c.branch} by override",
                "review the override's reason with the person who used it; get the approvals "
                "after the fact",
                seqs=seqs,
                commits=[c.sha],
            )


@rule(
    "drift.veto-ignored",
    Severity.CRITICAL,
    "A vetoed agent change reached a protected branch anyway.",
)
def veto_ignored(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    covers = _covers(snap)
    for c in snap.commits:
        cover = covers.get(c.sha)
        if cover is None or not cover.vetoes or not c.actors:
            continue
        last_veto = max(v.seq for v in cover.vetoes)
        if any(d.seq > last_veto and d.payload.get("decision") == "allow" for d in cover.decisions):
            continue  # decided again after the veto and allowed: the veto was addressed
        vetoers = sorted({str(v.payload.get("approver", v.actor)) for v in cover.vetoes})
        yield r.alert(
            f"commit:{c.sha}",
            f"agent commit {c.sha[:12]} ({_who(c)}) reached {c.branch} although "
            f"{', '.join(vetoers)} vetoed it",
            "revert it now and find out how it was merged past the veto",
            seqs=[v.seq for v in cover.vetoes] + [d.seq for d in cover.decisions],
            commits=[c.sha],
        )


RULES = (no_decision, unapproved_change, override, veto_ignored)
