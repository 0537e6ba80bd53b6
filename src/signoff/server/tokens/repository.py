"""SQL for API tokens. Tokens are found by the SHA-256 of the secret, never by the secret."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import api_tokens, humans

_LOOKUP = sa.select(api_tokens, humans.c.email, humans.c.status.label("human_status")).select_from(
    api_tokens.outerjoin(humans, humans.c.id == api_tokens.c.human_id)
)


def by_sha256(conn: Connection, digest: str) -> RowMapping | None:
    return conn.execute(_LOOKUP.where(api_tokens.c.sha256 == digest)).mappings().first()


def by_id(conn: Connection, token_id: str) -> RowMapping | None:
    """The token row with its owner, for a browser session that holds the token id only."""
    return conn.execute(_LOOKUP.where(api_tokens.c.id == token_id)).mappings().first()


def get(conn: Connection, token_id: str) -> RowMapping | None:
    return conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).mappings().first()


def insert(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(api_tokens.insert().values(**row))


def revoke(conn: Connection, token_id: str, when: str) -> bool:
    res = conn.execute(
        api_tokens.update()
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(None))
        .values(revoked=when)
    )
    return res.rowcount == 1


def list_tokens(conn: Connection, after: str | None, limit: int) -> Sequence[RowMapping]:
    q = sa.select(api_tokens).order_by(api_tokens.c.id).limit(limit + 1)
    if after is not None:
        q = q.where(api_tokens.c.id > after)
    return conn.execute(q).mappings().all()


def admin_exists(conn: Connection) -> bool:
    q = sa.select(sa.func.count()).where(
        api_tokens.c.roles.like("%admin%"), api_tokens.c.revoked.is_(None)
    )
    return bool(conn.execute(q).scalar())
