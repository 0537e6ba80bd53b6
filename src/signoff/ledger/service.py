"""The ledger as callers see it: append under the checkpoint policy, read, prove, export, verify.

The default policy signs a checkpoint every 1,000 events and whenever 5 minutes have passed since
the last one; the checkpoint is written by the append that makes it due, in the same
transaction (`signoff.ledger.store.CheckpointPolicy`). Verification lives in
`signoff.ledger.verify`; proofs read their O(log n) stored hashes in one query.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signoff.errors import StoreError
from signoff.ledger import merkle
from signoff.ledger.bundle import make_bundle
from signoff.ledger.checkpoint import Checkpoint, Signer, Verifier
from signoff.ledger.events import Event, EventDraft, EventType, parse_type
from signoff.ledger.keys import default_key_path, default_url, load_or_create_key
from signoff.ledger.snapshot import SqlSnapshot, StoredCheckpoint
from signoff.ledger.store import Appended, CheckpointPolicy, SqlStore
from signoff.ledger.verify import VerifyResult, verify_snapshot

DEFAULT_CHECKPOINT_EVERY = 1000
DEFAULT_CHECKPOINT_SECONDS = 300.0

__all__ = ["Ledger", "VerifyResult", "append_event"]


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    size: int
    leaf_hash: bytes
    path: tuple[bytes, ...]
    root: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "tree_size": self.size,
            "leaf_hash": self.leaf_hash.hex(),
            "inclusion_path": [base64.b64encode(h).decode() for h in self.path],
            "root": base64.b64encode(self.root).decode(),
        }


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    path: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        b64 = base64.b64encode
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": b64(self.old_root).decode(),
            "new_root": b64(self.new_root).decode(),
            "consistency_path": [b64(h).decode() for h in self.path],
        }


class Ledger:
    """One ledger: a store, a signing key file and the checkpoint policy.

    ``create=False`` opens only a ledger that exists (a SQLite file that is not there is an
    error, never an empty log created by a read)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        key_path: str | Path | None = None,
        origin: str | None = None,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS,
        create: bool = True,
    ) -> None:
        self.url = url or default_url()
        self.key_path = Path(key_path) if key_path else default_key_path(self.url)
        self.store = SqlStore(self.url, origin, create=create)
        self.origin = self.store.origin
        self.checkpoint_every = checkpoint_every
        self.checkpoint_seconds = checkpoint_seconds
        self._signer: Signer | None = None
        self._policy = CheckpointPolicy(checkpoint_every, checkpoint_seconds, self._sign)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keys -------------------------------------------------------------------------------

    @property
    def signer(self) -> Signer:
        """The log's signing key, created on first use."""
        if self._signer is None:
            self._signer = Signer(self.origin, load_or_create_key(self.key_path))
        return self._signer

    def verifier(self) -> Verifier:
        """The public key from the key file, which must already exist."""
        return Signer(self.origin, load_or_create_key(self.key_path, create=False)).verifier

    def _sign(self, cp: Checkpoint) -> str:
        return cp.sign(self.signer)

    # -- writing ----------------------------------------------------------------------------

    def append(self, draft: EventDraft) -> Appended:
        return self.append_many([draft])[0]

    def append_many(self, drafts: Sequence[EventDraft]) -> Sequence[Appended]:
        """Append atomically and durably, with the checkpoint the policy makes due (if any)."""
        return self.store.append(drafts, self._policy)

    def checkpoint(self) -> StoredCheckpoint:
        """Sign the current tree head now (reusing the latest if nothing was appended since)."""
        return self.store.add_checkpoint(self._sign)

    # -- reading ----------------------------------------------------------------------------

    def size(self) -> int:
        with self.store.snapshot() as snap:
            return snap.size()

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self.store.snapshot() as snap:
            return snap.latest_checkpoint()

    def events(self, seqs: Sequence[int]) -> list[Event]:
        with self.store.snapshot() as snap:
            found = snap.leaves(seqs)
        missing = [s for s in seqs if s not in found]
        if missing:
            raise StoreError(f"no event with seq {missing[0]}")
        return [Event.from_bytes(found[s]) for s in seqs]

    def recent(self, limit: int = 20, type_: EventType | None = None) -> list[Event]:
        with self.store.snapshot() as snap:
            return snap.recent(limit, type_)

    def find(self, subject: str) -> list[int]:
        """Seqs of events with ``subject`` as a subject value (or ``key=value``): a full scan."""
        key, _, value = subject.rpartition("=") if "=" in subject else ("", "", subject)
        needle = value.encode()
        out: list[int] = []
        with self.store.snapshot() as snap, closing(snap.scan(0, snap.size())) as batches:
            for batch in batches:
                for seq, leaf, _, _ in batch:
                    if needle in leaf:
                        subjects = Event.from_bytes(leaf).subjects
                        if (subjects.get(key) == value) if key else value in subjects.values():
                            out.append(seq)
        return out

    def prove_inclusion(self, seq: int, size: int | None = None) -> InclusionProof:
        with self.store.snapshot() as snap:
            current = snap.size()
            size = current if size is None else size
            if not 0 <= seq < size <= current:
                raise StoreError(f"seq {seq} is not in a tree of size {size} (log size {current})")
            read = _prefetch(
                snap, merkle.inclusion_coords(seq, size), [(0, seq)], merkle.root_coords(size)
            )
        path = merkle.inclusion_proof(seq, size, read)
        return InclusionProof(seq, size, read([(0, seq)])[(0, seq)], tuple(path),
                              merkle.root_at(size, read))  # fmt: skip

    def prove_consistency(self, old: int, new: int | None = None) -> ConsistencyProof:
        with self.store.snapshot() as snap:
            current = snap.size()
            new = current if new is None else new
            if not 0 <= old <= new <= current:
                raise StoreError(
                    f"cannot prove size {old} consistent with {new} (log size {current})"
                )
            read = _prefetch(snap, merkle.consistency_coords(old, new),
                             merkle.root_coords(old), merkle.root_coords(new))  # fmt: skip
        path = merkle.consistency_proof(old, new, read)
        old_root, new_root = merkle.root_at(old, read), merkle.root_at(new, read)
        return ConsistencyProof(old, new, old_root, new_root, tuple(path))

    def export(self, seqs: Sequence[int]) -> dict[str, Any]:
        """An evidence bundle for ``seqs``, proven against a checkpoint that covers them all.

        Uses the latest stored checkpoint if it covers them, else signs a new one.
        """
        if not seqs:
            raise StoreError("choose at least one event to export")
        seqs = sorted(set(seqs))
        last = self.latest_checkpoint()
        cp = last if last is not None and last.size > seqs[-1] else self.checkpoint()
        if cp.size <= seqs[-1]:
            raise StoreError(f"no event with seq {seqs[-1]} (log size {cp.size})")
        events = self.events(seqs)
        with self.store.snapshot() as snap:
            coords = [c for s in seqs for c in merkle.inclusion_coords(s, cp.size)]
            read = _prefetch(snap, coords)
        proofs = [merkle.inclusion_proof(s, cp.size, read) for s in seqs]
        return make_bundle(cp.note, list(zip(events, proofs, strict=True)))

    # -- verification -----------------------------------------------------------------------

    def verify(
        self, *, trusted_note: str | None = None, verifier: Verifier | None = None
    ) -> VerifyResult:
        """Recompute the whole tree and check it against every stored and trusted checkpoint."""
        verifier = verifier or self.verifier()
        with self.store.snapshot() as snap:
            return verify_snapshot(snap, self.origin, verifier, trusted_note)


def _prefetch(snap: SqlSnapshot, *coords: Sequence[merkle.Coord]) -> merkle.HashReader:
    """Read every stored hash a proof needs in one query; the proof then reads from memory."""
    got = snap.read_hashes(sorted({c for part in coords for c in part}))

    def read(wanted: Sequence[merkle.Coord]) -> Mapping[merkle.Coord, bytes]:
        return {c: got[c] for c in wanted if c in got}

    return read


def append_event(
    url: str | None,
    event_type: EventType | str,
    actor: str,
    subjects: Mapping[str, str],
    payload: Mapping[str, Any],
    witnessed_fields: Sequence[str] = (),
    *,
    key_path: str | Path | None = None,
) -> tuple[int, bytes]:
    """Append one event durably and return ``(seq, leaf_hash)``: the call the gate makes.

    Raises ``signoff.errors.Error`` subclasses (EventError, StoreError) for bad input or an
    unreachable database.
    """
    draft = EventDraft(parse_type(event_type), actor, subjects, payload, tuple(witnessed_fields))
    with Ledger(url, key_path=key_path) as ledger:
        done = ledger.append(draft)
    return done.seq, done.leaf_hash
