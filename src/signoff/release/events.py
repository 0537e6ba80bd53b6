"""The narrow view of the ledger the release gate, artifact events and trace need.

The core takes an `EventLog`, never a database: `LedgerLog` adapts a local ledger (`--ledger URL`,
SQLite or PostgreSQL), and the control plane can hand in its own implementation behind
`--server URL` without touching the core. The ledger package is imported only when a
`LedgerLog` is opened, so nothing here loads a database driver at import time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from signoff.ledger.events import Event, EventDraft, EventType

if TYPE_CHECKING:
    from signoff.ledger.service import Ledger


class EventLog(Protocol):
    """Read events by subject or in full, and append one; `origin` names the log.

    `verifies_actors` is True only for the control plane's own log, whose appends record the
    authenticated caller; a ledger file records whatever its writer says."""

    origin: str
    verifies_actors: bool

    def by_subject(self, key: str, value: str) -> list[Event]: ...

    def all(self) -> list[Event]: ...

    def append(self, draft: EventDraft) -> tuple[int, str]: ...


def event_digest(ev: Event) -> str:
    """SHA-256 (hex) of the event's canonical leaf bytes: how attestations cite an event."""
    return hashlib.sha256(ev.canonical()).hexdigest()


def of_type(events: Sequence[Event], *types: EventType) -> list[Event]:
    return [e for e in events if e.type in types]


class LedgerLog:
    """An `EventLog` over a local ledger (the `Ledger` read API: `find`, `events`, `recent`)."""

    def __init__(
        self, url: str, key_path: str | Path | None = None, *, create: bool = True
    ) -> None:
        from signoff.ledger.service import Ledger

        self._ledger: Ledger = Ledger(url, key_path=key_path, create=create)
        self.origin = self._ledger.origin
        self.verifies_actors = False
        self._cache: list[Event] | None = None

    def close(self) -> None:
        self._ledger.close()

    def __enter__(self) -> LedgerLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def by_subject(self, key: str, value: str) -> list[Event]:
        seqs = self._ledger.find(f"{key}={value}")
        return self._ledger.events(seqs) if seqs else []

    def all(self) -> list[Event]:
        """Every event, oldest first (a full read; trace and revocation need the whole graph)."""
        if self._cache is None:
            size = self._ledger.size()
            events = self._ledger.recent(size) if size else []
            self._cache = sorted(events, key=lambda e: e.seq)
        return self._cache

    def append(self, draft: EventDraft) -> tuple[int, str]:
        done = self._ledger.append(draft)
        self._cache = None
        return done.seq, done.leaf_hash.hex()
