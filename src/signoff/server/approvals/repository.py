"""SQL for approvals: one row per act, one index row per class digest it binds to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import approval_digests as ad
from signoff.server.tables import approvals, repos


def insert(conn: Connection, row: Mapping[str, Any], digests: Mapping[str, str]) -> None:
    conn.execute(approvals.insert().values(**row))
    conn.execute(
        ad.insert(),
        [
            {
                "approval_id": row["id"],
                "file_class": cls,
                "repo": row["repo"],
                "digest": d,
                "approver": row["approver"],
                "decision": row["decision"],
                "time": row["time"],
            }
            for cls, d in sorted(digests.items())
        ],
    )


def set_seq(conn: Connection, approval_id: str, seq: int) -> None:
    conn.execute(approvals.update().where(approvals.c.id == approval_id).values(ledger_seq=seq))


def get(conn: Connection, approval_id: str) -> RowMapping | None:
    q = sa.select(approvals).where(approvals.c.id == approval_id)
    return conn.execute(q).mappings().first()


def _matching(digests: bool, after: bool) -> sa.Select[Any]:
    """Approvals in repo `:repo` (bound to one of `:digests`), after `(:t, :i)`, at most
    `:n` rows."""
    q = sa.select(approvals).where(approvals.c.repo == sa.bindparam("repo"))
    if digests:
        bound = ad.c.digest.in_(sa.bindparam("digests", expanding=True))
        ids = sa.select(ad.c.approval_id).where(ad.c.repo == sa.bindparam("repo"), bound)
        q = q.where(approvals.c.id.in_(ids))
    if after:
        later = sa.tuple_(approvals.c.time, approvals.c.id) > sa.tuple_(
            sa.bindparam("t"), sa.bindparam("i")
        )
        q = q.where(later)
    return q.order_by(approvals.c.time, approvals.c.id).limit(sa.bindparam("n"))


def _in_repo(digests: bool, after: bool) -> sa.Select[Any]:
    """`_matching` beside the registered repository `:repo`: no row when it is not one."""
    found = _matching(digests, after).subquery()
    return (
        sa.select(repos.c.name.label("registered"), found)
        .select_from(repos.outerjoin(found, sa.true()))
        .where(repos.c.name == sa.bindparam("repo"))
        .order_by(found.c.time, found.c.id)
    )


# Built once per shape (with or without digests, with or without a cursor): building the
# statement cost more than running it, and `signoff check --server` reads this on every run.
_FIND = {(d, a): _matching(d, a) for d in (False, True) for a in (False, True)}
_FIND_IN_REPO = {(d, a): _in_repo(d, a) for d in (False, True) for a in (False, True)}


def _params(
    repo: str, digests: Sequence[str], after: tuple[str, str] | None, limit: int
) -> dict[str, Any]:
    params: dict[str, Any] = {"repo": repo, "n": limit + 1}
    if digests:
        params["digests"] = list(digests)
    if after is not None:
        params["t"], params["i"] = after
    return params


def find(
    conn: Connection,
    repo: str,
    digests: Sequence[str],
    after: tuple[str, str] | None,
    limit: int,
) -> Sequence[RowMapping]:
    """Approvals in `repo` bound to any of `digests` (all when empty), oldest first."""
    q = _FIND[bool(digests), after is not None]
    return conn.execute(q, _params(repo, digests, after, limit)).mappings().all()


def find_in_repo(
    conn: Connection,
    repo: str,
    digests: Sequence[str],
    after: tuple[str, str] | None,
    limit: int,
) -> Sequence[RowMapping] | None:
    """`find`, and whether `repo` is registered, in one query: None when it is not (the
    repository check folded into the read `signoff check --server` makes on every run)."""
    q = _FIND_IN_REPO[bool(digests), after is not None]
    rows = conn.execute(q, _params(repo, digests, after, limit)).mappings().all()
    if not rows:
        return None
    return [r for r in rows if r["id"] is not None]


def for_heads(conn: Connection, repo: str, heads: Sequence[str]) -> Sequence[RowMapping]:
    """API approvals in `repo` given for one of `heads` (to report them stale when the content
    they were bound to is not what ships), oldest first."""
    if not heads:
        return []
    q = sa.select(approvals).where(approvals.c.repo == repo, approvals.c.head.in_(heads))
    return conn.execute(q.order_by(approvals.c.time, approvals.c.id)).mappings().all()
