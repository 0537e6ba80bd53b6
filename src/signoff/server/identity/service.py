"""Agents as governed non-human identities: register, change, suspend, retire.

Only `admin` writes. Every change is one ledger event: `identity.registered`, `identity.suspended`
(status → suspended) or `identity.changed` (anything else, retiring included), with the admin as
actor, the agent as subject and the change as payload (signing keys as fingerprints). Retired is
final. Lifecycle (review due, expired) is computed from the dates, so an agent expires without
anyone writing anything; `usable()` is what tasks (and later the token broker) ask.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import RowMapping

from signoff.identity.agents import (
    Agent,
    Lifecycle,
    Matchers,
    Scope,
    Status,
    registry_document,
)
from signoff.identity.sshkeys import ssh_fingerprint
from signoff.ledger.events import EventType
from signoff.server import jsoncol
from signoff.server.auth import Perm, Principal
from signoff.server.common import Page, decode_cursor, page, stamp
from signoff.server.context import Context
from signoff.server.errors import ConflictError, InvalidInputError, NotFoundError
from signoff.server.identity import repository as repo
from signoff.server.identity.schemas import (
    AgentIn,
    AgentMatch,
    AgentOut,
    AgentPatch,
    AgentScope,
)
from signoff.taxonomy import Kind, Mode


def to_agent(row: RowMapping) -> Agent:
    """The registry's own `Agent`, so lifecycle rules are the gate's, not a copy of them."""
    m = jsoncol.loads(row["matchers"])
    s = jsoncol.loads(row["scope"])
    return Agent(
        id=row["id"],
        name=row["name"],
        kind=Kind(row["kind"]),
        owner=row["owner"],
        purpose=row["purpose"],
        mode=Mode(row["mode"]),
        status=Status(row["status"]),
        review_by=dt.date.fromisoformat(row["review_by"]) if row["review_by"] else None,
        expires=dt.date.fromisoformat(row["expires"]) if row["expires"] else None,
        scope=Scope(branches=tuple(s.get("branches", ())), paths=tuple(s.get("paths", ()))),
        match=Matchers(**{k: tuple(v) for k, v in m.items()}),
        max_token_ttl=row["max_token_ttl"],
    )


def lifecycle(row: RowMapping, today: dt.date | None = None) -> Lifecycle:
    return to_agent(row).lifecycle(today or dt.datetime.now(dt.UTC).date())


def usable(row: RowMapping) -> tuple[bool, Lifecycle]:
    """An expired, suspended or retired agent gets nothing (no task, no token)."""
    lc = lifecycle(row)
    return lc in (Lifecycle.ACTIVE, Lifecycle.REVIEW_DUE), lc


def agent_out(row: RowMapping) -> AgentOut:
    return AgentOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        owner=row["owner"],
        purpose=row["purpose"],
        mode=row["mode"],
        status=row["status"],
        lifecycle=lifecycle(row).value,
        review_by=dt.date.fromisoformat(row["review_by"]) if row["review_by"] else None,
        expires=dt.date.fromisoformat(row["expires"]) if row["expires"] else None,
        scope=AgentScope.model_validate(jsoncol.loads(row["scope"]), strict=False),
        match=AgentMatch.model_validate(jsoncol.loads(row["matchers"]), strict=False),
        max_token_ttl=row["max_token_ttl"],
        created=row["created"],
        updated=row["updated"],
        version=row["version"],
    )


def _public(field: str, value: Any) -> Any:
    """A change as the ledger sees it: keys as fingerprints, dates as ISO strings."""
    if field == "match" and isinstance(value, dict):
        keys = value.get("signing_keys", [])
        return {**value, "signing_keys": [ssh_fingerprint(k) for k in keys]}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def register_agent(ctx: Context, who: Principal, body: AgentIn) -> AgentOut:
    who.require(Perm.WRITE_IDENTITY)
    _check_dates(body.review_by, body.expires)
    t = stamp()
    row = {
        "id": body.id,
        "name": body.name or body.id,
        "kind": body.kind,
        "owner": body.owner,
        "purpose": body.purpose,
        "mode": body.mode,
        "status": "active",
        "review_by": body.review_by.isoformat() if body.review_by else None,
        "expires": body.expires.isoformat() if body.expires else None,
        "scope": jsoncol.dumps(body.scope.model_dump()),
        "matchers": jsoncol.dumps(body.match.model_dump()),
        "max_token_ttl": body.max_token_ttl,
        "created": t,
        "updated": t,
        "version": 1,
    }
    with ctx.db.write() as conn:
        if repo.get_agent(conn, body.id) is not None:
            raise ConflictError(f"agent {body.id!r} already exists", field="id")
        repo.insert_agent(conn, row)
        payload = {k: _public(k, v) for k, v in body.model_dump().items()}
        ctx.recorder.record(
            EventType.IDENTITY_REGISTERED, who.actor, {"agent": body.id}, {"agent": payload}
        )
        created = repo.get_agent(conn, body.id)
    assert created is not None
    return agent_out(created)


def get_agent(ctx: Context, who: Principal, agent_id: str) -> AgentOut:
    who.require(Perm.READ_IDENTITY)
    with ctx.db.read() as conn:
        row = repo.get_agent(conn, agent_id)
    if row is None:
        raise NotFoundError(f"no agent {agent_id!r}")
    return agent_out(row)


def list_agents(ctx: Context, who: Principal, limit: int, cursor: str | None) -> Page[AgentOut]:
    who.require(Perm.READ_IDENTITY)
    after = decode_cursor(cursor, 1)
    with ctx.db.read() as conn:
        rows = repo.list_agents(conn, str(after[0]) if after else None, limit)
    kept, nxt = page(list(rows), limit, lambda r: [r["id"]])
    return Page[AgentOut](items=[agent_out(r) for r in kept], next_cursor=nxt)


MAX_GATE_AGENTS = 100_000


def gate_agents(ctx: Context, who: Principal) -> dict[str, object]:
    """Every registered agent in `agents.yml` shape, for `signoff check --server`: the gate
    merges it with the repository's registry, the stricter winning (ci reads it, like the
    policy)."""
    who.require(Perm.READ_POLICY)
    with ctx.db.read() as conn:
        rows = repo.list_agents(conn, None, MAX_GATE_AGENTS)
    return registry_document(tuple(to_agent(r) for r in rows[:MAX_GATE_AGENTS]))


def change_agent(ctx: Context, who: Principal, agent_id: str, patch: AgentPatch) -> AgentOut:
    who.require(Perm.WRITE_IDENTITY)
    changes = patch.model_dump(exclude_unset=True, exclude={"version"})
    if not changes:
        raise InvalidInputError("nothing to change: name at least one field besides version")
    with ctx.db.write() as conn:
        row = repo.get_agent(conn, agent_id, lock=True)
        if row is None:
            raise NotFoundError(f"no agent {agent_id!r}")
        if row["version"] != patch.version:
            raise ConflictError(
                f"agent {agent_id!r} is at version {row['version']}, not {patch.version}: "
                "read it again and retry",
                field="version",
                code="stale_version",
            )
        if row["status"] == "retired":
            raise ConflictError(f"agent {agent_id!r} is retired; register a new identity instead")
        for key in ("name", "owner", "purpose", "mode", "status", "max_token_ttl"):
            if key in changes and changes[key] is None:
                raise InvalidInputError(f"{key} cannot be null", field=key)
        review = changes.get("review_by", row["review_by"])
        expires = changes.get("expires", row["expires"])
        _check_dates(_date(review), _date(expires))
        values: dict[str, Any] = {"updated": stamp()}
        for key, value in changes.items():
            if key in ("review_by", "expires"):
                values[key] = value.isoformat() if value is not None else None
            elif key == "scope":
                values["scope"] = jsoncol.dumps(value)
            elif key == "match":
                values["matchers"] = jsoncol.dumps(value)
            else:
                values[key] = value
        if not repo.update_agent(conn, agent_id, patch.version, values):
            raise ConflictError(
                f"agent {agent_id!r} changed meanwhile; retry", code="stale_version"
            )
        suspended = changes.get("status") == "suspended" and row["status"] != "suspended"
        kind = EventType.IDENTITY_SUSPENDED if suspended else EventType.IDENTITY_CHANGED
        payload = {
            "change": {k: _public(k, v) for k, v in changes.items()},
            "from_version": patch.version,
        }
        ctx.recorder.record(kind, who.actor, {"agent": agent_id}, payload)
        if suspended:  # a reactivation later must not bring these tokens back
            from signoff.server.broker.ending import end_tokens

            end_tokens(ctx, conn, who.actor, agent=agent_id)
        new = repo.get_agent(conn, agent_id)
    assert new is not None
    return agent_out(new)


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _check_dates(review_by: dt.date | None, expires: dt.date | None) -> None:
    if review_by is None and expires is None:
        raise InvalidInputError("an agent needs a review_by or expires date", field="review_by")
    if review_by is not None and expires is not None and review_by > expires:
        raise InvalidInputError("review_by must not be after expires", field="review_by")
