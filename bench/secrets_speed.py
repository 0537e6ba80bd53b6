"""Secrets scanner speed on real-shaped text: the Hyperscan path, the plain reference path, and
`git log -p` reading the same bytes (the floor: a scan of every patch cannot read them faster).

Text: this Python's installed source files (site-packages: real code and docs) and a generated
package-lock.json and poetry.lock, every line scanned as added (`scan_fast` / `scan_reference`
after the same line split `signoff.analysis.secrets.scan_blob` does). The floor is
`git log -p` over commits adding the same files, read through a pipe. The three run
interleaved; the reference path, about 40x slower, scans every tenth file. Both paths' findings
on those files are compared (they must be equal).

Target: the engine scans at least as fast as `git log -p` reads (ratio >= 1).
Run: ``.venv/bin/python bench/secrets_speed.py [--mb 20] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gitwrite import GIT_ENV
from real_corpus import Locks, distribution_names, source_files
from signoff.analysis._lines import added_lines
from signoff.analysis._secrets_scan import Engine, engine, scan_fast, scan_reference

Corpus = list[tuple[str, str]]


def corpus(megabytes: float) -> Corpus:
    files = source_files()
    random.Random(5).shuffle(files)
    locks = Locks(random.Random(5), distribution_names(), npm_entries=3_000)
    chosen: Corpus = [
        ("package-lock.json", locks.package_lock().decode()),
        ("poetry.lock", locks.poetry_lock().decode()),
    ]
    size = sum(len(text) for _, text in chosen)
    for path, data in files:
        if size >= megabytes * 1e6:
            break
        chosen.append((path, data.decode("utf-8", "replace")))
        size += len(data)
    return chosen


def scan_all(files: Corpus, compiled: Engine | None) -> tuple[float, list[object]]:
    found: list[object] = []
    t0 = time.perf_counter()
    for path, text in files:
        lines = added_lines(None, text)
        found += scan_fast(path, lines, compiled) if compiled else scan_reference(path, lines)
    return time.perf_counter() - t0, found


def git_floor(repo: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(["git", "-C", str(repo), "log", "-p"], stdout=subprocess.PIPE,
                            env=GIT_ENV)  # fmt: skip
    assert proc.stdout is not None
    while proc.stdout.read(1 << 20):
        pass
    if proc.wait():
        raise SystemExit("git log -p failed")
    return time.perf_counter() - t0


def make_repo(repo: Path, files: Corpus) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=GIT_ENV,
                       capture_output=True)  # fmt: skip

    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=GIT_ENV)
    git("config", "user.name", "bench")
    git("config", "user.email", "bench@example.invalid")
    for start in range(0, len(files), 100):
        for path, text in files[start : start + 100]:
            target = repo / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git("add", "-A")
        git("commit", "-q", "-m", f"files {start}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=20.0, help="megabytes of text (default 20)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    files = corpus(args.mb)
    every_tenth = files[::10]
    size = sum(len(text.encode()) for _, text in files) / 1e6
    ref_size = sum(len(text.encode()) for _, text in every_tenth) / 1e6
    t0 = time.perf_counter()
    compiled = engine()
    if compiled is None:
        raise SystemExit("hyperscan is not available here: only the reference path would run")
    print(f"engine compile: {time.perf_counter() - t0:.2f} s (once per process)")
    scan_all(files[:20], compiled)  # imports detect-secrets, also once per process
    fast: list[float] = []
    ref: list[float] = []
    floor: list[float] = []
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        make_repo(Path(tmp), files)
        for _ in range(args.runs):
            elapsed, _found = scan_all(files, compiled)
            fast.append(size / elapsed)
            elapsed, found_ref = scan_all(every_tenth, None)
            ref.append(ref_size / elapsed)
            floor.append(size / git_floor(Path(tmp)))
    same = scan_all(every_tenth, compiled)[1] == found_ref
    print(f"text: {size:.1f} MB in {len(files)} files (real source + package-lock + poetry.lock)")
    for name, rates in (("engine (hyperscan)", fast), ("reference (python re)", ref),
                        ("git log -p (floor)", floor)):  # fmt: skip
        print(f"{name:22s} max {max(rates):7.1f} MB/s  median {statistics.median(rates):7.1f} MB/s")
    print(
        f"engine / floor: {max(fast) / max(floor):.2f} (best)  "
        f"{statistics.median(fast) / statistics.median(floor):.2f} (median); target >= 1"
    )
    print(
        f"engine / reference: {statistics.median(fast) / statistics.median(ref):.0f}x; "
        f"same findings on the reference's {ref_size:.1f} MB: {same}"
    )


if __name__ == "__main__":
    main()
