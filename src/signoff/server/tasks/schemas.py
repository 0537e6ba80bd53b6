"""API models for tasks: one unit of agent work (docs/tokens.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from signoff.server.common import Digest, Id, Model, Out, PathGlob, Sha, Text

BranchPrefix = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")]
ActionName = Annotated[str, Field(pattern=r"^[a-z][a-z-]{0,31}$")]
TaskState = Literal["open", "closed", "revoked", "expired"]


class TaskIn(Model):
    agent: Id
    repo: Id
    base_commit: Sha
    intent_text: Annotated[Text, Field(min_length=1)] | None = Field(
        None, description="The prompt or issue text; stored only if retention allows."
    )
    intent_digest: Digest | None = Field(None, description="sha256:<hex>, when text is withheld.")
    branch_prefix: BranchPrefix | None = Field(
        None,
        description="Branches the task may push start with this. Default: the task's own "
        "namespace, `<prefix>/<task id>/` for an agent scoped to `<prefix>/**` branches, else "
        "`agent/<agent>/<task id>/`: one task cannot delete or rewrite another's branches.",
    )
    allowed_paths: list[PathGlob] = Field(default_factory=list, max_length=100)
    denied_paths: list[PathGlob] = Field(default_factory=list, max_length=100)
    actions: list[ActionName] = Field(default_factory=lambda: ["push-branch"], max_length=8)
    ttl_seconds: int = Field(900, ge=60, le=86400)

    @model_validator(mode="after")
    def _intent(self) -> TaskIn:
        if (self.intent_text is None) == (self.intent_digest is None):
            raise ValueError("give exactly one of intent_text and intent_digest")
        prefix = self.branch_prefix or ""
        if ".." in prefix or "//" in prefix:
            raise ValueError("branch_prefix must not contain '..' or '//'")
        return self


class TaskPatch(Model):
    state: Literal["closed", "revoked"]
    version: int = Field(ge=1)
    reason: Text = ""


class TaskOut(Out):
    id: str
    requester: str
    agent: str
    repo: str
    base_commit: str
    intent_digest: str
    intent_text: str | None
    branch_prefix: str
    allowed_paths: list[str]
    denied_paths: list[str]
    actions: list[str]
    policy_digest: str
    ttl_seconds: int
    created: str
    expires: str
    state: TaskState
    flags: list[str] = Field(description="Why this task's work needs a second look, if it does.")
    version: int
    ledger_seq: int | None
