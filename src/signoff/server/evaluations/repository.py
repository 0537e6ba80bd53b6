"""SQL for the decisions the server computed (`server_evaluations`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import evaluations as ev


def insert(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(ev.insert().values(**row))


def get(conn: Connection, evaluation_id: str) -> RowMapping | None:
    return conn.execute(sa.select(ev).where(ev.c.id == evaluation_id)).mappings().first()


def latest(conn: Connection, repo: str, base: str, head: str, target: str) -> RowMapping | None:
    """The newest evaluation of exactly this range and target branch."""
    q = (
        sa.select(ev)
        .where(ev.c.repo == repo, ev.c.base == base, ev.c.head == head)
        .where(ev.c.target_branch == target)
        .order_by(ev.c.created.desc(), ev.c.id.desc())
        .limit(1)
    )
    return conn.execute(q).mappings().first()


def find(
    conn: Connection,
    repo: str,
    head: str | None,
    before: tuple[str, str] | None,
    limit: int,
) -> Sequence[RowMapping]:
    """Newest first."""
    q = sa.select(ev).where(ev.c.repo == repo)
    if head is not None:
        q = q.where(ev.c.head == head)
    if before is not None:
        q = q.where(sa.tuple_(ev.c.created, ev.c.id) < sa.tuple_(*before))
    q = q.order_by(ev.c.created.desc(), ev.c.id.desc()).limit(limit + 1)
    return conn.execute(q).mappings().all()
