"""Pushes without a task token: refused, or (`--no-token-mode remote-user`) a person's push,
whose updates of protected branches must pass the gate.

A person is the git server's authenticated user (`REMOTE_USER`), accepted once the control
plane confirms that user is a known, active human and no agent; the push is then recorded.
Whoever pushes, `refs/signoff/approvals` only moves forward and keeps every record.

Where signoff runs at the git server, landing on a protected branch is gated: each update of a
protected branch (the built-in names, the policy's `protected_branches` and the default
branch, in any case) is judged by `signoff.gate.check.run_check`, the same decision as
`signoff check`, over what the update lands (`old..new`, the ref names and SHAs exactly as git
gave them), with the approvals it knows (signed records on `refs/signoff/approvals`, as this
push leaves it, and the control plane's) and the pushes this hook witnessed. A passing verdict
(`allow`, or `overridden` by break-glass) lands, and its decision is recorded (`decision.made`,
so a break-glass landing stays recorded as overridden); any other refuses the push with the
gate's one-line reason (`push.refused`, code `gate`). Deleting a protected branch, or moving it
other than forward, is refused: that would land content the gate never judged.

Identities are judged as the release gate judges them (`signoff.identity.validity`): an agent's
expiry at the time of its work (the earliest push of the commit this hook witnessed; without
one, now), so work done and approved while the agent was valid still lands after it expired;
suspension (revocation) reaches all its work. The gate itself runs with no expiry date for that.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple, TextIO

from signoff.broker.enforce import RefUpdate, protected_match
from signoff.errors import Error
from signoff.gitio.runner import Git
from signoff.hook import gitread
from signoff.hook.backend import Backend
from signoff.hook.policy import default_branch, protected_and_classes
from signoff.hook.pushes import line_of, push_record, say

if TYPE_CHECKING:
    from signoff.decision import Decision

MAX_FILE_LINES = 10
#: The gate's own per-file expiry check runs as of this date (never): expiry is judged at the
#: time of the work by `_identities`, as the release gate does.
_NO_EXPIRY = dt.date.min


class Gated(NamedTuple):
    """The gate's word on one update of a protected branch."""

    update: RefUpdate
    passing: bool
    lines: tuple[str, ...]  # the one-line reason first, then the files that need something
    decision: Decision | None = None


def untokened(
    git: Git,
    repo: str,
    repo_name: str,
    backend_factory: Callable[[], Backend],
    mode: str,
    updates: list[RefUpdate],
    env: Mapping[str, str],
    out: TextIO,
) -> int:
    hint = "signoff: refused: no task token. Agents push with `git push -o signoff-token=<token>`"
    user = env.get("REMOTE_USER", "").strip()
    if mode != "remote-user":
        say(out, [hint])
        return 1
    if not user:
        say(out, [hint + "; people need an authenticated git server user (REMOTE_USER)"])
        return 1
    pusher = user[:200]
    try:
        lost = _lost_records(git, updates)
    except Error as exc:  # unreadable: refuse rather than let a record go unchecked
        lost = [f"cannot check the approval records: {line_of(exc)}"]
    if lost:  # a person may add approval records, never take one away (a veto, say)
        _refuse(backend_factory, repo_name, updates, lost, env, pusher, "records", out)
        return 1
    from signoff.gate.record import decision_payload

    try:
        backend = backend_factory()
        commits = gitread.new_touches(git, updates)[0]
        protected = protected_and_classes(git, repo)[0]
        gated = [
            gate(git, repo, repo_name, u, updates, backend)
            for u in updates
            if u.ref.startswith("refs/heads/")
            and protected_match(protected, u.ref.removeprefix("refs/heads/")) is not None
        ]
        refused = [line for g in gated if not g.passing for line in g.lines]
        for g in gated:  # before the push is recorded: a landing never goes unrecorded
            if g.decision is not None:
                try:
                    backend.record_decision(repo_name, decision_payload(g.decision))
                except Error:
                    if not refused:
                        raise
        if refused:
            _refuse(lambda: backend, repo_name, updates, refused, env, pusher, "gate", out)
            return 1
        push = push_record(repo_name, updates, "accepted", [], env, commits=commits,
                           pusher=pusher)  # fmt: skip
        backend.report(push)  # the control plane checks the user, then records
    except Error as exc:
        say(out, [f"signoff: refused: no task token and {line_of(exc)}"])
        return 1
    say(out, [f"signoff: {line}" for g in gated for line in g.lines])
    say(out, [f"signoff: no task token: accepted as the git server user {user!r} (a person)"])
    return 0


def _refuse(
    backend_factory: Callable[[], Backend],
    repo_name: str,
    updates: list[RefUpdate],
    reasons: list[str],
    env: Mapping[str, str],
    pusher: str,
    code: str,
    out: TextIO,
) -> None:
    push = push_record(repo_name, updates, "refused", reasons, env, pusher=pusher, code=code)
    with contextlib.suppress(Error):  # refused either way; recorded when the plane answers
        backend_factory().report(push)
    say(out, [f"signoff: refused: {r}" for r in reasons])


def _lost_records(git: Git, updates: list[RefUpdate]) -> list[str]:
    from signoff.approvals.store import lost_records
    from signoff.protected import APPROVALS_REF

    reasons: list[str] = []
    for u in updates:
        if u.ref == APPROVALS_REF:
            reasons += lost_records(git, u.ref, u.old, u.new)
    return reasons


def gate(
    git: Git,
    repo: str,
    repo_name: str,
    u: RefUpdate,
    updates: list[RefUpdate],
    backend: Backend,
) -> Gated:
    """The gate's verdict on one update of a protected branch (see the module docstring)."""
    base = _base(git, repo, u)
    if isinstance(base, Gated):
        return base
    from signoff.decision import PASSING
    from signoff.gate.check import run_check
    from signoff.protected import APPROVALS_REF

    # the records as this push leaves them (it may add approvals next to what they approve)
    records = next((x.new for x in updates if x.ref == APPROVALS_REF), APPROVALS_REF)
    approvals, witness = backend.gate_sources(repo_name)
    try:
        d = run_check(
            repo, base, u.new, target_branch=u.ref.removeprefix("refs/heads/"),
            approvals_ref=records, server=approvals, witness=witness, today=_NO_EXPIRY,
        )  # fmt: skip
    except Error as exc:
        return Gated(u, False, (f"{u.ref}: the gate cannot decide: {line_of(exc)}",))
    invalid = _identities(u, d, witness.times)
    return Gated(u, d.verdict in PASSING and not invalid, _lines(u, d) + invalid, d)


def _identities(u: RefUpdate, d: Decision, times: Mapping[str, dt.datetime]) -> tuple[str, ...]:
    """Each agent commit's identity at the time of its work (see the module docstring)."""
    from signoff.identity.validity import identity_state_at

    now = dt.datetime.now(dt.UTC)
    out: list[str] = []
    for a in d.commits:
        for actor in a.actors:
            if actor.agent is not None:
                state = identity_state_at(actor.agent, times.get(a.sha, now))
                if not state.ok:
                    seen = "pushed then" if a.sha in times else "no witnessed push: judged now"
                    out.append(f"{u.ref}: {a.sha[:12]}: {state.reason} ({seen})")
    return tuple(dict.fromkeys(out))


def _base(git: Git, repo: str, u: RefUpdate) -> str | Gated:
    """What the update lands on: its old tip, or for a new branch the default branch's tip;
    or the gate's answer when there is nothing to judge (or nothing it may judge)."""
    if u.is_delete:
        return Gated(u, False, (f"{u.ref}: a protected branch is never deleted through the hook",))
    if not u.is_create:
        if not git.ok(["merge-base", "--is-ancestor", u.old, u.new]):
            return Gated(u, False, (f"{u.ref}: not a fast-forward: a protected branch's history "
                                    "is never rewritten through the hook",))  # fmt: skip
        return u.old
    branch = default_branch(repo)
    tip = git.run(["rev-parse", "-q", "--verify", f"refs/heads/{branch}^{{commit}}"], check=False)
    base = tip.decode("ascii", "replace").strip()
    if base and f"refs/heads/{branch}" != u.ref:
        if git.ok(["merge-base", "--is-ancestor", u.new, base]):
            return Gated(u, True, (f"{u.ref}: created at a commit already on {branch}",))
        return base
    if not git.run(["for-each-ref", "--count=1", "refs/heads/"]).strip():
        return Gated(
            u, True, (f"{u.ref}: the repository's first branch: nothing to gate it against",)
        )
    return Gated(u, False, (f"{u.ref}: cannot gate a new protected branch with no default "
                            "branch to compare it with",))  # fmt: skip


def _lines(u: RefUpdate, d: Decision) -> tuple[str, ...]:
    from signoff.decision import Verdict
    from signoff.output.text import file_reason, summary

    head = f"{u.ref}: the gate says {d.verdict.value}: {summary(d)}"
    files = [f for f in d.files if f.verdict in (Verdict.DENY, Verdict.NEEDS_APPROVAL,
                                                  Verdict.OVERRIDDEN)]  # fmt: skip
    out = [head] + [
        f"  {f.path} ({f.file_class}): {file_reason(f)}" for f in files[:MAX_FILE_LINES]
    ]
    if len(files) > MAX_FILE_LINES:
        out.append(f"  ... and {len(files) - MAX_FILE_LINES} more file(s)")
    return tuple(out)
