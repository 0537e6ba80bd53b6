"""The gate-only install: every command of `pip install signoff` works with the `server` extra's
packages absent, and a command that needs them says which extra to install (one line, exit 2).

The commands run in a subprocess in which every module only the `server` extra brings cannot be
imported (tests/support/noserver.py); tests/packaging/test_install.py does the same from a
real wheel in a fresh virtual environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from gitrepo import COPILOT, Repo, keygen
from noserver import server_only_modules
from policies import AGENTS, POLICY

from signoff.extras import EXTRAS

SUPPORT = Path(__file__).resolve().parents[1] / "support"
ENV = {**os.environ, "PYTHONPATH": str(SUPPORT)}
ENV["NOSERVER_BLOCK"] = ",".join(sorted(server_only_modules()))


@dataclass
class Ran:
    code: int
    out: str
    err: str


def gate_only(*args: str, cwd: Path | None = None) -> Ran:
    proc = subprocess.run(
        [sys.executable, "-m", "noserver", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return Ran(proc.returncode, proc.stdout, proc.stderr)


def test_the_blocked_set_is_the_server_stack() -> None:
    blocked = server_only_modules()
    for framework in ("fastapi", "starlette", "uvicorn", "pydantic", "psycopg", "jinja2", "httpx"):
        assert framework in blocked
    for needed in ("sqlalchemy", "alembic", "click", "yaml", "cryptography", "rich"):
        assert needed not in blocked
    # the helper names exactly modules the server extra brings
    assert set(EXTRAS["server"]) <= blocked


def test_the_block_really_blocks() -> None:
    code = (
        "from noserver import Blocked, server_only_modules\n"
        "import sys\n"
        "sys.meta_path.insert(0, Blocked(server_only_modules()))\n"
        "from signoff.extras import missing\n"
        "print(','.join(missing('server')))\n"
        "import fastapi\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=False
    )
    assert proc.stdout.strip() == ",".join(EXTRAS["server"])
    assert "ModuleNotFoundError: No module named 'fastapi'" in proc.stderr


@pytest.fixture
def project(repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    """main (policy, registry, alice's key; tagged v1.0.0) <- work: a Copilot change."""
    key, pub = keygen(tmp_path, "alice")
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write(".signoff/allowed_signers", f"alice@example.com {pub}\n")
    repo.write("src/app.py", "print('hi')\n")
    repo.commit("base")
    repo.git("tag", "v1.0.0")
    repo.branch("work")
    repo.write("src/app.py", "print('hello')\n")
    repo.commit("Fix greeting", author=COPILOT)
    return repo, key


def test_gate_approvals_explain_policy_ledger_and_release(
    project: tuple[Repo, Path], tmp_path: Path
) -> None:
    repo, key = project
    where = ["--repo", str(repo.path)]
    ledger = f"sqlite:///{tmp_path / 'ledger.db'}"

    r = gate_only("check", *where, "--base", "main", "--head", "work", "--format", "json")
    assert r.code == 1
    doc = json.loads(r.out)
    assert doc["decision"] == "needs-approval"

    r = gate_only("explain", "package-lock.json", ".github/workflows/ci.yml")
    assert r.code == 0 and "class: lockfile (high)" in r.out

    r = gate_only("policy", "validate", cwd=repo.path)
    assert r.code == 0 and "ok: .signoff/policy.yml" in r.out

    approve = ("approve", *where, "--base", "main", "--head", "work", "--key", str(key))
    r = gate_only(*approve, "--principal", "alice@example.com")
    assert r.code == 0, r.err
    r = gate_only("approvals", "list", *where)
    assert r.code == 0 and "alice@example.com" in r.out

    r = gate_only("check", *where, "--base", "main", "--head", "work", "--ledger", ledger)
    assert r.code == 0, r.out + r.err
    assert "signoff: ALLOWED" in r.out
    assert "recorded in the ledger as event 0" in r.err

    r = gate_only("ledger", "verify", "--ledger", ledger)
    assert r.code == 0, r.err

    verify = ("release", "verify", *where, "--from", "v1.0.0", "--to", "work")
    r = gate_only(*verify, "--ledger", ledger, "--format", "json")
    assert r.code in (0, 1), r.err
    assert json.loads(r.out)["checks"]


def test_server_commands_name_the_extra(repo: Repo, tmp_path: Path) -> None:
    for args in (
        ("serve", "--data-dir", str(tmp_path / "data")),
        ("server", "bootstrap", "--id", "root", "--email", "root@example.com"),
        ("ledger", "verify", "--ledger", "postgresql://signoff@127.0.0.1:9/none"),
    ):
        r = gate_only(*args)
        assert r.code == 2, (args, r.out, r.err)
        assert r.out == ""
        lines = r.err.splitlines()
        assert len(lines) == 1, r.err
        assert "needs the 'server' extra" in lines[0]
        assert "pip install 'signoff[server]'" in lines[0]
    assert not (tmp_path / "data").exists()  # nothing half-made before the refusal

    r = gate_only("serve", "--help")
    assert r.code == 0 and "Run the control plane" in r.out


def test_github_action_names_its_extra(tmp_path: Path) -> None:
    """`signoff github action` without githubkit: one line naming the `github` extra."""
    event = tmp_path / "event.json"
    sha = "a" * 40
    pr = {"number": 1, "html_url": "https://github.com/o/r/pull/1"}
    pr |= {"base": {"sha": sha, "ref": "main"}, "head": {"sha": sha, "ref": "x"}}
    event.write_text(json.dumps({"pull_request": pr, "repository": {"full_name": "o/r"}}))
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}
    proc = subprocess.run(
        [sys.executable, "-m", "noserver", "github", "action", "--no-fetch", "--token", "t"],
        capture_output=True,
        text=True,
        env={**ENV, **env},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "needs the 'github' extra" in proc.stderr
    assert "pip install 'signoff[github]'" in proc.stderr
