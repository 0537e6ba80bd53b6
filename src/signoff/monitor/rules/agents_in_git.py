"""An AI agent the catalogue recognises, but the registry does not, on a protected branch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from signoff.monitor.alerts import Alert, Severity
from signoff.monitor.model import Snapshot
from signoff.monitor.rules.base import Rule, rule


@rule(
    "git.unregistered-agent",
    Severity.HIGH,
    "Commits on a protected branch come from an AI agent that is not in the registry.",
)
def unregistered_agent(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    seen: dict[str, list[str]] = defaultdict(list)
    branches: dict[str, set[str]] = defaultdict(set)
    for c in snap.commits:
        for a in c.actors:
            if not a.registered:
                seen[a.id].append(c.sha)
                branches[a.id].add(c.branch)
    for actor, shas in sorted(seen.items()):
        name = actor.removeprefix("unregistered:")
        yield r.alert(
            f"actor:{actor}",
            f"{len(shas)} commit(s) by unregistered agent {name} on "
            f"{', '.join(sorted(branches[actor]))}",
            f"register {name} in .signoff/agents.yml with an owner and review date, or find out "
            "how its commits reached a protected branch",
            commits=shas,
        )


RULES = (unregistered_agent,)
