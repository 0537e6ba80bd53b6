"""Suspending an identity ends the task tokens it stands behind, for good.

Introspection already refuses a suspended agent's tokens and those of a suspended requester's
tasks; but reactivating the identity would bring those tokens back. So suspension revokes them
(`token.revoked`, selector `agent` or `requester`, with the reason): after a reactivation the
agent needs new tokens, exchanged under the checks of that moment.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from signoff.ledger.events import EventType
from signoff.server.broker import repository as repo
from signoff.server.common import stamp
from signoff.server.context import Context


def end_tokens(
    ctx: Context, conn: Connection, actor: str, *, agent: str | None = None,
    requester: str | None = None,
) -> int:  # fmt: skip
    """Revoke the live task tokens of `agent`, or of the tasks `requester` asked for; record
    `token.revoked` when there were any. Returns how many."""
    rows = repo.revoke_tokens(conn, stamp(), actor, agent=agent, requester=requester)
    if not rows:
        return 0
    selector = "agent" if agent is not None else "requester"
    subjects = {"agent": agent} if agent is not None else {"human": str(requester)}
    ctx.recorder.record(
        EventType.TOKEN_REVOKED,
        actor,
        subjects,
        {
            "selector": selector,
            "revoked_jti": [r["jti"] for r in rows][:500],
            "count": len(rows),
            "reason": f"{selector} suspended",
            "task_state": None,
        },
    )
    return len(rows)
