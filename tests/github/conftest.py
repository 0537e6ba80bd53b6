"""Fixtures for signoff on GitHub: the API double, and a pull request of agent work in a real
repository with a bare `origin` (what actions/checkout and the App's clone fetch from)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from github_double import GitHubDouble
from github_routes import route
from gitrepo import COPILOT, Repo, make_repo

REPO = "acme/widgets"
NUMBER = 7

POLICY = """\
version: 1
groups:
  maintainers:
    - {id: alice@example.com, github: alice-gh}
    - {id: bob@example.com, github: Bob-GH}
    - dave@example.com
  release-managers:
    - {id: carol@example.com, github: carol-gh}
default_approval: {approvals: 1, from: maintainers}
approvals:
  signed_only: [governance]
"""

AGENTS = """\
version: 1
agents:
  - id: copilot
    name: GitHub Copilot coding agent
    kind: ai-agent
    owner: platform@example.com
    purpose: Small fixes.
    mode: supervised
    status: active
    review_by: 2099-01-01
    scope:
      paths: ["src/**", "package.json", "package-lock.json"]
    match:
      catalog: [github-copilot]
      logins: [copilot-swe-agent]
"""

LOCK_V1 = '{"name": "w", "lockfileVersion": 3, "packages": {"": {"name": "w"}}}\n'
LOCK_V2 = (
    '{"name": "w", "lockfileVersion": 3, "packages": {"": {"name": "w"}, '
    '"node_modules/left-pad": {"version": "1.3.0", "resolved": '
    '"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", "integrity": "sha512-x"}}}\n'
)
LOCK_V3 = LOCK_V2.replace("1.3.0", "1.3.1")


@pytest.fixture
def github() -> Iterator[GitHubDouble]:
    """The GitHub double; a request or response off GitHub's OpenAPI description fails the
    test."""
    d = GitHubDouble()
    d.router = route
    d.start()
    try:
        yield d
    finally:
        d.stop()
    assert d.violations == [], "\n".join(d.violations)


@dataclass
class PullRequest:
    """An agent's pull request: `work` is the author's repository, `origin` the bare remote."""

    work: Repo
    origin: Path
    base: str
    head: str

    def push(self) -> None:
        # GitHub keeps the pull request's head as refs/pull/N/head on the base repository
        self.work.git(
            "push", "-q", "--force", str(self.origin), "main", "agent/fix",
            f"agent/fix:refs/pull/{NUMBER}/head",
        )  # fmt: skip

    def agent_commit(self, path: str, content: str, message: str) -> str:
        self.work.checkout("agent/fix")
        self.work.write(path, content)
        self.head = self.work.commit(message, author=COPILOT)
        self.push()
        return self.head


@pytest.fixture
def pull_request(tmp_path: Path) -> PullRequest:
    """main with the policy; agent/fix: Copilot changes package-lock.json and src/app.py."""
    work = make_repo(tmp_path / "author")
    work.write(".signoff/policy.yml", POLICY)
    work.write(".signoff/agents.yml", AGENTS)
    work.write("package-lock.json", LOCK_V1)
    work.write("src/app.py", "print('hi')\n")
    base = work.commit("policy and app")
    work.branch("agent/fix")
    work.write("package-lock.json", LOCK_V2)
    work.write("src/app.py", "print('hello')\n")
    head = work.commit("Add left-pad", author=COPILOT)
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    pr = PullRequest(work, origin, base, head)
    pr.push()
    return pr


Clone = Callable[[Path], Repo]


def clone(origin: Path, dest: Path, head: str) -> Repo:
    """What actions/checkout does with fetch-depth 0: a full clone, the head checked out."""
    subprocess.run(["git", "clone", "-q", str(origin), str(dest)], check=True)
    repo = Repo(dest)
    repo.git("checkout", "-q", "--detach", head)
    return repo
