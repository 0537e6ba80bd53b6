"""Gate benchmark on real-shaped history: `signoff check --format json` over a whole range vs
`git log -p --no-renames` over the same range (the floor: every patch a complete scan reads).

By default the range is a generated one (`bench/gen_real_history.py`: ~1,000 commits, ~1,500
files of real source text, OpenPGP- and SSH-signed commits, agent trailers, merges, lockfiles,
workflows); `--repo PATH --base X --head Y` measures a real repository instead. The two commands
run interleaved (gate, git, gate, git, ...) and the script prints the min and median of each, the
ratios, the target (<= 2x, must <= 3x), and the peak RSS of the gate: the largest resident set
of any process in its tree (the gate or one of the git processes it starts), as GNU time
(`/usr/bin/time`, Debian's `time` package) reports it. Without GNU time the RSS is not printed:
a child's `ru_maxrss` as Python's `wait4` sees it starts from this script's own resident set,
copied by fork.

Run: ``.venv/bin/python bench/real_speed.py [--runs 3] [--repo PATH --base X --head Y]``.
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
from gen_real_history import generate
from gitwrite import GIT_ENV

SIGNOFF = str(Path(sys.executable).with_name("signoff"))
TARGET, MUST = 2.0, 3.0


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(argv: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, int | None, int]:
    """(seconds, peak RSS in KiB of the process tree or None, bytes on stdout); stdout is read
    in full through a pipe, as a reader of `git log -p` would."""
    with tempfile.NamedTemporaryFile("r") as rss:
        wrap = [GNU_TIME, "-q", "-f", "%M", "-o", rss.name] if GNU_TIME else []
        t0 = time.perf_counter()
        proc = subprocess.Popen([*wrap, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=GIT_ENV)  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        size = 0
        while chunk := proc.stdout.read(1 << 20):
            size += len(chunk)
        err = proc.stderr.read()
        code = proc.wait()
        elapsed = time.perf_counter() - t0
        peak = rss.read().strip()
    if code not in ok:
        raise SystemExit(f"{argv[0]} failed ({code}): {err.decode(errors='replace')}")
    return elapsed, int(peak) if peak.isdigit() else None, size


def precompile() -> None:
    """Byte-compile signoff as an installed package would be (see bench/gate_speed.py)."""
    import compileall

    import signoff

    compileall.compile_dir(str(Path(signoff.__file__).parent), quiet=1)


def measure(repo: Path, base: str, head: str, runs: int) -> None:
    gate = [SIGNOFF, "check", "--repo", str(repo), "--base", base, "--head", head,
            "--format", "json"]  # fmt: skip
    floor = ["git", "-C", str(repo), "log", "-p", "--no-renames", f"{base}..{head}"]
    count = ["git", "-C", str(repo), "rev-list", "--count", f"{base}..{head}"]
    commits = subprocess.run(count, capture_output=True, text=True, check=True, env=GIT_ENV).stdout
    gate_times: list[float] = []
    git_times: list[float] = []
    rss: int | None = None
    patch = 0
    for _ in range(runs):
        elapsed, peak, _ = run(gate, ok=(0, 1))
        gate_times.append(elapsed)
        rss = max(rss or 0, peak) if peak is not None else None
        elapsed, _, patch = run(floor)
        git_times.append(elapsed)
    g_min, g_med = min(gate_times), statistics.median(gate_times)
    f_min, f_med = min(git_times), statistics.median(git_times)
    print(
        f"range {base}..{head}: {commits.strip()} commits, git log -p prints {patch / 1e6:.1f} MB"
    )
    print(f"signoff check --format json:  min {g_min:8.2f} s  median {g_med:8.2f} s  ({runs} runs)")
    print(f"git log -p --no-renames:      min {f_min:8.2f} s  median {f_med:8.2f} s  (the floor)")
    print(f"ratio: {g_min / f_min:.2f}x (min)  {g_med / f_med:.2f}x (median)"
          f"  target <= {TARGET:g}x, must <= {MUST:g}x")  # fmt: skip
    if rss is None:
        print("peak RSS: not measured (install GNU time: apt-get install time)")
    else:
        print(f"peak RSS of the gate's process tree (GNU time): {rss / 1024:.0f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="interleaved pairs (default 3)")
    ap.add_argument("--commits", type=int, default=1_000)
    ap.add_argument("--files", type=int, default=1_500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repo", type=Path, help="measure this repository instead of generating one")
    ap.add_argument("--base", default="refs/tags/base")
    ap.add_argument("--head", default="main")
    args = ap.parse_args()
    precompile()
    if args.repo is not None:
        measure(args.repo, args.base, args.head, args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        repo = Path(tmp) / "repo"
        t0 = time.perf_counter()
        stats = generate(repo, args.commits, args.files, args.seed)
        print(
            f"generated {stats.commits} commits ({stats.merges} merges; signed: {stats.gpg} "
            f"OpenPGP, {stats.ssh} SSH), {stats.files} files in "
            f"{time.perf_counter() - t0:.0f} s (seed {args.seed})"
        )
        measure(repo, "refs/tags/base", "main", args.runs)


if __name__ == "__main__":
    main()
