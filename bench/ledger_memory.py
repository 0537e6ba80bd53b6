"""Benchmark: the ledger's memory stays bounded as the log grows (10,000,000 events).

For each size N (default 1,000,000 and 10,000,000), a fresh child process opens the cached
N-event ledger (built at the default checkpoint policy by bench/ledger_verify.py's builder) and
runs, in turn: a full `verify()`, 200 inclusion and 200 consistency proofs, `find` (a full scan)
and `recent(20)`. (An append reads only the O(log n) right edge, and would grow the cached file
the other benchmarks verify, so it is not run here.) Its peak RSS is compared with the
floor: a child that imports the ledger and opens the same file, doing nothing. The children
alternate per round (A, B, B, A, ...); printed: min and median peak RSS above the floor, per size.
Target: verify and the rest add at most 200 MB above the floor at 10,000,000 events, and no
more than 1.5x what they add at 1,000,000 (memory does not follow the log's size).
Usage: .venv/bin/python bench/ledger_memory.py [--events N ...] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_verify import OUT, build

CHILD = r"""
import random, resource, sys
from signoff.ledger.service import Ledger
path, key, work = sys.argv[1], sys.argv[2], sys.argv[3] == "work"
with Ledger(f"sqlite:///{path}", key_path=key, create=False) as lg:
    if work:
        result = lg.verify()
        assert result.ok, result.problem
        n = lg.size()
        rng = random.Random(1)
        for _ in range(200):
            lg.prove_inclusion(rng.randrange(n))
            lg.prove_consistency(rng.randrange(1, n))
        lg.find("no-such-subject")
        lg.recent(20)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def peak(path: Path, work: bool) -> int:
    """Peak RSS (MiB) of a child opening `path`, working or not."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(OUT / "bench.key"), "work" if work else "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.strip())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, nargs="*", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    added: dict[int, float] = {}
    for n in args.events:
        path = build(n)
        rows = []
        for r in range(args.repeat):
            got = {}
            for work in (True, False) if r % 2 == 0 else (False, True):
                got[work] = peak(path, work)
            rows.append((got[True], got[False]))
        extra = sorted(w - f for w, f in rows)
        added[n] = statistics.median(extra)
        print(
            f"memory at {n} events, {args.repeat} interleaved rounds: peak RSS "
            f"{statistics.median(w for w, _ in rows)} MiB (verify, 400 proofs, find, recent) vs "
            f"floor {statistics.median(f for _, f in rows)} MiB (import and open); above the "
            f"floor: min {extra[0]} MiB, median {added[n]:.0f} MiB"
        )
    big, small = max(added), min(added)
    if big != small:
        growth = added[big] / max(added[small], 1.0)
        ok = added[big] <= 200 and growth <= 1.5
        print(
            f"memory growth {small} -> {big} events: {growth:.2f}x the working set above the "
            f"floor (target: <= 200 MiB and <= 1.50x) {'PASS' if ok else 'FAIL'}"
        )


if __name__ == "__main__":
    main()
