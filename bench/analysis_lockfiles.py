"""Benchmark: lockfile analysis in the gate vs ``git diff`` on the same change.

Three changes, each committed as an old and a new version in a temporary repository:

- a 30,000-entry package-lock.json (over the 8 MiB whole-read limit, so compared entry by
  entry) and a ~5,000-line poetry.lock (read whole, compared package by package), a few hundred
  packages bumped;
- a 30,000-package poetry.lock (~14 MB, over the limit too, compared package by package), 300
  packages bumped;
- a ~100 MB package-lock.json (330,000 entries), 331 packages bumped (``--no-huge`` skips it).

Timed, interleaved (analysis, git diff, analysis, git diff...): the gate's per-file step
(`signoff.gate.files.prepare`: sizes, reads, analyzers and their imports, the secrets scan) under
the default policy, in a fresh Python process each time (the process's start-up is printed
too, not counted), against ``git diff OLD NEW -- <the lockfiles>``. The analysis must yield facts
for every lockfile (never "too large"); the script fails otherwise.

Target (issue 25): analysis <= 2 x git diff + 300 ms, at the median.
Run: ``.venv/bin/python bench/analysis_lockfiles.py [--runs 5] [--no-huge]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHANGED = 300
POETRY_PACKAGES = 330  # ~15 lines each: ~5,000 lines
ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}

ANALYZE = """
import sys, time
from pathlib import Path
from signoff.gate.files import prepare
from signoff.gitio import history
from signoff.gitio.runner import Git
from signoff.policy.load import parse_policy
root = Path(sys.argv[1])
policy = parse_policy((root / ".signoff/policy.yml").read_bytes(), "policy.yml", protected=True)
git = Git(root)
landed = history.read_landed(git, "HEAD~", "HEAD")
t0 = time.perf_counter()
prepared = prepare(git, landed, policy)
print("seconds", time.perf_counter() - t0)
for p in prepared:
    kinds = sorted({f.kind for f in p.facts})
    print(p.change.path, len(p.facts), ",".join(kinds))
"""


def _integrity(seed: str) -> str:
    return "sha512-" + hashlib.sha512(seed.encode()).hexdigest()[:86] + "=="


def package_lock(entries: int, bumped: bool) -> bytes:
    packages: dict[str, object] = {
        "": {"name": "bench-app", "version": "1.0.0", "dependencies": {"pkg-0": "^1.0.0"}}
    }
    step = max(1, entries // CHANGED)
    for i in range(entries):
        version = f"1.{i % 50}.{1 if bumped and i % step == 0 else 0}"
        name = f"pkg-{i}"
        key = f"node_modules/{name}" if i % 3 else f"node_modules/parent-{i}/node_modules/{name}"
        packages[key] = {
            "version": version,
            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz",
            "integrity": _integrity(f"{name}@{version}"),
            "dev": i % 2 == 0,
            "license": "MIT",
        }
    doc = {"name": "bench-app", "version": "1.0.0", "lockfileVersion": 3, "requires": True}
    doc["packages"] = packages
    return (json.dumps(doc, indent=2) + "\n").encode()


def poetry_lock(bumped: bool, packages: int = POETRY_PACKAGES) -> bytes:
    out = []
    for i in range(packages):
        version = f"2.{i % 20}.{1 if bumped and i % max(3, packages // CHANGED) == 0 else 0}"
        name = f"lib-{i}"
        wheel = hashlib.sha256(f"{name}{version}w".encode()).hexdigest()
        sdist = hashlib.sha256(f"{name}{version}s".encode()).hexdigest()
        out.append(
            f'[[package]]\nname = "{name}"\nversion = "{version}"\n'
            f'description = "Library number {i}"\noptional = false\npython-versions = ">=3.8"\n'
            f"files = [\n"
            f'    {{file = "{name}-{version}-py3-none-any.whl", hash = "sha256:{wheel}"}},\n'
            f'    {{file = "{name}-{version}.tar.gz", hash = "sha256:{sdist}"}},\n]\n\n'
            f'[package.dependencies]\nlib-{(i + 1) % packages} = ">=2.0"\n\n'
        )
    out.append('[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\n')
    out.append('content-hash = "0f3c3a4b6d5e"\n')
    return "".join(out).encode()


def make_repo(repo: Path, sides: list[dict[str, bytes]]) -> None:
    policy = Path(__file__).resolve().parent.parent / "src/signoff/templates/policy.yml"

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                       env={**os.environ, **ENV})  # fmt: skip

    repo.mkdir()
    git("init", "-q")
    git("config", "user.email", "bench@example.invalid")
    git("config", "user.name", "bench")
    (repo / ".signoff").mkdir()
    (repo / ".signoff/policy.yml").write_bytes(policy.read_bytes())
    for number, files in enumerate(sides):
        for name, data in files.items():
            (repo / name).write_bytes(data)
        git("add", "-A")
        git("commit", "-q", "-m", f"side {number}")


def timed(argv: list[str]) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"{argv[:3]} failed: {proc.stderr.decode(errors='replace')}")
    return elapsed, proc.stdout


def measure(name: str, repo: Path, paths: list[str], runs: int) -> bool:
    analyze = [sys.executable, "-c", ANALYZE, str(repo)]
    diff = ["git", "-C", str(repo), "diff", "HEAD~", "HEAD", "--", *paths]
    t_an: list[float] = []
    t_proc: list[float] = []
    t_git: list[float] = []
    lines: list[str] = []
    for _ in range(runs):
        elapsed, out = timed(analyze)
        lines = out.decode().splitlines()
        t_an.append(float(lines[0].split()[1]))
        t_proc.append(elapsed)
        t_git.append(timed(diff)[0])
    print(f"== {name}")
    for line in lines[1:]:
        print(f"   facts: {line}")
    analyzed = all(
        "parse-failed" not in line and int(line.split()[1]) > 0
        for line in lines[1:]
        if line.split()[0] in paths
    )
    a_min, a_med = min(t_an), statistics.median(t_an)
    g_min, g_med = min(t_git), statistics.median(t_git)
    limit = 2 * g_med + 0.300
    print(f"   analysis:             min {a_min * 1000:8.0f} ms  median {a_med * 1000:8.0f} ms")
    print(f"   git diff (the floor): min {g_min * 1000:8.0f} ms  median {g_med * 1000:8.0f} ms")
    print(f"   (whole process, start-up and imports too: median {statistics.median(t_proc):.2f} s)")
    print(f"   ratio: {a_min / g_min:.2f}x (min)  {a_med / g_med:.2f}x (median) of git diff")
    print(f"   target: analysis <= 2 x git diff + 300 ms = {limit * 1000:.0f} ms (median); "
          f"analysis / limit = {a_med / limit:.2f}")  # fmt: skip
    ok = analyzed and a_med <= limit
    print("   result: " + ("PASS" if ok else "FAIL" if analyzed else "FAIL (not analyzed)"))
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-huge", action="store_true", help="skip the ~100 MB package-lock")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        repo = Path(tmp) / "lock30k"
        sides = [{"package-lock.json": package_lock(30_000, b), "poetry.lock": poetry_lock(b)}
                 for b in (False, True)]  # fmt: skip
        make_repo(repo, sides)
        size = len(sides[1]["package-lock.json"]) / 1e6
        title = f"30,000-entry package-lock.json ({size:.1f} MB) + poetry.lock"
        results.append(measure(title, repo, ["package-lock.json", "poetry.lock"], args.runs))
        repo = Path(tmp) / "poetry30k"
        sides = [{"poetry.lock": poetry_lock(b, 30_000)} for b in (False, True)]
        make_repo(repo, sides)
        size = len(sides[1]["poetry.lock"]) / 1e6
        title = f"30,000-package poetry.lock ({size:.1f} MB)"
        results.append(measure(title, repo, ["poetry.lock"], args.runs))
        if not args.no_huge:
            repo = Path(tmp) / "lock100mb"
            sides = [{"package-lock.json": package_lock(330_000, b)} for b in (False, True)]
            make_repo(repo, sides)
            size = len(sides[1]["package-lock.json"]) / 1e6
            title = f"330,000-entry package-lock.json ({size:.0f} MB)"
            results.append(measure(title, repo, ["package-lock.json"], args.runs))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
