"""What the gate decides, per file and overall (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from signoff.attribution.attribute import Attribution
from signoff.facts import Fact
from signoff.policy.model import Requirement
from signoff.taxonomy import FileClass, Risk


class Verdict(StrEnum):
    ALLOW = "allow"
    #: let through by a break-glass override: passes the gate, but is never reported as approved
    OVERRIDDEN = "overridden"
    NEEDS_APPROVAL = "needs-approval"
    DENY = "deny"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Verdict.ALLOW: 0, Verdict.OVERRIDDEN: 1, Verdict.NEEDS_APPROVAL: 2, Verdict.DENY: 3}

#: Verdicts that let a change land (exit code 0).
PASSING = frozenset({Verdict.ALLOW, Verdict.OVERRIDDEN})


def strictest(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: v.rank, default=Verdict.ALLOW)


class Hit(NamedTuple):
    """A rule (or built-in principle) that shaped a decision, and why, in plain words."""

    rule: str
    effect: str  # deny | approval | allow | note
    reason: str


class FileDecision(NamedTuple):
    path: str
    old_path: str | None
    status: str
    file_class: FileClass
    risk: Risk
    verdict: Verdict
    requirements: tuple[Requirement, ...]
    hits: tuple[Hit, ...]
    facts: tuple[Fact, ...]
    commits: tuple[str, ...]
    identities: tuple[str, ...]
    adjustments: tuple[str, ...] = ()
    new_mode: str = ""
    new_blob: str = ""
    #: commits that did not change the file but carried it on to the head (a merge that merged
    #: it, a commit built on it) and are not a verified person's: their work too
    brought_by: tuple[str, ...] = ()
    #: what the base has at the path (at `old_path` for a rename): approvals bind both sides
    old_mode: str = ""
    old_blob: str = ""


@dataclass(frozen=True, slots=True)
class IgnoredRecord:
    """An approval record that was not counted, and why (bad signature, stale digest, ...)."""

    record_id: str
    approver: str
    decision: str
    reason: str
    source: str = "ref"  # "ref": signed record on the approvals ref; "server": via the API


@dataclass(frozen=True, slots=True)
class ApprovalStatus:
    """One approval requirement over one class's content digest (docs/approvals.md)."""

    file_class: str
    digest: str
    group: str
    needed: int
    approvers: tuple[str, ...]  # people whose approval counts
    vetoers: tuple[str, ...]  # group members whose latest word on this digest is a veto
    requesters: tuple[str, ...]  # who asked for the agent's work: never the only approver
    ignored: tuple[IgnoredRecord, ...]
    paths: tuple[str, ...]
    rule: str = ""
    #: where each counted approver's word came from: "ref" (signed record) or "server" (API)
    sources: tuple[tuple[str, str], ...] = ()
    #: who asked for the work by a task the control plane recorded: they never approve it
    task_requesters: tuple[str, ...] = ()

    @property
    def have(self) -> int:
        return len(self.approvers)

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.have)

    @property
    def state(self) -> str:
        """`vetoed`, `approved` or `missing`."""
        if self.vetoers:
            return "vetoed"
        return "approved" if self.missing == 0 else "missing"


@dataclass(frozen=True, slots=True)
class OverrideStatus:
    """A break-glass override that let one class's content through: recorded, never approval."""

    file_class: str
    digest: str
    by: str
    reason: str
    record_id: str
    time: str
    source: str = "ref"


@dataclass(frozen=True, slots=True)
class ApprovalReport:
    """What the gate made of the signed approval records it found."""

    ref: str
    records: int
    statuses: tuple[ApprovalStatus, ...] = ()
    overrides: tuple[OverrideStatus, ...] = ()
    ignored: tuple[IgnoredRecord, ...] = ()  # every record not counted anywhere, with a reason
    server: str = ""  # the control plane's URL when approvals were also fetched from it
    server_records: int = 0  # how many of `records` came from the server


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    base: str
    head: str
    merge_base: str
    target_branch: str | None
    files: tuple[FileDecision, ...]
    commits: tuple[Attribution, ...]
    commit_subjects: dict[str, str]
    digests: dict[str, str]
    policy_source: str
    policy_protected: bool
    warnings: tuple[str, ...] = ()
    evaluated_at: str = ""
    approvals: ApprovalReport | None = None
    #: the full ref names base and head were read from (`refs/heads/...`, `refs/remotes/...`,
    #: `HEAD`, or the SHA itself): never a name git guessed (`signoff.gitio.refs`)
    base_ref: str = ""
    head_ref: str = ""
