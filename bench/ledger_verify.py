"""Benchmark: `verify` of N events against a bare in-memory RFC 6962 root over the same leaves.

Target: verify throughput >= 60% of the bare computation (hashlib, no database).
Usage: .venv/bin/python bench/ledger_verify.py [--events N]
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import time
from pathlib import Path

from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger

OUT = Path(__file__).parent / "out"


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
    path = OUT / f"ledger-{n}.db"
    if path.exists():
        return path
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
    n = ap.parse_args().events
    path = build(n)
    conn = sqlite3.connect(path)
    leaves = [bytes(r[0]) for r in conn.execute("SELECT leaf FROM ledger_events ORDER BY seq")]
    conn.close()

    t0 = time.perf_counter()
    root = bare_root(leaves)
    bare = time.perf_counter() - t0
    del leaves

    with Ledger(f"sqlite:///{path}", key_path=OUT / "bench.key") as lg:
        lg.verify()  # warm the page cache so both sides start from memory
        t0 = time.perf_counter()
        result = lg.verify()
        ours = time.perf_counter() - t0
    assert result.ok and result.root == root, result.problem
    ratio = bare / ours
    print(
        f"verify: {n} events in {ours:.2f} s ({n / ours / 1000:.0f}k/s); "
        f"bare RFC 6962 root: {bare:.2f} s ({n / bare / 1000:.0f}k/s); "
        f"ratio {ratio:.2f} (target >= 0.60) {'PASS' if ratio >= 0.6 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
