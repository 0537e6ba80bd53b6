"""API models for the decisions the server computes itself (evaluations)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from signoff.gitio.refs import ref_name_problem
from signoff.server.common import Model, Out, Sha


def _branch(value: str) -> str:
    if (why := ref_name_problem(value)) is not None:
        raise ValueError(f"not a branch name: it {why}")
    return value


Branch = Annotated[str, Field(min_length=1, max_length=250), AfterValidator(_branch)]


class EvaluationIn(Model):
    base: Sha = Field(description="Full SHA of the base commit (the protected branch).")
    head: Sha = Field(description="Full SHA of the head commit of the change.")
    target_branch: Branch | None = Field(
        None, description="The branch the change is meant to land on (rules may name it)."
    )


class EvaluationOut(Out):
    """A decision record the server computed on its own copy: every field is witnessed."""

    id: str
    repo: str
    base: str
    head: str
    target_branch: str | None
    decision: str
    evidence: Literal["witnessed"] = "witnessed"
    changeset_digest: str = Field(description="sha256:<hex> of the whole change (files, commits).")
    policy_digest: str
    classes: dict[str, str] = Field(description="class -> sha256:<hex> content digest.")
    requested_by: str
    created: str
    ledger_seq: int | None
    record: dict[str, Any] = Field(description="The gate's decision record (docs/json-schema.md).")
