"""Changes waiting for approval, and which of their classes a given person may still decide.

A change is what `signoff check --server` last reported for one (repository, base, target
branch): the newest decision record wins, so a new push that CI checked replaces the older
record (and the digests an approver was shown go stale). Only records whose verdict is
`needs-approval` are pending, and `deny` ones whose other classes still miss approvals (the
denied files are shown too: approvals cannot lift a denial). Per class the record carries its
content digest, the group and how many approvals it needs; approvals given through the server
since then are added from the approvals table (only those of the group's members, the ones the
gate counts), so a person who has just decided no longer sees the class as theirs. The task
shown is the one whose tokens pushed one of the change's commits, never a guess.

Who may decide a class (the console's "for you"): an `approver` token of a person who is in the
class's group in the policy on the change's base (the gate's own source of groups), who has not
approved or vetoed that digest yet, and who is not the task's requester (the gate never counts
their approval of their task's work). Whether an approval then *counts* is still the gate's
`apply_approvals`; this only decides what the page offers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from signoff.server.approvals import service as approvals
from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.decisions import service as decisions
from signoff.server.decisions.schemas import DecisionOut
from signoff.server.errors import NotFoundError
from signoff.server.repos import service as repos
from signoff.server.tasks import service as tasks
from signoff.server.tasks.schemas import TaskOut

_RISK_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
_SCAN = 200  # decision records read per repository: the newest ones are the ones that matter


@dataclass(frozen=True)
class ClassStatus:
    """One class of a pending change: its digest, requirement, and what the viewer may do."""

    name: str
    digest: str
    group: str
    needed: int
    approvers: tuple[str, ...]
    vetoers: tuple[str, ...]
    yours: bool
    why_not: str | None


@dataclass(frozen=True)
class PendingChange:
    repo: str
    decision_id: str
    base: str
    head: str
    target_branch: str | None
    created: str
    risk: str
    agents: tuple[str, ...]
    task: TaskOut | None
    files: tuple[Mapping[str, Any], ...]
    classes: tuple[ClassStatus, ...]
    facts: tuple[str, ...] = field(default=())

    @property
    def mine(self) -> tuple[ClassStatus, ...]:
        return tuple(c for c in self.classes if c.yours)


def change_key(d: DecisionOut) -> tuple[str, str, str]:
    """What makes two decision records reports on the same change."""
    return (d.repo, d.base, str(d.record.get("range", {}).get("target_branch") or ""))


def latest_records(ctx: Context, who: Principal, repo: str) -> list[DecisionOut]:
    """The newest decision record per change in `repo`, newest first."""
    seen: set[tuple[str, str, str]] = set()
    out: list[DecisionOut] = []
    for d in decisions.find(ctx, who, repo, None, _SCAN, None).items:
        key = change_key(d)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def current_record(ctx: Context, who: Principal, repo: str, base: str, branch: str) -> DecisionOut:
    """The newest record for the change (repo, base, branch), or 404 when there is none."""
    for d in latest_records(ctx, who, repo):
        if change_key(d) == (repo, base, branch):
            return d
    raise NotFoundError(f"no decision record for {repo} {base[:12]} {branch}".rstrip())


def pending(ctx: Context, who: Principal) -> list[PendingChange]:
    """Every pending change the caller can read, most urgent (riskiest, then oldest) first."""
    who.require(Perm.READ_DECISIONS)
    found: list[PendingChange] = []
    for r in repos.list_repos(ctx, who, 200, None).items:
        open_tasks = _tasks(ctx, who, r.name)
        for d in latest_records(ctx, who, r.name):
            if d.decision == "needs-approval" or (d.decision == "deny" and _asks(d)):
                found.append(_change(ctx, who, d, open_tasks))
    found.sort(key=lambda c: (-_RISK_RANK.get(c.risk, 3), c.created))
    return found


def _tasks(ctx: Context, who: Principal, repo: str) -> list[TaskOut]:
    if not who.can(Perm.READ_TASKS):
        return []
    return tasks.list_tasks(ctx, who, 200, None, agent=None, repo_name=repo, state=None).items


def _change(
    ctx: Context, who: Principal, d: DecisionOut, known: Sequence[TaskOut]
) -> PendingChange:
    rec = d.record
    files = tuple(f for f in rec.get("files", []) if f.get("decision") != "allow")
    agents = tuple(
        sorted({i for c in rec.get("commits", []) if c.get("attribution") != "human"
                for i in c.get("identities", [])})
    )  # fmt: skip
    task = _task_that_pushed(ctx, who, {str(c.get("sha")) for c in rec.get("commits", [])}, known)
    statuses = rec.get("approvals") or []
    decided = _server_decisions(ctx, who, d.repo, [s["digest"] for s in statuses])
    groups = _policy_groups(ctx, d.repo, d.base)
    classes = []
    for s in statuses:
        extra_ok, extra_veto = decided.get(s["digest"], (set(), set()))
        members = set(groups.get(s["group"], ()))  # only group members count for the group
        approvers = tuple(sorted(set(s.get("approvers", [])) | (extra_ok & members)))
        vetoers = tuple(sorted(set(s.get("vetoers", [])) | (extra_veto & members)))
        why = _why_not(who, s["group"], groups, approvers, vetoers, task)
        classes.append(
            ClassStatus(s["class"], s["digest"], s["group"], int(s["needed"]), approvers,
                        vetoers, why is None, why)
        )  # fmt: skip
    risk = max((str(f.get("risk", "high")) for f in files), key=lambda x: _RISK_RANK.get(x, 3))
    facts = tuple(sorted({k for f in files for k in f.get("facts", [])}))
    return PendingChange(
        repo=d.repo,
        decision_id=d.id,
        base=d.base,
        head=d.head,
        target_branch=rec.get("range", {}).get("target_branch"),
        created=d.created,
        risk=risk if files else "low",
        agents=agents,
        task=task,
        files=files,
        classes=tuple(classes),
        facts=facts,
    )


def _asks(d: DecisionOut) -> bool:
    """A denied change whose other files still wait for approvals: a reviewer must see it."""
    return any(
        int(s.get("needed", 0)) > len(s.get("approvers", []))
        for s in d.record.get("approvals") or []
    )


def _task_that_pushed(
    ctx: Context, who: Principal, commits: set[str], known: Sequence[TaskOut]
) -> TaskOut | None:
    """The task whose tokens pushed one of the change's commits (witnessed by the hook), or
    None: a task is never guessed from the base commit, since another task's requester would
    then be kept out of a change they had nothing to do with, and its intent shown for it."""
    from signoff.server.broker.listing import task_pushes

    for t in known:
        if any(p.commit in commits for p in task_pushes(ctx, who, t.id)):
            return t
    return None


def _server_decisions(
    ctx: Context, who: Principal, repo: str, digests: list[str]
) -> dict[str, tuple[set[str], set[str]]]:
    """digest -> (approvers, vetoers) from approvals given through the server."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    if not digests or not who.can(Perm.READ_APPROVALS):
        return out
    for a in approvals.find(ctx, who, repo, digests[:50], 200).items:
        for d in a.digests.values():
            ok, veto = out.setdefault(d, (set(), set()))
            if a.decision == "approve":
                ok.add(a.approver)
            elif a.decision == "veto":
                veto.add(a.approver)
    return out


def _policy_groups(ctx: Context, repo: str, base: str) -> Mapping[str, tuple[str, ...]]:
    """The groups of the policy on `base`: the ones the gate counts approvals against."""
    from signoff.errors import Error
    from signoff.gate.inputs import read_inputs
    from signoff.gitio.runner import Git

    try:
        return read_inputs(Git(repos.load(ctx, repo)["path"]), base).policy.groups
    except Error:
        return {}


def _why_not(
    who: Principal,
    group: str,
    groups: Mapping[str, tuple[str, ...]],
    approvers: tuple[str, ...],
    vetoers: tuple[str, ...],
    task: TaskOut | None,
) -> str | None:
    email = (who.email or "").lower()
    if not who.can(Perm.APPROVE) or not email:
        return "your roles cannot approve"
    if email not in groups.get(group, ()):
        return f"you are not in group {group}"
    if email in approvers or email in vetoers:
        return "you have already decided"
    if task is not None and task.requester == who.human_id:
        return "you requested this task: its agent's work is for others to approve"
    return None
