"""SQL for policy and registry versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import policy_versions as pv


def latest(conn: Connection, repo: str, kind: str) -> RowMapping | None:
    q = (
        sa.select(pv)
        .where(pv.c.repo == repo, pv.c.kind == kind)
        .order_by(pv.c.version.desc())
        .limit(1)
    )
    return conn.execute(q).mappings().first()


def insert(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(pv.insert().values(**row))


def versions(
    conn: Connection, repo: str, kind: str, before: int | None, limit: int
) -> Sequence[RowMapping]:
    q = (
        sa.select(pv)
        .where(pv.c.repo == repo, pv.c.kind == kind)
        .order_by(pv.c.version.desc())
        .limit(limit + 1)
    )
    if before is not None:
        q = q.where(pv.c.version < before)
    return conn.execute(q).mappings().all()
