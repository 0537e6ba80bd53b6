"""One comparison for every lockfile format: each analyzer parses, this module judges.

A lockfile is reduced to ``name -> [Entry]`` (a name can be locked at several versions) plus
``meta``: everything else that must stay equal for a change to count as a pure version refresh
(lockfile version, root manifest specs, declared sources). All work is dict lookups, linear in the
number of packages.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, NamedTuple

from signoff.analysis._text import host_of
from signoff.analysis.base import Analyzer
from signoff.facts import Fact

#: At most this many facts of one kind per file are itemised; the rest are summarised in one.
MAX_PER_KIND = 50
#: Hash algorithms, weakest first; swapping to a stronger one is a normal lockfile upgrade.
_ALGO_RANK = {"md5": 0, "sha1": 1, "sha256": 2, "sha384": 3, "sha512": 4}
_NON_REGISTRY = ("git", "url", "path", "patch")


class Entry(NamedTuple):
    """One locked package. `source` is ``kind:where``, e.g. ``registry:registry.npmjs.org``."""

    name: str
    version: str
    source: str = ""
    hashes: frozenset[str] = frozenset()
    install_script: bool = False


class Lock:
    """One side of a lockfile: packages by name, and where each name's entry sits."""

    __slots__ = ("hosts", "line", "meta", "packages")

    def __init__(
        self,
        packages: dict[str, list[Entry]],
        meta: Any = None,
        line: Callable[[str], int | None] = lambda _name: None,
        hosts: set[str] | None = None,
    ) -> None:
        self.packages = packages
        self.meta = meta
        self.line = line
        #: Registry sources used anywhere in the file, when `packages` holds only touched names.
        self.hosts = hosts


def registry(url: str | None) -> str:
    return f"registry:{host_of(url)}" if url else ""


def build(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    packages: dict[str, list[Entry]] = {}
    for entry in entries:
        packages.setdefault(entry.name, []).append(entry)
    return packages


def _kind(source: str) -> str:
    return source.split(":", 1)[0]


def _algos(hashes: Iterable[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in hashes:
        algo, sep, _value = item.replace(":", "-", 1).partition("-")
        out.setdefault(algo.lower() if sep else "", set()).add(item)
    return out


def _integrity_weakened(old: frozenset[str], new: frozenset[str]) -> bool:
    """Same version, different checksum: a common algorithm lost a value, or a downgrade."""
    old_by, new_by = _algos(old), _algos(new)
    common = old_by.keys() & new_by.keys()
    if common:
        return any(not old_by[a] <= new_by[a] for a in common)
    best_old = max((_ALGO_RANK.get(a, 0) for a in old_by), default=0)
    best_new = max((_ALGO_RANK.get(a, 0) for a in new_by), default=0)
    return best_new < best_old


def compare(
    analyzer: Analyzer,
    path: str,
    old: Lock | None,
    new: Lock | None,
    *,
    hash_kind: str = "integrity-removed",
) -> list[Fact]:
    """All lockfile facts for one file, including the narrow ``lockfile-version-refresh``."""
    old_pkgs = old.packages if old else {}
    new_pkgs = new.packages if new else {}
    line = new.line if new else (old.line if old else _no_line)
    out = _Facts(analyzer, path)
    if old is not None:
        for name in old_pkgs.keys() - new_pkgs.keys():
            gone = ", ".join(sorted({e.version for e in old_pkgs[name]}))
            out.add("dependency-removed", name, f"`{name}` {gone} removed", old.line(name))
    old_hosts = _registry_hosts(old)
    versions_moved = False
    for name, entries in new_pkgs.items():
        before = old_pkgs.get(name)
        if before == entries:
            continue
        versions_moved |= _versions(out, name, before, entries, line)
        _sources(out, name, before, entries, line, old_hosts)
        if before is not None:
            _checksums(out, name, before, entries, line, hash_kind)
    facts = _cap(out.facts)
    if (
        old is not None
        and new is not None
        and versions_moved
        and old.meta == new.meta
        and all(fact.kind == "dependency-version-changed" for fact in facts)
    ):
        facts.append(_refresh(analyzer, path, old_pkgs, new_pkgs))
    return facts


def _no_line(_name: str) -> int | None:
    return None


class _Facts:
    """The facts of one file being compared, each about one package."""

    __slots__ = ("analyzer", "facts", "path")

    def __init__(self, analyzer: Analyzer, path: str) -> None:
        self.analyzer, self.path = analyzer, path
        self.facts: list[Fact] = []

    def add(self, kind: str, name: str, text: str, at: int | None, **detail: str) -> None:
        fact = self.analyzer.fact(kind, self.path, text, line=at, package=name)
        self.facts.append(fact._replace(detail=fact.detail + tuple(detail.items())))


def _registry_hosts(old: Lock | None) -> set[str]:
    """The registry sources the old file uses anywhere (given, when it holds only some names)."""
    if old is None:
        return set()
    if old.hosts is not None:
        return old.hosts
    return {e.source for es in old.packages.values() for e in es if _kind(e.source) == "registry"}


def _versions(
    out: _Facts,
    name: str,
    before: list[Entry] | None,
    entries: list[Entry],
    line: Callable[[str], int | None],
) -> bool:
    """A package added, or its versions changed (then True: a refresh may be all this is)."""
    versions = sorted({e.version for e in entries})
    if before is None:
        out.add("dependency-added", name, f"`{name}` {', '.join(versions)} added", line(name))
        return False
    old_versions = sorted({e.version for e in before})
    if old_versions == versions:
        return False
    o, n = ", ".join(old_versions), ", ".join(versions)
    out.add("dependency-version-changed", name, f"`{name}` {o} → {n}", line(name), old=o, new=n)
    return True


def _sources(
    out: _Facts,
    name: str,
    before: list[Entry] | None,
    entries: list[Entry],
    line: Callable[[str], int | None],
    old_hosts: set[str],
) -> None:
    """A package now from a non-registry source or a new registry host; a new install script."""
    old_sources = {e.source for e in before} if before else set()
    for entry in entries:
        src = entry.source
        if src and src not in old_sources:
            where = src.split(":", 1)[-1]
            if _kind(src) in _NON_REGISTRY:
                text = f"`{name}` {entry.version} now comes from {_kind(src)} source `{where}`"
                out.add("dependency-source-changed", name, text, line(name), source=src)
            elif _kind(src) == "registry" and _host_moved(src, before, old_sources, old_hosts):
                text = f"`{name}` {entry.version} resolved from new host `{where}`"
                out.add("registry-changed", name, text, line(name), host=where)
        if entry.install_script and not any(e.install_script for e in before or ()):
            text = f"`{name}` {entry.version} runs an install script"
            out.add("install-script-added", name, text, line(name))


def _checksums(
    out: _Facts,
    name: str,
    before: list[Entry],
    entries: list[Entry],
    line: Callable[[str], int | None],
    hash_kind: str,
) -> None:
    """A version kept whose checksum was dropped, or changed other than by a stronger one."""
    old_hashes: dict[str, frozenset[str]] = {}
    for e in before:
        old_hashes[e.version] = old_hashes.get(e.version, frozenset()) | e.hashes
    for entry in entries:
        had = old_hashes.get(entry.version)
        if not had or had <= entry.hashes:
            continue
        if not entry.hashes:
            text = f"`{name}` {entry.version} lost its checksum"
            out.add(hash_kind, name, text, line(name), version=entry.version)
        elif _integrity_weakened(had, entry.hashes):
            text = f"`{name}` {entry.version} checksum changed without a version change"
            kind = "integrity-changed-without-version-change"
            out.add(kind, name, text, line(name), version=entry.version)


def _refresh(
    analyzer: Analyzer,
    path: str,
    old_pkgs: dict[str, list[Entry]],
    new_pkgs: dict[str, list[Entry]],
) -> Fact:
    """The narrow fact of a change that only moved versions of packages the file already had."""
    moved = sum(
        1
        for n, es in new_pkgs.items()
        if {e.version for e in es} != {e.version for e in old_pkgs[n]}
    )
    text = f"only versions of {moved} existing package(s) changed; sources and checksums kept"
    return analyzer.fact("lockfile-version-refresh", path, text, packages=str(moved))


def _host_moved(
    src: str, before: list[Entry] | None, old_sources: set[str], old_hosts: set[str]
) -> bool:
    """A package left its registry host, or a new package uses a host the file never used."""
    if before is not None:
        return any(_kind(s) == "registry" for s in old_sources)
    return bool(old_hosts) and src not in old_hosts


def _cap(facts: list[Fact]) -> list[Fact]:
    """Itemise the first MAX_PER_KIND facts of each kind and summarise the rest in one fact."""
    counts = Counter(fact.kind for fact in facts)
    if all(n <= MAX_PER_KIND for n in counts.values()):
        return facts
    out: list[Fact] = []
    seen: Counter[str] = Counter()
    for fact in facts:
        seen[fact.kind] += 1
        if seen[fact.kind] <= MAX_PER_KIND:
            out.append(fact)
        elif seen[fact.kind] == MAX_PER_KIND + 1:
            rest = counts[fact.kind] - MAX_PER_KIND
            prefix = fact.message.split(": ", 1)[0]
            out.append(
                Fact(
                    kind=fact.kind,
                    path=fact.path,
                    message=f"{prefix}: … and {rest} more {fact.kind} fact(s)",
                    risk=fact.risk,
                    analyzer=fact.analyzer,
                    detail=(("more", str(rest)),),
                )
            )
    return out


class LockAnalyzer(Analyzer):
    """A lockfile format: `parse` reads one side into a `Lock`, `compare` judges the change."""

    #: The fact a dropped checksum raises (`hash-removed` for formats that call them hashes).
    hash_kind: ClassVar[str] = "integrity-removed"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_lock, new_lock = self.parse(old, "old"), self.parse(new, "new")
        return compare(self, path, old_lock, new_lock, hash_kind=self.hash_kind)

    @abstractmethod
    def parse(self, data: bytes | None, side: str) -> Lock | None:
        """The packages of one side (None when the file does not exist on that side)."""
