"""`make run`: the control plane with a demo data set built through its real HTTP API.

Builds a demo repository in a temp dir (an agent change that touches a lockfile and source, all
inside the agent's registered paths, so it needs approval and nothing in it is denied), starts
`signoff serve` on 127.0.0.1 (SQLite in a temp data dir), seeds it over HTTP (repository, policy
and registry versions, groups, humans with SSH keys and tokens, two agents, a task), lets the
agent push its branch with a task token through the pre-receive hook on a bare repository (so
the change's commits are the task's witnessed work), runs the gate against the server as CI
would so pending approvals exist, prints where to look and what
to try, and serves until Ctrl-C. `python -m signoff.demo.example` is the one-shot gate example
without a server. tests/web/test_walkthrough.py walks the printed steps in a browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

from signoff.demo.example import COPILOT, _Repo

PEOPLE = {
    "alice": ("Alice Maintainer", ["maintainers"], ["approver"]),
    "bob": ("Bob Maintainer", ["maintainers"], ["approver"]),
    "carol": ("Carol Release", ["release-managers", "break-glass"], ["approver"]),
    "dave": ("Dave Operator", [], ["agent-operator"]),
}
LOCK = '{{"name": "demo", "version": "1.0.0", "lockfileVersion": 3, "packages": {{{}}}}}\n'


def build_repo(root: Path) -> tuple[_Repo, str, str, dict[str, str]]:
    """The demo repository and the people's public keys; returns (repo, base, head, pubs)."""
    repo = _Repo(root / "demo-repo")
    templates = resources.files("signoff.templates")
    for name in ("policy.yml", "agents.yml"):
        repo.write(f".signoff/{name}", templates.joinpath(name).read_text("utf-8"))
    pubs: dict[str, str] = {}
    for who in ("alice", "bob", "carol"):
        key = root / f"{who}_key"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(key)],
            check=True,
            capture_output=True,
        )
        pubs[who] = " ".join(Path(f"{key}.pub").read_text().split()[:2])
    repo.write(
        ".signoff/allowed_signers",
        "".join(f"{w}@example.com {p}\n" for w, p in pubs.items()),
    )
    repo.write("src/app.py", "def main() -> None:\n    print('hello')\n")
    repo.write("package.json", '{"name": "demo", "version": "1.0.0"}\n')
    repo.write("package-lock.json", LOCK.format(""))
    repo.write(".github/workflows/ci.yml", "on: [push]\njobs: {}\n")
    repo.commit("Initial commit")
    base = repo.git("rev-parse", "HEAD")
    # The git server the agent pushes to: a bare repository the control plane reads, where
    # `seed` installs the pre-receive hook before the agent pushes its branch.
    subprocess.run(
        ["git", "init", "-q", "--bare", "-b", "main", str(bare_path(repo))],
        check=True,
        capture_output=True,
    )
    repo.git("remote", "add", "origin", str(bare_path(repo)))
    repo.git("push", "-q", "origin", "main")
    repo.git("checkout", "-q", "-b", "agent/fix-42")
    repo.write("src/app.py", "def main() -> None:\n    print('hello, world')\n")
    repo.write("package-lock.json", LOCK.format('"node_modules/left-pad": {"version": "1.3.0"}'))
    repo.commit(
        "Fix greeting, add left-pad\n\nCo-authored-by: Dave Operator <dave@example.com>",
        who=COPILOT,
    )
    head = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "main")
    return repo, base, head, pubs


def bare_path(repo: _Repo) -> Path:
    """The demo's git server repository, next to the working copy."""
    return repo.path.parent / "demo.git"


def seed(url: str, admin: str, repo: _Repo, base: str, pubs: dict[str, str]) -> dict[str, Any]:
    """Everything through the HTTP API, as an admin and then as the people themselves; then
    the agent gets a task token and pushes its branch through the hook."""
    import httpx

    def call(token: str, method: str, path: str, body: Any = None) -> Any:
        r = httpx.request(
            method, url + path, json=body, timeout=60, headers={"Authorization": f"Bearer {token}"}
        )
        if r.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
        return r.json()

    agent_key = _AgentKey()
    call(admin, "POST", "/v1/repos", {"name": "demo", "path": str(bare_path(repo))})
    for doc, path in (("policy", ".signoff/policy.yml"), ("registry", ".signoff/agents.yml")):
        call(admin, "POST", f"/v1/repos/demo/{doc}", {"text": (repo.path / path).read_text()})
    for group in ("maintainers", "release-managers", "break-glass"):
        call(admin, "POST", "/v1/groups", {"name": group, "description": f"{group} (demo)"})
    tokens = {"admin": admin}
    for who, (name, groups, roles) in PEOPLE.items():
        body = {
            "id": who,
            "email": f"{who}@example.com",
            "name": name,
            "groups": groups,
            "keys": [pubs[who]] if who in pubs else [],
        }
        call(admin, "POST", "/v1/humans", body)
        tokens[who] = call(
            admin, "POST", "/v1/tokens", {"name": f"{who}-demo", "human": who, "roles": roles}
        )["token"]
        if who in pubs:  # each person claims the token issued for them with their own key
            tokens[who] = _claim(call, tokens[who], repo.path.parent / f"{who}_key")
    tokens["ci"] = call(admin, "POST", "/v1/tokens", {"name": "ci", "roles": ["ci"]})["token"]
    tokens["auditor"] = call(
        admin, "POST", "/v1/tokens", {"name": "prometheus", "roles": ["auditor"]}
    )["token"]
    for agent in (
        {
            "id": "copilot",
            "name": "GitHub Copilot coding agent",
            "owner": "platform@example.com",
            "purpose": "Fixes small issues and opens pull requests",
            "mode": "supervised",
            "review_by": "2027-03-31",
            "max_token_ttl": 900,
            "scope": {"repos": ["demo"], "paths": ["src/**", "package.json", "package-lock.json"]},
            "match": {"catalog": ["github-copilot"], "signing_keys": [agent_key.public]},
        },
        {
            "id": "claude-code",
            "name": "Claude Code",
            "owner": "alice@example.com",
            "purpose": "Pair programming on maintainers' branches",
            "mode": "limited",
            "review_by": "2027-01-31",
            "match": {"catalog": ["claude-code"]},
        },
    ):
        call(admin, "POST", "/v1/agents", agent)
    task = call(
        tokens["dave"],
        "POST",
        "/v1/tasks",
        {
            "agent": "copilot",
            "repo": "demo",
            "base_commit": base,
            "intent_text": "Fix issue #42: the greeting is wrong; also add left-pad",
            "branch_prefix": "agent/",
            "allowed_paths": ["src/**", "package*.json"],
            "actions": ["push-branch", "open-change"],
            "ttl_seconds": 900,
        },
    )
    agent_push(url, repo, task["id"], agent_key, admin)
    return {"tokens": tokens, "task": task}


class _AgentKey:
    """The Copilot agent's Ed25519 key: it proves the agent when it asks for a task token."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        self.private = Ed25519PrivateKey.generate()
        self.public = (
            self.private.public_key()
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
            .decode()
            + " copilot"
        )


def agent_push(url: str, repo: _Repo, task_id: str, key: _AgentKey, admin: str) -> None:
    """What the agent and the git server do: the hook is installed on the bare repository
    (with its own `hook` token, which the admin issues: only it records pushes), the agent
    signs the broker's challenge for a task token and pushes agent/fix-42 with it, and the
    hook records the commits as the task's witnessed work."""
    import httpx

    from signoff.broker import pop
    from signoff.hook.install import install

    refuse = "refuse"  # a push without a task token is refused
    hook = httpx.post(f"{url}/v1/tokens", json={"name": "git-hook", "roles": ["hook"]},
                      headers={"Authorization": f"Bearer {admin}"}, timeout=60)  # fmt: skip
    hook_token = hook.json()["token"]
    install(bare_path(repo), server=url, data_dir=None, repo_name="demo",
            no_token_mode=refuse, credential=hook_token)  # fmt: skip
    ch = httpx.post(f"{url}/v1/pop/challenge", json={"agent": "copilot", "task": task_id}).json()
    signature = pop.sign(key.private, ch["nonce"], "copilot", ch["audience"])
    proof = {"nonce": ch["nonce"], "signature": signature}
    r = httpx.post(f"{url}/v1/tasks/{task_id}/token", json={"pop": proof}, timeout=60)
    if r.status_code != 200:
        raise RuntimeError(f"task token: {r.status_code} {r.text}")
    repo.git("push", "-q", "-o", f"signoff-token={r.json()['token']}", "origin", "agent/fix-42")


def signoff_command() -> str:
    """How to run signoff from this interpreter's environment, as a person would type it
    (`make run` installs it in .venv, which is usually not on PATH)."""
    script = Path(sys.executable).with_name("signoff")
    return str(script) if script.exists() else f"{sys.executable} -m signoff.cli.main"


def _claim(call: Any, token: str, key: Path) -> str:
    """What `signoff server claim` does: sign the challenge, get the token's new secret."""
    from signoff.approvals.sshsig import sign

    ch = call(token, "POST", "/v1/tokens/claim/challenge")
    sig = sign(ch["message"].encode(), key, ch["namespace"]).decode()
    out = call(token, "POST", "/v1/tokens/claim", {"nonce": ch["nonce"], "signature": sig})
    return str(out["token"])


def _gate(url: str, token: str, repo: _Repo, base: str, head: str) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "signoff.cli.main",
            "check",
            "--repo",
            str(repo.path),
            "--base",
            base,
            "--head",
            head,
            "--server",
            url,
            "--token",
            token,
            "--server-repo",
            "demo",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout + out.stderr + f"(exit code {out.returncode})\n"


def main() -> int:
    import uvicorn

    from signoff.app import create_app
    from signoff.server.middleware import configure_logging
    from signoff.server.settings import load
    from signoff.server.tokens.service import bootstrap

    port = int(os.environ.get("DEMO_PORT", "8700"))
    with tempfile.TemporaryDirectory(prefix="signoff-demo-") as tmp:
        root = Path(tmp)
        repo, base, head, pubs = build_repo(root)
        settings = load(
            {"SIGNOFF_DATA_DIR": str(root / "data")},
            port=port,
            intent_retention="30d",
            log_level="warning",
        )
        configure_logging(settings.log_level)
        app = create_app(settings)
        admin = bootstrap(app.state.ctx, "root", "root@example.com", "Root Admin", 86400).token
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                print(f"signoff demo: cannot listen on 127.0.0.1:{port} (set DEMO_PORT)")
                return 2
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        data = seed(url, admin, repo, base, pubs)
        tokens = data["tokens"]
        report = _gate(url, tokens["ci"], repo, base, head)
        _print(url, root, repo, base, head, tokens, data["task"], report)
        try:
            while thread.is_alive():
                thread.join(0.5)
        except KeyboardInterrupt:
            server.should_exit = True
            thread.join(10)
    return 0


def _print(
    url: str,
    root: Path,
    repo: _Repo,
    base: str,
    head: str,
    tokens: dict[str, str],
    task: dict[str, Any],
    report: str,
) -> None:
    t = tokens
    cli = signoff_command()
    print(
        f"""
signoff control plane demo: {url}   (Ctrl-C to stop; everything lives in {root})

  web console      {url}/ui/login        (sign in with a token below: alice approves)
  OpenAPI docs     {url}/docs            schema {url}/openapi.json
  health           {url}/healthz  {url}/readyz
  ledger key       {url}/v1/ledger/public-key

Demo repository {repo.path}
  main {base[:12]} <- agent/fix-42 {head[:12]}: Copilot changed src/app.py and
  package-lock.json (task {task["id"]}, requested by dave) and pushed
  it to {bare_path(repo)} with its task token, through the pre-receive hook

Tokens (shown once; only their SHA-256 is stored):
  admin   {t["admin"]}
  alice   {t["alice"]}   (approver, maintainers)
  bob     {t["bob"]}   (approver, maintainers)
  carol   {t["carol"]}   (approver, release-managers, break-glass)
  dave    {t["dave"]}   (agent-operator: cannot approve)
  ci      {t["ci"]}   (reads policy and approvals, appends decisions)
  auditor {t["auditor"]}   (read-only, /metrics)

The gate, run as CI against the server:
{_indent(report)}
Try it:
  1. Open {url}/ui/login and sign in with alice's token: the inbox shows the change, its
     diff and the classes that are hers (source, and the lockfile's maintainers approval).
     Approve. Sign out, sign in as carol (release-managers) and approve the lockfile.
  2. Run the gate again, as CI would:
     {cli} check --repo {repo.path} --server-repo demo \\
       --base {base} --head {head} \\
       --server {url} --token {t["ci"]}
     It now says ALLOWED (exit code 0): every class has the approvals the policy asks for.

More:
  curl -s -H "Authorization: Bearer {t["auditor"]}" {url}/v1/tasks | python3 -m json.tool
  curl -s -H "Authorization: Bearer {t["alice"]}" -X POST {url}/v1/repos/demo/approvals \\
       -H 'content-type: application/json' \\
       -d '{{"base": "{base}", "head": "{head}", "decision": "approve"}}'
  curl -s -H "Authorization: Bearer {t["dave"]}" -X POST {url}/v1/repos/demo/approvals \\
       -H 'content-type: application/json' \\
       -d '{{"base": "{base}", "head": "{head}", "decision": "approve"}}'   # 403: dave cannot
  curl -s -H "Authorization: Bearer {t["auditor"]}" {url}/metrics | grep signoff_http
  One-shot gate example without a server: {sys.executable} -m signoff.demo.example
""",
        flush=True,
    )


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.rstrip().splitlines())


if __name__ == "__main__":
    sys.exit(main())
