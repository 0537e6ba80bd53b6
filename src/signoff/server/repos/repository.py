"""SQL for registered repositories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import repos

# Built once: a statement built per call costs more than running it (hot paths read these).
_BY_NAME = sa.select(repos).where(repos.c.name == sa.bindparam("name"))
_BY_NAME_LOCKED = _BY_NAME.with_for_update()
_INSERT = repos.insert()


def get(conn: Connection, name: str, *, lock: bool = False) -> RowMapping | None:
    q = _BY_NAME_LOCKED if lock and conn.dialect.name == "postgresql" else _BY_NAME
    return conn.execute(q, {"name": name}).mappings().first()


def insert(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(_INSERT, dict(row))


def list_repos(conn: Connection, after: str | None, limit: int) -> Sequence[RowMapping]:
    q = sa.select(repos).order_by(repos.c.name).limit(limit + 1)
    if after is not None:
        q = q.where(repos.c.name > after)
    return conn.execute(q).mappings().all()
