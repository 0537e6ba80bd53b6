"""Is this identity an agent? Publishing, tagging, signing and promotion are never agent actions.

An identity string is whatever a builder, signer or tagger calls itself (`alice@example.com`,
`ci:github-actions`, `agent:copilot`). It counts as an agent when any of these says so: the
reserved `agent:` prefix, an id, e-mail, name or login registered to an agent in the registry, or
a match in the built-in catalogue of known AI agents and bots. Each source can only *add* suspicion;
nothing here can make an agent look human.
"""

from __future__ import annotations

from signoff.attribution import catalogue
from signoff.attribution.attribute import AGENT_PRINCIPAL
from signoff.identity.agents import Registry


def agent_reason(identity: str, registry: Registry, *, name: str = "") -> str | None:
    """Why `identity` (an e-mail or id; `name` is a display name when known) is an agent."""
    ident = identity.strip()
    low = ident.lower()
    if not ident:
        return "empty identity"
    if low.startswith(AGENT_PRINCIPAL):
        return f"{ident!r} uses the reserved `{AGENT_PRINCIPAL}` prefix"
    login = low.split("@", 1)[0].split("+", 1)[-1]
    for agent in registry.agents:
        m = agent.match
        if (
            low == agent.id.lower()
            or low in m.emails
            or login in m.logins
            or (name and name in m.names)
            or ident in m.names
        ):
            return f"{ident!r} is registered agent {agent.id}"
    for known in catalogue.match_identity(name or ident, ident):
        return f"{ident!r} matches the catalogue entry {known.name} ({known.kind.value})"
    if "[bot]" in low:
        return f"{ident!r} is a bot account"
    return None
