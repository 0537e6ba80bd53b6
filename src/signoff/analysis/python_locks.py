"""poetry.lock, uv.lock and Pipfile.lock, judged by `_lock.compare`.

What each format lets us verify about "still inside the manifest's constraints":

- poetry.lock and Pipfile.lock carry a hash of the manifest's dependency section
  (``content-hash`` / ``_meta.hash``); it is part of the refresh check, so a
  ``lockfile-version-refresh`` there means the constraints the resolver used did not change. It
  cannot prove the tool (rather than a hand edit) chose the new versions.
- uv.lock records the project's own ``requires-dist`` specifiers; new versions of direct
  dependencies are checked against them, transitive ones cannot be.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from signoff.analysis import _lock, _poetry_entries
from signoff.analysis._lock import Entry, Lock
from signoff.analysis._text import decode, load_json, load_toml, short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.npm_locks import _lazy_lines
from signoff.facts import Fact

_TOML_NAME = re.compile(r'^name = "([^"]+)"', re.MULTILINE)
_JSON_NAME = re.compile(r'^\s*"([^"]+)":\s*\{', re.MULTILINE)
PYPI = _poetry_entries.PYPI


def _name(value: Any) -> str:
    return _poetry_entries.canonical(str(value))


def _packages(doc: dict[str, Any], side: str) -> list[dict[str, Any]]:
    packages = doc.get("package", [])
    if not isinstance(packages, list) or not all(isinstance(p, dict) for p in packages):
        raise AnalysisError("`package` is not an array of tables", side=side)
    return packages


class PoetryLockAnalyzer(_lock.LockAnalyzer):
    ident = "poetry-lock"
    desc = "poetry.lock"

    hash_kind = "hash-removed"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        """Package by package when both sides are in poetry's layout (`_poetry_entries`),
        else the plain path: both files parsed whole (`analyze_whole`)."""
        if old is not None and new is not None:
            found = self.analyze_entries(path, old, new)
            if found is not None:
                return found.facts
        return self.analyze_whole(path, old, new)

    def analyze_entries(self, path: str, old: bytes, new: bytes) -> _poetry_entries.Compared | None:
        """Package by package (`_poetry_entries`), with the lines the change adds; None when a
        side is not in poetry's layout. Also what the gate runs on a poetry.lock too large to
        read whole."""
        old_text, new_text = decode(old, "old"), decode(new, "new")
        assert old_text is not None and new_text is not None
        return _poetry_entries.compare(self, path, old_text, new_text)

    def analyze_whole(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        """The plain path: both files parsed whole (the reference for the fast one)."""
        return super().analyze(path, old, new)

    @staticmethod
    def _lines(text: str) -> Callable[[str], int | None]:
        return _lazy_lines(text, _TOML_NAME, _name)

    def parse(self, data: bytes | None, side: str) -> Lock | None:
        text = decode(data, side)
        if text is None:
            return None
        doc = load_toml(text, side)
        legacy_files = doc.get("metadata", {}).get("files", {})
        entries = [_poetry_entries.entry(pkg, legacy_files) for pkg in _packages(doc, side)]
        meta = {k: v for k, v in doc.get("metadata", {}).items() if k != "files"}
        return Lock(_lock.build(entries), meta, self._lines(text))


class UvLockAnalyzer(_lock.LockAnalyzer):
    ident = "uv-lock"
    desc = "uv.lock"

    hash_kind = "hash-removed"

    def parse(self, data: bytes | None, side: str) -> Lock | None:
        text = decode(data, side)
        if text is None:
            return None
        doc = load_toml(text, side)
        entries: list[Entry] = []
        own: dict[str, Any] = {}
        for pkg in _packages(doc, side):
            name = _name(pkg.get("name"))
            source: dict[str, Any] = pkg["source"] if isinstance(pkg.get("source"), dict) else {}
            hashes = set()
            sdist = pkg.get("sdist")
            if isinstance(sdist, dict) and sdist.get("hash"):
                hashes.add(str(sdist["hash"]))
            for wheel in pkg.get("wheels") or []:
                if isinstance(wheel, dict) and wheel.get("hash"):
                    hashes.add(str(wheel["hash"]))
            entry = Entry(name, str(pkg.get("version", "")), _uv_source(source), frozenset(hashes))
            if entry.source.startswith("path:"):
                own[name] = {k: v for k, v in pkg.items() if k != "version"}
            entries.append(entry)
        packages = _lock.build(entries)
        meta = {
            "top": {k: v for k, v in doc.items() if k != "package"},
            "own": own,
            "outside-constraints": sorted(_outside(own, packages)),
        }
        return Lock(packages, meta, _lazy_lines(text, _TOML_NAME, _name))


def _uv_source(source: dict[str, Any]) -> str:
    for key in ("editable", "virtual", "path", "directory"):
        if key in source:
            return f"path:{source[key]}"
    if "git" in source:
        return f"git:{source['git']}"
    if "url" in source:
        return f"url:{source['url']}"
    return _lock.registry(source.get("registry")) or ""


def _outside(own: dict[str, Any], packages: dict[str, list[Entry]]) -> set[str]:
    """Direct dependencies of the project whose locked version misses its specifier."""
    bad: set[str] = set()
    for pkg in own.values():
        metadata = pkg.get("metadata") if isinstance(pkg.get("metadata"), dict) else {}
        for req in metadata.get("requires-dist") or []:
            if not isinstance(req, dict) or not req.get("specifier"):
                continue
            name = _name(req.get("name"))
            try:
                spec = SpecifierSet(str(req["specifier"]))
                versions = [Version(e.version) for e in packages.get(name, [])]
            except (InvalidSpecifier, InvalidVersion):
                bad.add(name)
                continue
            if versions and not any(spec.contains(v, prereleases=True) for v in versions):
                bad.add(name)
    return bad


class PipfileLockAnalyzer(Analyzer):
    ident = "pipfile-lock"
    desc = "Pipfile.lock"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        old_doc = self._doc(old_text, "old")
        new_doc = self._doc(new_text, "new")
        facts = _lock.compare(
            self,
            path,
            self._lock(old_doc, old_text),
            self._lock(new_doc, new_text),
            hash_kind="hash-removed",
        )
        old_src = {s.get("url"): s for s in self._sources(old_doc)}
        for source in self._sources(new_doc):
            url = str(source.get("url", ""))
            before = old_src.get(url)
            if new_doc is not None and old_doc is not None and before is None:
                text = f"package source `{source.get('name')}` added: `{short(url)}`"
                facts.append(self.fact("registry-changed", path, text, url=url))
            if source.get("verify_ssl") is False and (before or {}).get("verify_ssl") is not False:
                text = f"package source `{short(url)}` has verify_ssl = false"
                facts.append(self.fact("trusted-host-added", path, text, host=url))
        return facts

    @staticmethod
    def _doc(text: str | None, side: str) -> dict[str, Any] | None:
        if text is None:
            return None
        doc = load_json(text, side)
        if not isinstance(doc, dict):
            raise AnalysisError("Pipfile.lock is not a JSON object", side=side)
        return doc

    @staticmethod
    def _sources(doc: dict[str, Any] | None) -> list[dict[str, Any]]:
        meta = (doc or {}).get("_meta")
        sources = meta.get("sources") if isinstance(meta, dict) else None
        return [s for s in sources or [] if isinstance(s, dict)]

    def _lock(self, doc: dict[str, Any] | None, text: str | None) -> Lock | None:
        if doc is None or text is None:
            return None
        indexes = {str(s.get("name")): str(s.get("url", "")) for s in self._sources(doc)}
        entries = []
        for section in ("default", "develop"):
            table = doc.get(section) or {}
            if not isinstance(table, dict):
                raise AnalysisError(f"`{section}` is not an object")
            for name, info in table.items():
                if not isinstance(info, dict):
                    continue
                if "git" in info:
                    source = f"git:{info['git']}#{info.get('ref', '')}"
                elif "path" in info or "file" in info:
                    source = f"path:{info.get('path') or info.get('file')}"
                else:
                    index = indexes.get(str(info.get("index")), next(iter(indexes.values()), ""))
                    source = _lock.registry(index) or PYPI
                version = str(info.get("version", "")).removeprefix("==")
                hashes = frozenset(str(h) for h in info.get("hashes") or [])
                entries.append(Entry(_name(name), version, source, hashes))
        return Lock(_lock.build(entries), doc.get("_meta"), _lazy_lines(text, _JSON_NAME, _name))


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (PoetryLockAnalyzer, UvLockAnalyzer, PipfileLockAnalyzer)
