"""A repository with a protected base (policy, registry, allowed signers) and real SSH keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clirun import Result, run
from gitrepo import COPILOT, Repo, keygen
from policies import AGENTS, POLICY

BREAK_GLASS = "approvals: {break_glass: release-managers}\n"


@dataclass
class World:
    repo: Repo
    keys: dict[str, Path]
    pubs: dict[str, str]
    capsys: pytest.CaptureFixture[str]

    def cli(self, *argv: str) -> Result:
        r = run(self.capsys, *argv)
        assert "Traceback" not in r.err, r.err
        return r

    def sign(self, kind: str, who: str, *extra: str, key: str | None = None) -> Result:
        """`signoff approve|veto|override` as `who` (e-mail local part) with their key.

        With `--even-if-ignored`: these tests write records the gate must ignore, as anyone
        who can push to the approvals ref could; by default the CLI refuses to write them
        (tests/gate/test_bad_input.py)."""
        return self.cli(
            kind,
            "--repo",
            str(self.repo.path),
            "--base",
            "main",
            "--head",
            "work",
            "--key",
            str(self.keys[key or who]),
            "--principal",
            f"{who}@example.com",
            "--even-if-ignored",
            *extra,
        )

    def check(self, *extra: str) -> tuple[int, Any]:
        r = self.cli(
            "check",
            "--repo",
            str(self.repo.path),
            "--base",
            "main",
            "--head",
            "work",
            "--format",
            "json",
            *extra,
        )
        assert r.code in (0, 1), r.err
        return r.code, r.json()

    def text(self) -> str:
        r = self.cli("check", "--repo", str(self.repo.path), "--base", "main", "--head", "work")
        return r.out


def make_world(
    repo: Repo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    policy_extra: str = BREAK_GLASS,
    co_author: str | None = None,
    signers_extra: str = "",
    agent_key: bool = False,
) -> World:
    keydir = tmp_path / "keys"
    keydir.mkdir(exist_ok=True)
    keys: dict[str, Path] = {}
    pubs: dict[str, str] = {}
    for name, kind in [
        ("alice", "ed25519"),
        ("alice2", "ed25519"),
        ("bob", "ed25519"),
        ("carol", "ed25519"),
        ("dave", "ecdsa"),
        ("mallory", "ed25519"),
        ("copilot", "ed25519"),
    ]:
        keys[name], pubs[name] = keygen(keydir, name, kind)
    policy = POLICY.replace(
        "maintainers: [alice@example.com, bob@example.com]",
        "maintainers: [alice@example.com, bob@example.com, dave@example.com]",
    )
    agents = AGENTS
    if agent_key:
        agents = AGENTS.replace(
            "match: {catalog: [github-copilot]}",
            f'match: {{catalog: [github-copilot], signing_keys: ["{pubs["copilot"]}"]}}',
        )
    signers = "".join(
        f"{who}@example.com {pubs[k]}\n"
        for who, k in [
            ("alice", "alice"),
            ("alice", "alice2"),
            ("bob", "bob"),
            ("carol", "carol"),
            ("dave", "dave"),
        ]
    )
    repo.write(".signoff/policy.yml", policy + policy_extra)
    repo.write(".signoff/agents.yml", agents)
    repo.write(".signoff/allowed_signers", signers + signers_extra)
    repo.write("README.md", "# demo\n")
    repo.write("src/app.py", "print('hi')\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("src/app.py", "print('agent')\n")
    trailer = f"\n\nCo-authored-by: Someone <{co_author}>" if co_author else ""
    repo.commit(f"agent change{trailer}", author=COPILOT)
    return World(repo, keys, pubs, capsys)


@pytest.fixture
def world(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., World]:
    def make(**kw: Any) -> World:
        return make_world(repo, tmp_path, capsys, **kw)

    return make
