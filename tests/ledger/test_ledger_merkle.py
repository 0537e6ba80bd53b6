"""RFC 6962 / 9162 hashing and proofs: published vectors, then every tree size 1..256 against a
brute-force transcription of the RFC's recursive definitions."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

import pytest

from signoff.ledger import merkle

# The RFC 6962 reference leaves and roots used by certificate-transparency and
# transparency-dev/merkle (testonly/constants.go).
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]  # fmt: skip
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip
CONSISTENCY = [
    (2, 8, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip


N = 256
HASHES = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(N)]


# -- brute force: the RFC's recursive definitions, transcribed literally ------------------------


@functools.cache
def _mth(lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) over HASHES, memoised so the brute force stays fast."""
    return ref_mth(HASHES[lo:hi])


def ref_mth(d: Sequence[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return d[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, lo: int, hi: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]) over HASHES."""
    n = hi - lo
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, lo, lo + k), _mth(lo + k, hi)]
    return [*ref_path(m - k, lo + k, hi), _mth(lo, lo + k)]


def ref_subproof(m: int, lo: int, hi: int, b: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b) over HASHES."""
    n = hi - lo
    if m == n:
        return [] if b else [_mth(lo, hi)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, lo, lo + k, b), _mth(lo + k, hi)]
    return [*ref_subproof(m - k, lo + k, hi, False), _mth(lo, lo + k)]


def memory_reader(leaf_hashes: Sequence[bytes]) -> merkle.HashReader:
    """A HashReader over an in-memory list, counting nothing: the maths under test is pure."""

    def read(coords: Sequence[merkle.Coord]) -> dict[merkle.Coord, bytes]:
        if leaf_hashes is HASHES:
            return {(lvl, i): _mth(i << lvl, (i + 1) << lvl) for lvl, i in coords}
        return {(lvl, i): ref_mth(leaf_hashes[i << lvl : (i + 1) << lvl]) for lvl, i in coords}

    return read


ROOTS_BY_SIZE = [_mth(0, n) for n in range(N + 1)]
READ = memory_reader(HASHES)


def test_published_roots() -> None:
    hashes = [merkle.leaf_hash(x) for x in LEAVES]
    assert merkle.EMPTY_ROOT.hex() == ROOTS[0]
    for n in range(len(LEAVES) + 1):
        assert merkle.root_of(hashes[:n]).hex() == ROOTS[n]
        assert ref_mth(hashes[:n]).hex() == ROOTS[n]
        assert merkle.root_at(n, memory_reader(hashes)).hex() == ROOTS[n]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_published_inclusion_proofs(index: int, size: int, proof: list[str]) -> None:
    hashes = [merkle.leaf_hash(x) for x in LEAVES]
    got = merkle.inclusion_proof(index, size, memory_reader(hashes))
    assert [h.hex() for h in got] == proof
    merkle.verify_inclusion(index, size, hashes[index], got, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_published_consistency_proofs(old: int, new: int, proof: list[str]) -> None:
    hashes = [merkle.leaf_hash(x) for x in LEAVES]
    got = merkle.consistency_proof(old, new, memory_reader(hashes))
    assert [h.hex() for h in got] == proof
    old_root, new_root = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    merkle.verify_consistency(old, new, old_root, new_root, got)


def test_node_and_leaf_prefixes() -> None:
    assert merkle.leaf_hash(b"").hex() == ROOTS[1]
    a, b = merkle.leaf_hash(b""), merkle.leaf_hash(b"\x00")
    assert merkle.node_hash(a, b).hex() == ROOTS[2]


def test_roots_every_size() -> None:
    tree = merkle.CompactRange()
    for n in range(1, N + 1):
        tree.append(HASHES[n - 1])
        assert tree.root() == ROOTS_BY_SIZE[n]
        assert merkle.root_at(n, READ) == ROOTS_BY_SIZE[n]
        edge = READ(merkle.CompactRange.coords(n))
        rebuilt = merkle.CompactRange(n, [edge[c] for c in merkle.CompactRange.coords(n)])
        assert rebuilt.root() == ROOTS_BY_SIZE[n]


def test_extend_is_append_unrolled() -> None:
    """The batched stack appends and verification use: same edge, same completed subtrees."""
    for start in range(0, 40):
        for count in range(0, 20):
            one, many = merkle.CompactRange(), merkle.CompactRange()
            for h in HASHES[:start]:
                one.append(h)
                many.append(h)
            batch = HASHES[start : start + count]
            made = [b"".join(one.append(h)) for h in batch]
            assert many.extend(batch) == made
            assert (many.size, many.hashes, many.root()) == (one.size, one.hashes, one.root())
            assert many.root() == ROOTS_BY_SIZE[start + count]


def test_inclusion_every_size_against_brute_force() -> None:
    for size in range(1, N + 1):
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, READ)
            assert proof == ref_path(index, 0, size)
            merkle.verify_inclusion(index, size, HASHES[index], proof, ROOTS_BY_SIZE[size])


def test_consistency_every_size_against_brute_force() -> None:
    for new in range(1, N + 1):
        for old in range(1, new + 1):
            proof = merkle.consistency_proof(old, new, READ)
            assert proof == ref_subproof(old, 0, new, True)
            merkle.verify_consistency(old, new, ROOTS_BY_SIZE[old], ROOTS_BY_SIZE[new], proof)


def test_inclusion_rejects_anything_else() -> None:
    size = 37
    root = ROOTS_BY_SIZE[size]
    for index in range(size):
        proof = merkle.inclusion_proof(index, size, READ)
        bad: list[tuple[int, int, bytes, list[bytes]]] = [
            (index, size, HASHES[(index + 1) % size], proof),  # wrong leaf
            (index, size, HASHES[index], proof[:-1]),  # too short
            (index, size, HASHES[index], [*proof, HASHES[0]]),  # too long
        ]
        if index + 1 < size:
            bad.append((index + 1, size, HASHES[index], proof))  # wrong index
        if proof:
            flipped = bytes([proof[0][0] ^ 1]) + proof[0][1:]
            bad.append((index, size, HASHES[index], [flipped, *proof[1:]]))
        for i, s, leaf, p in bad:
            with pytest.raises(merkle.ProofError):
                merkle.verify_inclusion(i, s, leaf, p, root)


def test_consistency_rejects_anything_else() -> None:
    for old, new in [(1, 2), (3, 7), (4, 8), (5, 37), (16, 33), (31, 32)]:
        proof = merkle.consistency_proof(old, new, READ)
        o, n = ROOTS_BY_SIZE[old], ROOTS_BY_SIZE[new]
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, new, ROOTS_BY_SIZE[old - 1], n, proof)
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, new, o, ROOTS_BY_SIZE[new - 1], proof)
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, new, o, n, proof[:-1])
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, new, o, n, [*proof, HASHES[0]])
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(5, 5, ROOTS_BY_SIZE[5], ROOTS_BY_SIZE[4], [])
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(6, 5, ROOTS_BY_SIZE[6], ROOTS_BY_SIZE[5], [])


def test_proofs_read_log_n_hashes() -> None:
    """Every proof reads O(log n) stored subtrees, whatever the size."""
    seen: list[int] = []

    def counting(coords: Sequence[merkle.Coord]) -> dict[merkle.Coord, bytes]:
        seen.append(len(coords))
        return {c: b"\x00" * 32 for c in coords}

    for size in (1000, 1_000_000, 2**40 + 12345):
        seen.clear()
        merkle.inclusion_proof(size // 3, size, counting)
        merkle.consistency_proof(size // 3, size, counting)
        assert seen and all(n <= 2 * size.bit_length() for n in seen)


def test_bad_arguments() -> None:
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_proof(5, 5, READ)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_proof(6, 5, READ)
    with pytest.raises(merkle.ProofError):
        merkle.range_coords(1, 3)
    with pytest.raises(merkle.ProofError):
        merkle.CompactRange(3, [HASHES[0]])
    assert merkle.consistency_proof(0, 5, READ) == []
    merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, ROOTS_BY_SIZE[5], [])
