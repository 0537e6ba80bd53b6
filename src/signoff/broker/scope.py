"""What a task token may grant: the task's request ∩ the agent's registered scope ∩ the policy.

Globs cannot be intersected symbolically, so a grant carries each side's list and a path (or a
branch) must satisfy all of them: the task's allowed paths AND the agent's scope paths (when the
agent has any) AND none of the task's denied paths. At least one allow list must be non-empty:
a grant that names no paths at all is refused rather than read as "everything" (fail closed).

Refused outright, whatever the task or the agent's scope say: the actions publish, tag, sign and
promote (docs/policy.md), a branch prefix that could name a protected branch, a repository outside
the agent's scope, a TTL over the agent's maximum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from signoff.broker.errors import BrokerError
from signoff.patterns.globs import match_any

AGENT_ACTIONS = frozenset({"push-branch", "open-change"})
NEVER_AGENT_ACTIONS = frozenset({"publish", "tag", "sign", "promote"})
#: Branches protected whatever the policy says (the repository's default branch is added by the
#: enforcement point, which knows it).
ALWAYS_PROTECTED = ("main", "master", "release/*")
#: The longest TTL any token gets, whatever an agent's registration says.
DEFAULT_MAX_TTL = 15 * 60


class Grant(NamedTuple):
    """The scope a task token carries (its `scope` claim)."""

    repo: str
    branch_prefix: str
    agent_branches: tuple[str, ...]
    paths_allow: tuple[str, ...]
    agent_paths: tuple[str, ...]
    paths_deny: tuple[str, ...]
    actions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "branch_prefix": self.branch_prefix,
            "agent_branches": list(self.agent_branches),
            "paths_allow": list(self.paths_allow),
            "agent_paths": list(self.agent_paths),
            "paths_deny": list(self.paths_deny),
            "actions": list(self.actions),
        }

    @classmethod
    def from_json(cls, raw: object) -> Grant:
        """Parse a `scope` claim exactly: every key present, of the right type, nothing else."""
        keys = {
            "repo",
            "branch_prefix",
            "agent_branches",
            "paths_allow",
            "agent_paths",
            "paths_deny",
            "actions",
        }
        if not isinstance(raw, Mapping) or set(raw) != keys:
            raise BrokerError("scope claim is malformed", code="bad_claims")
        lists = {}
        for k in ("agent_branches", "paths_allow", "agent_paths", "paths_deny", "actions"):
            v = raw[k]
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise BrokerError(f"scope claim: {k} is not a list of strings", code="bad_claims")
            lists[k] = tuple(v)
        if not isinstance(raw["repo"], str) or not isinstance(raw["branch_prefix"], str):
            raise BrokerError(
                "scope claim: repo and branch_prefix must be strings", code="bad_claims"
            )
        if NEVER_AGENT_ACTIONS & set(lists["actions"]):
            raise BrokerError("scope claim grants a never-agent action", code="bad_claims")
        return cls(repo=raw["repo"], branch_prefix=raw["branch_prefix"], **lists)

    def allows_path(self, path: str) -> str | None:
        """None when `path` is in scope, else why not (one line)."""
        denied = match_any(self.paths_deny, path)
        if denied is not None:
            return f"`{path}` matches the task's denied path `{denied}`"
        if self.paths_allow and match_any(self.paths_allow, path) is None:
            return f"`{path}` is outside the task's allowed paths"
        if self.agent_paths and match_any(self.agent_paths, path) is None:
            return f"`{path}` is outside the agent's registered paths"
        return None

    def allows_branch(self, branch: str) -> str | None:
        """None when the branch name (without refs/heads/) is in scope, else why not. A prefix
        that names a branch itself (`agent/fix-12`) allows that branch too."""
        if not branch.startswith(self.branch_prefix):
            return f"branch `{branch}` does not start with the task's prefix `{self.branch_prefix}`"
        if self.agent_branches and match_any(self.agent_branches, branch) is None:
            return f"branch `{branch}` is outside the agent's registered branches"
        return None


class AgentScope(NamedTuple):
    """The agent identity as the broker needs it (from the server's agent row)."""

    id: str
    usable: bool
    lifecycle: str
    repos: tuple[str, ...]
    branches: tuple[str, ...]
    paths: tuple[str, ...]
    actions: tuple[str, ...]
    max_ttl: int


class TaskRequest(NamedTuple):
    """The task as a requester asked for it (from the server's task row)."""

    id: str
    agent: str
    repo: str
    branch_prefix: str
    allowed_paths: tuple[str, ...]
    denied_paths: tuple[str, ...]
    actions: tuple[str, ...]


def grant(
    task: TaskRequest, agent: AgentScope, protected: Sequence[str], requested_ttl: int
) -> tuple[Grant, int]:
    """The grant and TTL a token for `task` gets, or a BrokerError(code="scope") saying why not."""
    if task.agent != agent.id:
        raise BrokerError(f"task {task.id} is for agent {task.agent}, not {agent.id}", code="scope")
    if not agent.usable:
        raise BrokerError(
            f"agent {agent.id} is {agent.lifecycle}: it gets no token", code="revoked"
        )
    if agent.repos and task.repo not in agent.repos:
        raise BrokerError(f"agent {agent.id} is not scoped to repository {task.repo}", code="scope")
    never = sorted(NEVER_AGENT_ACTIONS & set(task.actions))
    if never:
        raise BrokerError(f"{', '.join(never)} can never be granted to an agent", code="scope")
    unknown = sorted(set(task.actions) - AGENT_ACTIONS)
    if unknown:
        raise BrokerError(f"unknown action {unknown[0]!r}", code="scope")
    allowed_actions = set(agent.actions) & AGENT_ACTIONS if agent.actions else AGENT_ACTIONS
    outside = sorted(set(task.actions) - allowed_actions)
    if outside:
        raise BrokerError(f"agent {agent.id} may not {outside[0]}", code="scope")
    if not task.actions:
        raise BrokerError("the task grants no action", code="scope")
    check_prefix(task.branch_prefix, agent, protected)
    check_paths(task.allowed_paths, agent)
    if not task.allowed_paths and not agent.paths:
        raise BrokerError(
            "neither the task nor the agent's scope names allowed paths: refusing to grant "
            "every path",
            code="scope",
        )
    ttl = min(requested_ttl, agent.max_ttl or DEFAULT_MAX_TTL)
    if ttl <= 0:
        raise BrokerError("the task has expired", code="revoked")
    g = Grant(
        repo=task.repo,
        branch_prefix=task.branch_prefix,
        agent_branches=agent.branches,
        paths_allow=task.allowed_paths,
        agent_paths=agent.paths,
        paths_deny=task.denied_paths,
        actions=tuple(sorted(task.actions)),
    )
    return g, ttl


def check_paths(allowed: Sequence[str], agent: AgentScope) -> None:
    """Refuse an allowed path no push could ever change: one whose fixed leading directories
    lie outside every path the agent is registered for (`lib/**` for an agent of `src/**`).
    Conservative: patterns that may match at any depth are never refused here."""
    if not agent.paths:
        return
    for glob in allowed:
        if not any(_may_overlap(glob, mine) for mine in agent.paths):
            raise BrokerError(
                f"allowed path `{glob}` is outside agent {agent.id}'s registered paths "
                f"({', '.join(agent.paths)}): no push could change it",
                code="scope",
            )


def _anchor(glob: str) -> str | None:
    """The literal start of an anchored pattern (None: it may match at any depth)."""
    if "/" not in glob.rstrip("/"):
        return None
    body = glob.lstrip("/")
    for i, ch in enumerate(body):
        if ch in "*?[\\":
            return body[:i]
    return body


def _may_overlap(a: str, b: str) -> bool:
    pa, pb = _anchor(a), _anchor(b)
    return pa is None or pb is None or pa.startswith(pb) or pb.startswith(pa)


def check_prefix(prefix: str, agent: AgentScope, protected: Sequence[str]) -> None:
    """Refuse a branch prefix that is, or leads into, a protected branch (in any case: a
    case-insensitive server aliases them) or lies outside the agent's branches."""
    if not prefix or prefix.startswith(("/", "refs/")) or ".." in prefix or "//" in prefix:
        raise BrokerError(f"branch prefix {prefix!r} is not a plain branch prefix", code="scope")
    # A prefix that is itself, or leads into, a protected name would let the agent push there.
    probe = prefix + "x"
    folded = prefix.casefold()
    for pattern in (*ALWAYS_PROTECTED, *protected):
        low = pattern.casefold()
        if (
            match_any([pattern], prefix.rstrip("/"))
            or match_any([pattern], probe)
            or match_any([low], folded.rstrip("/"))
            or match_any([low], folded + "x")
        ):
            raise BrokerError(
                f"branch prefix {prefix!r} reaches protected branches `{pattern}`", code="scope"
            )
    if agent.branches and match_any(agent.branches, probe) is None:
        raise BrokerError(
            f"branch prefix {prefix!r} is outside agent {agent.id}'s branches "
            f"({', '.join(agent.branches)})",
            code="scope",
        )
