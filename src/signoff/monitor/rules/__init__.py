"""The explicit, ordered registry of alert rules; a duplicate ident is refused at import.

Adding a rule: write it in the family module, add it to that module's ``RULES``, document its
ident in docs/monitoring.md (a test checks every ident has a section).
"""

from __future__ import annotations

from signoff.monitor.rules import (
    agents_in_git,
    approvals,
    drift,
    identity,
    ledger_integrity,
    releases,
    tokens,
)
from signoff.monitor.rules.base import Rule

__all__ = ["REGISTRY", "Rule", "build_registry"]


def build_registry(*families: tuple[Rule, ...]) -> tuple[Rule, ...]:
    out: list[Rule] = []
    seen: set[str] = set()
    for family in families:
        for r in family:
            if r.ident in seen:
                raise ValueError(f"duplicate alert rule ident {r.ident!r}")
            seen.add(r.ident)
            out.append(r)
    return tuple(out)


REGISTRY: tuple[Rule, ...] = build_registry(
    ledger_integrity.RULES,
    drift.RULES,
    agents_in_git.RULES,
    identity.RULES,
    tokens.RULES,
    approvals.RULES,
    releases.RULES,
)
