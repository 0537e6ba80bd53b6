"""API models for approvals given through the server."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from signoff.server.common import Model, Out, Sha, Text

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
    comment: str
    reason: str
    time: str
    source: Literal["server"] = "server"
    ledger_seq: int | None


class ApprovalCreated(ApprovalOut):
    warnings: list[str] = Field(description="Why the gate may not count this, if it may not.")
