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
    line = new.line if new else (old.line if old else (lambda _n: None))
    old_line = old.line if old else line
    old_hosts = old.hosts if old is not None and old.hosts is not None else set()
    if old is not None and old.hosts is None:
        old_hosts = {
            e.source for es in old_pkgs.values() for e in es if _kind(e.source) == "registry"
        }
    facts: list[Fact] = []
    versions_moved = False

    def f(kind: str, name: str, text: str, at: int | None, **detail: str) -> None:
        fact = analyzer.fact(kind, path, text, line=at, package=name)
        facts.append(fact._replace(detail=fact.detail + tuple(detail.items())))

    for name in old_pkgs.keys() - new_pkgs.keys():
        gone = ", ".join(sorted({e.version for e in old_pkgs[name]}))
        f("dependency-removed", name, f"`{name}` {gone} removed", old_line(name))
    for name, entries in new_pkgs.items():
        before = old_pkgs.get(name)
        if before == entries:
            continue
        versions = sorted({e.version for e in entries})
        if before is None:
            f("dependency-added", name, f"`{name}` {', '.join(versions)} added", line(name))
        else:
            old_versions = sorted({e.version for e in before})
            if old_versions != versions:
                versions_moved = True
                o, n = ", ".join(old_versions), ", ".join(versions)
                f(
                    "dependency-version-changed",
                    name,
                    f"`{name}` {o} → {n}",
                    line(name),
                    old=o,
                    new=n,
                )
        old_sources = {e.source for e in before} if before else set()
        for entry in entries:
            src = entry.source
            if src and src not in old_sources:
                where = src.split(":", 1)[-1]
                if _kind(src) in _NON_REGISTRY:
                    text = f"`{name}` {entry.version} now comes from {_kind(src)} source `{where}`"
                    f("dependency-source-changed", name, text, line(name), source=src)
                elif _kind(src) == "registry" and _host_moved(src, before, old_sources, old_hosts):
                    text = f"`{name}` {entry.version} resolved from new host `{where}`"
                    f("registry-changed", name, text, line(name), host=where)
            if entry.install_script and not any(e.install_script for e in before or ()):
                text = f"`{name}` {entry.version} runs an install script"
                f("install-script-added", name, text, line(name))
        if before is None:
            continue
        old_hashes: dict[str, frozenset[str]] = {}
        for e in before:
            old_hashes[e.version] = old_hashes.get(e.version, frozenset()) | e.hashes
        for entry in entries:
            had = old_hashes.get(entry.version)
            if not had or had <= entry.hashes:
                continue
            if not entry.hashes:
                text = f"`{name}` {entry.version} lost its checksum"
                f(hash_kind, name, text, line(name), version=entry.version)
            elif _integrity_weakened(had, entry.hashes):
                text = f"`{name}` {entry.version} checksum changed without a version change"
                kind = "integrity-changed-without-version-change"
                f(kind, name, text, line(name), version=entry.version)

    facts = _cap(facts)
    quiet = {"dependency-version-changed"}
    old_meta = old.meta if old else None
    new_meta = new.meta if new else None
    if (
        old is not None
        and new is not None
        and versions_moved
        and old_meta == new_meta
        and all(fact.kind in quiet for fact in facts)
    ):
        moved = sum(
            1
            for n, es in new_pkgs.items()
            if {e.version for e in es} != {e.version for e in old_pkgs[n]}
        )
        text = f"only versions of {moved} existing package(s) changed; sources and checksums kept"
        facts.append(analyzer.fact("lockfile-version-refresh", path, text, packages=str(moved)))
    return facts


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
