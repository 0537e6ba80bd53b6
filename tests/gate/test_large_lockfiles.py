"""Lockfiles too large to read whole are analyzed from git's diff, entry by entry, with the
same facts the whole-file analyzer gives; what cannot be is a high-risk fact that says why."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from gitrepo import Repo

from signoff.analysis import analyze_file
from signoff.facts import Fact
from signoff.gate.large_files import large_facts
from signoff.gitio import history
from signoff.gitio.runner import Git
from signoff.taxonomy import Risk


def entry(name: str, version: str, host: str = "registry.npmjs.org", **more: Any) -> Any:
    base = name.rsplit("node_modules/", 1)[-1]
    return {
        "version": version,
        "resolved": f"https://{host}/{base}/-/{base.rsplit('/', 1)[-1]}-{version}.tgz",
        "integrity": f"sha512-{base}{version}==",
        **more,
    }


def lockfile(version: int = 3) -> dict[str, Any]:
    packages: dict[str, Any] = {"": {"name": "app", "version": "1.0.0", "dependencies": {}}}
    for i in range(60):
        packages[f"node_modules/pkg-{i}"] = entry(f"pkg-{i}", f"1.{i}.0", license="MIT")
    packages["node_modules/pkg-1/node_modules/pkg-2"] = entry("pkg-2", "0.9.0")
    packages["node_modules/@scope/tool"] = entry("@scope/tool", "2.0.0", dependencies={"a": "1"})
    packages["node_modules/pkg-9/node_modules/moved"] = entry("moved", "3.0.0")
    return {"name": "app", "version": "1.0.0", "lockfileVersion": version, "requires": True,
            "packages": packages}  # fmt: skip


def changed(doc: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    p = new["packages"]
    p["node_modules/pkg-2"] = entry("pkg-2", "1.2.1")  # bumped; also locked at a nested path
    p["node_modules/pkg-3"]["integrity"] = "sha512-other=="  # checksum moved, same version
    p["node_modules/pkg-4"]["hasInstallScript"] = True
    p["node_modules/pkg-5"]["resolved"] = "git+ssh://git@example.com/pkg-5.git#abc"
    del p["node_modules/pkg-6"]
    p["node_modules/fresh"] = entry("fresh", "1.0.0")
    p["node_modules/elsewhere"] = entry("elsewhere", "1.0.0", host="npm.evil.example")
    p["node_modules/moved"] = p.pop("node_modules/pkg-9/node_modules/moved")  # hoisted
    p["node_modules/leak"] = entry("leak", "1.0.0", host="u:s3cr3tpassw0rd@registry.example")
    p[""]["version"] = "1.1.0"
    new["version"] = "1.1.0"
    return new


def text(doc: dict[str, Any], indent: int | str = 2) -> bytes:
    return (json.dumps(doc, indent=indent) + "\n").encode()


def diff_guided(repo: Repo, old: bytes, new: bytes, path: str = "package-lock.json") -> list[Fact]:
    repo.write(path, old)
    repo.commit("old")
    repo.write(path, new)
    repo.commit("new")
    git = Git(repo.path)
    change = history.read_landed(git, "HEAD~", "HEAD")[0]
    sizes = history.object_sizes(git, [change.old_blob, change.new_blob])
    return large_facts(git, change, {k: v for k, v in sizes.items() if v is not None})


def comparable(facts: list[Fact]) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return sorted((f.kind, f.message, f.detail) for f in facts)


@pytest.mark.parametrize("indent", [2, 4, "\t"])
def test_diff_guided_facts_equal_the_whole_file_analysis(repo: Repo, indent: int | str) -> None:
    old, new = text(lockfile(), indent), text(changed(lockfile()), indent)
    whole = analyze_file("package-lock.json", old, new)
    kinds = {f.kind for f in whole}
    assert {"dependency-version-changed", "dependency-added", "dependency-removed",
            "registry-changed", "install-script-added", "dependency-source-changed",
            "integrity-changed-without-version-change", "version-changed",
            "secret-added"} <= kinds  # fmt: skip
    assert comparable(diff_guided(repo, old, new)) == comparable(whole)


def test_a_pure_version_refresh_is_recognised(repo: Repo) -> None:
    old = lockfile()
    new = copy.deepcopy(old)
    for i in (1, 7, 30):
        new["packages"][f"node_modules/pkg-{i}"] = entry(f"pkg-{i}", f"1.{i}.1", license="MIT")
    whole = analyze_file("package-lock.json", text(old), text(new))
    assert "lockfile-version-refresh" in {f.kind for f in whole}
    assert comparable(diff_guided(repo, text(old), text(new))) == comparable(whole)


def test_what_cannot_be_read_from_the_diff_is_a_high_risk_fact(repo: Repo) -> None:
    v1 = {"name": "app", "lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0"}}}
    v1_new = {"name": "app", "lockfileVersion": 1, "dependencies": {"a": {"version": "2.0.0"}}}
    facts = diff_guided(repo, text(v1), text(v1_new))
    assert [(f.kind, f.risk) for f in facts] == [("parse-failed", Risk.HIGH)]
    assert "too large to analyze" in facts[0].message and "version 1" in facts[0].message
    minified = diff_guided(
        repo, json.dumps(lockfile()).encode(), json.dumps(changed(lockfile())).encode()
    )
    assert [f.kind for f in minified] == ["parse-failed"]
    assert "layout" in minified[0].message


def test_the_old_file_pass_finds_entries_across_any_chunking() -> None:
    from signoff.analysis.npm_lockdiff import layout, unchanged_entries

    data = text(lockfile())
    lay = layout(data)
    names = {"pkg-2", "moved", "@scope/tool"}
    whole = list(unchanged_entries(lay, [data], names, {"node_modules/pkg-2"}))
    assert [k for k, _ in whole] == [
        "node_modules/pkg-1/node_modules/pkg-2",
        "node_modules/@scope/tool",
        "node_modules/pkg-9/node_modules/moved",
    ]
    for size in (7, 64, 1000):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert list(unchanged_entries(lay, chunks, names, {"node_modules/pkg-2"})) == whole
