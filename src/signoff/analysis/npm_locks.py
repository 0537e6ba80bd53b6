"""package-lock.json / npm-shrinkwrap.json, yarn.lock (classic and Berry) and pnpm-lock.yaml.

Each format is reduced to `_lock.Entry` values (name, version, source host or kind, integrity,
install script) and judged by `_lock.compare`. What the lockfile alone cannot tell: whether a new
version still satisfies the range in package.json (the analyzer sees one file), and whether a
registry host is trustworthy (only that it changed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from signoff.analysis import _lock
from signoff.analysis._lock import Entry, Lock
from signoff.analysis._text import decode, load_json, load_yaml
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.version import version_facts
from signoff.facts import Fact


def _source(resolved: Any) -> str:
    if not isinstance(resolved, str) or not resolved:
        return ""
    if resolved.startswith(("git+", "git:", "git@", "github:")):
        return f"git:{resolved}"
    if resolved.startswith(("file:", "link:", ".", "/")):
        return f"path:{resolved}"
    if resolved.startswith(("http://", "https://")):
        # Tarballs from a registry end in "/-/<name>-<version>.tgz"; other URLs are sources.
        return _lock.registry(resolved) if "/-/" in resolved else f"url:{resolved}"
    return f"url:{resolved}"


def _hashes(value: Any) -> frozenset[str]:
    return frozenset(value.split()) if isinstance(value, str) and value else frozenset()


def _lazy_lines(
    text: str, pattern: re.Pattern[str], name_of: Callable[[str], str]
) -> Callable[[str], int | None]:
    """Name → line, computed in one regex pass on first use (only when a fact needs a line)."""
    cache: dict[str, int] = {}

    def line(name: str) -> int | None:
        if not cache:
            number, last = 1, 0
            for m in pattern.finditer(text):
                number += text.count("\n", last, m.start(1))
                last = m.start(1)
                cache.setdefault(name_of(m.group(1)), number)
            cache.setdefault("\x00", 0)
        return cache.get(name)

    return line


def _tail_name(key: str) -> str:
    return key.rsplit("node_modules/", 1)[-1]


#: Starts with a literal so the regex engine can skip ahead; nested paths keep their tail name.
_PKG_KEY = re.compile(r'node_modules/([^"\n]+)":\s*\{')


class PackageLockAnalyzer(Analyzer):
    ident = "npm-package-lock"
    desc = "package-lock.json and npm-shrinkwrap.json"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        old_doc = self._doc(old_text, "old")
        new_doc = self._doc(new_text, "new")
        old_pk, new_pk = _packages(old_doc), _packages(new_doc)
        only: set[str] | None = None
        if old_pk is not None and new_pk is not None:
            # Unchanged entries cannot yield facts: build Entry objects only for touched names.
            keys = old_pk.keys() | new_pk.keys()
            only = {_tail_name(k) for k in keys if old_pk.get(k) != new_pk.get(k)}
        old_lock = self._lock(old_doc, old_text, only)
        new_lock = self._lock(new_doc, new_text, only)
        facts = _lock.compare(self, path, old_lock, new_lock)
        if old_doc is not None and new_doc is not None:
            paths = [("version",), ("packages", "", "version")]
            facts += version_facts(self, path, old_doc, new_doc, paths, 1)
        return facts

    @staticmethod
    def _doc(text: str | None, side: str) -> dict[str, Any] | None:
        if text is None:
            return None
        doc = load_json(text, side)
        if not isinstance(doc, dict):
            raise AnalysisError("lockfile is not a JSON object", side=side)
        return doc

    def _lock(
        self, doc: dict[str, Any] | None, text: str | None, only: set[str] | None
    ) -> Lock | None:
        if doc is None or text is None:
            return None
        packages = doc.get("packages")
        entries: list[Entry] = []
        hosts: set[str] | None = None
        if isinstance(packages, dict):
            prefixes: set[str] = set()
            for key, info in packages.items():
                if not key or not isinstance(info, dict) or info.get("link"):
                    continue
                resolved = info.get("resolved")
                if isinstance(resolved, str) and "/-/" in resolved:
                    prefixes.add(resolved[: resolved.find("/", 8)])
                name = _tail_name(key)
                if only is None or name in only:
                    entries.append(self._entry(name, info))
            hosts = {_lock.registry(p) for p in prefixes}
        else:  # lockfileVersion 1: a nested "dependencies" tree
            entries.extend(self._v1(doc.get("dependencies")))
        root = packages.get("", {}) if isinstance(packages, dict) else {}
        meta = {
            "lockfileVersion": doc.get("lockfileVersion"),
            "name": doc.get("name"),
            "root": {k: v for k, v in root.items() if k != "version"}
            if isinstance(root, dict)
            else root,
        }
        line = _lazy_lines(text, _PKG_KEY, _tail_name)
        return Lock(_lock.build(entries), meta, line, hosts)

    def _v1(self, deps: Any) -> Iterator[Entry]:
        stack = [deps]
        while stack:
            level = stack.pop()
            if not isinstance(level, dict):
                continue
            for name, info in level.items():
                if isinstance(info, dict):
                    yield self._entry(name, info)
                    stack.append(info.get("dependencies"))

    @staticmethod
    def _entry(name: str, info: dict[str, Any]) -> Entry:
        version = info.get("version")
        if not isinstance(version, str):
            version = ""
        resolved = info.get("resolved")
        if resolved is None and not _lock_is_registry_version(version):
            resolved = version  # v1 writes git/file sources into "version"
        return Entry(
            name=name,
            version=version,
            source=_source(resolved),
            hashes=_hashes(info.get("integrity")),
            install_script=bool(info.get("hasInstallScript")),
        )


def _packages(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    packages = doc.get("packages") if doc is not None else None
    return packages if isinstance(packages, dict) else None


def _lock_is_registry_version(version: str) -> bool:
    return bool(version) and version[0].isdigit()


# yarn.lock (classic v1): a header line of comma-separated specs, then indented fields.
_YARN_HEADER = re.compile(r'^"?((?:@[^@/"\s]+/)?[^@"\s,]+)@', re.MULTILINE)


def _spec_name(spec: str) -> str:
    spec = spec.strip().strip('"')
    at = spec.find("@", 1)
    return spec if at == -1 else spec[:at]


def _berry_source(locator: str) -> str:
    """``npm:1.2.3`` → registry; ``workspace:.``, ``patch:...``, git and URL locators otherwise."""
    proto = locator.split(":", 1)[0]
    if proto == "npm":
        return "registry:npm"
    if proto in ("workspace", "portal", "link", "file"):
        return f"path:{locator}"
    if proto == "patch":
        return f"patch:{locator}"
    if proto.startswith("git") or ".git#" in locator or "#commit=" in locator:
        return f"git:{locator}"
    return f"url:{locator}"


class YarnLockAnalyzer(Analyzer):
    ident = "yarn-lock"
    desc = "yarn.lock, classic (v1) and Berry formats"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_lock = self._lock(decode(old, "old"), "old")
        new_lock = self._lock(decode(new, "new"), "new")
        return _lock.compare(self, path, old_lock, new_lock)

    def _lock(self, text: str | None, side: str) -> Lock | None:
        if text is None:
            return None
        berry = "__metadata:" in text
        raw = self._berry(text, side) if berry else self._classic(text, side)
        entries: list[Entry] = []
        for header, fields in raw.items():
            name = _spec_name(header.split(",")[0])
            version = str(fields.get("version", ""))
            if berry:
                resolution = str(fields.get("resolution", ""))
                source = _berry_source(resolution[len(_spec_name(resolution)) + 1 :])
                hashes = _hashes(fields.get("checksum"))
            else:
                source = _source(str(fields.get("resolved", "")).split("#", 1)[0])
                hashes = _hashes(fields.get("integrity"))
                if not hashes and "#" in str(fields.get("resolved", "")):
                    hashes = frozenset({"sha1-" + str(fields["resolved"]).rsplit("#", 1)[1]})
            entries.append(Entry(name, version, source, hashes))
        line = _lazy_lines(text, _YARN_HEADER, lambda n: n)
        meta = raw.get("__metadata") if berry else None
        return Lock(_lock.build(e for e in entries if e.name != "__metadata"), meta, line)

    @staticmethod
    def _berry(text: str, side: str) -> dict[str, dict[str, Any]]:
        doc = load_yaml(text, side)
        if not isinstance(doc, dict) or not all(isinstance(v, dict) for v in doc.values()):
            raise AnalysisError("yarn.lock is not a mapping of entries", side=side)
        return {str(k): v for k, v in doc.items()}

    @staticmethod
    def _classic(text: str, side: str) -> dict[str, dict[str, Any]]:
        entries: dict[str, dict[str, Any]] = {}
        current: dict[str, Any] | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if not line[0].isspace():
                if not line.rstrip().endswith(":"):
                    raise AnalysisError("expected an entry header ending in ':'", line=number)
                current = {}
                entries[line.rstrip()[:-1]] = current
            elif current is None:
                raise AnalysisError("indented line before any entry", line=number)
            elif (len(line) - len(line.lstrip(" "))) % 2:
                raise AnalysisError("odd indentation", line=number)
            elif line.startswith("  ") and not line.startswith("    "):
                key, _, value = line.strip().partition(" ")
                if not value and not key.endswith(":"):
                    raise AnalysisError(f"field {key!r} has no value", line=number)
                current[key.strip('"').rstrip(":")] = value.strip().strip('"')
        return entries


class PnpmLockAnalyzer(Analyzer):
    ident = "pnpm-lock"
    desc = "pnpm-lock.yaml (lockfile versions 5 to 9)"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_lock = self._lock(decode(old, "old"), "old")
        new_lock = self._lock(decode(new, "new"), "new")
        return _lock.compare(self, path, old_lock, new_lock)

    def _lock(self, text: str | None, side: str) -> Lock | None:
        if text is None:
            return None
        doc = load_yaml(text, side)
        if not isinstance(doc, dict):
            raise AnalysisError("pnpm-lock.yaml is not a mapping", side=side)
        packages = doc.get("packages") or {}
        if not isinstance(packages, dict):
            raise AnalysisError("`packages` is not a mapping", side=side)
        default_registry = doc.get("registry")
        entries: list[Entry] = []
        for key, info in packages.items():
            name, version = _pnpm_key(str(key))
            info = info if isinstance(info, dict) else {}
            resolution = info.get("resolution") if isinstance(info.get("resolution"), dict) else {}
            assert isinstance(resolution, dict)
            if "tarball" in resolution:
                source = _source(resolution["tarball"])
            elif "repo" in resolution or resolution.get("type") == "git":
                source = f"git:{resolution.get('repo')}#{resolution.get('commit')}"
            elif "directory" in resolution:
                source = f"path:{resolution['directory']}"
            else:
                source = _lock.registry(default_registry) if default_registry else ""
            entries.append(
                Entry(
                    name=str(info.get("name", name)),
                    version=str(info.get("version", version)),
                    source=source,
                    hashes=_hashes(resolution.get("integrity")),
                    install_script=bool(info.get("requiresBuild")),
                )
            )
        meta = {k: doc.get(k) for k in ("lockfileVersion", "importers", "specifiers", "settings")}
        pattern = re.compile(r"^  '?/?((?:@[^@/\s]+/)?[^@/\s:']+)[@/]", re.MULTILINE)
        return Lock(_lock.build(entries), _strip_versions(meta), _lazy_lines(text, pattern, str))


def _pnpm_key(key: str) -> tuple[str, str]:
    """``/name/1.0.0`` (v5), ``/name@1.0.0`` (v6), ``name@1.0.0(peer@2)`` (v9) → name, version."""
    key = key.lstrip("/").split("(", 1)[0]
    at = key.find("@", 1)
    if at != -1:
        return key[:at], key[at + 1 :]
    name, _, version = key.rpartition("/")
    return name, version.split("_", 1)[0]


def _strip_versions(meta: dict[str, Any]) -> Any:
    """Importers list resolved versions too; keep only their specifiers for the refresh check."""
    importers = meta.get("importers")
    if isinstance(importers, dict):
        meta["importers"] = {
            name: {
                kind: {
                    dep: spec.get("specifier") if isinstance(spec, dict) else None
                    for dep, spec in deps.items()
                }
                if isinstance(deps, dict)
                else deps
                for kind, deps in imp.items()
            }
            if isinstance(imp, dict)
            else imp
            for name, imp in importers.items()
        }
    return meta


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (PackageLockAnalyzer, YarnLockAnalyzer, PnpmLockAnalyzer)
