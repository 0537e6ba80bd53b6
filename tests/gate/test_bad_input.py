"""Bad input: one-line errors with file, line and field; exit 2; never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clirun import run
from gitrepo import COPILOT, Repo, make_repo
from policies import AGENTS, POLICY


def setup(repo: Repo, policy: str = POLICY, agents: str = AGENTS) -> None:
    repo.write(".signoff/policy.yml", policy)
    repo.write(".signoff/agents.yml", agents)
    repo.write("src/a.py", "a\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("src/a.py", "b\n")
    repo.commit("change", author=COPILOT)


def check(capsys: pytest.CaptureFixture[str], repo: Repo, *args: str) -> tuple[int, str]:
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work", *args)
    assert "Traceback" not in r.err
    return r.code, r.err


def test_not_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "check", "--repo", str(tmp_path), "--base", "main")
    assert r.code == 2
    assert "not a git repository" in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_unknown_ref(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    setup(repo)
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "nope", "--head", "work")
    assert r.code == 2
    assert "unknown base ref 'nope'" in r.err


def test_empty_range(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    setup(repo)
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "work", "--head", "main")
    assert r.code == 2
    assert "empty range" in r.err


def test_malformed_yaml_names_line_and_column(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    setup(repo, policy="version: 1\ngroups: [unclosed\n")
    code, err = check(capsys, repo)
    assert code == 2
    assert ".signoff/policy.yml:3:" in err or ".signoff/policy.yml:2:" in err
    assert "invalid YAML" in err


def test_unknown_key_suggests_spelling(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    setup(repo, policy=POLICY.replace("treat_unverified_as_agent", "treat_unverifed_as_agent"))
    code, err = check(capsys, repo)
    assert code == 2
    assert "unknown key 'treat_unverifed_as_agent'" in err
    assert "did you mean 'treat_unverified_as_agent'" in err
    assert ".signoff/policy.yml:6:1" in err


def test_bad_rule_field_path(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    bad = POLICY.replace("when: {classes: [ci-workflow]}", "when: {classes: [ci-workflows]}")
    setup(repo, policy=bad)
    code, err = check(capsys, repo)
    assert code == 2
    assert "rules[0].when.classes[0]" in err
    assert "did you mean 'ci-workflow'" in err


def test_registry_entry_without_owner_or_date(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    setup(repo, agents="version: 1\nagents:\n  - id: x\n    owner: o@example.com\n")
    code, err = check(capsys, repo)
    assert code == 2
    assert "needs a review_by or expires date" in err
    assert "agents[0]" in err


def test_undefined_group(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    setup(repo, policy=POLICY.replace("from: release-managers", "from: releasers"))
    code, err = check(capsys, repo)
    assert code == 2
    assert "group 'releasers' is not defined" in err


def test_shallow_clone_missing_base_says_how_to_fetch(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup(repo)
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", "--branch", "work", f"file://{repo.path}", str(clone))
    r = run(capsys, "check", "--repo", str(clone), "--base", "origin/main", "--head", "HEAD")
    assert r.code == 2
    assert "shallow" in r.err and "git fetch" in r.err


def test_malformed_allowed_signers(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(".signoff/allowed_signers", "alice@example.com ssh-ed25519 not-base64!!\n")
    setup(repo)
    code, err = check(capsys, repo)
    assert code == 2
    assert "allowed_signers:1" in err


def test_unwritable_output_leaves_nothing(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup(repo)
    target = tmp_path / "missing-dir" / "out.json"
    code, err = check(capsys, repo, "--output", str(target))
    assert code == 2
    assert "cannot write" in err
    assert not target.exists()


def test_other_repository_layout_not_confused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = make_repo(tmp_path / "other")
    other.write("a", "a\n")
    other.commit("a")
    r = run(capsys, "check", "--repo", str(other.path), "--base", "main", "--head", "main")
    assert r.code == 2
    assert "empty range" in r.err


# -- the CLI's other commands: one line, exit 2, no traceback, nothing written ---------------


def one_line_error(r: Any, *needles: str) -> None:
    assert r.code == 2, (r.out, r.err)
    assert "Traceback" not in r.err
    lines = [x for x in r.err.strip().splitlines() if not x.startswith("signoff serve:")]
    assert len(lines) == 1, r.err
    for n in needles:
        assert n in lines[0], lines[0]


def test_bad_date_in_the_registry_names_file_line_and_field(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    agents = AGENTS.replace("review_by: 2999-01-01", "review_by: 2027-13-45", 1)
    setup(repo, agents=agents)
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work")
    one_line_error(
        r, ".signoff/agents.yml:", "agents[0].review_by", "'2027-13-45' is not a valid date"
    )
    reg = repo.path / "agents.yml"
    reg.write_text(agents)
    pol = repo.path / "policy.yml"
    pol.write_text(POLICY)
    r = run(capsys, "policy", "validate", str(pol), "--agents", str(reg))
    one_line_error(r, f"{reg}:", "agents[0].review_by")


def test_policy_validate_with_a_missing_registry_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pol = tmp_path / "policy.yml"
    pol.write_text(POLICY)
    r = run(capsys, "policy", "validate", str(pol), "--agents", str(tmp_path / "missing.yml"))
    one_line_error(r, "missing.yml", "no such file")


def test_init_outside_a_repository_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r = run(capsys, "init", "--repo", str(tmp_path))
    one_line_error(r, "not inside a git work tree")
    assert list(tmp_path.iterdir()) == []


def test_monitor_ack_needs_a_person_only_with_a_state_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    r = run(capsys, "monitor", "--state", str(state), "ack", "al-0123456789abcdef")
    one_line_error(r, "--by PERSON")
    r = run(capsys, "monitor", "--server", "http://127.0.0.1:9", "ack", "al-0123456789abcdef",
            "--by", "alice")  # fmt: skip
    one_line_error(r, "the token's person acknowledges")
    assert not state.exists()


def test_serve_with_an_unreachable_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://nobody@127.0.0.1:9/none"
    r = run(
        capsys, "serve", "--database-url", url, "--data-dir", str(tmp_path / "d"), "--port", "0"
    )
    one_line_error(r, "cannot open the database postgresql://nobody@127.0.0.1:9/none")
    r = run(capsys, "server", "bootstrap", "--database-url", url, "--data-dir", str(tmp_path / "d"),
            "--id", "root", "--email", "root@example.com")  # fmt: skip
    one_line_error(r, "cannot open the database")


def test_serve_on_a_busy_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = run(capsys, "serve", "--data-dir", str(tmp_path / "d"), "--port", str(port))
    one_line_error(r, f"cannot listen on 127.0.0.1:{port}", "in use")


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--color", "sometimes"],
        ["check", "--format", "yaml"],
        ["monitor", "ack"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, *argv)
    assert r.code == 2 and "Traceback" not in r.err and "Error:" in r.err


@pytest.mark.parametrize(
    "argv", [["trace", "--commit", "0" * 40], ["report", "compliance"]], ids=["trace", "report"]
)
def test_reading_a_mistyped_ledger_path_creates_nothing(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ledger commands refuse it too (tests/ledger/test_ledger_cli.py)."""
    missing = tmp_path / "ledgr.db"
    r = run(capsys, *argv, "--ledger", str(missing))
    one_line_error(r, f"no ledger at {missing}")
    assert list(tmp_path.iterdir()) == []  # no database, no key


@pytest.mark.parametrize(
    "argv",
    [
        ["monitor", "--ledger", "{ledger}"],
        ["ledger", "show", "--ledger", "{ledger}"],
        ["monitor", "--ledger", "{ledger}", "--state", "{dir}/state.json", "ack",
         "al-0123456789abcdef", "--by", "alice"],
        ["release", "verify", "--repo", "{repo}", "--from", "main", "--to", "work",
         "--ledger", "{ledger}"],
        ["release", "promote", "--repo", "{repo}", "--digest", "sha256:" + "a" * 64,
         "--identity", "carol@example.com", "--release", "v1", "--ledger", "{ledger}"],
        ["release", "requalify", "--repo", "{repo}", "--from", "main", "--to", "work",
         "--revoked", "agent:copilot", "--reason", "re-reviewed", "--principal",
         "carol@example.com", "--ledger", "{ledger}"],
    ],
    ids=["monitor", "ledger-show", "monitor-ack", "release-verify", "release-promote",
         "release-requalify"],
)  # fmt: skip
def test_a_mistyped_ledger_path_is_refused_and_never_created(
    argv: list[str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Commands that read the ledger, or write what must follow events already in it (an
    acknowledgement of an alert the monitor raised from it, a promotion of a verified release);
    `check --ledger`, `artifact built` and `ledger append` start a new one on purpose."""
    setup(repo)
    where = tmp_path / "elsewhere"
    where.mkdir()
    missing = where / "ledgr.db"
    fill = {"{ledger}": str(missing), "{dir}": str(where), "{repo}": str(repo.path)}
    r = run(capsys, *[fill.get(a, a.replace("{dir}", str(where))) for a in argv])
    one_line_error(r, f"no ledger at {missing}")
    assert list(where.iterdir()) == []  # no database, no key, no state file


def test_trace_names_a_commit_in_full(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check` prints 12-character ids; the ledger names commits in full, and a prefix could
    name several, so trace says what it needs rather than "does not appear in the ledger"."""
    missing = tmp_path / "ledger.db"
    r = run(capsys, "trace", "--commit", "4f1c2e0d9b8a", "--ledger", str(missing))
    one_line_error(r, "'4f1c2e0d9b8a' is not a full commit id", "git rev-parse")
    r = run(capsys, "trace", "--commit", "main", "--ledger", str(missing))
    one_line_error(r, "'main' is not a full commit id")
    assert not missing.exists()


# Covered in their own areas' tables: `approve`/`veto`/`override` refusing a record the gate
# would not count (tests/approvals/test_cli_refusals.py); the ledger's read commands on a
# mistyped path (tests/ledger/test_ledger_tampering.py); SARIF's dry-run notice
# (tests/gate/test_outputs.py).
