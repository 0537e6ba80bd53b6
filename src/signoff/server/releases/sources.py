"""What the release core reads on the control plane: the ledger, approvals, the agent registry.

`ServerLog` is the core's `EventLog` over the server's own ledger: reads go to the ledger, and
every append goes through the server's `Recorder`, with the authenticated caller as the actor
marked *witnessed*. `ServerApprovals` is the gate's second approval source (approvals given
through the API, read from the database; signed records on the repository's approvals ref are
read by the core itself). `agent_registry` is every agent the server knows of: the registered
agents, the repository's imported registry version and its `.signoff/agents.yml` at HEAD.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from signoff.errors import ConfigError, GitError
from signoff.identity.agents import Agent, Registry, parse_registry
from signoff.ledger.events import Event, EventDraft
from signoff.protected import REGISTRY_PATH
from signoff.server.context import Context
from signoff.server.evaluations.sources import DbApprovals as ServerApprovals
from signoff.server.ledgering import Recorder

__all__ = ["ServerApprovals", "ServerLog", "agent_registry"]


class ServerLog:
    """An `EventLog` (signoff.release.events) over the server's ledger.

    `witnessed` names more fields the server itself verified (the builder or signer it
    authenticated) and `payload` adds what it knows of them (how the identity was proven)."""

    def __init__(
        self,
        recorder: Recorder,
        *,
        witnessed: tuple[str, ...] = (),
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        self._recorder = recorder
        self._witnessed = witnessed
        self._payload = dict(payload or {})
        self._ledger = recorder.ledger
        self.origin = self._ledger.origin
        self.verifies_actors = True  # every append records the authenticated caller
        self._cache: list[Event] | None = None

    def by_subject(self, key: str, value: str) -> list[Event]:
        seqs = self._ledger.find(f"{key}={value}")
        return self._ledger.events(seqs) if seqs else []

    def all(self) -> list[Event]:
        if self._cache is None:
            size = self._ledger.size()
            events = self._ledger.recent(size) if size else []
            self._cache = sorted(events, key=lambda e: e.seq)
        return self._cache

    def append(self, draft: EventDraft) -> tuple[int, str]:
        witnessed = tuple(dict.fromkeys(("actor", *draft.witnessed, *self._witnessed)))
        payload = {**draft.payload, **self._payload}
        done = self._recorder.append(
            EventDraft(draft.type, draft.actor, draft.subjects, payload, witnessed)
        )
        self._cache = None
        return done


def agent_registry(ctx: Context, repo: str | None, path: str | None = None) -> Registry:
    """Every agent the server knows of (for refusing agent identities; never to trust one)."""
    from signoff.server.identity import repository as identity
    from signoff.server.identity.service import to_agent
    from signoff.server.policies import repository as policies

    agents: list[Agent] = []
    with ctx.db.read() as conn:
        agents += [to_agent(r) for r in identity.list_agents(conn, None, 100_000)]
        latest = policies.latest(conn, repo, "registry") if repo else None
    texts = [latest["text"].encode()] if latest is not None else []
    if path is not None:
        texts += _registry_at_head(path)
    for text in texts:
        try:
            agents += parse_registry(text, f"{repo}:{REGISTRY_PATH}").agents
        except ConfigError:
            continue  # a broken registry names no one; the release gate reports it
    return Registry(tuple(agents), "", "signoff-server")


def _registry_at_head(path: str) -> list[bytes]:
    from signoff.gitio import history
    from signoff.gitio.runner import Git

    try:
        spec = f"HEAD:{REGISTRY_PATH}"
        raw = history.read_objects(Git(path), [spec]).get(spec)
    except GitError:
        return []
    return [raw] if raw is not None else []
