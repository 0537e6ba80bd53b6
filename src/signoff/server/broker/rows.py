"""Server rows → the broker core's plain values (so the rules never see a database row)."""

from __future__ import annotations

from sqlalchemy.engine import RowMapping

from signoff.broker.scope import AgentScope, TaskRequest
from signoff.server import jsoncol
from signoff.server.identity.service import usable


def agent_scope(row: RowMapping) -> AgentScope:
    ok, lc = usable(row)
    s = jsoncol.loads(row["scope"])
    return AgentScope(
        id=row["id"],
        usable=ok,
        lifecycle=lc.value,
        repos=tuple(s.get("repos") or ()),
        branches=tuple(s.get("branches") or ()),
        paths=tuple(s.get("paths") or ()),
        actions=tuple(s.get("actions") or ()),
        max_ttl=int(row["max_token_ttl"]),
    )


def task_request(row: RowMapping) -> TaskRequest:
    return TaskRequest(
        id=row["id"],
        agent=row["agent"],
        repo=row["repo"],
        branch_prefix=row["branch_prefix"],
        allowed_paths=tuple(jsoncol.loads(row["allowed_paths"])),
        denied_paths=tuple(jsoncol.loads(row["denied_paths"])),
        actions=tuple(jsoncol.loads(row["actions"])),
    )


def signing_keys(row: RowMapping) -> list[str]:
    return list(jsoncol.loads(row["matchers"]).get("signing_keys") or [])
