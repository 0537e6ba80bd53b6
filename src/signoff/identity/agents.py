"""The agent registry (`.signoff/agents.yml`): every agent is a governed non-human identity.

An entry without an owner, or without a review or expiry date, is invalid: an identity nobody
answers for, or nobody ever looks at again, is exactly what governance exists to prevent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum

from signoff.config.fields import Fields
from signoff.config.yamlsrc import load
from signoff.identity.sshkeys import parse_ssh_key
from signoff.protected import REGISTRY_PATH
from signoff.taxonomy import Kind, Mode


class Status(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RETIRED = "retired"


class Lifecycle(StrEnum):
    ACTIVE = "active"
    REVIEW_DUE = "review-due"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Matchers:
    """How commits are tied to an agent. All of these but `signing_keys` are *asserted*."""

    emails: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    logins: tuple[str, ...] = ()
    trailers: tuple[str, ...] = ()
    catalog: tuple[str, ...] = ()
    signing_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scope:
    branches: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    name: str
    kind: Kind
    owner: str
    purpose: str
    mode: Mode
    status: Status
    review_by: dt.date | None
    expires: dt.date | None
    scope: Scope = Scope()
    match: Matchers = Matchers()
    max_token_ttl: int = 900
    line: int | None = None

    def lifecycle(self, today: dt.date) -> Lifecycle:
        if self.status is Status.SUSPENDED:
            return Lifecycle.SUSPENDED
        if self.status is Status.RETIRED:
            return Lifecycle.RETIRED
        if self.expires is not None and today > self.expires:
            return Lifecycle.EXPIRED
        if self.review_by is not None and today > self.review_by:
            return Lifecycle.REVIEW_DUE
        return Lifecycle.ACTIVE


@dataclass(frozen=True, slots=True)
class Registry:
    agents: tuple[Agent, ...]
    digest: str
    source: str

    def get(self, agent_id: str) -> Agent | None:
        for agent in self.agents:
            if agent.id == agent_id:
                return agent
        return None


EMPTY_REGISTRY = Registry((), hashlib.sha256(b"").hexdigest(), "<none>")

_AGENT_KEYS = (
    "id",
    "name",
    "kind",
    "owner",
    "purpose",
    "mode",
    "status",
    "review_by",
    "expires",
    "scope",
    "match",
    "max_token_ttl",
)
_MATCH_KEYS = ("emails", "names", "logins", "trailers", "catalog", "signing_keys")


def parse_registry(text: bytes, file: str = REGISTRY_PATH) -> Registry:
    """Parse and validate `agents.yml`; raises `ConfigError` at the first problem."""
    doc = load(text, file)
    f = Fields(doc)
    f.mapping((), ("version", "agents"))
    version = f.integer(("version",), 1, minimum=1)
    if version != 1:
        raise f.error(("version",), f"unsupported registry version {version} (expected 1)")
    agents: list[Agent] = []
    seen: set[str] = set()
    for i, _ in enumerate(f.items(("agents",))):
        p = ("agents", i)
        f.mapping(p, _AGENT_KEYS, required=("id", "owner"))
        agent_id = f.string((*p, "id"), required=True)
        if agent_id in seen:
            raise f.error((*p, "id"), f"duplicate agent id {agent_id!r}")
        if (
            agent_id.startswith("unregistered")
            or ":" in agent_id
            or any(c.isspace() for c in agent_id)
        ):
            raise f.error((*p, "id"), f"invalid agent id {agent_id!r}")
        seen.add(agent_id)
        review_by = f.date((*p, "review_by"))
        expires = f.date((*p, "expires"))
        if review_by is None and expires is None:
            raise f.error(p, f"agent {agent_id!r} needs a review_by or expires date")
        f.mapping((*p, "scope"), ("branches", "paths"))
        f.mapping((*p, "match"), _MATCH_KEYS)
        matchers = Matchers(
            emails=tuple(e.lower() for e in f.strings((*p, "match", "emails"))),
            names=f.strings((*p, "match", "names")),
            logins=tuple(x.lower() for x in f.strings((*p, "match", "logins"))),
            trailers=tuple(t.lower() for t in f.strings((*p, "match", "trailers"))),
            catalog=f.strings((*p, "match", "catalog")),
            signing_keys=f.strings((*p, "match", "signing_keys")),
        )
        from signoff.attribution.catalogue import CATALOGUE_IDS  # it imports this module

        for j, ref in enumerate(matchers.catalog):
            if ref not in CATALOGUE_IDS:
                raise f.error(
                    (*p, "match", "catalog", j),
                    f"unknown catalogue entry {ref!r}",
                    f"known: {', '.join(sorted(CATALOGUE_IDS))}",
                )
        for j, key in enumerate(matchers.signing_keys):
            if parse_ssh_key(key) is None:
                raise f.error((*p, "match", "signing_keys", j), "not an SSH public key")
        agents.append(
            Agent(
                id=agent_id,
                name=f.string((*p, "name"), agent_id),
                kind=Kind(f.string((*p, "kind"), "ai-agent", choices=[k.value for k in Kind])),
                owner=f.string((*p, "owner"), required=True),
                purpose=f.string((*p, "purpose"), "(not stated)"),
                mode=Mode(f.string((*p, "mode"), "supervised", choices=[m.value for m in Mode])),
                status=Status(
                    f.string((*p, "status"), "active", choices=[s.value for s in Status])
                ),
                review_by=review_by,
                expires=expires,
                scope=Scope(
                    branches=f.strings((*p, "scope", "branches")),
                    paths=f.strings((*p, "scope", "paths")),
                ),
                match=matchers,
                max_token_ttl=f.integer((*p, "max_token_ttl"), 900, minimum=60),
                line=doc.where(p)[0],
            )
        )
    return Registry(tuple(agents), hashlib.sha256(text).hexdigest(), file)
