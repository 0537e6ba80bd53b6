"""Blob sizes are checked before content is read: a file too large to analyze is never read
into the gate's memory just to be refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gitrepo import COPILOT, Repo

from signoff.gitio import history
from signoff.gitio.runner import Git

HUGE = 48 << 20


def test_sizes_are_read_before_contents(repo: Repo) -> None:
    repo.write("small.txt", "hello\n")
    repo.write("large.txt", "x" * 5000 + "\n")
    repo.commit("files")
    git = Git(repo.path)
    small, large = (repo.git("rev-parse", f"HEAD:{p}").strip() for p in ("small.txt", "large.txt"))
    missing = "0" * 40
    assert history.object_sizes(git, [small, large, missing]) == {
        small: 6,
        large: 5001,
        missing: None,
    }
    contents, over = history.read_objects_upto(git, [small, large, missing], limit=1000)
    assert contents == {small: b"hello\n", missing: None}
    assert over == {large: 5001}


#: VmHWM is this process's own peak (ru_maxrss would include its parent's, copied by fork).
PREPARE = """
import re, sys
from signoff.gate.files import prepare
from signoff.gitio import history
from signoff.gitio.runner import Git
from signoff.policy.load import fail_closed_policy
git = Git(sys.argv[1])
landed = history.read_landed(git, "main", "work")
def peak():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
before = peak()
facts = [f for p in prepare(git, landed, fail_closed_policy("test")) for f in p.facts]
grown = peak() - before
print(grown, [f.message for f in facts if f.path == "package-lock.json"])
"""


def test_a_huge_file_is_refused_without_being_read(repo: Repo, tmp_path: Path) -> None:
    repo.write("README.md", "# demo\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("package-lock.json", "{" + " " * HUGE + "}\n")
    repo.commit("huge lockfile", author=COPILOT)
    out = subprocess.run(
        [sys.executable, "-c", PREPARE, str(repo.path)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    grown_kib, messages = out.stdout.split(" ", 1)
    assert f"too large to analyze ({HUGE + 3} bytes)" in messages
    assert int(grown_kib) < (HUGE >> 10) // 4  # far less than the file: it was never read
