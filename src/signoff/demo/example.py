"""`make run`: build a small example repository with agent, bot and human commits, then run the
gate on it exactly as CI would (`signoff check --base main --head agent-work`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

ALICE = ("Alice Maintainer", "alice@example.com")
COPILOT = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


class _Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        self.env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")
        self.key: Path | None = None

    def git(self, *args: str, who: tuple[str, str] = ALICE) -> str:
        env = {
            **self.env,
            "GIT_AUTHOR_NAME": who[0],
            "GIT_AUTHOR_EMAIL": who[1],
            "GIT_COMMITTER_NAME": who[0],
            "GIT_COMMITTER_EMAIL": who[1],
        }
        out = subprocess.run(
            ["git", "-C", str(self.path), *args], env=env, check=True, capture_output=True
        )
        return out.stdout.decode().strip()

    def write(self, rel: str, text: str) -> None:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)

    def commit(self, message: str, who: tuple[str, str] = ALICE, sign: bool = False) -> None:
        self.git("add", "-A")
        args = ["commit", "-q", "-m", message]
        if sign and self.key is not None:
            args = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={self.key}", *args, "-S"]
        self.git(*args, who=who)


def build(root: Path) -> _Repo:
    repo = _Repo(root / "example")
    templates = resources.files("signoff.templates")
    for name in ("policy.yml", "agents.yml"):
        repo.write(f".signoff/{name}", templates.joinpath(name).read_text("utf-8"))
    if shutil.which("ssh-keygen"):
        key = root / "alice_key"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", str(key)],
            check=True,
            capture_output=True,
        )
        repo.key = key
        pub = Path(f"{key}.pub").read_text().split()
        repo.write(".signoff/allowed_signers", f"alice@example.com {pub[0]} {pub[1]}\n")
    repo.write("README.md", "# example\n")
    repo.write("src/app.py", "def main() -> None:\n    print('hello')\n")
    repo.write(
        "package.json",
        '{"name": "example", "version": "1.0.0",\n "dependencies": {"left-pad": "^1.3.0"}}\n',
    )
    repo.write(".github/workflows/ci.yml", "on: [push]\njobs: {}\n")
    repo.commit("Initial commit", sign=True)

    repo.git("checkout", "-q", "-b", "agent-work")
    repo.write("docs/usage.md", "# Usage\n\nRun the app.\n")
    repo.commit("docs: usage page", sign=True)
    repo.write("src/app.py", "def main() -> None:\n    print('hello, world')\n")
    repo.write(
        "package.json",
        '{"name": "example", "version": "1.0.0",\n'
        ' "dependencies": {"left-pad": "^1.3.0"},\n'
        ' "scripts": {"postinstall": "node scripts/setup.js"}}\n',
    )
    repo.commit(
        "Fix greeting and add setup step\n\nCo-authored-by: Alice Maintainer <alice@example.com>",
        who=COPILOT,
    )
    repo.write("tests/test_app.py", "def test_main() -> None:\n    assert True\n")
    repo.commit(
        "Add a test\n\nGenerated with Claude Code\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
    )
    repo.write(".github/workflows/ci.yml", "on: [push, pull_request_target]\njobs: {}\n")
    repo.commit("ci: run on pull requests", who=("Bob", "bob@example.com"))
    return repo


def main() -> int:
    from signoff.cli.main import main as cli_main

    with tempfile.TemporaryDirectory(prefix="signoff-example-") as tmp:
        repo = build(Path(tmp))
        print(f"$ signoff check --repo {repo.path} --base main --head agent-work\n", flush=True)
        try:
            cli_main(["check", "--repo", str(repo.path), "--base", "main", "--head", "agent-work"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
            print(f"\n(exit code {code}: 0 allowed, 1 needs approval or denied, 2 input error)")
            return 0 if code in (0, 1) else code
    return 0


if __name__ == "__main__":
    sys.exit(main())
