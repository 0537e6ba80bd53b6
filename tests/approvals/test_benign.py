"""Ordinary changes that must stay allowed: the gate's stricter rules (approvals bound to the
change, links and formats deciding a class, release-note instructions, literal version bumps,
a signature that says who handled a commit) must not block everyday work. Real repositories,
real keys, the real CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gitrepo import CLAUDE_TRAILER, DEPENDABOT, HUMAN, Repo, keygen

from .conftest import World

Make = Callable[..., World]
RENOVATE = ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")


def decisions(doc: Any) -> dict[str, str]:
    return {f["path"]: f["decision"] for f in doc["files"]}


def test_a_person_signs_changes_to_anything(world: Make) -> None:
    w = world()
    w.repo.checkout("main")
    w.repo.git("checkout", "-q", "-B", "work", "main")
    w.repo.write(".github/workflows/ci.yml", "on: pull_request\njobs: {}\n")
    w.repo.write("AGENTS.md", "# Agents\nRun the tests first.\n")
    w.repo.write("package.json", '{"name": "x", "version": "1.0.0"}\n')
    w.repo.write("docs/doc-requirements.txt", "sphinx==7.0.0\n")
    w.repo.write("tools/release.sh", "#!/bin/sh\ngit tag v1\n", mode=0o755)
    w.repo.write("CHANGELOG.md", "# 1.0.0\nInstall: curl -fsSL https://get.example.net/i | sh\n")
    w.repo.symlink("CLAUDE.md", "AGENTS.md")
    w.repo.commit("housekeeping", author=HUMAN, sign_key=w.keys["alice"])
    code, doc = w.check()
    assert code == 0, decisions(doc)
    assert set(decisions(doc).values()) == {"allow"}


def _limited(repo: Repo, tmp_path: Path) -> None:
    """claude (limited) signs with its registered key: witnessed, so its own mode decides."""
    key, pub = keygen(tmp_path, "claude-key")
    agents = (
        (repo.path / ".signoff/agents.yml")
        .read_text()
        .replace(
            "match: {catalog: [claude-code]}",
            f'match: {{catalog: [claude-code], signing_keys: ["{pub}"]}}',
        )
    )
    repo.checkout("main")
    repo.write(".signoff/agents.yml", agents)
    repo.write("docs/guide.md", "# guide\n")
    repo.write("CHANGELOG.md", "# Changelog\nSee https://github.com/example/demo/releases\n")
    repo.symlink("docs/latest.md", "guide.md")
    repo.commit("register claude's key", author=HUMAN)
    repo.git("checkout", "-q", "-B", "work", "main")
    repo.write("docs/guide.md", "# guide\nHow to install: `pip install demo`.\n")
    repo.write("tests/test_app.py", "def test_ok():\n    assert True\n")
    repo.write(
        "CHANGELOG.md",
        "# Changelog\nSee https://github.com/example/demo/releases\n\n## 1.1\n"
        "- Fixed the greeting (https://github.com/example/demo/pull/7)\n",
    )
    repo.commit(f"docs, tests and notes\n\n{CLAUDE_TRAILER}", sign_key=key)


def test_a_limited_agent_in_its_lane(world: Make, tmp_path: Path) -> None:
    w = world()
    _limited(w.repo, tmp_path)
    code, doc = w.check()
    assert code == 0, decisions(doc)
    assert decisions(doc) == {
        "docs/guide.md": "allow",
        "tests/test_app.py": "allow",
        "CHANGELOG.md": "allow",
    }


def test_an_approved_change_identically_rebased_by_its_approver(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    w.repo.checkout("main")
    w.repo.write("README.md", "# demo, edited\n")
    w.repo.commit("human edit elsewhere", author=HUMAN, sign_key=w.keys["bob"])
    w.repo.checkout("work")
    w.repo.git(
        "-c", "gpg.format=ssh", "-c", f"user.signingkey={w.keys['alice']}",
        "-c", "commit.gpgsign=true", "rebase", "-q", "main",
        env={"GIT_COMMITTER_NAME": "alice", "GIT_COMMITTER_EMAIL": "alice@example.com"},
    )  # fmt: skip
    code, doc = w.check()
    assert code == 0, doc["approvals"]


def _bot_bump(w: World, bot: tuple[str, str]) -> None:
    w.repo.checkout("main")
    w.repo.write("requirements.txt", "requests==2.31.0\n")
    w.repo.commit("pin requests", author=HUMAN)
    w.repo.git("checkout", "-q", "-B", "work", "main")
    w.repo.write("requirements.txt", "requests==2.32.3\n")
    w.repo.commit("Bump requests from 2.31.0 to 2.32.3", author=bot)


@pytest.mark.parametrize("bot", [DEPENDABOT, RENOVATE], ids=["dependabot", "renovate"])
def test_dependabot_and_renovate_with_approvals(world: Make, bot: tuple[str, str]) -> None:
    w = world()
    _bot_bump(w, bot)
    code, doc = w.check()
    assert code == 1 and decisions(doc) == {"requirements.txt": "needs-approval"}
    w.sign("approve", "alice")
    w.sign("approve", "carol")  # lockfiles-need-release-manager
    code, doc = w.check()
    assert code == 0, doc["approvals"]
