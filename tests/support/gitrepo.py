"""Build real git repositories in temp dirs for tests: commits by agents, humans and bots."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

HUMAN = ("Alice Maintainer", "alice@example.com")
COPILOT = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
CLAUDE_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"


def keygen(directory: Path, name: str, key_type: str = "ed25519") -> tuple[Path, str]:
    """A fresh SSH key made by ssh-keygen; returns (private key path, public key line)."""
    key = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", key_type, "-N", "", "-C", name, "-f", str(key)],
        check=True,
        capture_output=True,
    )
    return key, Path(f"{key}.pub").read_text().strip()


@dataclass
class Repo:
    path: Path
    _tick: int = field(default=0)

    def git(self, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
        full_env = {**os.environ, **_BASE_ENV, **(env or {})}
        proc = subprocess.run(
            ["git", "-C", str(self.path), *args],
            capture_output=True,
            env=full_env,
            input=input,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.decode()}")
        return proc.stdout.decode("utf-8", "surrogateescape").strip()

    def write(
        self, rel: str | bytes, content: str | bytes = "x\n", *, mode: int | None = None
    ) -> None:
        p = self.path / os.fsdecode(rel) if isinstance(rel, bytes) else self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        p.write_bytes(content)
        if mode is not None:
            p.chmod(mode)

    def symlink(self, rel: str, target: str) -> None:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.is_symlink() or p.exists():
            p.unlink()
        p.symlink_to(target)

    def remove(self, rel: str) -> None:
        self.git("rm", "-q", "--", rel)

    def commit(
        self,
        message: str,
        *,
        author: tuple[str, str] = HUMAN,
        committer: tuple[str, str] | None = None,
        sign_key: Path | None = None,
        allow_empty: bool = False,
        stage_all: bool = True,
    ) -> str:
        self._tick += 1
        committer = committer or author
        stamp = f"{1_760_000_000 + self._tick * 60} +0000"
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        if stage_all:
            self.git("add", "-A")
        args = ["commit", "-q", "-m", message]
        if allow_empty:
            args.append("--allow-empty")
        if sign_key is not None:
            args = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={sign_key}", *args, "-S"]
        self.git(*args, env=env)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(
        self,
        other: str,
        message: str = "merge",
        *,
        author: tuple[str, str] = HUMAN,
        no_commit: bool = False,
    ) -> str:
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": author[0],
            "GIT_COMMITTER_EMAIL": author[1],
        }
        args = ["merge", "-q", "--no-ff", "-m", message, other]
        if no_commit:
            args.insert(2, "--no-commit")
        self.git(*args, env=env)
        return self.head()


_BASE_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": HUMAN[0],
    "GIT_AUTHOR_EMAIL": HUMAN[1],
    "GIT_COMMITTER_NAME": HUMAN[0],
    "GIT_COMMITTER_EMAIL": HUMAN[1],
}


def make_repo(path: Path) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "commit.gpgsign", "false")
    return repo
