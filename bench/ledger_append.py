"""Benchmark: durable ledger appends on SQLite against a bare SQLite insert loop.

Both sides use WAL, synchronous=FULL, one BEGIN IMMEDIATE ... COMMIT per batch, the same table
(the bare side copies the ledger's own CREATE TABLE statement) and rows of the same bytes (the
bare side inserts the rows an untimed ledger run wrote from the same drafts). The ledger also
splices each canonical event, hashes it, extends the Merkle tree (after checking the head row
for other writers) and moves the head row; drafts are prebuilt, as a caller's are.

fsync latency on a shared disk drifts by 2x within seconds, so the sides run interleaved:
batch i of each side in turn (the order rotates every batch), each on its own fresh file, each
timed on its own. The figure is the median ratio over --repeat runs.
Target: ledger throughput >= 80% of the bare loop.

The bare loop is the plain one: ``executemany`` with the rows as ``bytes``. The ledger inserts
more cheaply than that (one multi-row INSERT per batch, blobs bound as ``bytearray``, which the
sqlite3 module binds without its adapter lookup), and that saving pays for its hashing. For
transparency a third side, a bare loop inserting exactly as the ledger does, is timed too: its
ratio is the ledger's own overhead (formatting, hashing, tree, head row) with nothing offsetting.
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
from signoff.ledger.service import Ledger

Rows = list[tuple[int, str, bytes, bytes, bytes]]


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
    return Ledger(f"sqlite:///{path}", key_path=path.with_suffix(".key"), checkpoint_every=0,
                  checkpoint_seconds=0)  # fmt: skip


def reference(path: Path, pool: list[EventDraft], batch: int) -> tuple[str, Rows]:
    """An untimed ledger run: the table definition and the rows the bare loop will insert."""
    with open_ledger(path) as lg:
        for i in range(0, len(pool), batch):
            lg.append_many(pool[i : i + batch])
    conn = sqlite3.connect(path)
    (ddl,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ledger_events'").fetchone()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = [tuple(r) for r in conn.execute("SELECT * FROM ledger_events ORDER BY seq")]
    conn.close()
    return ddl, rows


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
    spent = [0.0, 0.0, 0.0]
    perf = time.perf_counter
    with open_ledger(d / "ledger.db") as lg:
        for n, i in enumerate(range(0, len(pool), batch)):
            for side in (n % 3, (n + 1) % 3, (n + 2) % 3):
                t0 = perf()
                if side == 0:
                    lg.append_many(pool[i : i + batch])
                elif side == 1:
                    bare.execute("BEGIN IMMEDIATE")
                    bare.executemany(
                        "INSERT INTO ledger_events VALUES (?, ?, ?, ?, ?)", rows[i : i + batch]
                    )
                    bare.execute("COMMIT")
                else:
                    part = rows[i : i + batch]
                    tuned.execute("BEGIN IMMEDIATE")
                    tuned.execute(
                        "INSERT INTO ledger_events VALUES " + ",".join(["(?,?,?,?,?)"] * len(part)),
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
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    for batch in args.batch:
        n = args.events or (2000 if batch == 1 else 20_000)
        pool = drafts(n)
        results = []
        with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as tmp:
            ddl, rows = reference(Path(tmp) / "reference.db", pool, batch)
            for rep in range(args.repeat):
                d = Path(tmp) / f"run{rep}"
                d.mkdir()
                results.append(run(d, pool, ddl, rows, batch))
        ratios = [b / o for o, b, _ in results]
        ratio = statistics.median(ratios)
        t_ours = statistics.median(o for o, _, _ in results)
        t_bare = statistics.median(b for _, b, _ in results)
        t_tuned = statistics.median(t for _, _, t in results)
        print(
            f"append (batch {batch}, median of {args.repeat}): {n} events in {t_ours:.3f} s "
            f"({n / t_ours:.0f}/s); bare SQLite insert loop: {t_bare:.3f} s "
            f"({n / t_bare:.0f}/s); ratio {ratio:.2f} (target >= 0.80) "
            f"{'PASS' if ratio >= 0.8 else 'FAIL'}; per run: "
            + " ".join(f"{r:.2f}" for r in ratios)
        )
        tuned_ratio = statistics.median(t / o for o, _, t in results)
        print(
            f"  for reference, a bare loop inserting as the ledger does: {t_tuned:.3f} s "
            f"({n / t_tuned:.0f}/s); the ledger's own overhead leaves ratio {tuned_ratio:.2f}"
        )


if __name__ == "__main__":
    main()
