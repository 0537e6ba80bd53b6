"""SQL for stored release reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.releases.tables import reports


def insert(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(reports.insert().values(**row))


def get(conn: Connection, release_id: str, *, lock: bool = False) -> RowMapping | None:
    q = sa.select(reports).where(reports.c.id == release_id)
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    return conn.execute(q).mappings().first()


def set_promotions(conn: Connection, release_id: str, version: int, promotions: str) -> bool:
    """Compare-and-set on `version`; False when someone else changed the row first."""
    res = conn.execute(
        reports.update()
        .where(reports.c.id == release_id, reports.c.version == version)
        .values(promotions=promotions, version=version + 1)
    )
    return res.rowcount == 1


def find(
    conn: Connection,
    repo: str,
    tag: str | None,
    before: tuple[str, str] | None,
    limit: int,
) -> Sequence[RowMapping]:
    """Newest first."""
    q = sa.select(reports).where(reports.c.repo == repo)
    if tag is not None:
        q = q.where(reports.c.tag == tag)
    if before is not None:
        q = q.where(sa.tuple_(reports.c.created, reports.c.id) < sa.tuple_(*before))
    q = q.order_by(reports.c.created.desc(), reports.c.id.desc()).limit(limit + 1)
    return conn.execute(q).mappings().all()
