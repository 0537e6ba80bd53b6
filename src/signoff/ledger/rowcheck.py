"""The row-by-row verification pass: names the first bad row once the fast pass has doubts.

It streams every row from a known-good point (the tree of the first ``start`` leaves, already
checked up to the signed root at ``good``) and checks seq order, leaf hash, the seq inside each
event, stored subtree hashes and each signed root, so every failure is named precisely,
including rows moved to another position. Per-row checks run as C-level ``map``s over each batch.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Mapping, Sequence
from contextlib import closing
from itertools import repeat
from typing import Any

from signoff.ledger import merkle
from signoff.ledger.events import SUBJECTS_KEY, seq_marker
from signoff.ledger.snapshot import SqlSnapshot


class BadRowError(Exception):
    """The first row (or checkpoint) found wrong, by seq, with what is wrong with it."""

    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(problem)
        self.seq = seq
        self.problem = problem


def check_rows(
    snap: SqlSnapshot,
    size: int,
    targets: Mapping[int, bytes],
    start: int = 0,
    edge: Sequence[bytes] = (),
    good: int = 0,
) -> merkle.CompactRange:
    """Stream every row from ``start``: seq order, leaf hash, embedded seq, nodes, roots."""
    sha = hashlib.sha256
    digest = operator.methodcaller("digest")
    leaf_prefix = b"\x00".__add__
    seq_of, leaf_of, hash_of, nodes_of = (operator.itemgetter(i) for i in range(4))
    marker = b'"seq":%d'.__mod__  # events.seq_marker
    tree = merkle.CompactRange(start, edge)
    stack = tree.hashes
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
                raise BadRowError(size, f"seq {size} is beyond the log head {size} (row inserted)")
            leaves = list(map(leaf_of, batch))
            hashes = list(map(digest, map(sha, map(leaf_prefix, leaves))))
            if hashes != list(map(hash_of, batch)):
                _first_row_problem(batch, expected, size)
            ats = map(bytes.rfind, leaves, repeat(SUBJECTS_KEY))
            if not all(map(bytes.endswith, leaves, map(marker, seqs), repeat(0), ats)):
                _first_row_problem(batch, expected, size)
            for seq, h, nodes in zip(seqs, hashes, map(nodes_of, batch), strict=True):
                made = b""
                k = seq
                while k & 1:
                    h = sha(b"\x01" + stack.pop() + h).digest()
                    made += h
                    k >>= 1
                stack.append(h)
                if made != nodes:
                    raise _node_mismatch(seq, made, nodes)
                if seq + 1 == next_target:
                    tree.size = seq + 1
                    if tree.root() != targets[seq + 1]:
                        raise _rewritten(seq + 1, good)
                    good = seq + 1
                    next_target = pending.pop(0) if pending else -1
            expected += n
    tree.size = expected
    if expected < size:
        raise BadRowError(expected, f"seq {expected} is missing (the log head says {size} events)")
    return tree


def _rewritten(size: int, good: int) -> BadRowError:
    return BadRowError(
        good,
        f"the log's first {size} events do not match the signed checkpoint "
        f"for size {size}: rewritten at or after seq {good}",
    )


def _first_row_problem(batch: Sequence[Any], expected: int, size: int) -> None:
    """Once a batch is known bad: find and name its first bad row."""
    for seq, leaf, lh, _ in batch:
        if seq != expected:
            raise BadRowError(expected, f"seq {expected} is missing (row deleted or renumbered)")
        if seq >= size:
            raise BadRowError(seq, f"seq {seq} is beyond the log head {size} (row inserted)")
        if merkle.leaf_hash(leaf) != lh:
            raise BadRowError(seq, f"seq {seq}: event bytes do not match the stored leaf hash")
        at = leaf.rfind(SUBJECTS_KEY)
        if at < 0 or not leaf.endswith(seq_marker(seq), 0, at):
            raise BadRowError(
                seq, f"seq {seq}: the event inside claims another position (reordered)"
            )
        expected += 1


def _node_mismatch(seq: int, made: bytes, nodes: bytes) -> BadRowError:
    """Name the smallest stored subtree that disagrees; the bad leaf is inside its range."""
    level = 1
    while made[(level - 1) * 32 : level * 32] == nodes[(level - 1) * 32 : level * 32]:
        level += 1
    first = seq + 1 - (1 << level)
    return BadRowError(
        first, f"seq {first}..{seq}: stored subtree hash (level {level}) does not match"
    )
