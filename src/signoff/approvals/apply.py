"""Match verified approval records to what the gate requires. Pure: data in, decision out.

Separation of duties, none of it configurable away:
- an agent identity never approves: a record signed by a key registered to an agent, or whose
  signer is an `agent:` principal, is ignored;
- the requester of a task the control plane recorded (the task behind a push the hook witnessed)
  never approves its agent's work, and cannot override it;
- a human co-author the agent names (`Co-authored-by:`, how Copilot and others record who
  asked) is never the only approver: their approval counts only next to another distinct
  approver's, and they cannot override the change. The agent writes that trailer, so it cannot
  shut a person out entirely; `Requested-by:` trailers are not trusted at all;
- the author of a change under the policy's `four_eyes` never approves or overrides it (the
  requirement names them: `Requirement.excluded`);
- one person counts once per requirement, however many keys or records;
- a veto by a member of the required group blocks; only that person's later approval of the same
  digest lifts it (each person's latest word on a digest wins, ordered by signed time then id);
- a break-glass override makes a change `overridden`, never `approved`;
- a security-key (`sk-`) signature counts only when the token says a person touched it (user
  presence), and, with `approvals.user_verification`, that it verified them (PIN, biometric).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from signoff.approvals.record import Kind
from signoff.approvals.verify import CheckedRecord
from signoff.attribution.attribute import AGENT_PRINCIPAL
from signoff.decision import (
    ApprovalReport,
    ApprovalStatus,
    FileDecision,
    Hit,
    IgnoredRecord,
    OverrideStatus,
    Verdict,
)
from signoff.identity.sshsig import USER_PRESENT, USER_VERIFIED
from signoff.policy.model import Policy

STALE = "stale digest: content or policy changed since it was signed"
AGENT = "agent identity cannot approve"
REQUESTER_ALONE = "requester cannot be the only approver"
TASK_REQUESTER = "the task's requester cannot approve its agent's work"
REQUESTER_OVERRIDE = "requester cannot override their own change"
NO_PRESENCE = (
    "security-key signature without user presence (FIDO flag 0x01): the key was not touched"
)
NO_VERIFICATION = (
    "policy approvals.user_verification needs a security key that verified its user "
    "(FIDO flag 0x04)"
)
AUTHOR = "the author of this change cannot approve it (four eyes)"
AUTHOR_OVERRIDE = "the author of this change cannot override it (four eyes)"


class _Need:
    __slots__ = ("excluded", "needed", "paths", "requesters", "rules", "task_requesters")

    def __init__(self) -> None:
        self.needed = 0
        self.paths: list[str] = []
        self.rules: list[str] = []
        self.requesters: set[str] = set()
        self.task_requesters: set[str] = set()
        self.excluded: set[str] = set()


def apply_approvals(
    files: Sequence[FileDecision],
    digests: Mapping[str, str],
    records: Iterable[CheckedRecord],
    policy: Policy,
    *,
    agent_keys: Collection[str] = (),
    requesters: Mapping[str, Collection[str]] | None = None,
    task_requesters: Mapping[str, Collection[str]] | None = None,
    ref: str = "",
) -> tuple[tuple[FileDecision, ...], ApprovalReport]:
    """New per-file decisions and the approval report for the gate's output.

    `requesters` and `task_requesters` map a path to the people who asked for its change: named
    by the agent (co-authors), and recorded by the control plane (a witnessed task)."""
    requesters = requesters or {}
    task_requesters = task_requesters or {}
    ordered = sorted(records, key=lambda c: (c.record.time if c.record else "", c.record_id))
    unusable = {c.record_id: r for c in ordered if (r := disqualify(c, policy, agent_keys))}
    used: set[str] = set()
    notes: dict[str, list[str]] = {}

    needs: dict[tuple[str, str], _Need] = {}
    for f in files:
        if f.verdict is not Verdict.NEEDS_APPROVAL:
            continue
        for req in f.requirements:
            need = needs.setdefault((f.file_class.value, req.group), _Need())
            need.needed = max(need.needed, req.approvals)
            need.paths.append(f.path)
            need.rules.append(req.rule)
            need.requesters.update(requesters.get(f.path, ()))
            need.task_requesters.update(task_requesters.get(f.path, ()))
            need.excluded.update(req.excluded)

    statuses = []
    for (cls, group), need in sorted(needs.items()):
        status = _status(cls, group, need, digests[cls], ordered, unusable, policy, used)
        statuses.append(status)
        for ig in status.ignored:
            notes.setdefault(ig.record_id, []).append(ig.reason)

    by_key = {(s.file_class, s.group): s for s in statuses}
    approved = [_decide(f, by_key) for f in files]
    overrides = _overrides(approved, digests, requesters, task_requesters, ordered, unusable,
                           policy, notes, used)  # fmt: skip
    new_files = tuple(_overridden(f, overrides) for f in approved)
    # An override counted for one class but refused for another: say so for that class.
    partly = [
        IgnoredRecord(c.record_id, c.claimed, Kind.OVERRIDE.value, note, c.source)
        for c in ordered
        if c.record_id in used
        for note in notes.get(c.record_id, [])
        if c.record is not None and c.record.decision is Kind.OVERRIDE
    ]
    ignored = partly + [
        IgnoredRecord(
            c.record_id,
            c.claimed,
            c.record.decision.value if c.record else "?",
            unusable.get(c.record_id)
            or "; ".join(dict.fromkeys(notes.get(c.record_id, [])))
            or "covers nothing that needs approval in this range",
            c.source,
        )
        for c in ordered
        if c.record_id not in used
    ]
    report = ApprovalReport(
        ref=ref,
        records=len(ordered),
        statuses=tuple(statuses),
        overrides=tuple(overrides.values()),
        ignored=tuple(ignored),
        server_records=sum(1 for c in ordered if c.source == "server"),
    )
    return new_files, report


def _overrides(
    approved: Sequence[FileDecision],
    digests: Mapping[str, str],
    requesters: Mapping[str, Collection[str]],
    task_requesters: Mapping[str, Collection[str]],
    ordered: Sequence[CheckedRecord],
    unusable: Mapping[str, str],
    policy: Policy,
    notes: dict[str, list[str]],
    used: set[str],
) -> dict[str, OverrideStatus]:
    """The break-glass override of each class that approvals did not let through."""
    blocked_classes: dict[str, tuple[set[str], set[str]]] = {}  # class -> (askers, authors)
    for f in approved:  # an override is only for what approvals did not let through
        if f.verdict in (Verdict.NEEDS_APPROVAL, Verdict.DENY):
            asked, made = blocked_classes.setdefault(f.file_class.value, (set(), set()))
            asked.update(requesters.get(f.path, ()), task_requesters.get(f.path, ()))
            made.update(p for r in f.requirements for p in r.excluded)
    overrides: dict[str, OverrideStatus] = {}
    for cls, (asked, made) in sorted(blocked_classes.items()):
        found = _override(cls, digests[cls], asked, made, ordered, unusable, policy, notes, used)
        if found is not None:
            overrides[cls] = found
    return overrides


def disqualify(c: CheckedRecord, policy: Policy, agent_keys: Collection[str]) -> str | None:
    """Why a record can count for nothing at all, whatever it covers."""
    if not c.valid:
        return c.error or "unreadable record"
    if c.signer.startswith(AGENT_PRINCIPAL) or c.fingerprint in agent_keys:
        return AGENT
    if c.source != "ref":  # given through the API by an authenticated person: no SSH key
        return None
    allowed = policy.approvals.key_types
    if allowed and c.key_type not in allowed:
        return f"key type {c.key_type} is not allowed (policy approvals.key_types)"
    if c.sk_flags is not None and not c.sk_flags & USER_PRESENT:
        return NO_PRESENCE
    if policy.approvals.user_verification and (
        c.sk_flags is None or not c.sk_flags & USER_VERIFIED
    ):
        return NO_VERIFICATION
    return None


def _status(
    cls: str,
    group: str,
    need: _Need,
    digest: str,
    ordered: Sequence[CheckedRecord],
    unusable: Mapping[str, str],
    policy: Policy,
    used: set[str],
) -> ApprovalStatus:
    members = set(policy.groups.get(group, ()))
    sources = {c.record_id: c.source for c in ordered}
    ignored: list[IgnoredRecord] = []
    latest: dict[str, tuple[Kind, str]] = {}  # person -> (last word, record id)
    for c in ordered:
        rec = c.record
        if rec is None or cls not in rec.digests or rec.decision is Kind.OVERRIDE:
            continue
        reason = unusable.get(c.record_id)
        if reason is None and rec.digests[cls] != digest:
            reason = STALE
        if reason is None and c.source != "ref" and cls in policy.approvals.signed_only:
            reason = f"{cls} needs a signed approval record (policy approvals.signed_only)"
        if reason is None and c.signer not in members:
            reason = f"{c.signer} is not in group {group}"
        if reason is not None:
            ignored.append(
                IgnoredRecord(c.record_id, c.claimed, rec.decision.value, reason, c.source)
            )
            continue
        if c.signer in latest:
            kind, rid = latest[c.signer]
            why = f"superseded by {c.signer}'s later {rec.decision.value}"
            ignored.append(IgnoredRecord(rid, c.signer, kind.value, why, sources[rid]))
        latest[c.signer] = (rec.decision, c.record_id)
    approvers = [p for p, (k, _) in latest.items() if k is Kind.APPROVE]
    vetoers = sorted(p for p, (k, _) in latest.items() if k is Kind.VETO)
    for p in [p for p in approvers if p in need.task_requesters or p in need.excluded]:
        # their word still lifts their own earlier veto; it never counts as an approval
        rid = latest[p][1]
        why = TASK_REQUESTER if p in need.task_requesters else AUTHOR
        ignored.append(IgnoredRecord(rid, p, Kind.APPROVE.value, why, sources[rid]))
        approvers.remove(p)
    if approvers and all(p in need.requesters for p in approvers):
        for p in approvers:
            rid = latest[p][1]
            ignored.append(IgnoredRecord(rid, p, Kind.APPROVE.value, REQUESTER_ALONE, sources[rid]))
        approvers = []
    used.update(latest[p][1] for p in [*approvers, *vetoers])
    return ApprovalStatus(
        file_class=cls,
        digest=digest,
        group=group,
        needed=need.needed,
        approvers=tuple(sorted(approvers)),
        vetoers=tuple(vetoers),
        requesters=tuple(sorted(need.requesters)),
        ignored=tuple(ignored),
        paths=tuple(dict.fromkeys(need.paths)),
        rule=", ".join(dict.fromkeys(need.rules)),
        sources=tuple((p, sources[latest[p][1]]) for p in sorted(approvers)),
        task_requesters=tuple(sorted(need.task_requesters)),
    )


def _override(
    cls: str,
    digest: str,
    requesters: set[str],
    authors: set[str],
    ordered: Sequence[CheckedRecord],
    unusable: Mapping[str, str],
    policy: Policy,
    notes: dict[str, list[str]],
    used: set[str],
) -> OverrideStatus | None:
    group = policy.approvals.break_glass
    members = set(policy.groups.get(group, ())) if group else set()
    found: OverrideStatus | None = None
    for c in ordered:
        rec = c.record
        if rec is None or rec.decision is not Kind.OVERRIDE or cls not in rec.digests:
            continue
        reason = unusable.get(c.record_id)
        if reason is None and rec.digests[cls] != digest:
            reason = STALE
        if reason is None and group is None:
            reason = "the policy names no break-glass group (approvals.break_glass)"
        if reason is None and c.signer not in members:
            reason = f"{c.signer} is not in break-glass group {group}"
        if reason is None and c.signer in requesters:
            reason = REQUESTER_OVERRIDE
        if reason is None and c.signer in authors:
            reason = AUTHOR_OVERRIDE
        if reason is not None:
            notes.setdefault(c.record_id, []).append(f"{cls}: {reason}")
            continue
        used.add(c.record_id)
        found = OverrideStatus(cls, digest, c.signer, rec.reason, c.record_id, rec.time, c.source)
    return found


def _overridden(f: FileDecision, overrides: Mapping[str, OverrideStatus]) -> FileDecision:
    ov = overrides.get(f.file_class.value)
    if ov is None or f.verdict not in (Verdict.NEEDS_APPROVAL, Verdict.DENY):
        return f
    hit = Hit("override", "override", f"OVERRIDDEN (not approved) by {ov.by}: {ov.reason}")
    return f._replace(verdict=Verdict.OVERRIDDEN, hits=(*f.hits, hit))


def _decide(f: FileDecision, statuses: Mapping[tuple[str, str], ApprovalStatus]) -> FileDecision:
    if f.verdict is not Verdict.NEEDS_APPROVAL:
        return f
    mine = [statuses[(f.file_class.value, r.group)] for r in f.requirements]
    vetoers = sorted({v for s in mine for v in s.vetoers})
    if vetoers:
        hit = Hit("veto", "note", f"vetoed by {', '.join(vetoers)}")
        return f._replace(hits=(*f.hits, hit))
    if mine and all(s.state == "approved" for s in mine):
        who = sorted({a for s in mine for a in s.approvers})
        hit = Hit("approval", "allow", f"approved by {', '.join(who)} ({mine[0].digest[:12]})")
        return f._replace(verdict=Verdict.ALLOW, hits=(*f.hits, hit))
    return f
