"""Benchmark: durable ledger appends on SQLite, at the default checkpoint policy, against a bare
SQLite insert loop.

A: `Ledger.append_many` with the product's defaults (a signed checkpoint every 1,000 events, and
whenever 300 s have passed since the last; each written in the append's own transaction).
B (the floor): a bare `sqlite3` loop, `executemany` of rows of the same bytes (the rows an
untimed ledger run wrote) into a table made by the ledger's own CREATE TABLE, with the same WAL,
synchronous=FULL and one BEGIN IMMEDIATE ... COMMIT per batch.

fsync latency on a shared disk drifts by 2x within seconds, so A and B run interleaved batch by
batch (A, B, A, B... the order alternating), each run on fresh files, each side timed on its own.
Each run gives one ratio (B time / A time = A's throughput as a share of B's); the script prints
the min and the median over --repeat runs. Target: >= 0.80 at batch 100.

For transparency a third loop inserting exactly as the ledger does (one multi-row INSERT, blobs
as bytearray) is timed in the same interleaving; its ratio is the ledger's own overhead
(formatting, hashing, tree, head row, checkpoints) with nothing offsetting it.
Usage: .venv/bin/python bench/ledger_append.py [--events N] [--batch B ...] [--repeat R]
(--events defaults to 2000 at batch 1 and 20000 otherwise, so every run spans many commits.)
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import DEFAULT_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_SECONDS, Ledger

Rows = list[tuple[object, ...]]


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


def open_ledger(path: Path) -> Ledger:
    return Ledger(f"sqlite:///{path}", key_path=path.with_suffix(".key"))  # product defaults


def reference(path: Path, pool: list[EventDraft], batch: int) -> tuple[str, Rows, int]:
    """An untimed ledger run: the table definition, the rows the bare loop will insert, and how
    many checkpoints the default policy wrote."""
    with open_ledger(path) as lg:
        for i in range(0, len(pool), batch):
            lg.append_many(pool[i : i + batch])
    conn = sqlite3.connect(path)
    (ddl,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ledger_events'").fetchone()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = [tuple(r) for r in conn.execute("SELECT * FROM ledger_events ORDER BY seq")]
    (cps,) = conn.execute("SELECT count(*) FROM ledger_checkpoints").fetchone()
    conn.close()
    return ddl, rows, int(cps)


def bare_db(path: Path, ddl: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(ddl)
    return conn


def run(
    d: Path, pool: list[EventDraft], ddl: str, rows: Rows, batch: int
) -> tuple[float, float, float]:
    """One interleaved run on fresh files: (ledger, bare loop, tuned bare loop) seconds."""
    bare, tuned = bare_db(d / "bare.db", ddl), bare_db(d / "tuned.db", ddl)
    marks = ",".join("?" * len(rows[0]))
    spent = [0.0, 0.0, 0.0]
    perf = time.perf_counter
    with open_ledger(d / "ledger.db") as lg:
        for n, i in enumerate(range(0, len(pool), batch)):
            order = (0, 1, 2) if n % 2 == 0 else (1, 0, 2)  # A, B alternate who goes first
            for side in order:
                part = rows[i : i + batch]
                t0 = perf()
                if side == 0:
                    lg.append_many(pool[i : i + batch])
                elif side == 1:
                    bare.execute("BEGIN IMMEDIATE")
                    bare.executemany(f"INSERT INTO ledger_events VALUES ({marks})", part)
                    bare.execute("COMMIT")
                else:
                    tuned.execute("BEGIN IMMEDIATE")
                    tuned.execute(
                        "INSERT INTO ledger_events VALUES " + ",".join([f"({marks})"] * len(part)),
                        [bytearray(v) if isinstance(v, bytes) else v for r in part for v in r],
                    )
                    tuned.execute("COMMIT")
                spent[side] += perf() - t0
        assert lg.size() == len(pool)
    bare.close()
    tuned.close()
    return spent[0], spent[1], spent[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--events", type=int, default=None, help="per run (default: 2000 at batch 1, else 20000)"
    )
    ap.add_argument("--batch", type=int, nargs="*", default=[1, 100])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    print(
        f"settings: product defaults (checkpoint every {DEFAULT_CHECKPOINT_EVERY} events or "
        f"{DEFAULT_CHECKPOINT_SECONDS:.0f} s, signed in the append's transaction); SQLite WAL, "
        "synchronous=FULL"
    )
    for batch in args.batch:
        n = args.events or (2000 if batch == 1 else 20_000)
        pool = drafts(n)
        results = []
        with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as tmp:
            ddl, rows, cps = reference(Path(tmp) / "reference.db", pool, batch)
            for rep in range(args.repeat):
                d = Path(tmp) / f"run{rep}"
                d.mkdir()
                results.append(run(d, pool, ddl, rows, batch))
        ratios = sorted(b / o for o, b, _ in results)
        low, mid = ratios[0], statistics.median(ratios)
        t_ours = statistics.median(o for o, _, _ in results)
        t_bare = statistics.median(b for _, b, _ in results)
        t_tuned = statistics.median(t for _, _, t in results)
        target = "target >= 0.80" if batch >= 100 else "no target at batch 1"
        verdict = ("PASS" if mid >= 0.8 else "FAIL") if batch >= 100 else ""
        print(
            f"append batch {batch}: {n} events, {cps} checkpoints per run, {args.repeat} "
            f"interleaved runs; ledger {t_ours:.3f} s ({n / t_ours:.0f}/s) vs floor (bare SQLite "
            f"insert loop) {t_bare:.3f} s ({n / t_bare:.0f}/s); ratio min {low:.2f} median "
            f"{mid:.2f} ({target}) {verdict}".rstrip()
        )
        tuned = statistics.median(t / o for o, _, t in results)
        print(
            f"  for reference, a bare loop inserting as the ledger does: {t_tuned:.3f} s "
            f"({n / t_tuned:.0f}/s); the ledger's own overhead leaves ratio {tuned:.2f}"
        )


if __name__ == "__main__":
    main()
