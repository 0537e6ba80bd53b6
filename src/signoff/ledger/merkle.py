"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification.

Pure functions, no I/O. Stored trees are read through a callback that returns the hashes of
complete, aligned subtrees, addressed as ``(level, index)``: the subtree of ``2**level`` leaves
starting at leaf ``index << level``. Level 0 is a leaf hash. Every proof needs O(log n) of them.

References: RFC 9162 §2.1 (hashing, inclusion and consistency proofs), identical to RFC 6962 §2.1
for SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

HASH_SIZE = 32
Coord = tuple[int, int]
"""A complete subtree ``(level, index)``: leaves ``[index << level, (index + 1) << level)``."""

HashReader = Callable[[Sequence[Coord]], Mapping[Coord, bytes]]
"""Returns the stored hash of each requested complete subtree, in one batch."""

_sha256 = hashlib.sha256

# RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string.
EMPTY_ROOT = _sha256(b"").digest()
_NODE_PREFIX = _sha256(b"\x01")


class ProofError(ValueError):
    """A proof is malformed or does not verify."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)); 0x00 tells leaves from nodes."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))."""
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """RFC 9162 §2.1.1: the largest power of two strictly less than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """The root of a sequence of leaf hashes, streaming with O(log n) memory."""
    tree = CompactRange()
    for h in leaf_hashes:
        tree.append(h)
    return tree.root()


class CompactRange:
    """The right edge of a tree: one complete subtree hash per set bit of its size.

    Appending a leaf merges equal-sized subtrees (like binary carry), so extending the tree costs
    O(log n) hashes and never recomputes it. The root folds the edge from the right, which matches
    RFC 9162's split at the largest power of two below n.
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ProofError(f"a tree of size {size} needs {size.bit_count()} edge hashes")
        self.size = size
        self.hashes = list(hashes)

    @staticmethod
    def coords(size: int) -> list[Coord]:
        """The complete subtrees forming the right edge of a tree of ``size``, left to right."""
        return [(b, (size >> b) - 1) for b in range(size.bit_length() - 1, -1, -1) if size >> b & 1]

    def append(self, h: bytes) -> list[bytes]:
        """Add a leaf hash; return the new complete subtree hashes at levels 1, 2, ... in order."""
        made: list[bytes] = []
        n = self.size
        hashes = self.hashes
        while n & 1:
            h = node_hash(hashes.pop(), h)
            made.append(h)
            n >>= 1
        hashes.append(h)
        self.size += 1
        return made

    def extend(self, leaf_hashes: Sequence[bytes]) -> list[bytes]:
        """Add many leaf hashes; return, per leaf, what :meth:`append` returns joined.

        The same stack as :meth:`append`, unrolled for throughput (appends and verification run
        it over every leaf): leaves are taken in pairs, so the left one of a pair never touches
        the edge and half the iterations disappear.
        """
        node = _NODE_PREFIX.copy  # copying a started context beats hashing b"\x01" + l + r
        hashes = self.hashes
        push, pop = hashes.append, hashes.pop
        n = self.size
        out: list[bytes] = []
        todo: Sequence[bytes] = leaf_hashes
        if n & 1 and todo:  # start on a right leaf: merge it alone
            out.append(b"".join(self.append(todo[0])))
            n += 1
            todo = todo[1:]
        put = out.extend
        it = iter(todo)
        j = n >> 1  # index of the level-1 subtree each pair completes
        for left, h in zip(it, it, strict=False):  # an odd one out is handled below
            c = node()
            c.update(left)
            c.update(h)
            h = made = c.digest()
            k = j
            while k & 1:  # merge equal-sized subtrees, as in binary carry
                c = node()
                c.update(pop())
                c.update(h)
                h = c.digest()
                made += h
                k >>= 1
            push(h)
            put((b"", made))
            j += 1
        if len(todo) & 1:  # end on a left leaf
            push(todo[-1])
            out.append(b"")
        self.size = n + len(todo)
        return out

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        h = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            h = node_hash(left, h)
        return h


def range_coords(start: int, end: int) -> list[Coord]:
    """Decompose the leaves ``[start, end)`` of a subtree produced by RFC 9162's split.

    Returns complete aligned subtrees left to right; their right fold is MTH(D[start:end]).
    Only ranges that RFC 9162 recursion produces are valid: ``start`` is aligned to the largest
    power of two not above ``end - start``.
    """
    coords: list[Coord] = []
    while end - start > 0:
        n = end - start
        k = 1 << (n.bit_length() - 1)  # largest power of two <= n
        level = k.bit_length() - 1
        if start % k:
            raise ProofError(f"range [{start}, {end}) is not a subtree of an RFC 9162 tree")
        coords.append((level, start >> level))
        start += k
    return coords


def fold(hashes: Sequence[bytes]) -> bytes:
    """Right-fold complete subtree hashes (left to right) into one subtree hash."""
    h = hashes[-1]
    for left in reversed(hashes[:-1]):
        h = node_hash(left, h)
    return h


def _subtree_ranges_inclusion(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n]), as the leaf ranges whose hashes form the path."""
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:  # m < k: PATH(m, D[0:k]) : MTH(D[k:n])
            ranges.append((start + k, end))
            end = start + k
        else:  # m >= k: PATH(m - k, D[k:n]) : MTH(D[0:k])
            ranges.append((start, start + k))
            start += k
    ranges.reverse()  # the path lists the deepest sibling first
    return ranges


def _subtree_ranges_consistency(old: int, new: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], true), as the leaf ranges whose hashes form the proof."""
    siblings: list[tuple[int, int]] = []
    start, end, m, complete = 0, new, old, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            siblings.append((start + k, end))
            end = start + k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            siblings.append((start, start + k))
            start += k
            m -= k
            complete = False
    # SUBPROOF(m, D[m], true) = {} and SUBPROOF(m, D[m], false) = {MTH(D[m])}; the sub-proof comes
    # before each sibling, so the deepest element is first.
    head = [] if complete else [(start, end)]
    return head + siblings[::-1]


def _read_ranges(ranges: Sequence[tuple[int, int]], read: HashReader) -> list[bytes]:
    per_range = [range_coords(a, b) for a, b in ranges]
    wanted = sorted({c for coords in per_range for c in coords})
    got = read(wanted) if wanted else {}
    try:
        return [fold([got[c] for c in coords]) for coords in per_range]
    except KeyError as exc:
        raise ProofError(f"stored tree is missing subtree {exc.args[0]}") from None


def inclusion_coords(index: int, size: int) -> list[Coord]:
    """The stored subtrees an inclusion proof for leaf ``index`` reads (to fetch them at once)."""
    if not 0 <= index < size:
        return []
    ranges = _subtree_ranges_inclusion(index, size)
    return [c for a, b in ranges for c in range_coords(a, b)]


def consistency_coords(old: int, new: int) -> list[Coord]:
    """The stored subtrees a consistency proof from ``old`` to ``new`` reads."""
    if not 0 < old < new:
        return []
    return [c for a, b in _subtree_ranges_consistency(old, new) for c in range_coords(a, b)]


def root_coords(size: int) -> list[Coord]:
    """The stored subtrees the root of the first ``size`` leaves folds."""
    return range_coords(0, size)


def inclusion_proof(index: int, size: int, read: HashReader) -> list[bytes]:
    """The audit path for leaf ``index`` in the tree of ``size`` leaves (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    return _read_ranges(_subtree_ranges_inclusion(index, size), read)


def consistency_proof(old: int, new: int, read: HashReader) -> list[bytes]:
    """The proof that the tree of ``old`` leaves is a prefix of ``new`` (RFC 9162 §2.1.4.1)."""
    if not 0 <= old <= new:
        raise ProofError(f"cannot prove size {old} consistent with size {new}")
    if old in (0, new):
        return []
    return _read_ranges(_subtree_ranges_consistency(old, new), read)


def root_at(size: int, read: HashReader) -> bytes:
    """MTH of the first ``size`` leaves from O(log n) stored subtree hashes."""
    if size == 0:
        return EMPTY_ROOT
    return _read_ranges([(0, size)], read)[0]


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root implied by a leaf hash and its audit path."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if len(p) != HASH_SIZE:
            raise ProofError("proof hash has the wrong length")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless ``leaf`` is at ``index`` in the tree with ``root``."""
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError(f"inclusion proof for leaf {index} does not match the root")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: raise ProofError unless tree ``old`` is a prefix of tree ``new``."""
    if not 0 <= old <= new:
        raise ProofError(f"size {old} is larger than size {new}")
    if old == new:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for size {old}")
        return
    if old == 0:
        if proof:
            raise ProofError("consistency proof from the empty tree must be empty")
        return
    if not proof or any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("consistency proof is empty or malformed")
    path = list(proof)
    # Step 1: if first is an exact power of 2, prepend first_hash to the path.
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    # Steps 2-3.
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError(f"consistency proof does not match the root of size {old}")
    if sr != new_root:
        raise ProofError(f"consistency proof does not match the root of size {new}")
