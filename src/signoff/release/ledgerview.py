"""What the ledger says about tasks, tokens, intents and revocations, indexed once.

Issue 7's broker writes `task.requested`, `token.issued` and `push.witnessed` events; this reads
whatever of them the ledger holds (subjects `task`, `token`, `commit`, `agent`), so the release
gate and trace work as soon as those events exist. Revocation:
- an agent is revoked when an `identity.suspended` event names it (`agent=ID`);
- a task is revoked when a `task.revoked` event names it, or an `identity.suspended` event
  names the task and no single token (the task as a whole). `token.revoked` ends credentials,
  not the task (revoking by task writes `task.revoked` too); `task.closed` is a normal end.

The time of a commit's work, for expiry (`signoff.identity.validity`), is the earliest time the
log witnessed it: a `push.witnessed` event for it, or a `decision.made` that let a range holding
it through (`allow` or `overridden`). Commit dates are never used: whoever commits writes them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from signoff.ledger.events import Event, EventType

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_INTENT_KEYS = ("intent", "prompt")
_PASSED = ("allow", "overridden")


def intent_digests(payload: Mapping[str, Any], subjects: Mapping[str, str]) -> set[str]:
    """Digests filed under an intent- or prompt-like key, anywhere in the event."""
    found: set[str] = set()

    def walk(node: Any, key: str) -> None:
        if isinstance(node, Mapping):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif (
            isinstance(node, str)
            and _DIGEST.match(node)
            and any(w in key.lower() for w in _INTENT_KEYS)
        ):
            found.add(node)

    walk(payload, "")
    walk(dict(subjects), "")
    return found


@dataclass
class LedgerView:
    commit_tasks: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    commit_tokens: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    task_agent: dict[str, str] = field(default_factory=dict)
    task_intents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    task_tokens: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    revoked_tasks: dict[str, int] = field(default_factory=dict)  # task -> seq of the revocation
    suspended_agents: dict[str, int] = field(default_factory=dict)
    #: commit -> (time, seq, event type) of the earliest event that witnessed the work
    work_seen: dict[str, tuple[str, int, str]] = field(default_factory=dict)

    def work_time(self, sha: str) -> tuple[dt.datetime, str] | None:
        """When the log first witnessed the commit's work, and by which event."""
        seen = self.work_seen.get(sha)
        if seen is None:
            return None
        when = dt.datetime.fromisoformat(seen[0].replace("Z", "+00:00"))
        return when, f"{seen[2]} at ledger seq {seen[1]}"

    @classmethod
    def build(cls, events: Iterable[Event]) -> LedgerView:
        v = cls()
        for e in events:
            s = e.subjects
            task, token, commit, agent = (s.get(k) for k in ("task", "token", "commit", "agent"))
            if e.type is EventType.TASK_REQUESTED and task:
                if agent:
                    v.task_agent[task] = agent
                v.task_intents[task] |= intent_digests(e.payload, s)
            elif e.type is EventType.TOKEN_ISSUED and task and token:
                v.task_tokens[task].add(token)
            elif e.type is EventType.PUSH_WITNESSED and commit:
                if task:
                    v.commit_tasks[commit].add(task)
                if token:
                    v.commit_tokens[commit].add(token)
                v.saw(commit, e)
            elif e.type is EventType.DECISION_MADE and e.payload.get("decision") in _PASSED:
                for c in e.payload.get("commits") or ():
                    if isinstance(c, Mapping) and isinstance(c.get("sha"), str):
                        v.saw(c["sha"], e)
            if e.type is EventType.TASK_REVOKED and task:
                v.revoked_tasks.setdefault(task, e.seq)
            elif e.type is EventType.IDENTITY_SUSPENDED:
                if task and not token:
                    v.revoked_tasks.setdefault(task, e.seq)
                if agent and not task:
                    v.suspended_agents.setdefault(agent, e.seq)
        return v

    def saw(self, sha: str, e: Event) -> None:
        if sha not in self.work_seen or e.time < self.work_seen[sha][0]:
            self.work_seen[sha] = (e.time, e.seq, e.type.value)
