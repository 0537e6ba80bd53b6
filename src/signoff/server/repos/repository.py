"""SQL for registered repositories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import repos


def get(conn: Connection, name: str, *, lock: bool = False) -> RowMapping | None:
    q = sa.select(repos).where(repos.c.name == name)
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    return conn.execute(q).mappings().first()


def insert(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(repos.insert().values(**row))


def list_repos(conn: Connection, after: str | None, limit: int) -> Sequence[RowMapping]:
    q = sa.select(repos).order_by(repos.c.name).limit(limit + 1)
    if after is not None:
        q = q.where(repos.c.name > after)
    return conn.execute(q).mappings().all()
