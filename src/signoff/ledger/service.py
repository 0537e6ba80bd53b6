"""The ledger as callers see it: append, checkpoint policy, proofs and full verification.

Verification trusts nothing in the database: it recomputes every leaf hash from the stored event
bytes, every stored subtree hash, the root at every checkpoint size, and checks each checkpoint's
signature with the public key held outside the database. A checkpoint saved elsewhere
(``trusted``) catches truncation and rollback, which no amount of internal consistency can.
"""

from __future__ import annotations

import base64
import hashlib
import operator
import queue
import threading
import time
from collections.abc import Generator, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, field
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

from signoff.errors import StoreError
from signoff.ledger import merkle
from signoff.ledger.bundle import make_bundle
from signoff.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    Signer,
    Verifier,
    open_checkpoint,
)
from signoff.ledger.events import (
    SUBJECTS_KEY,
    Event,
    EventDraft,
    EventType,
    parse_type,
    seq_marker,
)
from signoff.ledger.keys import default_key_path, default_url, load_or_create_key
from signoff.ledger.store import Appended, SqlStore, StoredCheckpoint

DEFAULT_CHECKPOINT_EVERY = 1000
DEFAULT_CHECKPOINT_SECONDS = 300.0


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


@dataclass
class VerifyResult:
    """Outcome of a full verification; ``first_bad_seq`` is set whenever ``ok`` is False."""

    ok: bool
    size: int
    root: bytes
    checkpoints: int
    trusted_size: int | None = None
    first_bad_seq: int | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)


class _BadRowError(Exception):
    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(problem)
        self.seq = seq
        self.problem = problem


class Ledger:
    """One ledger: a store, a signing key file and the checkpoint policy."""

    def __init__(
        self,
        url: str | None = None,
        *,
        key_path: str | Path | None = None,
        origin: str | None = None,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS,
    ) -> None:
        self.url = url or default_url()
        self.key_path = Path(key_path) if key_path else default_key_path(self.url)
        self.store = SqlStore(self.url, origin)
        self.origin = self.store.origin
        self.checkpoint_every = checkpoint_every
        self.checkpoint_seconds = checkpoint_seconds
        self._signer: Signer | None = None
        self._last_checkpoint_at: float | None = None

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

    # -- writing ----------------------------------------------------------------------------

    def append(self, draft: EventDraft) -> Appended:
        return self.append_many([draft])[0]

    def append_many(self, drafts: Sequence[EventDraft]) -> Sequence[Appended]:
        """Append atomically and durably; may then write a checkpoint per the policy."""
        done = self.store.append(drafts)
        if done:
            first = done[0].seq
            self._maybe_checkpoint(first, first + len(done))
        return done

    def _maybe_checkpoint(self, old_size: int, new_size: int) -> None:
        every = self.checkpoint_every
        due = every > 0 and new_size // every > old_size // every
        if not due and self.checkpoint_seconds > 0:
            if self._last_checkpoint_at is None:
                with self.store.snapshot() as snap:
                    cps = snap.checkpoints()
                self._last_checkpoint_at = _epoch(cps[-1].created) if cps else 0.0
            due = time.time() - self._last_checkpoint_at >= self.checkpoint_seconds
        if due:
            self.checkpoint()

    def checkpoint(self) -> StoredCheckpoint:
        """Sign the current tree head now (reusing the latest if nothing was appended since)."""
        signer = self.signer
        cp = self.store.add_checkpoint(lambda c: c.sign(signer))
        self._last_checkpoint_at = time.time()
        return cp

    # -- reading ----------------------------------------------------------------------------

    def size(self) -> int:
        with self.store.snapshot() as snap:
            return snap.size()

    def events(self, seqs: Sequence[int]) -> list[Event]:
        with self.store.snapshot() as snap:
            found = snap.leaves(seqs)
        missing = [s for s in seqs if s not in found]
        if missing:
            raise StoreError(f"no event with seq {missing[0]}")
        return [Event.from_bytes(found[s]) for s in seqs]

    def recent(self, limit: int = 20, type_: EventType | None = None) -> list[Event]:
        with self.store.snapshot() as snap:
            rows = snap.recent(limit, type_.value if type_ else None)
        return [Event.from_bytes(leaf) for _, leaf in rows]

    def find(self, subject: str) -> list[int]:
        """Seqs of events with ``subject`` as a subject value (or ``key=value``): a full scan."""
        key, _, value = subject.rpartition("=") if "=" in subject else ("", "", subject)
        needle = value.encode()
        out: list[int] = []
        with self.store.snapshot() as snap, closing(snap.scan()) as batches:
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
            path = merkle.inclusion_proof(seq, size, snap.read_hashes)
            leaf = snap.read_hashes([(0, seq)])[(0, seq)]
            root = merkle.root_at(size, snap.read_hashes)
        return InclusionProof(seq, size, leaf, tuple(path), root)

    def prove_consistency(self, old: int, new: int | None = None) -> ConsistencyProof:
        with self.store.snapshot() as snap:
            current = snap.size()
            new = current if new is None else new
            if not 0 <= old <= new <= current:
                raise StoreError(
                    f"cannot prove size {old} consistent with {new} (log size {current})"
                )
            path = merkle.consistency_proof(old, new, snap.read_hashes)
            old_root = merkle.root_at(old, snap.read_hashes)
            new_root = merkle.root_at(new, snap.read_hashes)
        return ConsistencyProof(old, new, old_root, new_root, tuple(path))

    def export(self, seqs: Sequence[int]) -> dict[str, Any]:
        """An evidence bundle for ``seqs``, proven against a checkpoint that covers them all.

        Uses the latest stored checkpoint if it is recent enough, else signs a new one.
        """
        if not seqs:
            raise StoreError("choose at least one event to export")
        seqs = sorted(set(seqs))
        with self.store.snapshot() as snap:
            stored = snap.checkpoints()
        cp = stored[-1] if stored and stored[-1].size > seqs[-1] else self.checkpoint()
        if cp.size <= seqs[-1]:
            raise StoreError(f"no event with seq {seqs[-1]} (log size {cp.size})")
        events = self.events(seqs)
        with self.store.snapshot() as snap:
            proofs = [merkle.inclusion_proof(s, cp.size, snap.read_hashes) for s in seqs]
        return make_bundle(cp.note, list(zip(events, proofs, strict=True)))

    # -- verification -----------------------------------------------------------------------

    def verify(
        self, *, trusted_note: str | None = None, verifier: Verifier | None = None
    ) -> VerifyResult:
        """Recompute the whole tree and check it against every stored and trusted checkpoint."""
        verifier = verifier or self.verifier()
        with self.store.snapshot() as snap:
            size = snap.size()
            stored = snap.checkpoints()
            result = VerifyResult(True, size, merkle.EMPTY_ROOT, len(stored))
            try:
                targets = self._checkpoint_targets(stored, trusted_note, verifier, result)
                tree = _check_tree(snap, size, targets)
                result.root = tree.root()
                # Redundant with the root checks above, but exercises the stored nodes the way an
                # auditor would: each checkpoint is proven a prefix of the next.
                sizes = sorted({cp.size for cp in stored})
                for old, new in pairwise(sizes):
                    proof = merkle.consistency_proof(old, new, snap.read_hashes)
                    merkle.verify_consistency(old, new, targets[old], targets[new], proof)
            except _BadRowError as bad:
                result.ok, result.first_bad_seq, result.problem = False, bad.seq, bad.problem
            except merkle.ProofError as exc:
                result.ok, result.first_bad_seq, result.problem = False, 0, str(exc)
        return result

    def _checkpoint_targets(
        self,
        stored: list[StoredCheckpoint],
        trusted_note: str | None,
        verifier: Verifier,
        result: VerifyResult,
    ) -> dict[int, bytes]:
        """Check every checkpoint's signature and origin; return the root each size must have."""
        targets: dict[int, bytes] = {}
        claims: list[tuple[Checkpoint, str]] = []
        for sc in stored:
            try:
                cp = open_checkpoint(sc.note, verifier, self.origin)
            except CheckpointError as exc:
                raise _BadRowError(
                    max(sc.size - 1, 0), f"stored checkpoint #{sc.id}: {exc}"
                ) from None
            if (cp.size, cp.root) != (sc.size, sc.root):
                raise _BadRowError(
                    max(sc.size - 1, 0), f"stored checkpoint #{sc.id}: columns differ from its note"
                )
            claims.append((cp, f"stored checkpoint #{sc.id}"))
        if trusted_note is not None:
            try:
                cp = open_checkpoint(trusted_note, verifier, self.origin)
            except CheckpointError as exc:
                raise _BadRowError(0, f"trusted checkpoint: {exc}") from None
            claims.append((cp, "trusted checkpoint"))
            result.trusted_size = cp.size
        for cp, what in claims:
            if cp.size > result.size:
                raise _BadRowError(
                    result.size,
                    f"{what} covers {cp.size} events but the log has {result.size}: "
                    "the log was truncated or rolled back",
                )
            if targets.setdefault(cp.size, cp.root) != cp.root:
                raise _BadRowError(
                    max(cp.size - 1, 0), f"two different signed roots for size {cp.size}"
                )
        return targets


CHUNK = 16_384
"""Rows per round trip on verification's fast path."""


def _check_tree(snap: Any, size: int, targets: Mapping[int, bytes]) -> merkle.CompactRange:
    """Recompute the whole tree and hold every stored hash and signed root against it.

    The fast path: the database hands over each chunk of rows as a few byte strings (every
    ``0x00 || leaf`` joined, the stored leaf hashes and nodes concatenated, see
    ``Snapshot.packed``), read ahead on a second thread while this one hashes. Every leaf is
    hashed from its stored bytes, the tree is grown with the same stack as a bare RFC 6962 root
    computation (``CompactRange.extend``), and two comparisons per chunk check every stored leaf
    hash and subtree hash in it. Chunks end at checkpoint sizes, where the root is checked; rows
    after the last signed size, whose positions no signed root pins, also have the seq inside
    each event checked. Any doubt (a gap, an extra row, a mismatch) hands over to
    :func:`_check_rows`, which re-reads row by row from that chunk (from the last good
    checkpoint if a root failed) and names the first bad seq: the fast path only ever decides
    that everything is fine.
    """
    if 0 in targets and targets[0] != merkle.EMPTY_ROOT:
        raise _BadRowError(0, "a signed checkpoint for size 0 is not of the empty tree")
    lo, hi = snap.seq_range()
    if lo is not None and lo < 0:
        return _check_rows(snap, size, targets)
    sha = hashlib.sha256
    marker = b'"seq":%d'.__mod__  # events.seq_marker
    tree = merkle.CompactRange()
    ends = sorted({t for t in targets if 0 < t < size} | set(range(CHUNK, size, CHUNK)) | {size})
    ranges = list(pairwise([0, *ends])) if size else []
    signed = max((t for t in targets if t <= size), default=0)  # rows below: pinned by a root
    good, good_edge = (
        0,
        list[bytes](),
    )  # largest checkpoint size verified so far, and the edge there
    slow: tuple[int, list[bytes]] | None = None  # where the row-by-row pass must take over
    with closing(_read_ahead(snap, ranges)) as chunks:
        for (start, end), (count, joined, stored_hashes, stored_nodes) in zip(
            ranges, chunks, strict=True
        ):
            pieces = joined.split(b"\xff") if count else []  # each is 0x00 || leaf
            if count != end - start or len(pieces) != count:  # rows missing, or bytes 0xff
                slow = start, tree.hashes
                break
            hashes = [sha(p).digest() for p in pieces]
            if b"".join(hashes) != stored_hashes:
                slow = start, tree.hashes
                break
            if start >= signed:  # no signed root pins these positions: check the seq inside
                ats = map(bytes.rfind, pieces, repeat(SUBJECTS_KEY))
                seqs = map(marker, range(start, end))
                if not all(map(bytes.endswith, pieces, seqs, repeat(0), ats)):
                    slow = start, tree.hashes
                    break
            before = tree.hashes[:]
            if b"".join(tree.extend(hashes)) != stored_nodes:
                slow = start, before
                break
            if end in targets:
                if tree.root() != targets[end]:  # name the first bad row since the last good root
                    slow = good, good_edge
                    break
                good, good_edge = end, tree.hashes[:]
    if slow is not None:  # the reader thread has stopped: the connection is free again
        return _check_rows(snap, size, targets, slow[0], slow[1], good)
    if hi is not None and hi >= size:
        raise _BadRowError(size, f"seq {size} is beyond the log head {size} (row inserted)")
    return tree


def _read_ahead(snap: Any, ranges: Sequence[tuple[int, int]]) -> Generator[Any, None, None]:
    """``snap.packed`` of each range, the next one read on a thread while the caller hashes.

    The database works with the GIL released (SQLite inside one long ``sqlite3_step`` per
    chunk, PostgreSQL on the socket), so reading overlaps hashing. The connection is used by
    one thread at a time: the reader until it has put its last chunk, and closing this
    generator stops it and waits before anyone else touches the connection.
    """
    results: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        try:
            for start, end in ranges:
                if stop.is_set():
                    return
                results.put(("chunk", snap.packed(start, end)))
            results.put(("end", None))
        except BaseException as exc:  # handed to the caller's thread
            results.put(("error", exc))

    reader = threading.Thread(target=read, name="ledger-verify-reader", daemon=True)
    reader.start()
    try:
        while True:
            kind, value = results.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting on a full queue
            with suppress(queue.Empty):
                results.get_nowait()
            reader.join(0.01)


def _rewritten(size: int, good: int) -> _BadRowError:
    return _BadRowError(
        good,
        f"the log's first {size} events do not match the signed checkpoint "
        f"for size {size}: rewritten at or after seq {good}",
    )


def _check_rows(
    snap: Any,
    size: int,
    targets: Mapping[int, bytes],
    start: int = 0,
    edge: Sequence[bytes] = (),
    good: int = 0,
) -> merkle.CompactRange:
    """Stream every row from ``start``: seq order, leaf hash, embedded seq, nodes, roots.

    The slow path of ``verify``, given the tree of the first ``start`` leaves (already checked
    up to the checkpoint at ``good``). Per-row checks run as C-level ``map``s over each batch and
    every failure is named precisely, including rows moved to another position.
    """
    sha = hashlib.sha256
    digest = operator.methodcaller("digest")
    leaf_prefix = b"\x00".__add__
    seq_of, leaf_of, hash_of, nodes_of = (operator.itemgetter(i) for i in range(4))
    marker = b'"seq":%d'.__mod__  # events.seq_marker
    tree = merkle.CompactRange(start, edge)
    edge = tree.hashes
    pending = sorted(t for t in targets if t > start)
    next_target = pending.pop(0) if pending else -1
    expected = start
    with closing(snap.scan(start)) as batches:
        for batch in batches:
            n = len(batch)
            seqs = list(map(seq_of, batch))
            if seqs != list(range(expected, expected + n)):
                _first_row_problem(batch, expected, size)
            if expected + n > size:
                raise _BadRowError(size, f"seq {size} is beyond the log head {size} (row inserted)")
            leaves = list(map(leaf_of, batch))
            hashes = list(map(digest, map(sha, map(leaf_prefix, leaves))))
            if hashes != list(map(hash_of, batch)):
                _first_row_problem(batch, expected, size)
            ats = map(bytes.rfind, leaves, repeat(SUBJECTS_KEY))
            if not all(map(bytes.endswith, leaves, map(marker, seqs), repeat(0), ats)):
                _first_row_problem(batch, expected, size)
            stored = list(map(nodes_of, batch))
            for seq, h, nodes in zip(seqs, hashes, stored, strict=True):
                if seq & 1:
                    made = b""
                    k = seq
                    while k & 1:
                        h = sha(b"\x01" + edge.pop() + h).digest()
                        made += h
                        k >>= 1
                    edge.append(h)
                    if made != nodes:
                        raise _node_mismatch(seq, made, nodes)
                else:
                    if nodes:
                        raise _node_mismatch(seq, b"", nodes)
                    edge.append(h)
                if seq + 1 == next_target:
                    tree.size = seq + 1
                    if tree.root() != targets[seq + 1]:
                        raise _rewritten(seq + 1, good)
                    good = seq + 1
                    next_target = pending.pop(0) if pending else -1
            expected += n
    tree.size = expected
    if expected < size:
        raise _BadRowError(expected, f"seq {expected} is missing (the log head says {size} events)")
    return tree


def _first_row_problem(batch: Sequence[Any], expected: int, size: int) -> None:
    """The slow path once a batch is known bad: find and name its first bad row."""
    for seq, leaf, lh, _ in batch:
        if seq != expected:
            raise _BadRowError(expected, f"seq {expected} is missing (row deleted or renumbered)")
        if seq >= size:
            raise _BadRowError(seq, f"seq {seq} is beyond the log head {size} (row inserted)")
        if merkle.leaf_hash(leaf) != lh:
            raise _BadRowError(seq, f"seq {seq}: event bytes do not match the stored leaf hash")
        at = leaf.rfind(SUBJECTS_KEY)
        if at < 0 or not leaf.endswith(seq_marker(seq), 0, at):
            raise _BadRowError(
                seq, f"seq {seq}: the event inside claims another position (reordered)"
            )
        expected += 1


def _node_mismatch(seq: int, made: bytes, nodes: bytes) -> _BadRowError:
    """Name the smallest stored subtree that disagrees; the bad leaf is inside its range."""
    level = 1
    while made[(level - 1) * 32 : level * 32] == nodes[(level - 1) * 32 : level * 32]:
        level += 1
    first = seq + 1 - (1 << level)
    return _BadRowError(
        first, f"seq {first}..{seq}: stored subtree hash (level {level}) does not match"
    )


def _epoch(rfc3339: str) -> float:
    from datetime import datetime

    try:
        return datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
    except ValueError:
        return 0.0


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
