"""API models for agents, humans and groups."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from signoff.identity.sshkeys import parse_ssh_key
from signoff.server.common import Date, DisplayName, Email, Id, Model, Out, PathGlob, Text

Mode = Literal["blocked", "supervised", "limited"]
AgentStatus = Literal["active", "suspended", "retired"]
Action = Literal["push-branch", "open-change"]
_ALL_ACTIONS: tuple[Action, ...] = ("push-branch", "open-change")
Lifecycle = Literal["active", "review-due", "expired", "suspended", "retired"]


def _ssh_key(value: str) -> str:
    if parse_ssh_key(value) is None:
        raise ValueError("not an OpenSSH public key line (type and base64 blob)")
    return value


SshKey = Annotated[str, Field(min_length=20, max_length=8192), AfterValidator(_ssh_key)]
Short = Annotated[str, Field(min_length=1, max_length=200)]


class AgentScope(Model):
    repos: list[Id] = Field(default_factory=list, max_length=100)
    branches: list[PathGlob] = Field(default_factory=list, max_length=100)
    paths: list[PathGlob] = Field(default_factory=list, max_length=200)
    actions: list[Action] = Field(default_factory=lambda: list(_ALL_ACTIONS))


class AgentMatch(Model):
    """How commits are tied to the agent, as in agents.yml `match` (all but keys asserted)."""

    emails: list[Email] = Field(default_factory=list, max_length=50)
    names: list[DisplayName] = Field(default_factory=list, max_length=50)
    logins: list[Short] = Field(default_factory=list, max_length=50)
    trailers: list[Short] = Field(default_factory=list, max_length=50)
    catalog: list[Id] = Field(default_factory=list, max_length=50)
    signing_keys: list[SshKey] = Field(default_factory=list, max_length=20)


class AgentIn(Model):
    id: Id
    name: DisplayName | None = None
    kind: Literal["ai-agent", "bot"] = "ai-agent"
    owner: Email
    purpose: Annotated[Text, Field(min_length=1)]
    mode: Mode = "supervised"
    review_by: Date | None = None
    expires: Date | None = None
    scope: AgentScope = Field(default_factory=AgentScope)
    match: AgentMatch = Field(default_factory=AgentMatch)
    max_token_ttl: int = Field(900, ge=60, le=86400)

    @model_validator(mode="after")
    def _dates(self) -> AgentIn:
        if self.review_by is None and self.expires is None:
            raise ValueError("an agent needs a review_by or expires date")
        return self


class AgentPatch(Model):
    """Change some fields; `version` must be the one you read (else 409, nothing written)."""

    version: int = Field(ge=1)
    name: DisplayName | None = None
    owner: Email | None = None
    purpose: Annotated[Text, Field(min_length=1)] | None = None
    mode: Mode | None = None
    status: AgentStatus | None = None
    review_by: Date | None = None
    expires: Date | None = None
    scope: AgentScope | None = None
    match: AgentMatch | None = None
    max_token_ttl: int | None = Field(None, ge=60, le=86400)


class AgentOut(Out):
    id: str
    name: str
    kind: str
    owner: str
    purpose: str
    mode: str
    status: str
    lifecycle: Lifecycle
    review_by: dt.date | None
    expires: dt.date | None
    scope: AgentScope
    match: AgentMatch
    max_token_ttl: int
    created: str
    updated: str
    version: int


class HumanIn(Model):
    id: Id
    email: Email
    name: DisplayName
    keys: list[SshKey] = Field(default_factory=list, max_length=10)
    groups: list[Id] = Field(default_factory=list, max_length=50)


class HumanPatch(Model):
    version: int = Field(ge=1)
    name: DisplayName | None = None
    status: Literal["active", "suspended"] | None = None


class KeyIn(Model):
    public_key: SshKey


class KeyOut(Out):
    fingerprint: str
    public_key: str
    created: str


class HumanOut(Out):
    id: str
    email: str
    name: str
    status: str
    keys: list[KeyOut]
    groups: list[str]
    created: str
    updated: str
    version: int


class GroupIn(Model):
    name: Id
    description: Text = ""
    members: list[Id] = Field(default_factory=list, max_length=500)


class GroupPatch(Model):
    version: int = Field(ge=1)
    description: Text | None = None
    members: list[Id] | None = Field(None, max_length=500)


class GroupOut(Out):
    name: str
    description: str
    members: list[str]
    created: str
    version: int
