"""integrations/gitlab/signoff.gitlab-ci.yml: its script, run as a GitLab runner would run it
(bash -eo pipefail, GitLab's predefined variables) in a workspace fetched from a real remote, with
the merge request note sent to a local double of GitLab's API; its reports checked against their
formats (GitLab Code Quality, JUnit XSD), and the file itself against GitLab's CI schema."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from gitlabfake import GitLab, serve, user
from gitrepo import COPILOT, Repo, keygen
from policies import AGENTS, POLICY
from reportformats import codequality, junit

from signoff.gitlab.notes import MARKER

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "integrations/gitlab/signoff.gitlab-ci.yml"
BIN = Path(sys.executable).parent


def job() -> dict[str, Any]:
    doc = yaml.safe_load(TEMPLATE.read_text())
    signoff: dict[str, Any] = doc["signoff"]
    return signoff


def run_lines(lines: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The lines as GitLab's bash shell runs a job's script: one shell, -e and pipefail."""
    script = "set -eo pipefail\n" + "\n".join(lines) + "\n"
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_template_is_valid_gitlab_ci() -> None:
    out = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    j = job()
    assert j["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert j["artifacts"]["reports"] == {
        "codequality": "gl-code-quality-report.json",
        "junit": "signoff-junit.xml",
    }


def test_the_install_step_names_the_missing_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SIGNOFF_PIP_SPEC"}
    r = run_lines(job()["before_script"], tmp_path, env)
    assert r.returncode != 0
    assert "set SIGNOFF_PIP_SPEC to what pip should install" in r.stderr


class Project:
    """A GitLab project: a bare remote, a developer's clone with main and a merge request branch
    by an agent, alice's signing key, and the merge request's pipeline workspace."""

    def __init__(self, dev: Repo, tmp: Path) -> None:
        self.dev = dev
        self.tmp = tmp
        self.key, pub = keygen(tmp, "alice")
        dev.write(".signoff/policy.yml", POLICY)
        dev.write(".signoff/agents.yml", AGENTS)
        dev.write(".signoff/allowed_signers", f"alice@example.com {pub}\n")
        dev.write("src/app.py", "print('hi')\n")
        self.base = dev.commit("base")
        dev.branch("agent/fix")
        dev.write("src/app.py", "print('hello')\n")
        self.head = dev.commit("Fix greeting", author=COPILOT)
        self.remote = tmp / "project.git"
        subprocess.run(
            ["git", "clone", "-q", "--bare", str(dev.path), str(self.remote)], check=True
        )
        dev.git("remote", "add", "origin", str(self.remote))

    def workspace(self) -> Path:
        """What the runner leaves: the merge request's head, detached, and no target branch."""
        ws = self.tmp / "builds" / "project"
        if ws.exists():
            subprocess.run(["rm", "-rf", str(ws)], check=True)
        ws.mkdir(parents=True)
        git = ["git", "-C", str(ws)]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "remote", "add", "origin", str(self.remote)], check=True)
        refspec = "+refs/heads/agent/fix:refs/remotes/origin/merge-requests/7/head"
        subprocess.run([*git, "fetch", "-q", "--no-tags", "origin", refspec], check=True)
        subprocess.run([*git, "checkout", "-q", "--detach", self.head], check=True)
        return ws

    def env(self, ws: Path, api_url: str, token: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNOFF_", "CI_"))}
        env.update(
            {
                "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
                "CI": "true",
                "GITLAB_CI": "true",
                "CI_PIPELINE_SOURCE": "merge_request_event",
                "CI_PROJECT_DIR": str(ws),
                "CI_PROJECT_ID": "42",
                "CI_API_V4_URL": api_url,
                "CI_COMMIT_SHA": self.head,
                "CI_MERGE_REQUEST_IID": "7",
                "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "agent/fix",
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
                "CI_MERGE_REQUEST_DIFF_BASE_SHA": self.base,
            }
        )
        if token is not None:
            env["SIGNOFF_GITLAB_TOKEN"] = token
        return env


@pytest.fixture
def gitlab() -> Iterator[tuple[GitLab, str]]:
    state = GitLab(tokens={"glpat-bot": user(900, "project_42_bot")})
    server, url = serve(state)
    yield state, url
    server.shutdown()
    server.server_close()
    assert state.problems == []


def _reports(ws: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    quality = codequality((ws / "gl-code-quality-report.json").read_text())
    return quality, junit(ws / "signoff-junit.xml")


def test_merge_request_pipeline_end_to_end(
    repo: Repo, tmp_path: Path, gitlab: tuple[GitLab, str]
) -> None:
    state, api_url = gitlab
    project = Project(repo, tmp_path)
    script = job()["script"]

    ws = project.workspace()
    r = run_lines(script, ws, project.env(ws, api_url, "glpat-bot"))
    assert r.returncode == 1, r.stdout + r.stderr  # needs approval: the job fails
    assert "signoff: NEEDS APPROVAL" in r.stdout
    quality, report = _reports(ws)
    assert [(i["check_name"], i["location"]["path"]) for i in quality] == [
        ("signoff/needs-approval", "src/app.py")
    ]
    suite = report["testsuite"][0]
    assert suite["@failures"] == "1"
    assert suite["testcase"][0]["@name"] == "src/app.py"
    assert suite["testcase"][0]["failure"][0]["@type"] == "signoff/needs-approval"
    assert len(state.notes) == 1
    assert state.notes[0]["body"].startswith(MARKER + "\n## ")
    assert "needs-approval" in state.notes[0]["body"]

    # alice approves exactly this content and pushes the record; the next pipeline passes
    approve = [
        str(BIN / "signoff"),
        "approve",
        "--repo",
        str(repo.path),
        "--base",
        "main",
        "--head",
        "agent/fix",
        "--key",
        str(project.key),
        "--principal",
        "alice@example.com",
    ]
    subprocess.run(approve, check=True, capture_output=True)
    repo.git("push", "-q", "origin", "refs/signoff/approvals")

    ws = project.workspace()
    r = run_lines(script, ws, project.env(ws, api_url, "glpat-bot"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "signoff: ALLOWED" in r.stdout
    quality, report = _reports(ws)
    assert quality == []
    assert report["testsuite"][0]["@failures"] == "0"
    assert len(state.notes) == 1  # the same note, edited
    assert "`allow`" in state.notes[0]["body"]
    assert [m for m, _, _ in state.requests].count("PUT") == 1


def test_without_a_token_the_note_is_skipped_and_the_verdict_kept(
    repo: Repo, tmp_path: Path, gitlab: tuple[GitLab, str]
) -> None:
    state, api_url = gitlab
    project = Project(repo, tmp_path)
    ws = project.workspace()
    r = run_lines(job()["script"], ws, project.env(ws, api_url, None))
    assert r.returncode == 1
    assert "SIGNOFF_GITLAB_TOKEN is not set" in r.stdout
    assert state.requests == []


def test_a_note_failure_never_changes_the_verdict(repo: Repo, tmp_path: Path) -> None:
    project = Project(repo, tmp_path)
    ws = project.workspace()
    # nothing listens there: the note step fails, the job keeps the gate's exit code
    r = run_lines(job()["script"], ws, project.env(ws, "http://127.0.0.1:9/api/v4", "glpat-bot"))
    assert r.returncode == 1
    assert "the merge request note could not be updated" in r.stdout
    assert "cannot reach GitLab" in r.stderr
