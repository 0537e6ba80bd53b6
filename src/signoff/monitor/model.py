"""The plain data every rule reads: one `Snapshot` of git, the ledger and the registry.

Built by `signoff.monitor.snapshot` (the only module that does I/O) or by tests directly; the
rules are pure functions of it, so the CLI, the server job and the tests see the same alerts on
the same inputs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from signoff.identity.agents import EMPTY_REGISTRY, Registry
from signoff.ledger.events import Event, EventType
from signoff.monitor.config import DEFAULT_CONFIG, MonitorConfig


@dataclass(frozen=True)
class ActorRef:
    """A non-human identity a commit was attributed to (`unregistered:<catalogue id>` if so)."""

    id: str
    registered: bool


@dataclass(frozen=True)
class CommitFact:
    """One commit reachable from a protected branch, as the rules need it."""

    sha: str
    time: dt.datetime  # committer date
    branch: str  # the first protected branch it was found on
    actors: tuple[ActorRef, ...] = ()
    #: paths in release-impacting classes (policy `release.classes`) or critical classes
    release_paths: tuple[str, ...] = ()
    #: every path the commit changes (none listed for a merge commit)
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerHealth:
    """The outcome of a full `Ledger.verify` plus checkpoint facts."""

    ok: bool
    size: int
    problem: str = ""
    first_bad_seq: int | None = None
    #: the checkpoint saved elsewhere (`--trusted-checkpoint`) disagrees with the log
    trusted_problem: str = ""
    trusted_size: int | None = None
    latest_checkpoint_size: int = 0
    latest_checkpoint_time: dt.datetime | None = None


@dataclass(frozen=True)
class Snapshot:
    now: dt.datetime
    config: MonitorConfig = DEFAULT_CONFIG
    registry: Registry = EMPTY_REGISTRY
    #: the approver directory: policy group members and names, allowed-signers principals
    approvers: frozenset[str] = frozenset()
    protected_branches: tuple[str, ...] = ()
    commits: tuple[CommitFact, ...] = ()
    #: when `.signoff/agents.yml` first appeared on a protected branch (fallback for "unused")
    registry_since: dt.datetime | None = None
    #: every ledger event, oldest first (None: no ledger configured)
    events: tuple[Event, ...] | None = None
    ledger: LedgerHealth | None = None
    #: changed lines (added + deleted) of each approved range, keyed by (base, head)
    diff_lines: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: open tasks per agent, from the server's task table when there is one (else the ledger)
    open_tasks: Mapping[str, tuple[str, ...]] | None = None
    #: what the protected ref configures: "policy", "registry", "monitor", "allowed_signers"
    configured: frozenset[str] = frozenset()
    #: start of the window (`--since`); default: `config.window_days` before `now`
    window_start: dt.datetime | None = None
    #: the control plane's own view: its ledger, written only through its API (a ledger file
    #: read by the CLI is not, whatever its events say)
    server: bool = False
    #: each registered repository's `.signoff/agents.yml` (the control plane compares them
    #: with its own registered agents in `registry`)
    repo_registries: tuple[Registry, ...] = ()

    @property
    def since(self) -> dt.datetime:
        return self.window_start or self.now - dt.timedelta(days=self.config.window_days)

    def of_type(self, *types: EventType) -> list[Event]:
        return [e for e in self.events or () if e.type in types]


def event_time(e: Event) -> dt.datetime:
    """An event's ledger time as an aware datetime (the ledger writes RFC 3339 UTC)."""
    return dt.datetime.fromisoformat(e.time.replace("Z", "+00:00"))
