"""A large change compiles the regex engines while its contents are read; a small one never does.

Run in a fresh interpreter each: which engine is compiled is per-process state.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gitrepo import COPILOT, Repo

AWS = "AKIA" + "Z7Q3XK2M4N5P6R8T"  # split so this file does not itself look like a key

PROBE = """
import sys
from signoff.analysis import _secrets_scan
from signoff.classify import _content_engine
from signoff.gate.check import run_check

decision = run_check(sys.argv[1], "main", "work", approvals_ref=None)
facts = sorted({(f.path, fact.kind) for f in decision.files for fact in f.facts})
print(_secrets_scan._Budget.warming, _content_engine._Budget.warming)
print(facts)
print(sorted({(f.path, f.file_class.value) for f in decision.files}))
"""


def _probe(repo: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(repo)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def _base(repo: Repo) -> None:
    repo.write("README.md", "# demo\n")
    repo.commit("base")
    repo.branch("work")


def test_a_small_change_keeps_the_plain_paths(repo: Repo) -> None:
    _base(repo)
    repo.write("tools/ship.py", "import os\nos.system('npm publish --access public')\n")
    repo.commit("ship", author=COPILOT)
    warming, _, classes = _probe(repo.path)
    assert warming == "False False"
    assert "('tools/ship.py', 'signing-publishing')" in classes


def test_a_large_change_warms_both_engines_and_finds_the_same(repo: Repo) -> None:
    _base(repo)
    filler = "".join(f"value_{i} = {i}\n" for i in range(30_000))  # about 400 KB of source
    repo.write("app/big.py", filler + f'aws_key = "{AWS}"\n')
    repo.write("tools/ship.py", "import os\nos.system('npm publish --access public')\n")
    repo.commit("big", author=COPILOT)
    warming, facts, classes = _probe(repo.path)
    assert warming == "True True"
    assert "('app/big.py', 'secret-added')" in facts
    assert "('tools/ship.py', 'signing-publishing')" in classes


def test_a_small_change_to_a_large_file_keeps_the_plain_paths(repo: Repo) -> None:
    """Only what lands counts: a one-line change to a 150 KB file (300 KB read with its old
    side) is too little text for the engines to pay."""
    filler = "".join(f"value_{i} = {i}\n" for i in range(11_000))  # about 150 KB
    repo.write("app/big.py", filler)
    _base(repo)
    repo.write("app/big.py", filler + f'aws_key = "{AWS}"\n')
    repo.commit("small", author=COPILOT)
    warming, facts, _ = _probe(repo.path)
    assert warming == "False False"
    assert "('app/big.py', 'secret-added')" in facts
