"""`signoff init`, `policy validate|test`, `explain`, `--version`, and the light start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run
from gitrepo import Repo

import signoff


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "--version")
    assert r.code == 0
    assert signoff.__version__ in r.out


@pytest.mark.parametrize(
    "cmd",
    [[], ["check"], ["explain"], ["init"], ["policy"], ["policy", "validate"], ["policy", "test"]],
)
def test_help_everywhere(cmd: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, *cmd, "--help")
    assert r.code == 0
    assert "Usage:" in r.out


def test_init_writes_valid_files_and_refuses_overwrite(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    r = run(capsys, "init", "--repo", str(repo.path))
    assert r.code == 0
    policy = repo.path / ".signoff/policy.yml"
    agents = repo.path / ".signoff/agents.yml"
    assert policy.read_text().startswith("# signoff policy")
    v = run(capsys, "policy", "validate", str(policy), "--agents", str(agents))
    assert v.code == 0, v.err
    assert "ok:" in v.out and "7 agent(s)" in v.out
    before = policy.read_text()
    again = run(capsys, "init", "--repo", str(repo.path))
    assert again.code == 2
    assert "already exists" in again.err
    assert policy.read_text() == before


def test_policy_validate_reports_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "policy.yml"
    p.write_text(
        "version: 1\ngroups: {maintainers: [a@example.com]}\nrules:\n"
        "  - name: r\n    requrie: deny\n"
    )
    r = run(capsys, "policy", "validate", str(p), "--agents", str(tmp_path / "none.yml"))
    assert r.code == 2
    assert f"{p}:5:5: rules[0].requrie: unknown key 'requrie'" in r.err
    assert "did you mean 'require'" in r.err


def test_policy_test_runner(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--repo", str(repo.path))
    tests = tmp_path / "policy-tests"
    tests.mkdir()
    (tests / "lockfile.yml").write_text(
        "name: copilot lockfile change needs a release manager\n"
        "target_branch: main\n"
        "files:\n"
        "  - {path: package-lock.json, by: [copilot]}\n"
        "expect:\n"
        "  decision: needs-approval\n"
        "  files:\n"
        "    package-lock.json:\n"
        "      {class: lockfile, requires: {maintainers: 1, release-managers: 1}}\n"
    )
    (tests / "docs.yml").write_text(
        "name: claude docs flow\n"
        "files:\n"
        "  - {path: docs/a.md, by: [claude-code]}\n"
        "expect: {decision: allow}\n"
    )
    (tests / "wrong.yml").write_text(
        "name: a deliberately wrong expectation\n"
        "files:\n"
        "  - {path: .github/workflows/release.yml, by: [copilot]}\n"
        "expect: {decision: allow}\n"
    )
    r = run(
        capsys,
        "policy",
        "test",
        str(tests),
        "--policy",
        str(repo.path / ".signoff/policy.yml"),
        "--agents",
        str(repo.path / ".signoff/agents.yml"),
    )
    assert r.code == 1
    assert "PASS:" in r.out and "FAIL:" in r.out
    assert "2 passed, 1 failed" in r.out
    assert "expected allow, got deny" in r.out


def test_explain_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    r = run(
        capsys,
        "explain",
        ".github/workflows/ci.yml",
        "docs/x.md",
        "--repo",
        str(tmp_path),
        "--format",
        "json",
    )
    assert r.code == 0
    doc = json.loads(r.out)
    by = {p["path"]: p for p in doc["paths"]}
    assert by[".github/workflows/ci.yml"]["class"] == "ci-workflow"
    assert by["docs/x.md"]["risk"] == "low"


def test_explain_with_policy_lists_rules(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--repo", str(repo.path))
    r = run(
        capsys, "explain", "package-lock.json", "--policy", str(repo.path / ".signoff/policy.yml")
    )
    assert r.code == 0
    assert "class: lockfile (high)" in r.out
    assert "release-impacting-needs-release-manager" in r.out


def test_gate_imports_no_web_or_database_framework(repo: Repo) -> None:
    repo.write("a.txt", "a\n")
    repo.commit("a")
    repo.branch("work")
    repo.write("a.txt", "b\n")
    repo.commit("b")
    code = (
        "import sys\n"
        "from signoff.cli.main import main\n"
        "try:\n"
        f"    main(['check', '--repo', {str(repo.path)!r}, '--base', 'main', '--head', 'work'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "banned = ['fastapi', 'starlette', 'uvicorn', 'sqlalchemy', 'psycopg', 'alembic', 'httpx',"
        " 'jinja2', 'sqlite3']\n"
        "print('LOADED=' + ','.join(m for m in banned if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "LOADED="
