"""Bad input: one-line errors with file, line and field; exit 2; never a traceback."""

from __future__ import annotations

from pathlib import Path

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
