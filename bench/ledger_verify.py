"""Benchmark: `Ledger.verify()` of N events at the default checkpoint policy, against a bare
in-memory RFC 6962 root over the same leaves.

The ledger file is built as the product writes it by default: appends of 1,000 events, each
signing a checkpoint (the default policy: one per 1,000 events), so 1,000,000 events carry 1,000
signed checkpoints. A (ours): the full `Ledger.verify()`: it reads every row from SQLite,
recomputes every leaf and subtree hash, checks them against the stored ones, checks every
checkpoint's signature, origin and root at its size, and that no row lies outside the log.
B (the floor): SHA-256(0x00 || leaf) per leaf and the stack-based tree, in Python, over the leaf
bytes already in a list (read before timing): no database, no checks.

A and B alternate (A, B, A, B... the order flipping each round) after one untimed verify warms
the page cache; each round gives a ratio B/A (verify throughput as a share of the bare root's).
Printed: min and median ratio. Target: >= 0.70 (goal 0.80).
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
from signoff.ledger.service import DEFAULT_CHECKPOINT_EVERY, Ledger

OUT = Path(__file__).parent / "out"
SCHEMA = "r3"  # bump when the ledger's tables or build change, so cached files are rebuilt


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
    """A ledger file of ``n`` events at the default checkpoint policy, cached in bench/out."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"ledger-{n}-{SCHEMA}.db"
    if path.exists() and (OUT / "bench.key").exists():
        return path
    path.unlink(missing_ok=True)  # a cache without its signing key cannot be verified: rebuild
    tmp = path.with_suffix(".tmp.db")
    for p in OUT.glob(tmp.name + "*"):
        p.unlink()
    pool = drafts(100)
    step = DEFAULT_CHECKPOINT_EVERY
    with Ledger(f"sqlite:///{tmp}", key_path=OUT / "bench.key") as lg:  # the default policy
        for done in range(0, n, step):
            k = min(step, n - done)
            lg.append_many([pool[(done + i) % len(pool)] for i in range(k)])
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
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    n = args.events
    path = build(n)
    conn = sqlite3.connect(path)
    leaves = [bytes(r[0]) for r in conn.execute("SELECT leaf FROM ledger_events ORDER BY seq")]
    conn.close()
    results = []
    with Ledger(f"sqlite:///{path}", key_path=OUT / "bench.key", create=False) as lg:
        result = lg.verify()  # warm the page cache so both sides start from memory
        assert result.ok and result.size == n, result.problem
        checkpoints = result.checkpoints
        for rnd in range(args.repeat):
            spent = {}
            for side in ("ours", "bare") if rnd % 2 == 0 else ("bare", "ours"):
                t0 = time.perf_counter()
                if side == "ours":
                    result = lg.verify()
                else:
                    root = bare_root(leaves)
                spent[side] = time.perf_counter() - t0
            assert result.ok and result.root == root, result.problem
            results.append((spent["ours"], spent["bare"]))
    ratios = sorted(b / o for o, b in results)
    low, mid = ratios[0], statistics.median(ratios)
    ours = statistics.median(o for o, _ in results)
    bare = statistics.median(b for _, b in results)
    print(
        f"verify {n} events, {checkpoints} signed checkpoints (default policy: one per "
        f"{DEFAULT_CHECKPOINT_EVERY}), {args.repeat} interleaved rounds: {ours:.2f} s "
        f"({n / ours / 1000:.0f}k/s) vs floor (bare RFC 6962 root in memory) {bare:.2f} s "
        f"({n / bare / 1000:.0f}k/s); ratio min {low:.2f} median {mid:.2f} "
        f"(target >= 0.70, goal 0.80) {'PASS' if mid >= 0.7 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
