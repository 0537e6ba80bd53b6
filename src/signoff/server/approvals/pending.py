"""Changes waiting for approval, and which of their classes a given person may still decide.

Everything shown comes from the server's own evaluation of the change (the gate run on its
registered copy: `signoff.server.evaluations`), never from a posted decision record. A posted
record (asserted, from a `ci` token) only names a change, (base, head, target branch), for the
server to evaluate: a record that leaves a file out cannot hide it, since the files, classes,
digests and diff are what the server read itself.

A change is one (repository, base, target branch); its head is the one named most recently,
by a posted record or a requested evaluation. When that head has no evaluation yet, one is run
now (at most `MAX_LAZY` per page; the rest say so). Only evaluations whose verdict is
`needs-approval` are pending, and `deny` ones whose other classes still miss approvals (the
denied files are shown too: approvals cannot lift a denial). Per class the evaluation carries
its content digest, the group and how many approvals it needs, and the approvers the gate
counted (those given through the server included). The task shown is the one whose tokens
pushed one of the change's commits, never a guess.

Who may decide a class (the console's "for you"): an `approver` token of a person who is in the
class's group in the policy on the change's base (the gate's own source of groups), who has not
approved or vetoed that digest yet, and who is not the task's requester (the approvals service
refuses their approval). Whether an approval then *counts* is still the gate's
`apply_approvals`; this only decides what the page offers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from signoff.errors import Error
from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.decisions import repository as posted
from signoff.server.evaluations import repository as evaluated
from signoff.server.evaluations import service as evaluations
from signoff.server.evaluations.schemas import EvaluationOut
from signoff.server.repos import service as repos
from signoff.server.tasks import service as tasks
from signoff.server.tasks.schemas import TaskOut

log = logging.getLogger("signoff.server.pending")

_RISK_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
_SCAN = 200  # records read per repository and kind: the newest ones are the ones that matter
MAX_LAZY = 5  # evaluations one listing may run for heads not evaluated yet


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
    evaluation_id: str
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
    changeset_digest: str = ""
    #: why the server could not evaluate this change (then nothing else is shown)
    problem: str | None = None

    @property
    def mine(self) -> tuple[ClassStatus, ...]:
        return tuple(c for c in self.classes if c.yours)

    @property
    def at_stake(self) -> tuple[str, ...]:
        """Paths of every file in a class an approval would bind (the diff to read)."""
        classes = {c.name for c in self.classes}
        return tuple(sorted({str(f["path"]) for f in self.files if f.get("class") in classes}))


@dataclass(frozen=True)
class _Named:
    """The head most recently named for a change: (base, target branch)."""

    base: str
    head: str
    target: str
    when: str


def _named(ctx: Context, repo: str) -> list[_Named]:
    """The current head of every change in `repo`, newest first."""
    latest: dict[tuple[str, str], _Named] = {}
    with ctx.db.read() as conn:
        reports = posted.find(conn, repo, None, None, _SCAN)
        runs = evaluated.find(conn, repo, None, None, _SCAN)
    for r in reports:
        rng = _target_of(r["record"])
        _keep(latest, _Named(r["base"], r["head"], rng, r["created"]))
    for r in runs:
        _keep(latest, _Named(r["base"], r["head"], r["target_branch"], r["created"]))
    return sorted(latest.values(), key=lambda n: n.when, reverse=True)


def current_head(ctx: Context, repo: str, base: str, target: str | None) -> str | None:
    """The head most recently named for the change (repo, base, target), if any."""
    for n in _named(ctx, repo):
        if (n.base, n.target) == (base, target or ""):
            return n.head
    return None


def _keep(latest: dict[tuple[str, str], _Named], n: _Named) -> None:
    old = latest.get((n.base, n.target))
    if old is None or n.when > old.when:
        latest[(n.base, n.target)] = n


def _target_of(record_text: str) -> str:
    """The target branch a posted record names ("" when it names none or is malformed)."""
    from signoff.gitio.refs import ref_name_problem
    from signoff.server import jsoncol

    try:
        target = jsoncol.loads(record_text).get("range", {}).get("target_branch")
    except (ValueError, AttributeError):
        return ""
    return target if isinstance(target, str) and ref_name_problem(target) is None else ""


def pending(ctx: Context, who: Principal) -> list[PendingChange]:
    """Every pending change the caller can read, most urgent (riskiest, then oldest) first."""
    who.require(Perm.READ_DECISIONS)
    found: list[PendingChange] = []
    budget = [MAX_LAZY]
    for r in repos.list_repos(ctx, who, 200, None).items:
        open_tasks = _tasks(ctx, who, r.name)
        for n in _named(ctx, r.name):
            change = _current(ctx, who, r.name, n, open_tasks, budget)
            if change is not None:
                found.append(change)
    found.sort(key=lambda c: (c.problem is not None, -_RISK_RANK.get(c.risk, 3), c.created))
    return found


def _current(
    ctx: Context,
    who: Principal,
    repo: str,
    n: _Named,
    known: Sequence[TaskOut],
    budget: list[int],
) -> PendingChange | None:
    """The change as the server evaluated it, or a card saying why it cannot be shown."""
    try:
        ev = evaluations.latest_for(ctx, repo, n.base, n.head, n.target or None)
        if ev is None:
            if budget[0] <= 0:
                return _problem(repo, n, "not evaluated yet; reload in a moment")
            budget[0] -= 1
            ev = evaluations.evaluate(
                ctx, f"{who.actor} (inbox)", repo, n.base, n.head, n.target or None
            ).out
        if not (ev.decision == "needs-approval" or (ev.decision == "deny" and _asks(ev.record))):
            return None
        return _change(ctx, who, ev, known)
    except Error as exc:  # the copy lacks the head, the policy does not load, ...
        return _problem(repo, n, f"the server cannot evaluate this change: {exc}")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a malformed record
        log.warning("pending: cannot show %s %s..%s: %r", repo, n.base, n.head, exc)
        return _problem(repo, n, "this change's stored evaluation cannot be read")


def _problem(repo: str, n: _Named, why: str) -> PendingChange:
    return PendingChange(
        repo=repo, evaluation_id="", base=n.base, head=n.head, target_branch=n.target or None,
        created=n.when, risk="high", agents=(), task=None, files=(), classes=(),
        problem=why.splitlines()[0][:500],
    )  # fmt: skip


def _tasks(ctx: Context, who: Principal, repo: str) -> list[TaskOut]:
    if not who.can(Perm.READ_TASKS):
        return []
    return tasks.list_tasks(ctx, who, 200, None, agent=None, repo_name=repo, state=None).items


def _change(
    ctx: Context, who: Principal, ev: EvaluationOut, known: Sequence[TaskOut]
) -> PendingChange:
    rec = ev.record
    statuses = list(rec.get("approvals") or [])
    stake = {str(s["class"]) for s in statuses}
    files = tuple(f for f in rec["files"] if f["decision"] != "allow" or str(f["class"]) in stake)
    agents = tuple(
        sorted({str(i) for c in rec["commits"] if c["attribution"] != "human"
                for i in c["identities"]})
    )  # fmt: skip
    task = _task_that_pushed(ctx, who, {str(c.get("sha")) for c in rec["commits"]}, known)
    groups = _policy_groups(ctx, ev.repo, ev.base) if who.can(Perm.APPROVE) else {}
    classes = []
    for s in statuses:
        approvers = tuple(sorted(str(a) for a in s["approvers"]))
        vetoers = tuple(sorted(str(v) for v in s["vetoers"]))
        why = _why_not(who, str(s["group"]), groups, approvers, vetoers, task)
        classes.append(
            ClassStatus(str(s["class"]), str(s["digest"]), str(s["group"]), int(s["needed"]),
                        approvers, vetoers, why is None, why)
        )  # fmt: skip
    needing = [f for f in files if f["decision"] != "allow"]
    risk = max((str(f["risk"]) for f in needing), key=lambda x: _RISK_RANK.get(x, 3), default="")
    facts = tuple(sorted({str(k) for f in needing for k in f["facts"]}))
    return PendingChange(
        repo=ev.repo,
        evaluation_id=ev.id,
        base=ev.base,
        head=ev.head,
        target_branch=ev.target_branch,
        created=ev.created,
        risk=risk or "low",
        agents=agents,
        task=task,
        files=files,
        classes=tuple(classes),
        facts=facts,
        changeset_digest=ev.changeset_digest,
    )


def _asks(record: Mapping[str, Any]) -> bool:
    """A denied change whose other files still wait for approvals: a reviewer must see it."""
    return any(
        int(s.get("needed", 0)) > len(s.get("approvers", [])) for s in record.get("approvals") or []
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


def _policy_groups(ctx: Context, repo: str, base: str) -> Mapping[str, tuple[str, ...]]:
    """The groups of the policy on `base`: the ones the gate counts approvals against."""
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
    if not who.held:
        return "claim your token with your own SSH key first (signoff server claim)"
    if email not in groups.get(group, ()):
        return f"you are not in group {group}"
    if email in approvers or email in vetoers:
        return "you have already decided"
    if task is not None and task.requester == who.human_id:
        return "you requested this task: its agent's work is for others to approve"
    return None
