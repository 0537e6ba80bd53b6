"""`version-bump-only` says "nothing else changed": only for a literal version. A version read
from code or a file at build time (setup.cfg `attr:`/`file:`) is not a bump; `npm version patch`
(package.json and package-lock.json version fields only) is, and a policy can admit it."""

from __future__ import annotations

import json

from gitrepo import CLAUDE_TRAILER, Repo
from policies import AGENTS

from signoff.gate.check import run_check

LANE = """\
version: 1
groups:
  maintainers: [alice@example.com, bob@example.com]
default_approval: {approvals: 1, from: maintainers}
treat_unverified_as_agent: false  # the claude trailer alone is then that (limited) agent's work
auto_lane:
  classes: [docs]
  facts: [version-bump-only]
"""


def _kinds(repo: Repo, path: str) -> set[str]:
    d = run_check(repo.path, "main", "work", approvals_ref=None)
    (f,) = [f for f in d.files if f.path == path]
    return {fact.kind for fact in f.facts}


def _change(repo: Repo, path: str, old: str, new: str) -> None:
    repo.write(".signoff/policy.yml", LANE)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write(path, old)
    repo.commit("base")
    repo.branch("work")
    repo.write(path, new)
    repo.commit(f"bump\n\n{CLAUDE_TRAILER}")


CFG = "[metadata]\nname = demo\nversion = {}\n\n[options]\npackages = find:\n"


def test_setup_cfg_attr_version_is_not_a_bump(repo: Repo) -> None:
    _change(repo, "setup.cfg", CFG.format("attr: demo.__version__"), CFG.format("attr: os.system"))
    assert "version-bump-only" not in _kinds(repo, "setup.cfg")


def test_setup_cfg_literal_to_file_is_not_a_bump(repo: Repo) -> None:
    _change(repo, "setup.cfg", CFG.format("1.0.0"), CFG.format("file: VERSION"))
    assert "version-bump-only" not in _kinds(repo, "setup.cfg")


def test_setup_cfg_literal_bump_still_is(repo: Repo) -> None:
    _change(repo, "setup.cfg", CFG.format("1.0.0"), CFG.format("1.0.1"))
    assert "version-bump-only" in _kinds(repo, "setup.cfg")


def test_pyproject_version_made_dynamic_is_not_a_bump(repo: Repo) -> None:
    old = '[project]\nname = "demo"\nversion = "1.0.0"\n'
    new = '[project]\nname = "demo"\nversion = "1.0.1"\ndynamic = ["version"]\n'
    _change(repo, "pyproject.toml", old, new)
    assert "version-bump-only" not in _kinds(repo, "pyproject.toml")


def _npm(version: str) -> tuple[str, str]:
    manifest = {"name": "demo", "version": version, "dependencies": {"left-pad": "^1.3.0"}}
    lock = {
        "name": "demo",
        "version": version,
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"name": "demo", "version": version, "dependencies": {"left-pad": "^1.3.0"}},
            "node_modules/left-pad": {
                "version": "1.3.0",
                "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
                "integrity": "sha512-" + "A" * 86 + "==",
            },
        },
    }
    return json.dumps(manifest, indent=2) + "\n", json.dumps(lock, indent=2) + "\n"


def test_npm_version_patch_rides_a_lane_that_admits_version_bumps(repo: Repo) -> None:
    repo.write(".signoff/policy.yml", LANE)
    repo.write(".signoff/agents.yml", AGENTS)
    manifest, lock = _npm("1.2.3")
    repo.write("package.json", manifest)
    repo.write("package-lock.json", lock)
    repo.commit("base")
    repo.branch("work")
    manifest, lock = _npm("1.2.4")
    repo.write("package.json", manifest)
    repo.write("package-lock.json", lock)
    repo.commit(f"1.2.4\n\n{CLAUDE_TRAILER}")
    d = run_check(repo.path, "main", "work", approvals_ref=None)
    by_path = {f.path: f for f in d.files}
    for path in ("package.json", "package-lock.json"):
        assert "version-bump-only" in {f.kind for f in by_path[path].facts}, by_path[path].facts
    assert d.verdict.value == "allow", [(f.path, f.verdict, f.hits) for f in d.files]
