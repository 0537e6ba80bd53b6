"""Revisions a caller writes: a full object id, or a ref name git itself accepts (never an
option). `git check-ref-format --allow-onelevel` is the oracle."""

from __future__ import annotations

import subprocess

import pytest

from signoff.errors import GitError
from signoff.gitio.refs import check_revision, is_full_sha, ref_name_problem

NAMES = [
    "main", "origin/main", "release/1.4", "v1.4.0", "feature/x-y_z", "HEAD", "a@b", "ü/ß",
    "", "-x", "--output=/tmp/x", "a..b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b",
    "@", "a@{1}", "/a", "a/", "a//b", "a.", ".a", "a/.b", "a.lock", "a/b.lock/c", "a\x7f",
    "a\tb", "a/./b", "x" * 256,
]  # fmt: skip


def _git_accepts(name: str) -> bool:
    proc = subprocess.run(
        ["git", "check-ref-format", "--allow-onelevel", name], capture_output=True, check=False
    )
    return proc.returncode == 0


@pytest.mark.parametrize("name", NAMES)
def test_ref_names_as_git_judges_them(name: str) -> None:
    ours = ref_name_problem(name) is None
    if name.startswith("-") or len(name) > 255:
        assert not ours  # stricter than git on purpose: an option, or absurdly long
    else:
        assert ours == _git_accepts(name), name


def test_full_ids_pass_and_options_never_do() -> None:
    assert is_full_sha("a" * 40) and is_full_sha("0" * 64) and not is_full_sha("A" * 40)
    assert check_revision("b" * 40) == "b" * 40
    assert check_revision("v1.0", role="--to") == "v1.0"
    with pytest.raises(GitError, match=r"--from '--output=/tmp/x' is not a commit id or ref"):
        check_revision("--output=/tmp/x", role="--from")
