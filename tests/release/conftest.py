"""A repository released as v1.3.0, with real SSH keys, a real SQLite ledger and the real CLI.

The same scenarios run against a real control plane in test_release_server.py; here the core runs
against a real ledger on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clirun import Result, run
from gitrepo import HUMAN, Repo, keygen
from policies import AGENTS, POLICY
from schemas import validate

from signoff.ledger.service import Ledger

RELEASE = """\
classes:
  packaging-build: ["scripts/package.*"]
approvals: {break_glass: release-managers}
release:
  approvals: 1
  from: release-managers
  trusted_builders: [ci@example.com]
  trusted_signers: [signer@example.com]
"""


@dataclass
class World:
    repo: Repo
    keys: dict[str, Path]
    ledger: str
    tmp: Path
    capsys: pytest.CaptureFixture[str]

    def cli(self, *argv: str) -> Result:
        r = run(self.capsys, *argv)
        assert "Traceback" not in r.err, r.err
        return r

    def approve(
        self, who: str, base: str = "v1.3.0", head: str = "main", kind: str = "approve"
    ) -> Result:
        r = self.cli(
            kind,
            "--repo",
            str(self.repo.path),
            "--base",
            base,
            "--head",
            head,
            "--key",
            str(self.keys[who]),
            "--principal",
            f"{who}@example.com",
        )
        assert r.code == 0, r.err
        return r

    def verify(self, *extra: str, fmt: str = "json") -> tuple[int, Any]:
        r = self.cli(
            "release",
            "verify",
            "--repo",
            str(self.repo.path),
            "--from",
            "v1.3.0",
            "--to",
            "main",
            "--ledger",
            self.ledger,
            "--format",
            fmt,
            *extra,
        )
        assert r.code in (0, 1), r.err
        if fmt != "json":
            return r.code, r.out
        validate(r.json(), "release-v1.json")  # every release report the tests read
        return r.code, r.json()

    def tag(self, name: str, *, who: tuple[str, str] = HUMAN, annotated: bool = True) -> None:
        env = {"GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1]}
        args = ["tag", "-a", "-m", name, name] if annotated else ["tag", name]
        self.repo.git(*args, env=env)

    def artifact(self, name: str, content: bytes) -> Path:
        p = self.tmp / name
        p.write_bytes(content)
        return p

    def record(self, kind: str, path: Path, *extra: str) -> Result:
        return self.cli(
            *kind.split(), str(path), "--repo", str(self.repo.path), "--ledger", self.ledger, *extra
        )


def failing(doc: Any) -> dict[str, list[str]]:
    return {c["name"]: c["problems"] for c in doc["checks"] if not c["ok"]}


@pytest.fixture
def world(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., World]:
    def make(policy_extra: str = RELEASE, agents: str = AGENTS) -> World:
        keydir = tmp_path / "keys"
        keydir.mkdir(exist_ok=True)
        keys = {n: keygen(keydir, n)[0] for n in ("alice", "bob", "carol")}
        pubs = {n: Path(f"{k}.pub").read_text().strip() for n, k in keys.items()}
        repo.write(".signoff/policy.yml", POLICY + policy_extra)
        repo.write(".signoff/agents.yml", agents)
        repo.write(
            ".signoff/allowed_signers",
            "".join(f"{n}@example.com {pubs[n]}\n" for n in ("alice", "bob", "carol")),
        )
        repo.write("README.md", "# demo\n")
        repo.write("package-lock.json", '{"lockfileVersion": 3, "packages": {}}\n')
        repo.write("scripts/package.ts", "build();\n")
        repo.write("src/app.py", "print('hi')\n")
        repo.commit("base")
        w = World(repo, keys, f"sqlite:///{tmp_path / 'ledger.db'}", tmp_path, capsys)
        Ledger(w.ledger).close()  # the project's ledger, empty: release verify reads one
        w.tag("v1.3.0")
        return w

    return make
