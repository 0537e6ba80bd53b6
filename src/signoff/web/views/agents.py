"""The agent inventory and one agent's history (its ledger events)."""

from __future__ import annotations

from dataclasses import dataclass

from signoff.ledger.events import Event
from signoff.server.auth import Principal
from signoff.server.context import Context
from signoff.server.identity import service as identity
from signoff.server.identity.schemas import AgentOut

RECENT = 2000  # events scanned for "last activity": the tail of the log, not all of it


@dataclass(frozen=True)
class AgentRow:
    agent: AgentOut
    last_activity: str | None


def inventory(ctx: Context, who: Principal) -> list[AgentRow]:
    agents = identity.list_agents(ctx, who, 200, None).items
    last: dict[str, str] = {}
    for e in ctx.recorder.ledger.recent(RECENT):
        a = e.subjects.get("agent")
        if a is not None:
            last[a] = e.time
    return [AgentRow(a, last.get(a.id)) for a in agents]


def history(ctx: Context, who: Principal, agent_id: str) -> tuple[AgentOut, list[Event]]:
    agent = identity.get_agent(ctx, who, agent_id)
    ledger = ctx.recorder.ledger
    seqs = ledger.find(f"agent={agent_id}")[-200:]  # a full scan, like `signoff ledger find`
    return agent, list(reversed(ledger.events(seqs)))
