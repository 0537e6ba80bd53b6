"""Full verification of a stored ledger: trust nothing in the database.

Every stored row is covered: each leaf hash is recomputed from the stored event bytes, each stored
subtree hash from the leaves, the root at every checkpoint size, and each checkpoint's signature
is checked with the public key held outside the database. A row outside the log's positions
(a negative seq, or one at or beyond the head) is an error, as is a gap. A checkpoint saved
elsewhere (``trusted_note``) catches truncation and rollback, which no amount of internal
consistency can.

The work is one streaming pass in fixed-size chunks (`_check_tree`); signed roots are checked
where they fall inside a chunk, so the number of checkpoints costs one root fold each, never a
round trip or a proof. The row-by-row pass (`signoff.ledger.rowcheck`) only runs once something
is wrong, to name the first bad seq.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from bisect import bisect_right
from collections.abc import Generator, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, field
from itertools import pairwise, repeat
from typing import Any

from signoff.ledger import merkle
from signoff.ledger.checkpoint import Checkpoint, CheckpointError, Verifier, open_checkpoint
from signoff.ledger.events import SUBJECTS_KEY
from signoff.ledger.rowcheck import BadRowError, check_rows
from signoff.ledger.snapshot import SqlSnapshot, StoredCheckpoint

CHUNK = 16_384
"""Rows per round trip: the reader thread fetches the next chunk while this one is hashed."""


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


def verify_snapshot(
    snap: SqlSnapshot, origin: str, verifier: Verifier, trusted_note: str | None = None
) -> VerifyResult:
    """Recompute the whole tree and check it against every stored and trusted checkpoint."""
    size = snap.size()
    stored = snap.checkpoints()
    result = VerifyResult(True, size, merkle.EMPTY_ROOT, len(stored))
    try:
        targets = _checkpoint_targets(stored, trusted_note, verifier, origin, result)
        result.root = _check_tree(snap, size, targets).root()
    except BadRowError as bad:
        result.ok, result.first_bad_seq, result.problem = False, bad.seq, bad.problem
    except merkle.ProofError as exc:
        result.ok, result.first_bad_seq, result.problem = False, 0, str(exc)
    return result


def _checkpoint_targets(
    stored: list[StoredCheckpoint],
    trusted_note: str | None,
    verifier: Verifier,
    origin: str,
    result: VerifyResult,
) -> dict[int, bytes]:
    """Check every checkpoint's signature and origin; return the root each size must have."""
    claims: list[tuple[Checkpoint, str]] = []
    for sc in stored:
        what = f"stored checkpoint #{sc.id}"
        try:
            cp = open_checkpoint(sc.note, verifier, origin)
        except CheckpointError as exc:
            raise BadRowError(max(sc.size - 1, 0), f"{what}: {exc}") from None
        if (cp.size, cp.root) != (sc.size, sc.root):
            raise BadRowError(max(sc.size - 1, 0), f"{what}: columns differ from its note")
        claims.append((cp, what))
    if trusted_note is not None:
        try:
            cp = open_checkpoint(trusted_note, verifier, origin)
        except CheckpointError as exc:
            raise BadRowError(0, f"trusted checkpoint: {exc}") from None
        claims.append((cp, "trusted checkpoint"))
        result.trusted_size = cp.size
    targets: dict[int, bytes] = {}
    for cp, what in claims:
        if cp.size > result.size:
            raise BadRowError(
                result.size,
                f"{what} covers {cp.size} events but the log has {result.size}: "
                "the log was truncated or rolled back",
            )
        if targets.setdefault(cp.size, cp.root) != cp.root:
            raise BadRowError(max(cp.size - 1, 0), f"two different signed roots for size {cp.size}")
    if targets.get(0, merkle.EMPTY_ROOT) != merkle.EMPTY_ROOT:
        raise BadRowError(0, "a signed checkpoint for size 0 is not of the empty tree")
    return targets


class _Pass:
    """The state of the fast pass: the tree so far and the last signed root it matched."""

    def __init__(self, targets: Mapping[int, bytes]) -> None:
        self.tree = merkle.CompactRange()
        self.targets = targets
        self.cuts = sorted(targets)
        self.good = 0  # largest signed size verified so far
        self.good_edge: list[bytes] = []

    def grow(self, start: int, hashes: list[bytes]) -> tuple[bytes, bool]:
        """Extend by one chunk's leaf hashes: (the nodes it completes, every root in it held).

        The chunk is cut at each signed size inside it, where the root is folded and compared.
        """
        end = start + len(hashes)
        made: list[bytes] = []
        pos = start
        for t in self.cuts[bisect_right(self.cuts, start) : bisect_right(self.cuts, end)]:
            made += self.tree.extend(hashes[pos - start : t - start])
            pos = t
            if self.tree.root() != self.targets[t]:
                return b"", False
            self.good, self.good_edge = t, self.tree.hashes[:]
        made += self.tree.extend(hashes[pos - start :])
        return b"".join(made), True


def _leaf_hashes(joined: bytes) -> tuple[list[bytes], list[bytes]]:
    """Each leaf of a chunk `SqlSnapshot.packed` joined, as ``0x00 || leaf``, and its hash."""
    pieces = joined.split(b"\xff")
    pieces[0] = b"\x00" + pieces[0]  # no separator before the chunk's first leaf
    sha = hashlib.sha256
    return pieces, [sha(p).digest() for p in pieces]


def _check_tree(snap: SqlSnapshot, size: int, targets: Mapping[int, bytes]) -> merkle.CompactRange:
    """Recompute the whole tree and hold every stored hash and signed root against it.

    The database hands over each chunk of rows as a few values (every leaf joined, the stored
    leaf hashes and nodes concatenated, and how many rows hold hashes of the wrong length, see
    `SqlSnapshot.packed`), read ahead on a second thread while this one hashes. Every leaf is
    hashed from its stored bytes, the tree grows with the same stack as a bare RFC 6962 root
    computation (`CompactRange.extend`), and two comparisons per chunk check every stored leaf
    hash and subtree hash in it. Rows after the last signed size, whose positions no signed
    root pins, also have the seq inside each event checked. Any doubt (a gap, an extra row, a
    mismatch) hands over to `check_rows`, which re-reads row by row from that chunk (from the
    last good signed root if a root failed) and names the first bad seq: this pass only ever
    decides that everything is fine.
    """
    lo, hi = snap.seq_range()
    if lo is not None and lo < 0:
        raise BadRowError(lo, f"a row is stored at seq {lo}, outside the log (row inserted)")
    marker = b'"seq":%d'.__mod__  # events.seq_marker
    ranges = list(pairwise([0, *range(CHUNK, size, CHUNK), size])) if size else []
    signed = max((t for t in targets if t <= size), default=0)  # rows below: pinned by a root
    run = _Pass(targets)
    slow: tuple[int, list[bytes], int] | None = None  # where the row-by-row pass takes over
    with closing(_read_ahead(snap, ranges)) as chunks:
        for (start, end), (count, misfits, joined, stored_hashes, stored_nodes) in zip(
            ranges, chunks, strict=True
        ):
            before = (start, run.tree.hashes[:], run.good)
            pieces, hashes = _leaf_hashes(joined) if count else ([], [])
            if count != end - start or len(pieces) != count or misfits:
                slow = before  # rows missing, a 0xff byte in a leaf, or a hash's length wrong
                break
            if b"".join(hashes) != stored_hashes:
                slow = before
                break
            if end > signed:  # no signed root pins these positions: check the seq inside
                ats = map(bytes.rfind, pieces, repeat(SUBJECTS_KEY))
                seqs = map(marker, range(start, end))
                if not all(map(bytes.endswith, pieces, seqs, repeat(0), ats)):
                    slow = before
                    break
            nodes, roots_held = run.grow(start, hashes)
            if not roots_held:  # name the first bad row since the last good root
                slow = (run.good, run.good_edge, run.good)
                break
            if nodes != stored_nodes:
                slow = before
                break
    if slow is not None:  # the reader thread has stopped: the connection is free again
        return check_rows(snap, size, targets, *slow)
    if hi is not None and hi >= size:
        raise BadRowError(size, f"seq {size} is beyond the log head {size} (row inserted)")
    return run.tree


def _read_ahead(snap: SqlSnapshot, ranges: Sequence[tuple[int, int]]) -> Generator[Any, None, None]:
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
