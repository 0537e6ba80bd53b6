"""Benchmark: lockfile analysis vs ``git diff`` on a large npm and poetry lockfile change.

Generates a 30,000-entry package-lock.json and a ~5,000-line poetry.lock, commits an old and a
new version (a few hundred packages moved to a new version) in a temporary git repository, and
times, best of several runs:

- ``git diff OLD NEW -- package-lock.json poetry.lock`` (a subprocess, as the gate would run it);
- `signoff.analysis.analyze_file` on both old/new pairs (secrets scan included).

Target (tracker issue 4): analysis <= 2 x git diff + 300 ms.
Run: ``.venv/bin/python bench/analysis_lockfiles.py`` (exit code 1 when the target is missed).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from signoff.analysis import analyze_file

NPM_ENTRIES = 30_000
POETRY_PACKAGES = 330  # ~15 lines each: ~5,000 lines
CHANGED = 300
RUNS = 5


def _integrity(seed: str) -> str:
    return "sha512-" + hashlib.sha512(seed.encode()).hexdigest()[:86] + "=="


def package_lock(bumped: bool) -> bytes:
    packages: dict[str, object] = {
        "": {"name": "bench-app", "version": "1.0.0", "dependencies": {"pkg-0": "^1.0.0"}}
    }
    for i in range(NPM_ENTRIES):
        version = f"1.{i % 50}.{1 if bumped and i % (NPM_ENTRIES // CHANGED) == 0 else 0}"
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


def poetry_lock(bumped: bool) -> bytes:
    out = []
    for i in range(POETRY_PACKAGES):
        version = f"2.{i % 20}.{1 if bumped and i % 3 == 0 else 0}"
        name = f"lib-{i}"
        out.append(
            f'[[package]]\nname = "{name}"\nversion = "{version}"\n'
            f'description = "Library number {i}"\noptional = false\npython-versions = ">=3.8"\n'
            f"files = [\n"
            f'    {{file = "{name}-{version}-py3-none-any.whl", hash = "sha256:'
            f'{hashlib.sha256(f"{name}{version}w".encode()).hexdigest()}"}},\n'
            f'    {{file = "{name}-{version}.tar.gz", hash = "sha256:'
            f'{hashlib.sha256(f"{name}{version}s".encode()).hexdigest()}"}},\n]\n\n'
            f"[package.dependencies]\n"
            f'lib-{(i + 1) % POETRY_PACKAGES} = ">=2.0"\n\n'
        )
    out.append(
        '[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\n'
        'content-hash = "0f3c3a4b6d5e"\n'
    )
    return "".join(out).encode()


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    files = {
        "package-lock.json": (package_lock(False), package_lock(True)),
        "poetry.lock": (poetry_lock(False), poetry_lock(True)),
    }
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        repo = Path(tmp)

        def git(*args: str) -> str:
            return subprocess.run(
                ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
            ).stdout.strip()

        git("init", "-q")
        git("config", "user.email", "bench@example.invalid")
        git("config", "user.name", "bench")
        commits = []
        for side in (0, 1):
            for name, pair in files.items():
                (repo / name).write_bytes(pair[side])
            git("add", "-A")
            git("commit", "-q", "-m", f"side {side}")
            commits.append(git("rev-parse", "HEAD"))
        diff_cmd = ["diff", commits[0], commits[1], "--", "package-lock.json", "poetry.lock"]
        diff_lines = git(*diff_cmd).count("\n")
        t_git = best(lambda: git(*diff_cmd))

    facts: list[object] = []

    def analyze() -> None:
        facts.clear()
        for name, (old, new) in files.items():
            facts.extend(analyze_file(name, old, new))

    t_analysis = best(analyze)
    target = 2 * t_git + 0.300
    lines = {name: new.count(b"\n") for name, (_, new) in files.items()}
    print(
        f"files: package-lock.json {lines['package-lock.json']:,} lines ({NPM_ENTRIES:,} entries),"
    )
    print(
        f"       poetry.lock {lines['poetry.lock']:,} lines; git diff output {diff_lines:,} lines"
    )
    print(f"git diff:  {t_git * 1000:8.1f} ms (best of {RUNS})")
    print(f"analysis:  {t_analysis * 1000:8.1f} ms (best of {RUNS}, {len(facts)} facts)")
    print(f"ratio:     {t_analysis / t_git:8.2f} x git diff")
    print(f"target:    analysis <= 2 x git diff + 300 ms = {target * 1000:.1f} ms")
    ok = t_analysis <= target
    print("result:    " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
