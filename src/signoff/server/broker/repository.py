"""SQL for the broker: parametrised statements on the caller's transaction, no rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.broker.tables import proofs, tokens, trust_policies, witnessed
from signoff.server.tables import agents, humans
from signoff.server.tables import tasks as task_rows

# Built once: the exchange and push paths run these on every request, and building a
# statement costs more than running it.
_INSERT_TOKEN = tokens.insert()
_TOKEN_BY_JTI = sa.select(tokens).where(tokens.c.jti == sa.bindparam("jti"))
_TOUCH = tokens.update().where(tokens.c.jti == sa.bindparam("b_jti"))
_INSERT_PROOF = proofs.insert()
_POLICY = sa.select(trust_policies).where(trust_policies.c.agent == sa.bindparam("agent"))
_WITNESSED_OF = sa.select(witnessed.c.commit_sha, witnessed.c.task).where(
    witnessed.c.commit_sha.in_(sa.bindparam("commits", expanding=True))
)
_INSERT_WITNESSED = witnessed.insert()


def insert_token(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(_INSERT_TOKEN, dict(row))


def token_by_jti(conn: Connection, jti: str) -> RowMapping | None:
    return conn.execute(_TOKEN_BY_JTI, {"jti": jti}).mappings().first()


def token_by_sha(conn: Connection, sha: str) -> RowMapping | None:
    return conn.execute(sa.select(tokens).where(tokens.c.sha256 == sha)).mappings().first()


def touch_token(conn: Connection, jti: str, when: str) -> None:
    conn.execute(_TOUCH, {"b_jti": jti, "last_used": when})


def revoke_tokens(
    conn: Connection,
    when: str,
    by: str,
    *,
    jti: str | None = None,
    task: str | None = None,
    agent: str | None = None,
    requester: str | None = None,
) -> Sequence[RowMapping]:
    """Revoke the live tokens matching one selector; returns the rows it revoked."""
    q = sa.select(tokens.c.jti, tokens.c.sha256, tokens.c.task, tokens.c.agent).where(
        tokens.c.revoked.is_(None)
    )
    if jti is not None:
        q = q.where(tokens.c.jti == jti)
    if task is not None:
        q = q.where(tokens.c.task == task)
    if agent is not None:
        q = q.where(tokens.c.agent == agent)
    if requester is not None:
        asked = sa.select(task_rows.c.id).where(task_rows.c.requester == requester)
        q = q.where(tokens.c.task.in_(asked))
    rows = conn.execute(q).mappings().all()
    if rows:
        conn.execute(
            tokens.update()
            .where(tokens.c.jti.in_([r["jti"] for r in rows]), tokens.c.revoked.is_(None))
            .values(revoked=when, revoked_by=by)
        )
    return rows


# -- single-use proofs ---------------------------------------------------------------------


def proof(conn: Connection, proof_id: str) -> RowMapping | None:
    return conn.execute(sa.select(proofs).where(proofs.c.id == proof_id)).mappings().first()


def insert_proof(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(_INSERT_PROOF, dict(row))


def consume_proof(conn: Connection, row: Mapping[str, Any]) -> bool:
    """Store a proof as used; False when its id was stored before (a replay): the primary key
    decides, with no read first. After False the caller must raise (on PostgreSQL the failed
    insert aborts the transaction until the caller's savepoint is rolled back)."""
    try:
        conn.execute(_INSERT_PROOF, dict(row))
    except sa.exc.IntegrityError:
        return False
    return True


# The task (locked on PostgreSQL), its agent and the state of its requester, in one read: what
# an issuance re-checks in its write transaction.
_ISSUING = (
    sa.select(
        agents,
        task_rows.c.state.label("task_state"),
        humans.c.status.label("requester_status"),
    )
    .select_from(
        task_rows.join(agents, agents.c.id == task_rows.c.agent).join(
            humans, humans.c.id == task_rows.c.requester
        )
    )
    .where(task_rows.c.id == sa.bindparam("task"))
)
_ISSUING_LOCKED = _ISSUING.with_for_update(of=task_rows)


def issuing(conn: Connection, task: str) -> RowMapping | None:
    """The task's agent row, with `task_state` and `requester_status`."""
    q = _ISSUING_LOCKED if conn.dialect.name == "postgresql" else _ISSUING
    return conn.execute(q, {"task": task}).mappings().first()


def use_nonce(conn: Connection, proof_id: str, agent: str, task: str, now: str) -> bool:
    """Mark a handed-out nonce used: only once, only by its agent and task, only before expiry."""
    res = conn.execute(
        proofs.update()
        .where(
            proofs.c.id == proof_id,
            proofs.c.used.is_(None),
            proofs.c.agent == agent,
            proofs.c.task == task,
            proofs.c.expires > now,
        )
        .values(used=now)
    )
    return res.rowcount == 1


def purge_proofs(conn: Connection, now: str) -> None:
    conn.execute(proofs.delete().where(proofs.c.expires < now))


# -- trust policies ------------------------------------------------------------------------


def trust_policy(conn: Connection, agent: str) -> RowMapping | None:
    return conn.execute(_POLICY, {"agent": agent}).mappings().first()


def put_trust_policy(conn: Connection, agent: str, policy: str, when: str, by: str) -> int:
    old = trust_policy(conn, agent)
    if old is None:
        conn.execute(
            trust_policies.insert().values(
                agent=agent, policy=policy, updated=when, updated_by=by, version=1
            )
        )
        return 1
    conn.execute(
        trust_policies.update()
        .where(trust_policies.c.agent == agent, trust_policies.c.version == old["version"])
        .values(policy=policy, updated=when, updated_by=by, version=old["version"] + 1)
    )
    return int(old["version"]) + 1


# -- witnessed commits ---------------------------------------------------------------------


def insert_witnessed(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        commits = [r["commit_sha"] for r in rows]
        existing = {(r[0], r[1]) for r in conn.execute(_WITNESSED_OF, {"commits": commits})}
        fresh = [r for r in rows if (r["commit_sha"], r["task"]) not in existing]
        if fresh:
            conn.execute(_INSERT_WITNESSED, list(fresh))


def witnessed_for(conn: Connection, repo: str, commits: Sequence[str]) -> Sequence[RowMapping]:
    """Witnessed pushes of `commits`, each with the e-mail of the person who requested the task."""
    from signoff.server import tables as st

    q = (
        sa.select(witnessed, st.humans.c.email.label("requester"))
        .select_from(
            witnessed.join(st.tasks, st.tasks.c.id == witnessed.c.task).join(
                st.humans, st.humans.c.id == st.tasks.c.requester
            )
        )
        .where(witnessed.c.repo == repo, witnessed.c.commit_sha.in_(commits))
    )
    return conn.execute(q).mappings().all()


# -- read-only views for people (the console) ----------------------------------------------


def tokens_of_task(conn: Connection, task: str) -> Sequence[RowMapping]:
    q = sa.select(tokens).where(tokens.c.task == task).order_by(tokens.c.issued.desc())
    return conn.execute(q).mappings().all()


def pushes_of_task(conn: Connection, task: str, limit: int) -> Sequence[RowMapping]:
    q = sa.select(witnessed).where(witnessed.c.task == task)
    return conn.execute(q.order_by(witnessed.c.time.desc()).limit(limit)).mappings().all()


def agent_claiming(conn: Connection, name: str) -> str | None:
    """The agent whose id, e-mail or login is `name` (case-insensitive), whatever its state."""
    from signoff.server import jsoncol
    from signoff.server.tables import agents

    low = name.lower()
    for row in conn.execute(sa.select(agents.c.id, agents.c.matchers)).mappings():
        m = jsoncol.loads(row["matchers"])
        names = [row["id"], *m.get("emails", []), *m.get("logins", [])]
        if any(isinstance(n, str) and n.lower() == low for n in names):
            return str(row["id"])
    return None


def human_named(conn: Connection, name: str) -> RowMapping | None:
    """The human whose id or e-mail (case-insensitive) is `name`."""
    from signoff.server.tables import humans

    q = sa.select(humans).where(
        sa.or_(humans.c.id == name, sa.func.lower(humans.c.email) == name.lower())
    )
    return conn.execute(q).mappings().first()
