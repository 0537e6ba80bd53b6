"""A control plane with the broker, a simulated OIDC issuer, an agent and a bare repository
with the signoff hook installed: what tests/broker and tests/hook share."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gitrepo import Repo, make_repo
from oidcfake import FakeIssuer
from serverkit import Api, ThreadServer, make_settings

from signoff.broker import pop
from signoff.hook.install import install
from signoff.server.broker.state import BrokerConfig


def bare_from(work: Repo, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", "--bare", str(work.path), str(dest)], check=True)
    return dest


@dataclass
class Kit:
    server: ThreadServer
    admin: Api
    ci_token: str  # the CI gate's (`signoff check --server`)
    issuer: FakeIssuer
    agent_key: Ed25519PrivateKey
    work: Repo
    bare: Path
    base: str
    hook_token: str  # the git hook's own identity (role hook): the only one recording pushes

    def agent(self, agent_id: str = "bot", **scope: Any) -> None:
        pub = (
            self.agent_key.public_key()
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
            .decode()
        )
        body = {
            "id": agent_id, "owner": "root@example.com", "purpose": "tests",
            "review_by": "2099-01-01",
            "scope": {"branches": ["agent/**"], "paths": ["src/**", "docs/**"], **scope},
            "match": {"signing_keys": [f"{pub} bot"]},
        }  # fmt: skip
        self.admin.ok("POST", "/v1/agents", body)
        self.admin.ok("PUT", f"/v1/agents/{agent_id}/trust-policy", self.issuer.policy())

    def task(self, agent: str = "bot", repo: str = "widget", **kw: Any) -> dict[str, Any]:
        body = {
            "agent": agent, "repo": repo, "base_commit": self.base, "intent_text": "fix the bug",
            "branch_prefix": "agent/", "allowed_paths": ["src/**"],
            "denied_paths": ["src/secret/**"], "actions": ["push-branch"], **kw,
        }  # fmt: skip
        out = self.admin.ok("POST", "/v1/tasks", body)
        assert isinstance(out, dict)
        return out

    def exchange_oidc(self, task_id: str, oidc: str | None = None) -> Any:
        return self.admin.as_(None).post(
            f"/v1/tasks/{task_id}/token", {"oidc_token": oidc or self.issuer.token()}
        )

    def exchange_pop(self, task_id: str, agent: str = "bot") -> Any:
        anon = self.admin.as_(None)
        ch = anon.post("/v1/pop/challenge", {"agent": agent, "task": task_id}).json()
        sig = pop.sign(self.agent_key, ch["nonce"], agent, ch["audience"])
        return anon.post(
            f"/v1/tasks/{task_id}/token", {"pop": {"nonce": ch["nonce"], "signature": sig}}
        )

    def token(self, task_id: str) -> str:
        resp = self.exchange_oidc(task_id)
        assert resp.status_code == 200, resp.text
        tok = resp.json()["token"]
        assert isinstance(tok, str)
        return tok


def start(
    tmp: Path,
    database_url: str | None = None,
    *,
    base_files: dict[str, str] | None = None,
    no_token_mode: str = "refuse",
) -> Kit:
    """`base_files` go into the base commit too (a policy, allowed signers, ...)."""
    settings = make_settings(tmp / "data", database_url)
    server = ThreadServer(settings)
    server.app.state.broker_config = BrokerConfig(allow_insecure_loopback=True)
    admin = Api(server.url, server.bootstrap())
    ci = admin.token_for("ci", ["ci"])
    hook = admin.token_for("git-hook", ["hook"])
    work = make_repo(tmp / "work")
    work.write("src/app.py", "print(1)\n")
    work.write(".github/workflows/ci.yml", "on: push\n")
    work.write("src/secret/key.txt", "k\n")
    for path, text in (base_files or {}).items():
        work.write(path, text)
    base = work.commit("base")
    work.git("branch", "-M", "main")
    bare = bare_from(work, tmp / "widget.git")
    admin.ok("POST", "/v1/repos", {"name": "widget", "path": str(bare)})
    install(bare, server=server.url, data_dir=None, repo_name="widget",
            no_token_mode=no_token_mode, credential=hook)  # fmt: skip
    work.git("remote", "add", "origin", f"file://{bare}")
    kit = Kit(server, admin, ci, FakeIssuer(), Ed25519PrivateKey.generate(), work, bare, base, hook)
    kit.agent()
    return kit


def push(work: Repo, *refspecs: str, token: str | None = None, force: bool = False,
         options: list[str] | None = None, remote: str = "origin",
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`git push` (file://): the hook runs with this process's environment plus `env`; a
    `REMOTE_USER` not in `env` is removed, as on a git server without authentication."""
    import os

    args = ["git", "-C", str(work.path), "push", "--porcelain", remote, *refspecs]
    if force:
        args.insert(4, "--force")
    for o in ([f"signoff-token={token}"] if token else []) + (options or []):
        args[4:4] = ["-o", o]
    full = {k: v for k, v in os.environ.items() if k != "REMOTE_USER"} | (env or {})
    return subprocess.run(args, capture_output=True, text=True, check=False, env=full)
