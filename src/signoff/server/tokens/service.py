"""API tokens: issue (admin), authenticate (every request), revoke (admin or the owner).

The secret is returned once by `issue` and never stored: only its SHA-256. Issuing and revoking
are `config.changed` events naming the token by `sha256:` digest. Authentication refuses
unknown, revoked and expired tokens and tokens of suspended humans, each with its own code.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Connection, RowMapping

from signoff.ledger.events import EventType
from signoff.server.auth import (
    HUMAN_ROLES,
    SERVICE_ONLY_ROLES,
    Perm,
    Principal,
    Role,
    new_token,
    token_sha256,
)
from signoff.server.common import Page, decode_cursor, new_id, now, page, parse_stamp, stamp
from signoff.server.context import Context
from signoff.server.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)
from signoff.server.identity import repository as people
from signoff.server.tokens import repository as repo
from signoff.server.tokens.schemas import TokenCreated, TokenIn, TokenOut, WhoAmI

BOOTSTRAP = "signoff:bootstrap"


def authenticate(ctx: Context, token: str) -> Principal:
    """The caller a bearer token belongs to; cached for a moment (`signoff.server.principals`)."""
    digest = token_sha256(token)
    t = now()
    if (cached := ctx.principals.get(digest, t)) is not None:
        return cached
    generation = ctx.principals.generation()
    with ctx.db.read() as conn:
        row = repo.by_sha256(conn, digest)
    if row is None:
        raise UnauthenticatedError("unknown token")
    who = _principal(row, digest)
    ctx.principals.put(digest, who, parse_stamp(row["expires"]), generation)
    return who


def authenticate_id(ctx: Context, token_id: str) -> Principal:
    """The caller behind a browser session, which keeps the token's id and never the token.

    Re-checked on every request, exactly like a bearer token: revoking the token, its expiry or
    suspending its owner ends the session at once.
    """
    with ctx.db.read() as conn:
        row = repo.by_id(conn, token_id)
    if row is None:
        raise UnauthenticatedError("unknown token")
    return _principal(row, row["sha256"])


def _principal(row: RowMapping, digest: str) -> Principal:
    if row["revoked"] is not None:
        raise UnauthenticatedError("token was revoked", code="token_revoked")
    if parse_stamp(row["expires"]) <= now():
        raise UnauthenticatedError("token has expired", code="token_expired")
    if row["human_id"] is not None and row["human_status"] != "active":
        raise UnauthenticatedError("the token's owner is suspended", code="owner_suspended")
    return Principal(
        token_id=row["id"],
        token_name=row["name"],
        token_sha256=digest,
        roles=frozenset(Role(r) for r in row["roles"].split(",")),
        human_id=row["human_id"],
        email=row["email"],
        identity=row["identity"],
        held=row["held"] is not None,
    )


def token_out(row: RowMapping, cls: type[TokenOut] = TokenOut, **extra: str) -> TokenOut:
    return cls(
        id=row["id"],
        name=row["name"],
        human=row["human_id"],
        roles=row["roles"].split(","),
        created=row["created"],
        created_by=row["created_by"],
        expires=row["expires"],
        revoked=row["revoked"],
        identity=row["identity"],
        held=row["held"] is not None,
        sha256_prefix=row["sha256"][:12],
        **extra,
    )


def _issue(conn: Connection, ctx: Context, actor: str, body: TokenIn) -> TokenCreated:
    roles = sorted(set(body.roles))
    if body.human is None and HUMAN_ROLES & {Role(r) for r in body.roles}:
        raise InvalidInputError(
            "roles admin, approver and agent-operator act for a person: name the human",
            field="human",
        )
    if SERVICE_ONLY_ROLES & {Role(r) for r in body.roles} and (
        body.human is not None or len(roles) > 1
    ):
        raise InvalidInputError(
            "role hook is the git server's own identity: a service token with no other role",
            field="roles",
        )
    if body.identity is not None and (body.human is not None or roles != ["ci"]):
        raise InvalidInputError(
            "identity binds a service token with role ci (a build or signing service) only",
            field="identity",
        )
    if body.identity is not None and people.human_by_email(conn, body.identity.lower()):
        raise InvalidInputError(
            f"{body.identity} is a person's e-mail: a service token cannot act as a person",
            field="identity",
        )
    if body.human is not None:
        h = people.get_human(conn, body.human)
        if h is None:
            raise InvalidInputError(f"no human {body.human!r}", field="human")
        if h["status"] != "active":
            raise ConflictError(f"human {body.human!r} is suspended")
    token = new_token()
    t = now()
    token_id = new_id("tok")
    row = {
        "id": token_id,
        "sha256": token_sha256(token),
        "name": body.name,
        "human_id": body.human,
        "roles": ",".join(roles),
        "created": stamp(t),
        "created_by": actor,
        "expires": stamp(t + dt.timedelta(seconds=body.ttl_seconds)),
        "revoked": None,
        "identity": body.identity,
        # a person holds a token they issued themselves (or got at bootstrap); one issued for
        # them by someone else must be claimed with their own key before it decides anything
        "held": stamp(t) if body.human and actor in (f"human:{body.human}", BOOTSTRAP) else None,
    }
    repo.insert(conn, row)
    subjects = {"token_sha256": f"sha256:{row['sha256']}"}
    if body.human:
        subjects["human"] = body.human
    ctx.recorder.record(
        EventType.CONFIG_CHANGED,
        actor,
        subjects,
        {
            "change": "api-token-issued",
            "token_id": token_id,
            "roles": roles,
            "expires": row["expires"],
            **({"identity": body.identity} if body.identity else {}),
        },
    )
    created = repo.get(conn, token_id)
    assert created is not None
    out = token_out(created, TokenCreated, token=token)
    assert isinstance(out, TokenCreated)
    return out


def issue(ctx: Context, who: Principal, body: TokenIn) -> TokenCreated:
    who.require(Perm.MANAGE_TOKENS)
    with ctx.db.write() as conn:
        return _issue(conn, ctx, who.actor, body)


def issue_for_sign_in(
    ctx: Context, human_id: str, roles: list[str], ttl_seconds: int, actor: str
) -> str:
    """A token for a person who just signed in to the console through the identity provider
    (`actor` names it): its id only, the secret is never shown to anyone. The console keeps
    the id in the session, so every request is checked as a bearer token is."""
    body = TokenIn.model_validate(
        {"name": "console-sign-in", "human": human_id, "roles": roles, "ttl_seconds": ttl_seconds}
    )
    with ctx.db.write() as conn:
        return _issue(conn, ctx, actor, body).id


def revoke_sign_in(ctx: Context, token_id: str) -> None:
    """Revoke the token a console sign-in was given (at sign-out); other tokens are left."""
    with ctx.db.write() as conn:
        row = repo.get(conn, token_id)
        if row is None or row["name"] != "console-sign-in" or row["revoked"] is not None:
            return
        repo.revoke(conn, token_id, stamp())
        ctx.recorder.record(
            EventType.CONFIG_CHANGED,
            f"human:{row['human_id']}",
            {"token_sha256": f"sha256:{row['sha256']}"},
            {"change": "api-token-revoked", "token_id": token_id, "why": "signed out"},
        )


def bootstrap(ctx: Context, human_id: str, email: str, name: str, ttl: int) -> TokenCreated:
    """The first admin: a human and an admin token, only while no admin token exists."""
    t = stamp()
    actor = BOOTSTRAP
    with ctx.db.write() as conn:
        if repo.admin_exists(conn):
            raise ConflictError("an admin token already exists; ask an admin for a token")
        if people.get_human(conn, human_id) is None:
            people.insert_human(
                conn,
                {
                    "id": human_id,
                    "email": email,
                    "name": name,
                    "status": "active",
                    "created": t,
                    "updated": t,
                    "version": 1,
                },
            )
            ctx.recorder.record(
                EventType.IDENTITY_REGISTERED,
                actor,
                {"human": human_id},
                {"human": {"id": human_id, "email": email, "name": name, "bootstrap": True}},
            )
        body = TokenIn(
            name="bootstrap-admin", human=human_id, roles=["admin"], ttl_seconds=ttl, identity=None
        )
        return _issue(conn, ctx, actor, body)


def revoke(ctx: Context, who: Principal, token_id: str) -> TokenOut:
    with ctx.db.write() as conn:
        row = repo.get(conn, token_id)
        if row is None:
            raise NotFoundError(f"no token {token_id!r}")
        own = who.human_id is not None and row["human_id"] == who.human_id
        if not (who.can(Perm.MANAGE_TOKENS) or own or token_id == who.token_id):
            raise ForbiddenError("only an admin or the token's owner can revoke it")
        if not repo.revoke(conn, token_id, stamp()):
            raise ConflictError(f"token {token_id!r} is already revoked")
        ctx.principals.clear()  # revoked at once on this process (others: docs/server.md)
        ctx.recorder.record(
            EventType.CONFIG_CHANGED,
            who.actor,
            {"token_sha256": f"sha256:{row['sha256']}"},
            {"change": "api-token-revoked", "token_id": token_id},
        )
        new = repo.get(conn, token_id)
    assert new is not None
    return token_out(new)


def list_tokens(ctx: Context, who: Principal, limit: int, cursor: str | None) -> Page[TokenOut]:
    who.require(Perm.MANAGE_TOKENS)
    after = decode_cursor(cursor, 1)
    with ctx.db.read() as conn:
        rows = repo.list_tokens(conn, str(after[0]) if after else None, limit)
    kept, nxt = page(list(rows), limit, lambda r: [r["id"]])
    return Page[TokenOut](items=[token_out(r) for r in kept], next_cursor=nxt)


def whoami(who: Principal) -> WhoAmI:
    return WhoAmI(
        token_id=who.token_id,
        token_name=who.token_name,
        roles=sorted(r.value for r in who.roles),
        human=who.human_id,
        email=who.email,
        actor=who.actor,
        identity=who.identity,
        held=who.held,
    )
