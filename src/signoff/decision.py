"""What the gate decides, per file and overall (DESIGN.md §3 "Decision")."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from signoff.attribution.attribute import Attribution
from signoff.facts import Fact
from signoff.policy.model import Requirement
from signoff.taxonomy import FileClass, Risk


class Verdict(StrEnum):
    ALLOW = "allow"
    NEEDS_APPROVAL = "needs-approval"
    DENY = "deny"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Verdict.ALLOW: 0, Verdict.NEEDS_APPROVAL: 1, Verdict.DENY: 2}


def strictest(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: v.rank, default=Verdict.ALLOW)


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule (or built-in principle) that shaped a decision, and why, in plain words."""

    rule: str
    effect: str  # deny | approval | allow | note
    reason: str


@dataclass(frozen=True, slots=True)
class FileDecision:
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
    extra: dict[str, object] = field(default_factory=dict)
