"""Run every rule over one snapshot, and fold the result into what was already known.

Dedup: an alert keeps its `first_seen` and its acknowledgement for as long as its rule keeps
raising it for the same subject; an alert that stops being raised is *resolved* and dropped, so
if the problem comes back it is new again (and delivered again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from signoff.monitor.alerts import Alert, ordered, stamp
from signoff.monitor.model import Snapshot
from signoff.monitor.rules import REGISTRY, Rule


def evaluate(snap: Snapshot, rules: Sequence[Rule] = REGISTRY) -> list[Alert]:
    """Every alert the rules raise on `snap`, first and last seen now, most severe first."""
    now = stamp(snap.now)
    found: dict[str, Alert] = {}
    for r in rules:
        for a in r.check(snap, r):
            found.setdefault(a.id, a.seen(now, now))
    return ordered(list(found.values()))


@dataclass(frozen=True)
class Merged:
    alerts: list[Alert]  # current alerts, with history carried over
    new: list[Alert]  # not known before this run (to deliver)
    resolved: list[Alert]  # known before, not raised any more


def merge(known: Mapping[str, Alert], current: Sequence[Alert]) -> Merged:
    alerts, new = [], []
    for a in current:
        old = known.get(a.id)
        if old is None:
            new.append(a)
            alerts.append(a)
        else:
            alerts.append(
                replace(
                    a,
                    first_seen=old.first_seen or a.first_seen,
                    acked_by=old.acked_by,
                    acked_at=old.acked_at,
                    ack_comment=old.ack_comment,
                )
            )
    ids = {a.id for a in current}
    resolved = [a for i, a in known.items() if i not in ids]
    return Merged(ordered(alerts), ordered(new), ordered(resolved))
