"""The README's CI example, as written: its workflow is parsed from the README and its signoff
step run with the Action at this repository's root (what `OWNER/signoff@SHA` resolves to)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from actionrun import ROOT, github_env, run_action
from github_double import GitHubDouble

from .conftest import NUMBER, REPO, PullRequest, clone
from .test_action import event_file, run


def readme_workflow() -> dict:  # type: ignore[type-arg]
    text = (ROOT / "README.md").read_text()
    m = re.search(r"```yaml\n(# \.github/workflows/signoff\.yml\n.*?)```", text, re.S)
    assert m is not None, "the README has no signoff workflow"
    doc: dict = yaml.safe_load(m.group(1))  # type: ignore[type-arg]
    return doc


def test_readme_workflow_runs_the_action_as_written(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest
) -> None:
    wf = readme_workflow()
    assert set(wf[True]) == {"pull_request", "pull_request_review"}  # YAML 1.1 reads `on` as True
    assert wf["permissions"] == {"contents": "read", "pull-requests": "write"}
    [checkout, action] = wf["jobs"]["signoff"]["steps"]
    assert re.fullmatch(r"actions/checkout@[0-9a-f]{40}", checkout["uses"])
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert re.fullmatch(r"OWNER/signoff@SHA", action["uses"])
    pr = pull_request
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )
    r = run(tmp_path, github, pr, github.token(REPO), **(action.get("with") or {}))
    assert r.code == 1 and r.outputs["verdict"] == "needs-approval"
    assert len(github.comments[(REPO, NUMBER)]) == 1


@pytest.mark.slow
def test_action_installs_signoff_from_its_own_checkout(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest
) -> None:
    """The install step for real: a fresh venv, signoff from the Action's path, its
    dependencies from the package index (as on a runner)."""
    if shutil.which("python3") is None:
        pytest.skip("no python3 on PATH")
    pr = pull_request
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )
    ws = clone(pr.origin, tmp_path / "workspace", pr.head)
    env = github_env(
        tmp_path,
        workspace=ws.path,
        event="pull_request",
        event_path=event_file(tmp_path / "event.json", pr),
        repo=REPO,
        api_url=github.url,
    )
    # the interpreter the tests run on, as the runner's python3 (3.11+)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    r = run_action(env, github.token(REPO), {"python": sys.executable})
    installed = Path(env["RUNNER_TEMP"]) / "signoff-action" / "bin" / "signoff"
    assert installed.exists(), r.err[-2000:]
    out = subprocess.run([str(installed), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("signoff")
    assert r.code == 1, r.err[-2000:]
    assert r.outputs["verdict"] == "needs-approval"
