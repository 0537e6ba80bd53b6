"""`.pre-commit-hooks.yaml`: the pre-push hook's entry, run as pre-commit runs it (its command
line, with the PRE_COMMIT_* variables pre-commit sets for a push) in a real clone."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from gitrepo import COPILOT, Repo
from policies import AGENTS, POLICY

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (only,) = [h for h in hooks if h["id"] == "signoff-pre-push"]
    return dict(only)


def test_the_hook_runs_at_pre_push_on_no_files() -> None:
    h = hook()
    assert h["stages"] == ["pre-push"]
    assert h["language"] == "python"
    assert (h["pass_filenames"], h["always_run"]) == (False, True)


@pytest.fixture
def clone(repo: Repo, tmp_path: Path) -> Repo:
    """A developer's clone: main pushed to origin, `feature` tracking origin/main with an agent
    commit not pushed yet."""
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("src/app.py", "print('hi')\n")
    repo.commit("base")
    remote = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(remote)], check=True)
    repo.git("remote", "add", "origin", str(remote))
    repo.git("fetch", "-q", "origin")
    repo.git("checkout", "-q", "-b", "feature", "--track", "origin/main")
    repo.write("src/app.py", "print('hello')\n")
    repo.commit("Fix greeting", author=COPILOT)
    return repo


def run_entry(cwd: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    h = hook()
    argv = [*shlex.split(h["entry"]), *h.get("args", []), *extra]
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "SIGNOFF_"))}
    full.update(env)
    full["PATH"] = f"{BIN}{os.pathsep}{full.get('PATH', '')}"
    return subprocess.run(
        argv, cwd=cwd, env=full, capture_output=True, text=True, timeout=120, check=False
    )


def _push_env(clone: Repo, branch: str = "feature") -> dict[str, str]:
    """What pre-commit sets for `git push origin feature` (pre-commit 2.x-4.x)."""
    return {
        "PRE_COMMIT": "1",
        "PRE_COMMIT_FROM_REF": clone.git("rev-parse", "origin/main"),
        "PRE_COMMIT_TO_REF": clone.git("rev-parse", branch),
        "PRE_COMMIT_REMOTE_NAME": "origin",
        "PRE_COMMIT_REMOTE_URL": clone.git("remote", "get-url", "origin"),
        "PRE_COMMIT_REMOTE_BRANCH": f"refs/heads/{branch}",
        "PRE_COMMIT_LOCAL_BRANCH": f"refs/heads/{branch}",
    }


def test_checks_the_push_against_the_upstream(clone: Repo) -> None:
    r = run_entry(clone.path, _push_env(clone))
    assert r.returncode == 1, r.stderr
    assert r.stdout.startswith("signoff: NEEDS APPROVAL")
    assert " into main\n" in r.stdout.splitlines()[0] + "\n"
    assert "copilot" in r.stdout


def test_the_pushed_branch_not_the_checked_out_one(clone: Repo) -> None:
    clone.git("checkout", "-q", "-b", "other", "origin/main")  # HEAD has nothing to check
    r = run_entry(clone.path, _push_env(clone, "feature"))
    assert r.returncode == 1 and "copilot" in r.stdout


def test_without_pre_commit_it_checks_the_current_branch(clone: Repo) -> None:
    r = run_entry(clone.path, {})
    assert r.returncode == 1 and "NEEDS APPROVAL" in r.stdout


def test_no_upstream_is_one_line(clone: Repo) -> None:
    clone.git("branch", "-q", "--unset-upstream")
    r = run_entry(clone.path, _push_env(clone))
    assert r.returncode == 2
    assert r.stderr == (
        "signoff: error: branch 'feature' has no upstream: set one (git branch "
        "--set-upstream-to origin/main) or pass --base\n"
    )
    r = run_entry(clone.path, _push_env(clone), "--base", "refs/remotes/origin/main")
    assert r.returncode == 1 and "NEEDS APPROVAL" in r.stdout


def test_a_branch_deletion_has_nothing_to_check(clone: Repo) -> None:
    r = run_entry(clone.path, {**_push_env(clone), "PRE_COMMIT_TO_REF": "0" * 40})
    assert r.returncode == 0
    assert "nothing to check" in r.stderr
