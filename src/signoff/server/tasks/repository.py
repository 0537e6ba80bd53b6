"""SQL for tasks: insert, read, and compare-and-set state changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import tasks

# Built once: every token exchange reads its task twice.
_BY_ID = sa.select(tasks).where(tasks.c.id == sa.bindparam("id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()


def get(conn: Connection, task_id: str, *, lock: bool = False) -> RowMapping | None:
    q = _BY_ID_LOCKED if lock and conn.dialect.name == "postgresql" else _BY_ID
    return conn.execute(q, {"id": task_id}).mappings().first()


def insert(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(tasks.insert().values(**row))


def set_state(conn: Connection, task_id: str, version: int, state: str, updated: str) -> bool:
    """Compare-and-set: only the writer that read `version` of an open task moves it."""
    res = conn.execute(
        tasks.update()
        .where(tasks.c.id == task_id, tasks.c.version == version, tasks.c.state == "open")
        .values(state=state, updated=updated, version=version + 1)
    )
    return res.rowcount == 1


def set_seq(conn: Connection, task_id: str, seq: int) -> None:
    conn.execute(tasks.update().where(tasks.c.id == task_id).values(ledger_seq=seq))


def purge_intents(conn: Connection, now: str) -> None:
    """Drop intent text whose retention ran out (the digest stays)."""
    conn.execute(
        tasks.update()
        .where(tasks.c.intent_text_until.is_not(None), tasks.c.intent_text_until < now)
        .values(intent_text=None, intent_text_until=None)
    )


def list_tasks(
    conn: Connection,
    after: str | None,
    limit: int,
    *,
    agent: str | None = None,
    repo: str | None = None,
    state: str | None = None,
) -> Sequence[RowMapping]:
    q = sa.select(tasks).order_by(tasks.c.id).limit(limit + 1)
    if after is not None:
        q = q.where(tasks.c.id > after)
    if agent is not None:
        q = q.where(tasks.c.agent == agent)
    if repo is not None:
        q = q.where(tasks.c.repo == repo)
    if state is not None:
        q = q.where(tasks.c.state == state)
    return conn.execute(q).mappings().all()


def requested_by(
    conn: Connection, repo: str, requester: str, agents: Sequence[str]
) -> Sequence[RowMapping]:
    """Tasks `requester` asked for in `repo` for any of `agents` (whatever their state)."""
    if not agents:
        return []
    q = sa.select(tasks).where(
        tasks.c.repo == repo, tasks.c.requester == requester, tasks.c.agent.in_(list(agents))
    )
    return conn.execute(q.order_by(tasks.c.id)).mappings().all()
