"""Commit signatures are judged by signoff, in-process, at the time of the check: git never
starts gpg or ssh-keygen for the gate, and a commit's own date never revives a retired key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from clirun import run
from gitrepo import HUMAN, Repo, keygen
from policies import AGENTS, POLICY


def base_repo(repo: Repo, signers: str) -> None:
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write(".signoff/allowed_signers", signers)
    repo.write("src/app.py", "print('hi')\n")
    repo.commit("base")
    repo.branch("work")


def check(capsys: pytest.CaptureFixture[str], repo: Repo) -> tuple[int, Any]:
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work",
            "--format", "json")  # fmt: skip
    assert r.code in (0, 1), r.err
    return r.code, r.json()


def tripwire(tmp_path: Path) -> tuple[Path, Path]:
    """A program that leaves a mark and fails: configured as git's gpg and ssh signers."""
    mark = tmp_path / "ran"
    prog = tmp_path / "tripwire"
    prog.write_text(f'#!/bin/sh\necho "$@" >> {mark}\nexit 1\n')
    prog.chmod(0o755)
    return prog, mark


def test_the_gate_never_runs_a_signature_program(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keygen(tmp_path, "alice")
    base_repo(repo, f"alice@example.com {pub}\n")
    for i in range(3):
        repo.write("src/app.py", f"print({i})\n")
        repo.commit(f"signed change {i}", author=HUMAN, sign_key=key)
    prog, mark = tripwire(tmp_path)
    for name in ("gpg.program", "gpg.openpgp.program", "gpg.ssh.program", "gpg.x509.program"):
        repo.git("config", name, str(prog))
    code, doc = check(capsys, repo)
    assert not mark.exists(), mark.read_text()
    assert [c["attribution"] for c in doc["commits"]] == ["human"] * 3
    assert all(c["evidence"][0]["type"] == "witnessed" for c in doc["commits"])
    assert code == 0


def test_a_retired_key_proves_nothing_however_the_commit_is_dated(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key was valid until 2025; the commit says it was made in 2024. Judged now, the
    signature proves nothing: whoever holds a retired key can write any date."""
    key, pub = keygen(tmp_path, "alice")
    base_repo(repo, f'alice@example.com valid-before="20250101" {pub}\n')
    repo.write("src/app.py", "print('backdated')\n")
    env = {"GIT_AUTHOR_DATE": "1717000000 +0000", "GIT_COMMITTER_DATE": "1717000000 +0000"}
    repo.git("add", "-A")
    repo.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "commit", "-q", "-S",
             "-m", "backdated", env=env)  # fmt: skip
    code, doc = check(capsys, repo)
    (c,) = doc["commits"]
    assert c["attribution"] == "unverified"
    assert code == 1


def test_a_tampered_signed_commit_does_not_verify(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A commit object rewritten after signing (same signature header, other message) is
    refused as a bad signature by a registered key, not trusted as the person's."""
    key, pub = keygen(tmp_path, "alice")
    base_repo(repo, f"alice@example.com {pub}\n")
    repo.write("src/app.py", "print('signed')\n")
    repo.commit("the reviewed message", author=HUMAN, sign_key=key)
    raw = repo.git("cat-file", "commit", "HEAD").encode() + b"\n"
    forged = raw.replace(b"the reviewed message", b"another message", 1)
    sha = _hash_object(repo, forged)
    repo.git("update-ref", "refs/heads/work", sha)
    code, doc = check(capsys, repo)
    assert doc["commits"][0]["attribution"] == "unverified"
    assert code == 1


def _hash_object(repo: Repo, data: bytes) -> str:
    import subprocess

    out = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        input=data, cwd=repo.path, capture_output=True, check=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull},
    )  # fmt: skip
    return out.stdout.decode().strip()
