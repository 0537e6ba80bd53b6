"""SQL for posted decision records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import decisions

_INSERT = decisions.insert()  # built once: CI posts decisions in bursts


def insert(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(_INSERT, dict(row))


def find(
    conn: Connection, repo: str, head: str | None, before: tuple[str, str] | None, limit: int
) -> Sequence[RowMapping]:
    """Newest first."""
    q = sa.select(decisions).where(decisions.c.repo == repo)
    if head is not None:
        q = q.where(decisions.c.head == head)
    if before is not None:
        q = q.where(sa.tuple_(decisions.c.created, decisions.c.id) < sa.tuple_(*before))
    q = q.order_by(decisions.c.created.desc(), decisions.c.id.desc()).limit(limit + 1)
    return conn.execute(q).mappings().all()
