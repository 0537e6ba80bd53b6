"""The hook's policy cache (per policy blob) against the plain path: parsing the policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import Repo

from signoff.errors import ConfigError
from signoff.gitio.runner import Git
from signoff.hook import policy as hook_policy
from signoff.policy.load import parse_policy

POLICY = """\
version: 1
groups: {maintainers: [a@example.com]}
classes: {packaging-build: ["scripts/package/**"], deployment: ["ops/**"]}
protected_branches: [main, "release/*", "hotfix/**"]
"""


def _bare(repo: Repo, tmp_path: Path, policy: str, *, cache: bool = True) -> str:
    repo.write(".signoff/policy.yml", policy)
    repo.commit("policy")
    bare = tmp_path / "bare.git"
    repo.git("clone", "-q", "--bare", str(repo.path), str(bare))
    if cache:
        (bare / hook_policy.CACHE_DIR).mkdir()
    return str(bare)


def _plain(policy: str) -> hook_policy.HookPolicy:
    p = parse_policy(policy.encode())
    return hook_policy.HookPolicy(
        tuple(p.protected_branches), {c.value: tuple(g) for c, g in p.class_globs.items()}
    )


def test_cached_equals_parsed_and_is_keyed_by_blob(repo: Repo, tmp_path: Path) -> None:
    bare = _bare(repo, tmp_path, POLICY)
    git = Git(bare)
    first = hook_policy.load(git, bare, "main")
    assert first == _plain(POLICY)
    (entry,) = (Path(bare) / hook_policy.CACHE_DIR).iterdir()
    blob = git.run(["rev-parse", "main:.signoff/policy.yml"]).decode().strip()
    assert entry.name == f"policy-{blob}.json"
    assert hook_policy.load(git, bare, "main") == first  # read back from the entry


BROKEN = [
    "{",
    '{"v": 1}',
    '{"v": 1, "blob": "0", "protected": [], "classes": {}}',  # another blob's entry
    '{"v": 1, "blob": "B", "protected": [1], "classes": {}}',
]


@pytest.mark.parametrize("bad", BROKEN)
def test_a_broken_or_foreign_entry_is_ignored(repo: Repo, tmp_path: Path, bad: str) -> None:
    bare = _bare(repo, tmp_path, POLICY)
    git = Git(bare)
    blob = git.run(["rev-parse", "main:.signoff/policy.yml"]).decode().strip()
    entry = Path(bare) / hook_policy.CACHE_DIR / f"policy-{blob}.json"
    entry.write_text(bad.replace('"B"', json.dumps(blob)))
    assert hook_policy.load(git, bare, "main") == _plain(POLICY)


def test_no_cache_directory_no_file(repo: Repo, tmp_path: Path) -> None:
    bare = _bare(repo, tmp_path, POLICY, cache=False)
    assert hook_policy.load(Git(bare), bare, "main") == _plain(POLICY)
    assert not (Path(bare) / hook_policy.CACHE_DIR).exists()


def test_a_broken_policy_refuses_and_is_never_cached(repo: Repo, tmp_path: Path) -> None:
    bare = _bare(repo, tmp_path, POLICY + "protected_branches: [x]\n")  # duplicate key
    with pytest.raises(ConfigError):
        hook_policy.load(Git(bare), bare, "main")
    assert not any((Path(bare) / hook_policy.CACHE_DIR).iterdir())
