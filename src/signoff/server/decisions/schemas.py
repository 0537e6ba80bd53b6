"""API models for gate decision records posted by CI (`signoff check --server`).

The record is the one `signoff check --ledger` writes (`signoff.gate.record.decision_payload`):
every input digest, so anyone can replay it. It is *asserted* by whoever holds the `ci` token:
stored as sent and never shown to an approver as the content of a change (the server evaluates
the change itself: `signoff.server.evaluations`). It is still validated on write, the top level
strictly and each file, commit, approval and override entry by the fields the gate writes
(types, lengths, no control characters); an entry may carry more fields than these, which are
kept as sent (docs/json-schema.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from signoff.server.common import Model, Out, Sha, Text, Unicode

Short = Annotated[str, Field(max_length=400)]
Name = Annotated[Text, Field(max_length=4096)]
Verdict = Literal["allow", "overridden", "needs-approval", "deny"]
Words = list[Annotated[Text, Field(max_length=400)]]


class _Entry(Unicode):
    """An entry of the record: the gate's fields typed, any others kept as sent."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)


class Requirement(_Entry):
    approvals: int = Field(ge=0, le=1000)
    from_: Short = Field(alias="from")


class FileEntry(_Entry):
    path: Name
    class_: Annotated[str, Field(pattern=r"^[a-z][a-z-]{0,39}$")] = Field(alias="class")
    risk: Short
    decision: Verdict
    blob: Annotated[str, Field(pattern=r"^([0-9a-f]{40}|[0-9a-f]{64})?$")] = ""
    requirements: list[Requirement] = Field(default_factory=list, max_length=100)
    rules: Words = Field(default_factory=list, max_length=200)
    facts: Words = Field(default_factory=list, max_length=200)


class CommitEntry(_Entry):
    sha: Sha
    attribution: Short
    identities: Words = Field(default_factory=list, max_length=100)


class ApprovalEntry(_Entry):
    class_: Short = Field(alias="class")
    digest: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
    group: Short
    needed: int = Field(ge=0, le=1000)
    approvers: Words = Field(default_factory=list, max_length=1000)
    vetoers: Words = Field(default_factory=list, max_length=1000)


class OverrideEntry(_Entry):
    class_: Short = Field(alias="class")
    digest: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
    by: Short
    reason: Text


class DecisionRange(Model):
    base: Sha
    head: Sha
    merge_base: Sha
    target_branch: Short | None = None


class DecisionPolicy(Model):
    source: Short
    protected: bool


class DecisionIn(Model):
    decision: Literal["allow", "overridden", "needs-approval", "deny"]
    evaluated_at: Annotated[str, Field(max_length=40)]
    range: DecisionRange
    policy: DecisionPolicy
    digests: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=80)]] = (
        Field(max_length=16)
    )
    files: list[FileEntry] = Field(max_length=20000)
    commits: list[CommitEntry] = Field(max_length=20000)
    approvals: list[ApprovalEntry] | None = Field(None, max_length=1000)
    overrides: list[OverrideEntry] | None = Field(None, max_length=1000)


class DecisionReceipt(Out):
    """What appending returns: where the record went, not the record again (CI has it)."""

    id: str
    evidence: Literal["asserted"] = "asserted"
    repo: str
    base: str
    head: str
    decision: str
    posted_by: str
    created: str
    ledger_seq: int | None


class DecisionOut(Out):
    """A posted record, as sent: asserted by its poster (`posted_by`)."""

    id: str
    evidence: Literal["asserted"] = "asserted"
    repo: str
    base: str
    head: str
    decision: str
    posted_by: str
    created: str
    ledger_seq: int | None
    record: dict[str, Any]
