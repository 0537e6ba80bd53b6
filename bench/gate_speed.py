"""Gate benchmark: `signoff check` over a 10,000-commit range vs `git log --raw -z --no-renames`
over the same range, and start-up of `signoff --version` / `signoff check` on a 3-commit range vs
a bare `python3 -c pass`, all measured in this run, the pair of each figure interleaved
(A, B, A, B, ...) so that a busy machine slows both alike; min and median are printed.

`--compare REV` also runs the same gate commands from the source tree of an earlier commit REV
(checked out into a temporary worktree, run with this venv's Python and dependencies),
interleaved with the current tree, and prints the current/REV ratio: a change that should not
slow the gate can show that it did not.

Targets: check/git-log ratio <= 1.5; --version <= 5x and 3-commit check <= 12x bare start-up.
Settings: the product's defaults (no environment variable or option changes what is measured).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_repo import generate

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def run_once(argv: Sequence[str], ok: tuple[int, ...], env: dict[str, str]) -> float:
    """One timed run; a run that fails, or prints a traceback, stops the benchmark (a crash
    must never pass for a fast gate)."""
    with tempfile.TemporaryFile() as out:  # a file, as for git's floor: no pipe to wait on
        t0 = time.perf_counter()
        proc = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        elapsed = time.perf_counter() - t0
        if proc.returncode not in ok or b"Traceback" in proc.stderr:
            raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.decode()}")
        if "--format" in argv and argv[argv.index("--format") + 1] == "json":
            out.seek(0)
            if not json.load(out).get("commits"):
                raise SystemExit(f"{argv[0]} printed no commits")
    return elapsed


class Cmd:
    """A command to time, with the exit codes that count as a run and its environment."""

    def __init__(
        self, name: str, argv: Sequence[str], ok: tuple[int, ...] = (0,), src: Path | None = None
    ) -> None:
        self.name, self.argv, self.ok = name, list(argv), ok
        self.env = dict(ENV)
        if src is not None:  # run signoff from this source tree, not the installed one
            self.env["PYTHONPATH"] = str(src)
        self.times: list[float] = []

    def once(self) -> None:
        self.times.append(run_once(self.argv, self.ok, self.env))


def interleaved(cmds: Sequence[Cmd], runs: int) -> None:
    for _ in range(runs):
        for c in cmds:
            c.once()


def ratio(a: Cmd, b: Cmd) -> str:
    return (
        f"min {min(a.times) / min(b.times):.2f}, "
        f"median {statistics.median(a.times) / statistics.median(b.times):.2f}"
    )


def show(c: Cmd) -> None:
    print(
        f"  {c.name:<34} min {min(c.times) * 1000:7.1f} ms   "
        f"median {statistics.median(c.times) * 1000:7.1f} ms   ({len(c.times)} runs)"
    )


def signoff(src: Path) -> list[str]:
    """`signoff` from a source tree, the way the console command starts it."""
    return [sys.executable, "-c", "from signoff.cli.main import run; run()"]


def precompile(src: Path) -> None:
    """Byte-compile a source tree as an installed package would be, so start-up is not
    recompiling it (this matters where PYTHONDONTWRITEBYTECODE is set)."""
    import compileall

    compileall.compile_dir(str(src / "signoff"), quiet=1)


def worktree(rev: str, into: Path) -> Path:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(into), rev],
        check=True,
        capture_output=True,
    )
    return into / "src"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--commits", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--compare", metavar="REV", help="also run the gate from this commit")
    args = ap.parse_args()
    trees = {"current": ROOT / "src"}
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        if args.compare:
            trees[args.compare] = worktree(args.compare, Path(tmp) / "old")
        try:
            for src in trees.values():
                precompile(src)
            measure(Path(tmp), trees, args.commits, args.runs)
        finally:
            if args.compare:
                subprocess.run(
                    [
                        "git",
                        "-C",
                        str(ROOT),
                        "worktree",
                        "remove",
                        "--force",
                        str(trees[args.compare].parent),
                    ],
                    check=False,
                )


def measure(tmp: Path, trees: dict[str, Path], commits: int, runs: int) -> None:
    repo = tmp / "repo"
    t0 = time.perf_counter()
    generate(repo, commits)
    print(f"generated {commits} commits in {time.perf_counter() - t0:.1f} s")
    range_args = [
        "check",
        "--repo",
        str(repo),
        "--base",
        "refs/tags/base",  # the generator tags the base; a short name is never a tag
        "--head",
        "main",
        "--format",
        "json",
    ]
    git_log = Cmd(
        "git log --raw -z --no-renames",
        ["git", "-C", str(repo), "log", "--raw", "-z", "--no-renames", "base..main"],
    )
    checks = [
        Cmd(f"signoff check (json) [{name}]", [*signoff(src), *range_args], (0, 1), src)
        for name, src in trees.items()
    ]
    interleaved([git_log, *checks], runs)
    print(f"range of {commits} commits:")
    for c in (git_log, *checks):
        show(c)
    for c in checks:
        print(f"  range ratio {c.name}: {ratio(c, git_log)} (target <= 1.5)")

    small = tmp / "small"
    generate(small, 3)
    n = max(10, runs * 3)
    bare = Cmd("python3 -c pass", [sys.executable, "-c", "pass"])
    starts: list[Cmd] = [bare]
    for name, src in trees.items():
        starts.append(Cmd(f"signoff --version [{name}]", [*signoff(src), "--version"], src=src))
        small_args = ["check", "--repo", str(small), "--base", "refs/tags/base", "--head", "main"]
        starts.append(
            Cmd(f"signoff check, 3 commits [{name}]", [*signoff(src), *small_args], (0, 1), src)
        )
    interleaved(starts, n)
    print("start-up:")
    for c in starts:
        show(c)
    for c in starts[1:]:
        target = "<= 5x" if "--version" in c.name else "<= 12x"
        print(f"  {c.name} / python3 -c pass: {ratio(c, bare)} (target {target})")
    if len(trees) > 1:
        print("current tree vs the compared commit (<= 1.10 means no regression over 10%):")
        pairs = [(checks[0], checks[1]), (starts[1], starts[3]), (starts[2], starts[4])]
        for new, old in pairs:
            print(f"  {new.name}: {ratio(new, old)}")


if __name__ == "__main__":
    main()
