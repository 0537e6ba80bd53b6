"""Benchmark: `verify` of N events against a bare in-memory RFC 6962 root over the same leaves.

The bare side gets every leaf's bytes already in a Python list (read before timing) and only
hashes: SHA-256(0x00 || leaf) per leaf and the stack-based tree. The ledger side runs the full
`Ledger.verify()`: it reads the rows from SQLite, recomputes every leaf and subtree hash, checks
them against the stored ones, checks every signed checkpoint (signature, origin, root at its
size) and the consistency proofs between them. Both run --repeat times, alternating, after one
untimed verify to warm the page cache; the figure is the median ratio.
Target: verify throughput >= 60% of the bare computation (hashlib, no database).
Usage: .venv/bin/python bench/ledger_verify.py [--events N] [--repeat R]
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import statistics
import time
from pathlib import Path

from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger

OUT = Path(__file__).parent / "out"
SCHEMA = "r2"  # bump when the ledger's tables change, so cached files are rebuilt


def drafts(n: int) -> list[EventDraft]:
    """A few distinct, realistic events; the log makes each leaf unique by seq and time."""
    return [
        EventDraft(
            EventType.DECISION_MADE,
            f"agent:bot-{i % 7}",
            {"commit": f"{i:040x}", "task": f"T-{i}"},
            {
                "decision": "allow",
                "rules": ["ci-workflow", "source"],
                "policy": "sha256:" + "a" * 64,
            },
            ("actor", "subjects.commit"),
        )
        for i in range(n)
    ]


def build(n: int) -> Path:
    """A ledger file of ``n`` events, cached in bench/out between runs."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"ledger-{n}-{SCHEMA}.db"
    if path.exists() and (OUT / "bench.key").exists():
        return path
    path.unlink(missing_ok=True)  # a cache without its signing key cannot be verified: rebuild
    tmp = path.with_suffix(".tmp.db")
    for p in OUT.glob(tmp.name + "*"):
        p.unlink()
    pool = drafts(100)
    with Ledger(f"sqlite:///{tmp}", key_path=OUT / "bench.key", checkpoint_every=0,
                checkpoint_seconds=0) as lg:  # fmt: skip
        done = 0
        while done < n:
            step = min(10_000, n - done)
            lg.append_many([pool[(done + i) % len(pool)] for i in range(step)])
            done += step
            if done % 100_000 == 0 or done == n:
                lg.checkpoint()
    tmp.rename(path)
    return path


def bare_root(leaves: list[bytes]) -> bytes:
    """The floor: RFC 6962 root of the same leaf bytes, hashlib only, stack-based."""
    sha = hashlib.sha256
    stack: list[bytes] = []
    for i, leaf in enumerate(leaves):
        h = sha(b"\x00" + leaf).digest()
        n = i
        while n & 1:
            h = sha(b"\x01" + stack.pop() + h).digest()
            n >>= 1
        stack.append(h)
    h = stack[-1]
    for left in reversed(stack[:-1]):
        h = sha(b"\x01" + left + h).digest()
    return h


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = args.events
    path = build(n)
    conn = sqlite3.connect(path)
    leaves = [bytes(r[0]) for r in conn.execute("SELECT leaf FROM ledger_events ORDER BY seq")]
    conn.close()
    results = []
    with Ledger(f"sqlite:///{path}", key_path=OUT / "bench.key") as lg:
        result = lg.verify()  # warm the page cache so both sides start from memory
        assert result.ok and result.size == n and result.checkpoints > 0, result.problem
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            root = bare_root(leaves)
            bare = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = lg.verify()
            ours = time.perf_counter() - t0
            assert result.ok and result.root == root, result.problem
            results.append((ours, bare))
    ratios = [b / o for o, b in results]
    ratio = statistics.median(ratios)
    ours = statistics.median(o for o, _ in results)
    bare = statistics.median(b for _, b in results)
    print(
        f"verify (median of {args.repeat}): {n} events in {ours:.2f} s ({n / ours / 1000:.0f}k/s); "
        f"bare RFC 6962 root: {bare:.2f} s ({n / bare / 1000:.0f}k/s); "
        f"ratio {ratio:.2f} (target >= 0.60) {'PASS' if ratio >= 0.6 else 'FAIL'}; per run: "
        + " ".join(f"{r:.2f}" for r in ratios)
    )


if __name__ == "__main__":
    main()
