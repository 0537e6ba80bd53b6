"""The release gate's identities check: each agent commit judged at the time of its work.

Rules (`signoff.identity.validity`, docs/release.md "Identities"): expiry is judged at the
earliest time the ledger witnessed the work; revocation (the ledger's, or `suspended` in the
registry at `--from` or `--to`) reaches all of it; so does a revoked task. Work revoked through
the ledger can be re-qualified by release managers (`signoff.release.requalify`): then it is a
note naming who re-reviewed it, not a failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.approvals.store import repository_id
from signoff.attribution.attribute import Attribution
from signoff.identity.agents import Lifecycle, Registry
from signoff.identity.validity import Validity, identity_state_at
from signoff.ledger.events import Event, EventType
from signoff.release import requalify
from signoff.release.ledgerview import LedgerView

if TYPE_CHECKING:
    from signoff.gitio.runner import Git
    from signoff.policy.model import Policy


@dataclass(frozen=True, slots=True)
class Check:
    """One named part of the release gate and every reason it failed."""

    name: str
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


class Requalifier:
    """Counts the re-qualifications of a revoked identity's work in one release range."""

    def __init__(
        self,
        events: Sequence[Event],
        git: Git,
        base: str,
        head: str,
        allowed_signers: str,
        policy: Policy,
        at: dt.datetime,
    ) -> None:
        self._events, self._git, self._base, self._head = events, git, base, head
        self._signers, self._policy, self._at = allowed_signers, policy, at

    def __call__(self, revoked: str, revocation_seq: int) -> str | None:
        """A note naming who re-qualified `revoked`'s work, or None when too few did."""
        if not any(e.type is EventType.RELEASE_REQUALIFIED for e in self._events):
            return None
        settings = self._policy.release
        counted = requalify.count(
            self._events,
            repository=repository_id(self._git, self._base),
            base=self._base,
            head=self._head,
            revoked=revoked,
            revocation_seq=revocation_seq,
            allowed_signers=self._signers,
            group=self._policy.groups.get(settings.group, ()),
            at=self._at,
        )
        if len(counted.by) < settings.approvals:
            return None
        seqs = ", ".join(str(s) for s in counted.seqs)
        return f"re-qualified by {', '.join(counted.by)} (ledger seq {seqs})"


def identity_check(
    commits: Sequence[Attribution],
    then: Registry,
    now: Registry,
    view: LedgerView,
    checked_at: dt.datetime,
    requalified: Requalifier | None = None,
) -> Check:
    """The `identities` check."""
    problems: list[str] = []
    notes: list[str] = []
    for a in commits:
        _agent_commit(a, then, now, view, checked_at, requalified, problems, notes)
        for task in sorted(view.commit_tasks.get(a.sha, ())):
            if task not in view.revoked_tasks:
                continue
            seq = view.revoked_tasks[task]
            why = f"{a.sha[:12]}: pushed for task {task}, which was revoked (ledger seq {seq})"
            ok = requalified(f"task:{task}", seq) if requalified else None
            (notes if ok else problems).append(f"{why}; {ok}" if ok else why)
    return Check("identities", tuple(dict.fromkeys(problems)), tuple(dict.fromkeys(notes)))


def _agent_commit(
    a: Attribution,
    then: Registry,
    now: Registry,
    view: LedgerView,
    checked_at: dt.datetime,
    requalified: Requalifier | None,
    problems: list[str],
    notes: list[str],
) -> None:
    for actor in a.actors:
        if actor.agent is None:
            continue
        current = now.get(actor.id)
        if current is None:
            problems.append(f"{a.sha[:12]}: agent {actor.id} is no longer registered")
        seen = view.work_time(a.sha)
        when, source = seen or (checked_at, "no witnessed time: judged at this check")
        for entry in (actor.agent, current):
            if entry is None:
                continue
            state = identity_state_at(entry, when, view.suspended_agents)
            if state.ok:
                continue
            why = f"{a.sha[:12]}: {state.reason} [{source}]"
            seq = view.suspended_agents.get(actor.id)
            ok = None
            if requalified is not None and state.validity is Validity.REVOKED and seq is not None:
                ok = requalified(f"agent:{actor.id}", seq)
            (notes if ok else problems).append(f"{why}; {ok}" if ok else why)
        if seen is not None and actor.agent.lifecycle(checked_at.date()) is Lifecycle.EXPIRED:
            notes.append(
                f"{a.sha[:12]}: agent {actor.id} has expired since, but its work was "
                f"witnessed while valid ({source})"
            )
