"""Path classification speed: `classify_path` over 100,000 paths of mixed shapes.

The floor, measured in the same run, is the cheapest classifier a table of path rules could be:
one extension looked up in a dict per path. The two run interleaved (classifier, floor, ...),
and the script prints the min and median of each, their ratio, and the time per path.

Target: under 10 µs per path (100,000 paths well under a second), at the median.
Run: ``.venv/bin/python bench/classify_paths.py [--paths 100000] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from signoff.classify import classify_path

TARGET_US = 10.0
DIRS = ["src", "pkg/sub", "tests", "docs", ".github/workflows", "k8s", "a/b/c/d", "web"]
NAMES = ["main.py", "index.ts", "README.md", "package.json", "Dockerfile", "x.yaml",
         "foo_test.go", "CHANGELOG.md", "logo.png", "AGENTS.md", "lib.rs", "data"]  # fmt: skip
FLOOR_TABLE = {".py": "source", ".ts": "source", ".md": "docs", ".json": "config"}


def paths(count: int) -> list[str]:
    return [f"{DIRS[i % len(DIRS)]}/{i}/{NAMES[i % len(NAMES)]}" for i in range(count)]


def floor(path: str) -> str:
    """One dict lookup by extension: what any table of path rules costs at the least."""
    return FLOOR_TABLE.get(os.path.splitext(path)[1], "unknown")


def timed(fn: Callable[[str], object], items: list[str]) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7, help="interleaved pairs (default 7)")
    args = ap.parse_args()
    items = paths(args.paths)
    classify_path("warm-up")
    ours: list[float] = []
    base: list[float] = []
    for _ in range(args.runs):
        ours.append(timed(classify_path, items))
        base.append(timed(floor, items))
    o_min, o_med = min(ours), statistics.median(ours)
    b_min, b_med = min(base), statistics.median(base)
    per_path = o_med / len(items) * 1e6
    print(f"{len(items):,} paths, {args.runs} interleaved pairs")
    print(f"classify_path:           min {o_min * 1e3:8.1f} ms  median {o_med * 1e3:8.1f} ms")
    print(f"floor (extension dict):  min {b_min * 1e3:8.1f} ms  median {b_med * 1e3:8.1f} ms")
    print(f"ratio: {o_min / b_min:.1f}x (min)  {o_med / b_med:.1f}x (median)")
    verdict = "PASS" if per_path < TARGET_US else "FAIL"
    print(f"per path: {per_path:.2f} µs at the median, target < {TARGET_US:g} µs: {verdict}")


if __name__ == "__main__":
    main()
