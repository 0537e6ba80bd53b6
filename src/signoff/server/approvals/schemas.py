"""API models for approvals given through the server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy.engine import RowMapping

from signoff.server import jsoncol
from signoff.server.common import Digest, Model, Out, Sha, Text
from signoff.server.evaluations.schemas import Branch

ClassName = Annotated[str, Field(pattern=r"^[a-z][a-z-]{0,39}$")]


class ApprovalIn(Model):
    base: Sha = Field(description="Full SHA of the base commit (the protected branch).")
    head: Sha = Field(description="Full SHA of the head commit of the change.")
    decision: Literal["approve", "veto", "override"]
    classes: list[ClassName] | None = Field(
        None, max_length=30, description="Default: every class that needs approval."
    )
    comment: Text = ""
    reason: Text = Field("", description="Required for override, refused otherwise.")
    target_branch: Branch | None = Field(
        None, description="The branch the change lands on, as the evaluation you reviewed."
    )
    changeset: Digest | None = Field(
        None,
        description="The change-set digest of the evaluation you reviewed "
        "(`GET /v1/repos/{repo}/evaluations`); 409 `stale_digest` when the server now "
        "computes another for this range.",
    )


class ApprovalOut(Out):
    id: str
    repo: str
    repository: str = Field(description="Root commit: which repository this binds to.")
    decision: str
    approver: str
    base: str
    head: str
    policy_digest: str
    digests: dict[str, str] = Field(description="class -> sha256:<hex> content digest.")
    changeset_digest: str | None = Field(
        description="sha256:<hex> of the whole change the server evaluated when this was "
        "given (null for approvals older than evaluations)."
    )
    comment: str
    reason: str
    time: str
    source: Literal["server"] = "server"
    ledger_seq: int | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any] | RowMapping) -> ApprovalOut:
        changeset = r["changeset_digest"]
        return cls(
            id=r["id"],
            repo=r["repo"],
            repository=r["repository"],
            decision=r["decision"],
            approver=r["approver"],
            base=r["base"],
            head=r["head"],
            policy_digest=f"sha256:{r['policy_digest']}",
            digests={k: f"sha256:{v}" for k, v in jsoncol.loads(r["digests"]).items()},
            changeset_digest=f"sha256:{changeset}" if changeset else None,
            comment=r["comment"],
            reason=r["reason"],
            time=r["time"],
            ledger_seq=r["ledger_seq"],
        )


class ApprovalCreated(ApprovalOut):
    warnings: list[str] = Field(description="Why the gate may not count this, if it may not.")
