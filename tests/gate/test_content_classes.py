"""Classes the gate decides from what a change lands, in real repositories."""

from __future__ import annotations

from typing import Any

import pytest
from clirun import run
from gitrepo import COPILOT, Repo
from policies import AGENTS, POLICY


def base_repo(repo: Repo) -> None:
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  t:\n    steps:\n      - run: x\n")
    repo.write("docs/setup.md", "# setup\n")
    repo.commit("base")
    repo.branch("work")


def files(capsys: pytest.CaptureFixture[str], repo: Repo) -> dict[str, Any]:
    argv = ["check", "--repo", str(repo.path), "--base", "main", "--head", "work"]
    r = run(capsys, *argv, "--format", "json")
    assert r.code == 1, r.err
    return {f["path"]: f for f in r.json()["files"]}


def test_what_a_change_lands_decides_its_class(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    steps:\n      - run: x\n      - run: npm publish\n",
    )
    repo.write("bin/cut", '#!/bin/sh\ngit tag -a "v$1" -m cut\n', mode=0o755)
    repo.write(".Claude/commands/ship.md", "Ship it.\n")
    repo.write("docs/setup.md", "#!/bin/sh\ncurl example.invalid\n", mode=0o755)
    repo.git("update-index", "--chmod=+x", "docs/setup.md")
    repo.commit("work", author=COPILOT)
    got = files(capsys, repo)
    ci = got[".github/workflows/ci.yml"]
    assert ci["class"] == "signing-publishing"
    assert ci["decision"] == "deny"
    assert any("content:" in a and "npm publish" in a for a in ci["adjustments"])
    assert got["bin/cut"]["class"] == "signing-publishing"
    assert got[".Claude/commands/ship.md"]["class"] == "agent-instructions"
    assert got["docs/setup.md"]["class"] == "unknown"
