"""package.json, package-lock.json, yarn.lock, pnpm-lock.yaml and .npmrc."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from signoff.facts import Fact
from signoff.taxonomy import Risk

Analyze = Callable[..., list[Fact]]
DATA = Path(__file__).parent / "data"
Data = Callable[[str], bytes]


def kinds(facts: list[Fact]) -> set[str]:
    return {f.kind for f in facts}


def risky(facts: list[Fact]) -> list[Fact]:
    return [f for f in facts if f.risk >= Risk.MEDIUM]


# package.json ---------------------------------------------------------------------------------


def test_package_json_risky_changes(analyze: Analyze, data: Data) -> None:
    facts = analyze(
        "web/package.json", data("npm-package/before.json"), data("npm-package/risky.json")
    )
    by_kind = {f.kind: f for f in facts}
    assert {
        "install-script-added",
        "script-changed",
        "entry-point-added",
        "dependency-added",
        "dependency-removed",
        "dependency-version-changed",
        "dependency-source-changed",
        "publish-config-changed",
        "registry-changed",
        "toolchain-changed",
    } <= kinds(facts)
    install = by_kind["install-script-added"]
    assert install.message == "web/package.json: postinstall script added: `node scripts/setup.js`"
    assert install.line == 15
    assert install.risk is Risk.HIGH
    assert by_kind["dependency-source-changed"].detail_dict()["package"] == "colorette"
    assert "version-bump-only" not in kinds(facts)


def test_package_json_reordered_and_reindented_is_quiet(analyze: Analyze, data: Data) -> None:
    assert (
        analyze("package.json", data("npm-package/before.json"), data("npm-package/reordered.json"))
        == []
    )


def test_package_json_version_bump_only(analyze: Analyze, data: Data) -> None:
    facts = analyze(
        "package.json", data("npm-package/before.json"), data("npm-package/bumped.json")
    )
    assert kinds(facts) == {"version-changed", "version-bump-only"}
    bump = next(f for f in facts if f.kind == "version-bump-only")
    assert bump.detail_dict() == {"old": "3.4.1", "new": "3.5.0"}
    assert bump.line == 3


def test_package_json_bump_plus_dependency_is_not_bump_only(analyze: Analyze, data: Data) -> None:
    doc = json.loads(data("npm-package/bumped.json"))
    doc["dependencies"]["left-pad"] = "^1.3.0"
    facts = analyze("package.json", data("npm-package/before.json"), json.dumps(doc))
    assert "version-changed" in kinds(facts)
    assert "version-bump-only" not in kinds(facts)


def test_package_json_lifecycle_script_changed(analyze: Analyze) -> None:
    old = json.dumps({"scripts": {"prepare": "husky install"}})
    new = json.dumps({"scripts": {"prepare": "husky install && node -e \"fetch('x')\""}})
    assert kinds(analyze("package.json", old, new)) == {"install-script-changed"}


def test_package_json_added_and_deleted(analyze: Analyze, data: Data) -> None:
    added = analyze("package.json", None, data("npm-package/before.json"))
    assert "dependency-added" in kinds(added)
    assert "entry-point-added" in kinds(added)
    deleted = analyze("package.json", data("npm-package/before.json"), None)
    assert kinds(deleted) <= {"dependency-removed"}


def test_package_json_malformed(analyze: Analyze) -> None:
    facts = analyze("package.json", '{"name": "x"}', '{"name": "x",\n  "version": }')
    assert kinds(facts) == {"parse-failed"}
    assert facts[0].risk is Risk.HIGH
    assert facts[0].line == 2
    assert "package.json" in facts[0].message
    assert kinds(analyze("package.json", "{}", "[1, 2]")) == {"parse-failed"}


def test_package_json_handles_only_exact_basename(analyze: Analyze) -> None:
    assert analyze("Package.json", "{}", '{"scripts": {"postinstall": "x"}}') == []


# package-lock.json ----------------------------------------------------------------------------


def _lock_v3(packages: dict[str, dict[str, Any]], root_deps: dict[str, str] | None = None) -> str:
    root = {"name": "app", "version": "1.0.0", "dependencies": root_deps or {"ms": "^2.1.0"}}
    doc = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True}
    doc["packages"] = {"": root, **packages}
    return json.dumps(doc, indent=2) + "\n"


def _npm(
    name: str, version: str, *, host: str = "registry.npmjs.org", **extra: Any
) -> dict[str, Any]:
    base = name.rsplit("/", 1)[-1]
    return {
        "version": version,
        "resolved": f"https://{host}/{name}/-/{base}-{version}.tgz",
        "integrity": f"sha512-{name}{version}AAAA==",
        **extra,
    }


BASE = {
    "node_modules/ms": _npm("ms", "2.1.2"),
    "node_modules/debug": _npm("debug", "4.3.4"),
    "node_modules/@babel/core": _npm("@babel/core", "7.24.0"),
    "node_modules/debug/node_modules/ms": _npm("ms", "2.0.0"),
}


def test_package_lock_refresh(analyze: Analyze) -> None:
    new = dict(BASE, **{"node_modules/ms": _npm("ms", "2.1.3")})
    facts = analyze("package-lock.json", _lock_v3(BASE), _lock_v3(new))
    assert kinds(facts) == {"dependency-version-changed", "lockfile-version-refresh"}
    moved = next(f for f in facts if f.kind == "dependency-version-changed")
    assert moved.message == "package-lock.json: `ms` 2.0.0, 2.1.2 → 2.0.0, 2.1.3"
    assert moved.line is not None


def test_package_lock_risky(analyze: Analyze) -> None:
    new = dict(BASE)
    new["node_modules/ms"] = _npm("ms", "2.1.2", host="npm.evil.example")
    new["node_modules/debug"] = dict(BASE["node_modules/debug"], integrity="sha512-other==")
    core = dict(BASE["node_modules/@babel/core"])
    del core["integrity"]
    new["node_modules/@babel/core"] = core
    new["node_modules/evil-helper"] = _npm("evil-helper", "0.0.1", hasInstallScript=True)
    new["node_modules/forked"] = {
        "version": "1.0.0",
        "resolved": "git+ssh://git@github.com/x/forked.git#abc",
    }
    facts = analyze("package-lock.json", _lock_v3(BASE), _lock_v3(new))
    assert {
        "registry-changed",
        "integrity-changed-without-version-change",
        "integrity-removed",
        "dependency-added",
        "install-script-added",
        "dependency-source-changed",
    } <= kinds(facts)
    assert "lockfile-version-refresh" not in kinds(facts)


def test_package_lock_integrity_algorithm_upgrade_is_quiet(analyze: Analyze) -> None:
    old = dict(BASE, **{"node_modules/ms": dict(BASE["node_modules/ms"], integrity="sha1-abc=")})
    assert kinds(analyze("package-lock.json", _lock_v3(old), _lock_v3(BASE))) == set()


def test_package_lock_integrity_downgrade_is_flagged(analyze: Analyze) -> None:
    new = dict(BASE, **{"node_modules/ms": dict(BASE["node_modules/ms"], integrity="sha1-abc=")})
    facts = analyze("package-lock.json", _lock_v3(BASE), _lock_v3(new))
    assert "integrity-changed-without-version-change" in kinds(facts)


def test_package_lock_reformatted_is_quiet(analyze: Analyze) -> None:
    old = _lock_v3(BASE)
    new = json.dumps(json.loads(old), indent=4, sort_keys=True)
    assert analyze("package-lock.json", old, new) == []


def test_package_lock_root_spec_change_is_not_a_refresh(analyze: Analyze) -> None:
    new = dict(BASE, **{"node_modules/ms": _npm("ms", "2.1.3")})
    facts = analyze("package-lock.json", _lock_v3(BASE), _lock_v3(new, {"ms": "^2.1.3"}))
    assert "lockfile-version-refresh" not in kinds(facts)


def test_package_lock_version_bump_only(analyze: Analyze) -> None:
    old = json.loads(_lock_v3(BASE))
    new = json.loads(_lock_v3(BASE))
    new["version"] = new["packages"][""]["version"] = "1.0.1"
    facts = analyze("package-lock.json", json.dumps(old), json.dumps(new))
    assert "version-bump-only" in kinds(facts)
    assert not risky(facts)


def test_package_lock_v1(analyze: Analyze) -> None:
    def v1(ms: str, integrity: str) -> str:
        deps = {
            "ms": {
                "version": ms,
                "resolved": f"https://registry.npmjs.org/ms/-/ms-{ms}.tgz",
                "integrity": integrity,
            },
            "debug": {
                "version": "4.3.4",
                "resolved": "https://registry.npmjs.org/debug/-/debug-4.3.4.tgz",
                "integrity": "sha512-debug==",
                "dependencies": {"ms": {"version": "2.0.0", "integrity": "sha512-ms200=="}},
            },
        }
        return json.dumps(
            {"name": "app", "version": "1.0.0", "lockfileVersion": 1, "dependencies": deps}
        )

    facts = analyze("package-lock.json", v1("2.1.2", "sha512-a=="), v1("2.1.2", "sha512-b=="))
    assert kinds(facts) == {"integrity-changed-without-version-change"}


def test_package_lock_malformed_and_truncated(analyze: Analyze) -> None:
    facts = analyze("package-lock.json", _lock_v3(BASE), _lock_v3(BASE)[:200])
    assert kinds(facts) == {"parse-failed"}
    assert "new version" in facts[0].message


# yarn.lock ------------------------------------------------------------------------------------

YARN_V1 = (DATA / "yarn-lock/v1.lock").read_text(encoding="utf-8")


def test_yarn_classic(analyze: Analyze) -> None:
    bumped = YARN_V1.replace('version "2.4.2"', 'version "2.4.3"').replace(
        "chalk-2.4.2.tgz", "chalk-2.4.3.tgz"
    )
    bumped = bumped.replace("IgfVnoXkFJJty57Ny", "ZzzVnoXkFJJty57Ny")
    facts = analyze("yarn.lock", YARN_V1, bumped)
    assert kinds(facts) == {"dependency-version-changed", "lockfile-version-refresh"}
    assert next(f for f in facts if f.kind == "dependency-version-changed").line == 13

    moved = YARN_V1.replace("registry.yarnpkg.com/chalk", "npm.evil.example/chalk")
    assert "registry-changed" in kinds(analyze("yarn.lock", YARN_V1, moved))
    no_integrity = re.sub(r"  integrity sha512-IgfVnoXk\S+\n", "", YARN_V1)
    assert "integrity-changed-without-version-change" in kinds(
        analyze("yarn.lock", YARN_V1, no_integrity)
    )
    assert (
        analyze(
            "yarn.lock",
            YARN_V1,
            YARN_V1.replace("# yarn lockfile v1", "# yarn lockfile v1 (regenerated)"),
        )
        == []
    )
    assert kinds(analyze("yarn.lock", YARN_V1, "garbage line\n  version 1\n")) == {"parse-failed"}


YARN_BERRY = (DATA / "yarn-lock/berry.lock").read_text(encoding="utf-8")


def test_yarn_berry(analyze: Analyze) -> None:
    git = YARN_BERRY.replace(
        'resolution: "ms@npm:2.1.3"', 'resolution: "ms@https://github.com/x/ms.git#commit=abc"'
    )
    assert "dependency-source-changed" in kinds(analyze("yarn.lock", YARN_BERRY, git))
    assert analyze("yarn.lock", YARN_BERRY, YARN_BERRY + "\n") == []


# pnpm-lock.yaml -------------------------------------------------------------------------------

PNPM_V9 = (DATA / "pnpm-lock/v9.yaml").read_text(encoding="utf-8")


def test_pnpm(analyze: Analyze) -> None:
    bumped = PNPM_V9.replace("2.1.2", "2.1.3")
    facts = analyze("pnpm-lock.yaml", PNPM_V9, bumped)
    assert kinds(facts) == {"dependency-version-changed", "lockfile-version-refresh"}
    assert next(f for f in facts if f.kind == "dependency-version-changed").line == 17
    tarball = PNPM_V9.replace(
        "resolution: {integrity:", "resolution: {tarball: 'https://evil.example/ms.tgz', integrity:"
    )
    assert "dependency-source-changed" in kinds(analyze("pnpm-lock.yaml", PNPM_V9, tarball))
    no_integrity = re.sub(r"\{integrity: [^}]+\}", "{}", PNPM_V9)
    assert "integrity-removed" in kinds(analyze("pnpm-lock.yaml", PNPM_V9, no_integrity))
    build = PNPM_V9.replace("    resolution:", "    requiresBuild: true\n    resolution:", 1)
    assert "install-script-added" in kinds(analyze("pnpm-lock.yaml", PNPM_V9, build))
    spec = PNPM_V9.replace("specifier: ^2.1.0", "specifier: ^2.1.2")
    assert "lockfile-version-refresh" not in kinds(analyze("pnpm-lock.yaml", PNPM_V9, spec))
    assert kinds(analyze("pnpm-lock.yaml", PNPM_V9, "packages: [\n")) == {"parse-failed"}


def test_pnpm_v6_keys(analyze: Analyze) -> None:
    old = (
        "lockfileVersion: '6.0'\n"
        "packages:\n"
        "  /@scope/pkg@1.0.0:\n"
        "    resolution: {integrity: sha512-a==}\n"
    )
    new = old.replace("1.0.0", "1.1.0").replace("sha512-a==", "sha512-b==")
    facts = analyze("pnpm-lock.yaml", old, new)
    assert (
        next(f for f in facts if f.kind == "dependency-version-changed").detail_dict()["package"]
        == "@scope/pkg"
    )


# .npmrc / .yarnrc.yml -------------------------------------------------------------------------


def test_npmrc(analyze: Analyze) -> None:
    old = "ignore-scripts=true\n@acme:registry=https://npm.pkg.github.com\n"
    new = (
        "@acme:registry=https://npm.acme-mirror.example\n"
        "registry=https://registry.evil.example/\n"
        "strict-ssl=false\n"
    )
    facts = analyze(".npmrc", old, new)
    assert kinds(facts) == {"registry-changed", "trusted-host-added", "install-script-changed"}
    assert analyze(".npmrc", old, "# comment\n" + old) == []


def test_yarnrc(analyze: Analyze) -> None:
    old = "nodeLinker: node-modules\n"
    new = old + "npmRegistryServer: https://registry.evil.example\nenableStrictSsl: false\n"
    assert kinds(analyze(".yarnrc.yml", old, new)) == {"registry-changed", "trusted-host-added"}
    assert kinds(analyze(".yarnrc.yml", old, "a: [\n")) == {"parse-failed"}
