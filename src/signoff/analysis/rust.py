"""Cargo.toml (dependency tables, patch/replace, registries, build script, version), Cargo.lock
and build.rs (build code that runs on every build)."""

from __future__ import annotations

import json
import re
from typing import Any

from signoff.analysis import _lock
from signoff.analysis._deps import compare_deps
from signoff.analysis._lock import Entry, Lock
from signoff.analysis._text import decode, key_line, line_of, load_toml, short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.npm_locks import _lazy_lines
from signoff.analysis.version import get_path, version_facts
from signoff.facts import Fact

_DEP_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")
_TOML_NAME = re.compile(r'^name = "([^"]+)"', re.MULTILINE)


def _spec(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def cargo_groups(doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}

    def add(label: str, table: Any) -> None:
        if isinstance(table, dict) and table:
            groups[label] = {str(k): _spec(v) for k, v in table.items()}

    for key in _DEP_TABLES:
        add(key, doc.get(key))
    workspace = doc.get("workspace")
    if isinstance(workspace, dict):
        add("workspace.dependencies", workspace.get("dependencies"))
    target = doc.get("target")
    for cfg, tables in target.items() if isinstance(target, dict) else []:
        for key in _DEP_TABLES:
            add(f"target.{cfg}.{key}", tables.get(key) if isinstance(tables, dict) else None)
    return groups


def _registries(groups: dict[str, dict[str, str]]) -> dict[str, str]:
    out = {}
    for label, deps in groups.items():
        for name, spec in deps.items():
            if spec.startswith("{"):
                table = json.loads(spec)
                reg = table.get("registry") or table.get("registry-index")
                if reg:
                    out[f"{label} `{name}`"] = str(reg)
    return out


class CargoTomlAnalyzer(Analyzer):
    ident = "cargo-toml"
    desc = "Cargo.toml dependencies, patches, registries, build script and version"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        old_doc = load_toml(old_text, "old") if old_text is not None else None
        new_doc = load_toml(new_text, "new") if new_text is not None else None
        base, doc = old_doc or {}, new_doc or {}
        text = new_text or old_text or ""

        def line(needle: str) -> int | None:
            return key_line(text, needle)

        facts: list[Fact] = []
        old_groups, new_groups = cargo_groups(base), cargo_groups(doc)
        for group in sorted(old_groups.keys() | new_groups.keys()):
            facts += compare_deps(
                self, path, group, old_groups.get(group, {}), new_groups.get(group, {}), line
            )
        old_regs = _registries(old_groups)
        for label, reg in _registries(new_groups).items():
            if old_regs.get(label) != reg:
                text_ = f"{label} uses registry `{short(reg)}`"
                facts.append(self.fact("registry-changed", path, text_, registry=reg))
        for key in ("patch", "replace"):
            if key in doc and base.get(key) != doc.get(key):
                text_ = f"[{key}] changed: `{short(doc[key])}`"
                at = line_of(text, f"[{key}")
                facts.append(self.fact("dependency-source-changed", path, text_, line=at))
        build_old = get_path(base, ("package", "build"))
        build_new = get_path(doc, ("package", "build"))
        if build_new != build_old and new_doc is not None:
            text_ = f"package.build set to `{short(build_new)}`"
            facts.append(self.fact("packaging-code-changed", path, text_, line=line("build")))
        pub_old = get_path(base, ("package", "publish"))
        pub_new = get_path(doc, ("package", "publish"))
        if pub_old != pub_new and old_doc is not None and new_doc is not None:
            text_ = f"package.publish changed to `{short(pub_new)}`"
            facts.append(self.fact("publish-config-changed", path, text_, line=line("publish")))
        paths = [("package", "version"), ("workspace", "package", "version")]
        facts += version_facts(self, path, old_doc, new_doc, paths, line("version"))
        return facts


def _cargo_source(source: Any) -> str:
    if not isinstance(source, str) or not source:
        return ""  # a workspace member or path dependency
    kind, _, url = source.partition("+")
    if kind in ("registry", "sparse"):
        return _lock.registry(url)
    if kind == "git":
        return f"git:{url}"
    return f"url:{source}"


class CargoLockAnalyzer(_lock.LockAnalyzer):
    ident = "cargo-lock"
    desc = "Cargo.lock"

    hash_kind = "hash-removed"

    def parse(self, data: bytes | None, side: str) -> Lock | None:
        text = decode(data, side)
        if text is None:
            return None
        doc = load_toml(text, side)
        packages = doc.get("package", [])
        if not isinstance(packages, list):
            raise AnalysisError("`package` is not an array of tables", side=side)
        entries = []
        for pkg in packages:
            checksum = pkg.get("checksum")
            entries.append(
                Entry(
                    str(pkg.get("name")),
                    str(pkg.get("version", "")),
                    _cargo_source(pkg.get("source")),
                    frozenset({f"sha256-{checksum}"}) if checksum else frozenset(),
                )
            )
        meta = {"version": doc.get("version")}
        return Lock(_lock.build(entries), meta, _lazy_lines(text, _TOML_NAME, str))


class BuildScriptAnalyzer(Analyzer):
    ident = "cargo-build-script"
    desc = "build.rs runs arbitrary code on every cargo build"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        verb = "added" if old is None else "deleted" if new is None else "changed"
        return [self.fact("packaging-code-changed", path, f"build script {verb}", change=verb)]


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (CargoTomlAnalyzer, CargoLockAnalyzer, BuildScriptAnalyzer)
