"""Lockfiles too large to read whole are analyzed from git's diff, entry by entry, with the
same facts the whole-file analyzer gives; what cannot be is a high-risk fact that says why."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
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


def test_the_other_entries_of_touched_names_are_found() -> None:
    from signoff.analysis.npm_lockdiff import split, touched

    data = text(lockfile())
    old = split(data, "old")
    changed = {
        b"node_modules/pkg-2",
        b"node_modules/moved",
        b"node_modules/a/node_modules/@scope/tool",
    }
    found = touched(old, changed)
    assert list(found) == [
        "node_modules/pkg-1/node_modules/pkg-2",
        "node_modules/@scope/tool",
        "node_modules/pkg-9/node_modules/moved",
    ]
    assert found["node_modules/pkg-1/node_modules/pkg-2"]["version"] == "0.9.0"


def big_lockfile(entries: int) -> dict[str, Any]:
    """A package-lock over the gate's whole-read limit (8 MiB at about 30,000 entries)."""
    doc = lockfile()
    for i in range(entries):
        name = f"dep-{i}" if i % 4 else f"dep-{i // 4}/node_modules/inner-{i}"
        value = entry(name, f"2.{i % 40}.0", license="MIT")
        value["integrity"] = "sha512-" + hashlib.sha512(name.encode()).hexdigest()[:86] + "=="
        doc["packages"][f"node_modules/{name}"] = value
    return doc


def line_of(data: bytes, needle: str) -> int:
    return data[: data.index(needle.encode())].count(b"\n") + 1


def test_a_change_deep_in_a_big_lockfile_is_reported_by_the_gate(repo: Repo) -> None:
    """Through the gate's own per-file step: the file is too large to read whole, and every
    kind of fact a change hidden in its middle carries is still found, at its line."""
    from signoff.gate.files import MAX_ANALYZED_BYTES, prepare
    from signoff.policy.load import parse_policy

    old_doc = big_lockfile(32_000)
    new_doc = copy.deepcopy(old_doc)
    p = new_doc["packages"]
    p["node_modules/dep-15001"]["resolved"] = "git+ssh://git@example.com/dep.git#abc"
    p["node_modules/dep-15002"]["hasInstallScript"] = True
    p["node_modules/dep-15003"]["integrity"] = "sha512-swapped=="
    p["node_modules/dep-15005"]["resolved"] = (
        "https://u:hunter2secretpass@npm.evil.example/x/-/x-1.tgz"
    )
    p["node_modules/dep-15006"] = entry("dep-15006", "9.9.9", host="npm.evil.example")
    p["node_modules/zz-new"] = entry("zz-new", "1.0.0", host="npm.evil.example")
    old, new = text(old_doc), text(new_doc)
    assert len(old) > MAX_ANALYZED_BYTES
    repo.write("package-lock.json", old)
    repo.commit("old")
    repo.write("package-lock.json", new)
    repo.commit("new")
    git = Git(repo.path)
    landed = history.read_landed(git, "HEAD~", "HEAD")
    template = Path(__file__).resolve().parents[2] / "src/signoff/templates/policy.yml"
    policy = parse_policy(template.read_bytes(), "policy.yml", protected=True)
    (prepared,) = prepare(git, landed, policy)
    facts = list(prepared.facts)
    whole = analyze_file("package-lock.json", old, new)
    assert comparable(facts) == comparable(whole)
    by_package = {(f.kind, dict(f.detail).get("package")): f for f in facts}
    for kind, package, needle in [
        ("dependency-source-changed", "dep-15001", "git+ssh://git@example.com/dep.git#abc"),
        ("install-script-added", "dep-15002", '"node_modules/dep-15002": {'),
        ("integrity-changed-without-version-change", "dep-15003", '"node_modules/dep-15003": {'),
        ("registry-changed", "dep-15005", '"node_modules/dep-15005": {'),
        ("dependency-version-changed", "dep-15006", '"node_modules/dep-15006": {'),
        ("dependency-added", "zz-new", '"node_modules/zz-new": {'),
    ]:
        fact = by_package[(kind, package)]
        key_line = line_of(new, f'"node_modules/{package}": {{')
        assert fact.line == key_line, (kind, fact.line, key_line, needle)
    secret = [f for f in facts if f.kind == "secret-added"]
    assert [f.line for f in secret] == [line_of(new, "hunter2secretpass")]


def test_moved_entries_with_equal_values_give_no_facts(repo: Repo) -> None:
    old_doc = lockfile()
    new_doc = copy.deepcopy(old_doc)
    packages = new_doc["packages"]
    last = list(packages)[-1]
    new_doc["packages"] = {"": packages[""], last: packages[last]}
    new_doc["packages"].update((k, v) for k, v in packages.items() if k not in ("", last))
    old, new = text(old_doc), text(new_doc)
    assert old != new and analyze_file("package-lock.json", old, new) == []
    assert diff_guided(repo, old, new) == []


def refused(facts: list[Fact], why: str) -> None:
    assert [(f.kind, f.risk) for f in facts] == [("parse-failed", Risk.HIGH)], facts
    assert "too large to analyze" in facts[0].message and why in facts[0].message, facts[0]


def entry_text(key: str, value: dict[str, Any], indent: str = "    ") -> str:
    body = json.dumps({key: value}, indent=2)[2:-2]
    return "\n".join(indent[:-2] + line for line in body.split("\n"))


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ("twice", "a key written twice"),
        ("same-line", "not one member"),
        ("shallow", "not one member"),
        ("trailing-field", "version 1"),
        ("escaped", "escaped key"),
        ("crlf", "npm's layout"),
    ],
)
def test_an_entry_hidden_from_npms_layout_is_a_high_risk_fact(
    repo: Repo, how: str, why: str
) -> None:
    """Text that would hide an entry from the split (a second entry under a key, one written
    on another entry's line or at another indentation, a field after the entries, an escaped
    key) is refused, never read as nothing."""
    old = text(lockfile())
    evil = entry("evil", "6.6.6", host="npm.evil.example")
    s = old.decode()
    anchor = '    "node_modules/pkg-30": {'
    if how == "twice":
        new = s.replace(anchor, entry_text("node_modules/pkg-31", evil) + ",\n" + anchor)
    elif how == "same-line":
        close = s.index("\n    },", s.index(anchor))
        hidden = ', "node_modules/evil": ' + json.dumps(evil)
        new = s[:close] + "\n    }" + hidden + s[close + 6 :]
    elif how == "shallow":
        new = s.replace(anchor, entry_text("node_modules/evil", evil, "   ") + ",\n" + anchor)
    elif how == "trailing-field":
        new = s.rstrip().removesuffix("}").rstrip() + ',\n  "lockfileVersion": 1\n}\n'
    elif how == "escaped":
        new = s.replace(anchor, entry_text("node_modules/ev\\u0069l", evil) + ",\n" + anchor)
    else:
        new = s.replace("\n", "\r\n")
    refused(diff_guided(repo, old, new.encode()), why)


def poetry_package(name: str, version: str, source: str = "") -> str:
    digest = hashlib.sha256(f"{name}{version}".encode()).hexdigest()
    return (
        f'[[package]]\nname = "{name}"\nversion = "{version}"\ndescription = "The {name} library '
        f'for doing a great many useful things"\noptional = false\npython-versions = ">=3.8"\n'
        f'files = [\n    {{file = "{name}-{version}-py3-none-any.whl", '
        f'hash = "sha256:{digest}"}},\n'
        f'    {{file = "{name}-{version}.tar.gz", hash = "sha256:{digest[::-1]}"}},\n]\n'
        f'\n[package.dependencies]\nlib-0 = ">=1.0"\n{source}\n'
    )


def test_a_change_deep_in_a_big_poetry_lock_is_reported_by_the_gate(repo: Repo) -> None:
    """A poetry.lock over the whole-read limit is compared package by package: a git source,
    a new index with a credential in its URL, and a removal in its middle are all found."""
    from signoff.gate.files import MAX_ANALYZED_BYTES, prepare
    from signoff.policy.load import parse_policy

    packages = [poetry_package(f"lib-{i}", f"1.{i % 9}.0") for i in range(24_000)]
    meta = '[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "ab"\n'
    old = "".join(packages) + meta
    git_source = '\n[package.source]\ntype = "git"\nurl = "https://example.com/x.git"\n'
    evil = (
        '\n[package.source]\ntype = "legacy"\n'
        'url = "https://u:hunter2secretpass@pkgs.evil.example/simple"\nreference = "e"\n'
    )
    packages[12_001] = poetry_package("lib-12001", "1.4.0", git_source)
    packages[12_002] = ""
    packages.insert(12_003, poetry_package("fresh", "0.1.0", evil))
    new = "".join(packages) + meta
    assert len(old.encode()) > MAX_ANALYZED_BYTES
    repo.write("poetry.lock", old)
    repo.commit("old")
    repo.write("poetry.lock", new)
    repo.commit("new")
    git = Git(repo.path)
    landed = history.read_landed(git, "HEAD~", "HEAD")
    template = Path(__file__).resolve().parents[2] / "src/signoff/templates/policy.yml"
    policy = parse_policy(template.read_bytes(), "policy.yml", protected=True)
    (prepared,) = prepare(git, landed, policy)
    found = {(f.kind, dict(f.detail).get("package")): f for f in prepared.facts}
    assert set(found) == {
        ("dependency-source-changed", "lib-12001"),
        ("dependency-removed", "lib-12002"),
        ("dependency-added", "fresh"),
        ("registry-changed", "fresh"),
        ("secret-added", None),
    }
    line = new[: new.index('name = "lib-12001"')].count("\n") + 1
    assert found[("dependency-source-changed", "lib-12001")].line == line
    assert found[("secret-added", None)].line == new[: new.index("hunter2")].count("\n") + 1


def test_a_lockfile_over_the_entry_limit_is_a_high_risk_fact_with_its_secrets_scanned(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from signoff.gate import large_files

    monkeypatch.setattr(large_files, "MAX_ENTRY_BYTES", 1000)
    new = changed(lockfile())
    facts = diff_guided(repo, text(lockfile()), text(new))
    assert [f.kind for f in facts] == ["parse-failed", "secret-added"]
    assert (
        facts[0].risk is Risk.HIGH and "the limit for reading it entry by entry" in facts[0].message
    )
