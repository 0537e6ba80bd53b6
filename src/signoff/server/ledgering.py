"""How a state change and its ledger event are written together.

The ledger (its own tables, its own transactions, possibly its own SQLite file) cannot join the
server's transaction. So every write runs as: open the server transaction, lock/check/write the
state, append the ledger event (which commits durably), then commit the server transaction. If
the append fails, the state change rolls back: there is never a write without its event. The
one window left, a server commit failing after the event was appended, leaves an event with no
state; the event names the id it was for, so an audit can see it was never applied. The log
over-reports, it never under-reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger


class Recorder:
    """The ledger as the services see it: append one event, get its seq."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def record(
        self,
        type_: EventType,
        actor: str,
        subjects: Mapping[str, str],
        payload: Mapping[str, Any],
        witnessed: Sequence[str] = ("actor",),
    ) -> int:
        draft = EventDraft(type_, actor, dict(subjects), dict(payload), tuple(witnessed))
        return self.ledger.append(draft).seq

    def append(self, draft: EventDraft) -> tuple[int, str]:
        """Append a prepared draft (the release core builds its own): (seq, leaf hash hex)."""
        done = self.ledger.append(draft)
        return done.seq, done.leaf_hash.hex()

    def size(self) -> int:
        return self.ledger.size()
