"""The text report on a terminal vs in a pipe: `signoff check` over a 20,000-commit range.

Two pairs, each interleaved A,B,A,B... with the same command line for both sides:
- a real terminal against a pipe: plain `signoff check` with stdout and stderr on a
  pseudo-terminal (what a person at a terminal gets: colour, progress on stderr, the folded
  report), read as fast as it comes, against the same command with both piped (the floor).
  A terminal emulator's own drawing time is not in it;
- the colour alone: `--color always --all` against `--color never --all`, both piped (every row,
  painted or not).

Also prints the folded report's length (what a person reads without `--all`) against the full
one. Target: terminal/pipe ratio <= 1.10 for both pairs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gate_speed import ENV, ROOT, precompile, signoff
from gen_repo import generate

SRC = ROOT / "src"
RUN_ENV = {**ENV, "PYTHONPATH": str(SRC)}


def once(argv: list[str]) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, env=RUN_ENV, check=False)
    took = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed ({proc.returncode}): {proc.stderr.decode()}")
    return took, proc.stdout


def on_terminal(argv: list[str]) -> float:
    """One run with stdout and stderr on a pseudo-terminal, drained as the child writes."""
    import os
    import pty

    master, slave = pty.openpty()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=slave, stderr=slave, env=RUN_ENV)
    os.close(slave)
    while True:
        try:
            if not os.read(master, 1 << 16):
                break
        except OSError:  # EIO: the child closed its end
            break
    code = proc.wait()
    took = time.perf_counter() - t0
    os.close(master)
    if code not in (0, 1):
        raise SystemExit(f"failed on a terminal ({code})")
    return took


def _line(label: str, xs: list[float], floor: bool = False) -> str:
    tail = "  (the floor)" if floor else ""
    return (f"{label} min {min(xs) * 1000:.0f} ms, median {statistics.median(xs) * 1000:.0f} ms"
            f"{tail}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--commits", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    precompile(SRC)
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        repo = Path(tmp) / "repo"
        generate(repo, args.commits)
        base = [
            *signoff(SRC), "check", "--repo", str(repo),
            "--base", "refs/tags/base",  # the generator tags the base; a short name is never a tag
            "--head", "main",
        ]  # fmt: skip
        terminal = [*base, "--color", "always", "--all"]
        pipe = [*base, "--color", "never", "--all"]
        a: list[float] = []
        b: list[float] = []
        t: list[float] = []
        p: list[float] = []
        for _ in range(args.runs):
            a.append(once(terminal)[0])
            b.append(once(pipe)[0])
            t.append(on_terminal(base))
            p.append(once(base)[0])
        print(_line("real terminal (pty, defaults):  ", t))
        print(_line("piped (defaults):               ", p, floor=True))
        ratio = statistics.median(t) / statistics.median(p)
        print(f"ratio pty/pipe: {min(t) / min(p):.2f} (min), {ratio:.2f} (median); target <= 1.10")
        _, folded = once(base)
        _, full = once(pipe)
        print(f"terminal (--color always --all): min {min(a) * 1000:.0f} ms, "
              f"median {statistics.median(a) * 1000:.0f} ms")  # fmt: skip
        print(f"pipe (--color never --all):      min {min(b) * 1000:.0f} ms, "
              f"median {statistics.median(b) * 1000:.0f} ms  (the floor)")  # fmt: skip
        print(
            f"ratio terminal/pipe: {min(a) / min(b):.2f} (min), "
            f"{statistics.median(a) / statistics.median(b):.2f} (median); target <= 1.10"
        )
        print(
            f"report lines: {len(folded.splitlines()):,} folded, {len(full.splitlines()):,} "
            f"with --all ({args.commits:,} commits)"
        )


if __name__ == "__main__":
    main()
