"""Base and head are resolved to one full ref, never by git's guessing rules (a tag named like
the protected branch must not pick the commit whose policy the gate trusts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import Result, run
from gitrepo import COPILOT, Repo
from policies import AGENTS, POLICY

from signoff.errors import GitError
from signoff.gitio import refs
from signoff.gitio.runner import Git

PERMISSIVE = "version: 1\ndefault: allow\n"


def setup(repo: Repo) -> str:
    """main holds the real policy; an old commit holds a permissive one; work changes CI."""
    repo.write(".signoff/policy.yml", PERMISSIVE)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("src/a.py", "a\n")
    old = repo.commit("permissive start")
    repo.write(".signoff/policy.yml", POLICY)
    repo.commit("the real policy")
    repo.branch("work")
    repo.write(".github/workflows/release.yml", "on: push\njobs: {}\n")
    repo.commit("ci: publish on every push", author=COPILOT)
    return old


def check(capsys: pytest.CaptureFixture[str], repo: Repo, base: str, head: str = "work") -> Result:
    return run(
        capsys, "check", "--repo", str(repo.path), "--base", base, "--head", head,
        "--format", "json",
    )  # fmt: skip


def one_line_exit_2(r: Result) -> str:
    assert r.code == 2, r.out
    err = r.err
    assert "Traceback" not in err
    assert err.startswith("signoff: error: ")
    return err.splitlines()[0]


def test_a_tag_named_like_the_base_branch_is_refused(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    old = setup(repo)
    plain = check(capsys, repo, "main")
    assert plain.code == 1, plain.err  # the real policy: the release workflow needs approval
    assert plain.json()["range"]["base_ref"] == "refs/heads/main"
    assert plain.json()["range"]["head_ref"] == "refs/heads/work"
    repo.git("tag", "main", old)  # git rev-parse main would now answer the tag
    line = one_line_exit_2(check(capsys, repo, "main"))
    assert "ambiguous" in line and "refs/tags/main" in line and "refs/heads/main" in line
    full = check(capsys, repo, "refs/heads/main")
    assert full.code == 1 and full.json()["range"]["base"] == repo.git(
        "rev-parse", "refs/heads/main"
    )


def test_a_tag_named_like_the_remote_branch_is_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = setup(repo)
    repo.git("update-ref", "refs/remotes/origin/main", "refs/heads/main")
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    ok = check(capsys, repo, "origin/main")
    assert ok.code == 1 and ok.json()["range"]["base_ref"] == "refs/remotes/origin/main"
    via_head = check(capsys, repo, "origin")  # the remote's default branch
    assert via_head.json()["range"]["base_ref"] == "refs/remotes/origin/main"
    repo.git("tag", "origin/main", old)
    line = one_line_exit_2(check(capsys, repo, "origin/main"))
    assert "ambiguous" in line and "refs/tags/origin/main" in line


def test_tags_expressions_and_short_shas_are_not_bases(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    setup(repo)
    repo.git("tag", "v1", "main")
    assert "not a branch" in one_line_exit_2(check(capsys, repo, "v1"))
    for expr in ("main~1", "main^", "main@{1}", "-main", "--output=x", "main..work"):
        assert "is not a commit id or ref name" in one_line_exit_2(check(capsys, repo, expr)), expr
    short = repo.git("rev-parse", "--short", "main")
    assert "unknown base ref" in one_line_exit_2(check(capsys, repo, short))
    sha = repo.git("rev-parse", "main")
    by_sha = check(capsys, repo, sha)
    assert by_sha.code == 1 and by_sha.json()["range"]["base_ref"] == sha
    text = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work")
    assert "(refs/heads/main..refs/heads/work)" in text.out.splitlines()[0]


def test_resolve_reports_each_role_and_the_git_dir(repo: Repo) -> None:
    setup(repo)
    found, git_dir = refs.resolve(Git(repo.path), {"base": "main", "head": "HEAD"})
    assert found["base"] == refs.Resolved(repo.git("rev-parse", "main"), "refs/heads/main")
    assert found["head"].ref == "HEAD"
    assert git_dir == str(repo.path / ".git")
    repo.git("branch", "refs/heads/main")  # refs/heads/refs/heads/main: a branch named so
    with pytest.raises(GitError):
        refs.resolve(Git(repo.path), {"base": "refs/heads/nope"})
