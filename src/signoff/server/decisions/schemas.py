"""API models for gate decision records posted by CI (`signoff check --server`).

The record is the one `signoff check --ledger` writes (`signoff.gate.record.decision_payload`):
every input digest, so anyone can replay it. Its top level is checked strictly; per-file and
per-commit entries are kept as sent (the gate's JSON, documented in docs/json-schema.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from signoff.server.common import Model, Out, Sha

Short = Annotated[str, Field(max_length=400)]


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
    files: list[dict[str, Any]] = Field(max_length=20000)
    commits: list[dict[str, Any]] = Field(max_length=20000)
    approvals: list[dict[str, Any]] | None = Field(None, max_length=1000)
    overrides: list[dict[str, Any]] | None = Field(None, max_length=1000)


class DecisionReceipt(Out):
    """What appending returns: where the record went, not the record again (CI has it)."""

    id: str
    repo: str
    base: str
    head: str
    decision: str
    posted_by: str
    created: str
    ledger_seq: int | None


class DecisionOut(Out):
    id: str
    repo: str
    base: str
    head: str
    decision: str
    posted_by: str
    created: str
    ledger_seq: int | None
    record: dict[str, Any]
