"""Benchmark: proof time must not grow with the log (O(log n) stored hashes, never O(n)).

Times inclusion and consistency proofs on a 1,000-event and an N-event ledger (built by
bench/ledger_verify.py's builder and cached in bench/out). Target: time at N <= 3x time at 1,000.
Usage: .venv/bin/python bench/ledger_proofs.py [--events N] [--proofs K]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_verify import OUT, build
from signoff.ledger import merkle
from signoff.ledger.service import Ledger


def timed(n: int, k: int) -> tuple[float, float]:
    rng = random.Random(n)
    with Ledger(f"sqlite:///{build(n)}", key_path=OUT / "bench.key") as lg:
        lg.prove_inclusion(0)  # warm up
        t0 = time.perf_counter()
        for _ in range(k):
            seq = rng.randrange(n)
            p = lg.prove_inclusion(seq)
            merkle.verify_inclusion(seq, n, p.leaf_hash, p.path, p.root)
        inc = (time.perf_counter() - t0) / k
        t0 = time.perf_counter()
        for _ in range(k):
            old = rng.randrange(1, n)
            c = lg.prove_consistency(old, n)
            merkle.verify_consistency(old, n, c.old_root, c.new_root, c.path)
        con = (time.perf_counter() - t0) / k
    return inc, con


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--proofs", type=int, default=2000)
    args = ap.parse_args()
    small_i, small_c = timed(1000, args.proofs)
    big_i, big_c = timed(args.events, args.proofs)
    for what, small, big in (("inclusion", small_i, big_i), ("consistency", small_c, big_c)):
        ratio = big / small
        print(
            f"{what} proof (generate + verify): {big * 1e6:.0f} us at {args.events} events, "
            f"{small * 1e6:.0f} us at 1000 events; ratio {ratio:.2f} (target <= 3.00) "
            f"{'PASS' if ratio <= 3 else 'FAIL'}"
        )


if __name__ == "__main__":
    main()
