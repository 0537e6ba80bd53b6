"""The agent registry (`.signoff/agents.yml`): every agent is a governed non-human identity.

An entry without an owner, or without a review or expiry date, is invalid: an identity nobody
answers for, or nobody ever looks at again, is exactly what governance exists to prevent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, fields, replace
from enum import StrEnum

from signoff.config.fields import Fields
from signoff.config.yamlsrc import load
from signoff.identity.sshkeys import parse_ssh_key
from signoff.patterns.globs import match_any
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
    """Where an agent may work: branch and path globs (empty: anywhere). `also` holds further
    scopes that must all allow it too: the intersection of two registries' scopes."""

    branches: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    also: tuple[Scope, ...] = ()

    def allows_path(self, path: str) -> bool:
        return (not self.paths or bool(match_any(self.paths, path))) and all(
            s.allows_path(path) for s in self.also
        )

    def allows_branch(self, branch: str) -> bool:
        return (not self.branches or bool(match_any(self.branches, branch))) and all(
            s.allows_branch(branch) for s in self.also
        )

    @property
    def restricts_paths(self) -> bool:
        return bool(self.paths) or any(s.restricts_paths for s in self.also)

    @property
    def restricts_branches(self) -> bool:
        return bool(self.branches) or any(s.restricts_branches for s in self.also)

    def describe_branches(self) -> str:
        parts = [", ".join(self.branches)] if self.branches else []
        parts += [s.describe_branches() for s in self.also if s.restricts_branches]
        return " and ".join(parts)


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


def registry_document(agents: tuple[Agent, ...]) -> dict[str, object]:
    """Agents in `.signoff/agents.yml` shape (JSON is YAML: `parse_registry` reads it back)."""
    out = []
    for a in agents:
        doc: dict[str, object] = {
            "id": a.id, "name": a.name, "kind": a.kind.value, "owner": a.owner,
            "purpose": a.purpose, "mode": a.mode.value, "status": a.status.value,
            "scope": {"branches": list(a.scope.branches), "paths": list(a.scope.paths)},
            "match": {f.name: list(getattr(a.match, f.name)) for f in fields(Matchers)},
            "max_token_ttl": a.max_token_ttl,
        }  # fmt: skip
        for key in ("review_by", "expires"):
            value = getattr(a, key)
            if value is not None:
                doc[key] = value.isoformat()
        out.append(doc)
    return {"version": 1, "agents": out}


_STATUS_RANK = {Status.ACTIVE: 0, Status.RETIRED: 1, Status.SUSPENDED: 2}
_MODE_RANK = {Mode.LIMITED: 0, Mode.SUPERVISED: 1, Mode.BLOCKED: 2}


def merge_registries(repo: Registry, server: Registry) -> tuple[Registry, list[str]]:
    """The stricter of two registries, agent by agent, and where they disagree (drift).

    The repository's `.signoff/agents.yml` and the control plane's registered agents can only
    add restrictions to each other: per agent the stricter status (suspended > retired >
    active) and autonomy mode (blocked > supervised > limited), both scopes at once, the
    earlier `expires` and `review_by`, the lower token TTL, and every matcher of either (more
    ways to recognise an agent only add scrutiny). An agent only the repository registers is
    kept; one only the server knows is not added: the server can restrict the repository's
    agents but never register one for it (its work stays unregistered, the stricter)."""
    by_id = {a.id: a for a in server.agents}
    drift: list[str] = []
    merged: list[Agent] = []
    for a in repo.agents:
        other = by_id.pop(a.id, None)
        if other is None:
            drift.append(f"agent {a.id} is in {repo.source} but not registered on the server")
            merged.append(a)
            continue
        drift += _differences(a, other)
        merged.append(_stricter(a, other))
    for other in by_id.values():
        drift.append(
            f"agent {other.id} is registered on the server but not in {repo.source}: "
            "unregistered for this repository"
        )
    digest = hashlib.sha256(f"{repo.digest}\n{server.digest}".encode()).hexdigest()
    return Registry(tuple(merged), digest, f"{repo.source} + {server.source}"), drift


def _stricter(a: Agent, b: Agent) -> Agent:
    def earliest(x: dt.date | None, y: dt.date | None) -> dt.date | None:
        return min(d for d in (x, y) if d is not None) if x or y else None

    def union(x: tuple[str, ...], y: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*x, *y)))

    if b.scope == a.scope or not _restricts(b.scope):
        scope = a.scope
    elif not _restricts(a.scope):
        scope = b.scope
    else:
        scope = replace(a.scope, also=(*a.scope.also, b.scope))
    match = Matchers(
        **{
            f.name: union(getattr(a.match, f.name), getattr(b.match, f.name))
            for f in fields(Matchers)
        }
    )
    return replace(
        a,
        status=max(a.status, b.status, key=_STATUS_RANK.__getitem__),
        mode=max(a.mode, b.mode, key=_MODE_RANK.__getitem__),
        scope=scope,
        expires=earliest(a.expires, b.expires),
        review_by=earliest(a.review_by, b.review_by),
        match=match,
        max_token_ttl=min(a.max_token_ttl, b.max_token_ttl),
    )


def _restricts(s: Scope) -> bool:
    return s.restricts_paths or s.restricts_branches


def _differences(a: Agent, b: Agent) -> list[str]:
    out = []
    for name in ("status", "mode", "expires", "review_by"):
        x, y = getattr(a, name), getattr(b, name)
        if x != y:
            out.append(
                f"agent {a.id}: {name} is {x} in the repository but {y} on the server "
                "(the stricter applies)"
            )
    if a.scope != b.scope:
        out.append(f"agent {a.id}: its scope differs between the repository and the server "
                   "(both apply)")  # fmt: skip
    return out
