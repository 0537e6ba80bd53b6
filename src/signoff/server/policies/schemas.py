"""API models for per-repository policy and registry versions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from signoff.server.common import Model, Out

DocKind = Literal["policy", "registry"]


class DocumentIn(Model):
    text: str = Field(
        min_length=1,
        max_length=256 * 1024,
        description="The YAML text of .signoff/policy.yml or .signoff/agents.yml.",
    )


class VersionOut(Out):
    repo: str
    kind: DocKind
    version: int
    digest: str = Field(description="sha256:<hex> of the exact text, as the gate computes it.")
    text: str
    created: str
    created_by: str
    ledger_seq: int | None
