"""Read-only views of a task's credentials and witnessed pushes (for people, e.g. the console).

Token rows carry digests, times and who revoked them, never the token itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from signoff.server.auth import Perm, Principal
from signoff.server.broker import repository as repo
from signoff.server.context import Context


@dataclass(frozen=True)
class TaskToken:
    jti: str
    sha256: str
    proof: str
    issued: str
    expires: str
    revoked: str | None
    revoked_by: str | None
    last_used: str | None


@dataclass(frozen=True)
class TaskPush:
    commit: str
    ref: str
    time: str
    ledger_seq: int | None


def task_tokens(ctx: Context, who: Principal, task_id: str) -> list[TaskToken]:
    """Every token the broker issued for `task_id`, newest first (readers of tasks)."""
    who.require(Perm.READ_TASKS)
    with ctx.db.read() as conn:
        rows = repo.tokens_of_task(conn, task_id)
    return [
        TaskToken(r["jti"], f"sha256:{r['sha256']}", r["proof"], r["issued"], r["expires"],
                  r["revoked"], r["revoked_by"], r["last_used"])
        for r in rows
    ]  # fmt: skip


def task_pushes(ctx: Context, who: Principal, task_id: str) -> list[TaskPush]:
    """Commits pushed through the hook with one of the task's tokens, newest first."""
    who.require(Perm.READ_TASKS)
    with ctx.db.read() as conn:
        rows = repo.pushes_of_task(conn, task_id, 200)
    return [TaskPush(r["commit_sha"], r["ref"], r["time"], r["ledger_seq"]) for r in rows]
