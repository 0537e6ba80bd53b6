"""Benchmark: durable ledger appends on SQLite against a bare SQLite insert loop.

Both sides use WAL, synchronous=FULL, one transaction per batch and the same row shape and bytes;
the ledger additionally validates nothing (drafts are prebuilt), splices the canonical event,
extends the Merkle tree from its stored right edge and updates the head row.
Target: ledger throughput >= 80% of the bare loop.
Usage: .venv/bin/python bench/ledger_append.py [--events N] [--batch B]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger


def drafts(n: int) -> list[EventDraft]:
    return [
        EventDraft(
            EventType.PUSH_WITNESSED,
            "agent:bot",
            {"commit": f"{i:040x}", "task": f"T-{i}"},
            {"ref": "refs/heads/agent/x", "files": 3},
            ("actor", "subjects.commit"),
        )
        for i in range(n)
    ]


def bare(path: Path, rows: list[tuple[int, str, bytes, bytes, bytes]], batch: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE ledger_events (seq BIGINT PRIMARY KEY, type VARCHAR(64) NOT NULL, "
        "leaf BLOB NOT NULL, leaf_hash BLOB NOT NULL, nodes BLOB NOT NULL)"
    )
    t0 = time.perf_counter()
    for i in range(0, len(rows), batch):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO ledger_events VALUES (?, ?, ?, ?, ?)", rows[i : i + batch])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def ours(
    path: Path, pool: list[EventDraft], batch: int
) -> tuple[float, list[tuple[int, str, bytes, bytes, bytes]]]:
    with Ledger(f"sqlite:///{path}", key_path=path.with_suffix(".key"), checkpoint_every=0,
                checkpoint_seconds=0) as lg:  # fmt: skip
        t0 = time.perf_counter()
        for i in range(0, len(pool), batch):
            lg.append_many(pool[i : i + batch])
        elapsed = time.perf_counter() - t0
    conn = sqlite3.connect(path)
    rows = [tuple(r) for r in conn.execute("SELECT * FROM ledger_events ORDER BY seq")]
    conn.close()
    return elapsed, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--batch", type=int, nargs="*", default=[1, 100])
    args = ap.parse_args()
    pool = drafts(args.events)
    for batch in args.batch:
        with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as d:
            t_ours, rows = ours(Path(d) / "ledger.db", pool, batch)
            t_bare = bare(Path(d) / "bare.db", rows, batch)
        n = args.events
        ratio = t_bare / t_ours
        print(
            f"append (batch {batch}): {n} events in {t_ours:.2f} s ({n / t_ours:.0f}/s); "
            f"bare SQLite insert loop: {t_bare:.2f} s ({n / t_bare:.0f}/s); "
            f"ratio {ratio:.2f} (target >= 0.80) {'PASS' if ratio >= 0.8 else 'FAIL'}"
        )


if __name__ == "__main__":
    main()
