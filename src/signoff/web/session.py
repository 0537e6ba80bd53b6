"""Who is using the console: sign-in through an `IdentityProvider`, then a server-side session.

Why server-side sessions rather than a signed cookie: a session must be revocable at once
(sign-out, a revoked token, a suspended person), and the cookie must carry nothing worth
stealing from a database dump. The cookie holds 32 random bytes; the table holds their SHA-256,
the API token's *id* (never the token) and the session's CSRF token. Every request re-checks the
token through the same code as a bearer token (`tokens.service.authenticate_id`), so roles,
expiry, revocation and suspension apply to the browser exactly as to the API.

People sign in with their organisation's OpenID Connect provider (`oidc.py`), which yields the
same `Principal` through a token the server issues for the session; automation and
break-glass use `TokenLogin` (paste an API token). Everything after sign-in is the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa

from signoff.server.auth import Principal, well_formed
from signoff.server.common import now, parse_stamp, stamp
from signoff.server.context import Context
from signoff.server.errors import UnauthenticatedError
from signoff.server.tokens.service import authenticate, authenticate_id
from signoff.web.tables import sessions

COOKIE = "signoff_session"
COOKIE_PATH = "/ui"
LIFETIME = dt.timedelta(hours=8)


class IdentityProvider(Protocol):
    """Turns what the sign-in form sent into an authenticated caller, or refuses."""

    name: str

    def sign_in(self, ctx: Context, form: Mapping[str, str]) -> Principal: ...


class TokenLogin:
    """Sign in with an API token (`so_...`), checked exactly as an `Authorization` header is."""

    name = "token"

    def sign_in(self, ctx: Context, form: Mapping[str, str]) -> Principal:
        token = form.get("token", "").strip()
        if not well_formed(token):
            raise UnauthenticatedError("that is not an API token (so_ followed by 59 characters)")
        return authenticate(ctx, token)


@dataclass(frozen=True)
class Session:
    id_sha256: str
    token_id: str
    csrf: str
    expires: str
    provider: str = "token"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open_session(ctx: Context, who: Principal, provider: str) -> tuple[str, Session]:
    """A new session for `who`; returns the cookie value (shown to the browser only) and row."""
    raw = secrets.token_urlsafe(32)
    t = now()
    row = {
        "id_sha256": _hash(raw),
        "token_id": who.token_id,
        "provider": provider,
        "csrf": secrets.token_urlsafe(32),
        "created": stamp(t),
        "expires": stamp(t + LIFETIME),
    }
    with ctx.db.write() as conn:
        conn.execute(sessions.delete().where(sessions.c.expires < stamp(t)))
        conn.execute(sessions.insert().values(**row))
    return raw, Session(row["id_sha256"], who.token_id, row["csrf"], row["expires"], provider)


def load_session(ctx: Context, raw: str | None) -> Session | None:
    """The live session behind a cookie value, or None (unknown, expired or ended)."""
    if not raw or len(raw) > 100:
        return None
    with ctx.db.read() as conn:
        r = (
            conn.execute(sa.select(sessions).where(sessions.c.id_sha256 == _hash(raw)))
            .mappings()
            .first()
        )
    if r is None or r["revoked"] is not None or parse_stamp(r["expires"]) <= now():
        return None
    if r["provider"] not in ("token", "oidc"):  # e.g. a sign-in still under way: no session
        return None
    return Session(r["id_sha256"], r["token_id"], r["csrf"], r["expires"], r["provider"])


def end_session(ctx: Context, s: Session) -> None:
    with ctx.db.write() as conn:
        conn.execute(
            sessions.update().where(sessions.c.id_sha256 == s.id_sha256).values(revoked=stamp())
        )


def principal(ctx: Context, s: Session) -> Principal:
    """The session's caller, re-checked now (token revoked, expired, owner suspended: 401)."""
    return authenticate_id(ctx, s.token_id)
