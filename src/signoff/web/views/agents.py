"""The agent inventory and one agent's history (its ledger events)."""

from __future__ import annotations

from dataclasses import dataclass

from signoff.identity.agents import Agent
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


@dataclass(frozen=True)
class RepoAgent:
    """An agent a repository's `.signoff/agents.yml` registers that this server does not."""

    repo: str
    agent: Agent


def in_repositories(ctx: Context, who: Principal, known: set[str]) -> list[RepoAgent]:
    """Agents in each registered repository's registry at its HEAD (what the gate reads from
    the base ref of a change) that the server's own registry lacks. A registry that cannot be
    read is skipped here: the gate reports it when it runs."""
    from signoff.errors import Error
    from signoff.gate.inputs import read_inputs
    from signoff.gitio.runner import Git
    from signoff.server.repos import service as repos

    out: list[RepoAgent] = []
    for r in repos.list_repos(ctx, who, 200, None).items:
        try:
            registry = read_inputs(Git(repos.load(ctx, r.name)["path"]), "HEAD").registry
        except (Error, OSError, KeyError):
            continue
        out.extend(RepoAgent(r.name, a) for a in registry.agents if a.id not in known)
    return out


def history(ctx: Context, who: Principal, agent_id: str) -> tuple[AgentOut, list[Event]]:
    agent = identity.get_agent(ctx, who, agent_id)
    ledger = ctx.recorder.ledger
    seqs = ledger.find(f"agent={agent_id}")[-200:]  # a full scan, like `signoff ledger find`
    return agent, list(reversed(ledger.events(seqs)))
