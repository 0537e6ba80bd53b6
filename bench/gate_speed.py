"""Gate benchmark: `signoff check` over a 10,000-commit range vs `git log --raw -z --no-renames`
over the same range, and start-up of `signoff --version` / `signoff check` on a 3-commit range vs
a bare `python3 -c pass`, all measured in this run.

Targets: check/git-log ratio <= 1.5; --version <= 5x and 3-commit check <= 12x bare start-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_repo import generate

SIGNOFF = str(Path(sys.executable).with_name("signoff"))
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def timed(argv: list[str], runs: int, ok: tuple[int, ...] = (0,)) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in ok:
            raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.decode()}")
    return times


def precompile() -> None:
    """Byte-compile signoff as an installed package would be, so start-up is not recompiling it
    (this matters where PYTHONDONTWRITEBYTECODE is set)."""
    import compileall

    import signoff

    compileall.compile_dir(str(Path(signoff.__file__).parent), quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--commits", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    precompile()
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        repo = Path(tmp) / "repo"
        t0 = time.perf_counter()
        generate(repo, args.commits)
        print(f"generated {args.commits} commits in {time.perf_counter() - t0:.1f} s")
        git_log = ["git", "-C", str(repo), "log", "--raw", "-z", "--no-renames", "base..main"]
        check = [
            SIGNOFF,
            "check",
            "--repo",
            str(repo),
            "--base",
            "base",
            "--head",
            "main",
            "--format",
            "json",
        ]
        tg = min(timed(git_log, args.runs))
        tc = min(timed(check, args.runs, ok=(0, 1)))
        print(f"git log --raw -z --no-renames: {tg * 1000:.0f} ms (best of {args.runs})")
        print(f"signoff check (json):          {tc * 1000:.0f} ms (best of {args.runs})")
        print(f"range ratio: {tc / tg:.2f} (target <= 1.5)")

        small = Path(tmp) / "small"
        generate(small, 3)
        n = max(10, args.runs * 4)
        bare = statistics.median(timed([sys.executable, "-c", "pass"], n))
        ver = statistics.median(timed([SIGNOFF, "--version"], n))
        chk = statistics.median(
            timed(
                [SIGNOFF, "check", "--repo", str(small), "--base", "base", "--head", "main"],
                n,
                ok=(0, 1),
            )
        )
        print(f"python3 -c pass:               {bare * 1000:.1f} ms (median of {n})")
        print(
            f"signoff --version:             {ver * 1000:.1f} ms = {ver / bare:.1f}x (target <= 5x)"
        )
        print(
            f"signoff check (3 commits):     {chk * 1000:.1f} ms = {chk / bare:.1f}x"
            " (target <= 12x)"
        )


if __name__ == "__main__":
    main()
