"""poetry.lock compared package by package: only the packages whose text changed are parsed.

The fast path beside `PoetryLockAnalyzer`'s plain one (both files parsed whole with tomllib,
which is most of its time). Poetry writes every package as a ``[[package]]`` table opening on
a line of its own with ``name = "..."`` on the next, and the ``[metadata]`` table last. Each
side is cut at those lines; packages are grouped by name, and a name is touched when its
packages' texts differ between the sides. Only the touched packages, the packages that name a
source (for the hosts the old file uses) and the metadata are parsed, each on its own. The facts
are `_lock.compare`'s on the touched names, as the plain path gives them (tests compare both).

Text this cut could misread returns None, and the caller takes the plain path: a multi-line
string (where a line can look like a header and not be one), ``[[`` anywhere but a package
header, a table other than a package's, its subtables and one ``[metadata]`` (or a line that
starts like one), anything but comments before the first package, legacy ``[metadata.files]``,
and a package whose first line is not its name or that does not parse alone as exactly one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from itertools import accumulate
from typing import Any, NamedTuple

from packaging.utils import canonicalize_name

from signoff.analysis import _lock
from signoff.analysis._lock import Entry, Lock
from signoff.analysis.base import Analyzer
from signoff.facts import Fact

_HEADER = "\n[[package]]\n"
_META = "\n[metadata]\n"
#: A header and the name line after it.
_NAMES = re.compile(r'\n\[\[package\]\]\nname = "([^"\\\n]*)"(?=\n)')
#: A line that opens a table (or an array's line) after indentation.
_INDENTED_TABLE = re.compile(r"\n[ \t]+\[")
#: A name `canonicalize_name` leaves as it is (most names in a lockfile).
_CANONICAL = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ALL_CANONICAL = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*(?:\n|\Z))*")
PYPI = "registry:pypi.org"
#: Name -> line of its first package, on one side.
Lines = Callable[[str], int | None]


class _UnfitError(Exception):
    """The text is not poetry's own layout: the plain path reads it."""


def entry(pkg: dict[str, Any], legacy_files: dict[Any, Any]) -> Entry:
    """One ``[[package]]`` table as an `Entry` (both paths build them here)."""
    files = pkg.get("files") or legacy_files.get(pkg.get("name"), [])
    hashes = frozenset(str(f.get("hash")) for f in files if isinstance(f, dict))
    src = pkg.get("source") if isinstance(pkg.get("source"), dict) else None
    name = canonical(str(pkg.get("name")))
    return Entry(name, str(pkg.get("version", "")), source(src), hashes)


def canonical(name: str) -> str:
    """`canonicalize_name`, skipped for a name already in that form."""
    return name if _CANONICAL.fullmatch(name) else canonicalize_name(name)


def source(src: dict[str, Any] | None) -> str:
    if src is None:
        return PYPI
    kind, url = str(src.get("type", "")), str(src.get("url", ""))
    if kind == "git":
        return f"git:{url}#{src.get('resolved_reference') or src.get('reference', '')}"
    if kind in ("directory", "file"):
        return f"path:{url}"
    if kind == "url":
        return f"url:{url}"
    return _lock.registry(url) or PYPI


def compare(analyzer: Analyzer, path: str, old: str, new: str) -> Compared | None:
    """The facts of the change and the lines it adds, or None when either side is not in
    poetry's layout."""
    try:
        o, n = _cut(old), _cut(new)
        touched = {
            name
            for name in o.packages.keys() | n.packages.keys()
            if sorted(t for _, t in o.packages.get(name, ()))
            != sorted(t for _, t in n.packages.get(name, ()))
        }
        old_lock = Lock(_entries(o.packages, touched), o.meta, _lines(o, touched))
        new_lock = Lock(_entries(n.packages, touched), n.meta, _lines(n, touched))
        old_lock.hosts = _hosts(o.packages)
    except _UnfitError:
        return None
    facts = _lock.compare(analyzer, path, old_lock, new_lock, hash_kind="hash-removed")
    return Compared(facts, _added(o, n, touched))


class Compared(NamedTuple):
    """The facts, and the new side's lines (number, text) that the old side's packages of the
    same name (or its comments and metadata) lack: what the secrets scan reads."""

    facts: list[Fact]
    added: list[tuple[int, str]]


#: Package texts by name, each with where it starts in the side's `body`.
Packages = dict[str, list[tuple[int, str]]]


class _Side(NamedTuple):
    packages: Packages
    meta: dict[str, Any]
    body: str  # a line break, then the text: offsets count in it, and lines from 1
    rest: list[tuple[int, str]]  # the comments before the packages, and the metadata


def _cut(text: str) -> _Side:
    """Package texts by name (what follows each header), the metadata without ``files``."""
    body = "\n" + text
    if '"""' in text or "'''" in text or "\n[metadata.files]" in body:
        raise _UnfitError
    parts = body.split(_HEADER)
    headers = len(parts) - 1
    names = _NAMES.findall(body)
    if (
        len(names) != headers
        or body.count("[[") != headers
        or body.count(_META) != 1
        or body.count("\n[") != headers + body.count("\n[package.") + 1
        or _INDENTED_TABLE.search(body)
    ):
        raise _UnfitError
    last, found, meta_text = parts[-1].rpartition(_META)
    if not found:
        raise _UnfitError
    parts[-1] = last if len(parts) > 1 else ""
    preamble = last if len(parts) == 1 else parts[0]
    if any(line.strip() and not line.lstrip().startswith("#") for line in preamble.split("\n")):
        raise _UnfitError
    if not _ALL_CANONICAL.fullmatch("\n".join(names)):
        names = [canonical(name) for name in names]
    offsets = accumulate(len(part) + len(_HEADER) for part in parts[:-1])
    packages: Packages = {}
    for name, offset, part in zip(names, offsets, parts[1:], strict=True):
        packages.setdefault(name, []).append((offset, part))
    meta = _parse("[metadata]\n" + meta_text, "metadata")
    if not isinstance(meta, dict) or "files" in meta:
        raise _UnfitError
    rest = [
        (0, preamble),
        (len(body) - len(meta_text) - len(_META) + 1, "[metadata]\n" + meta_text),
    ]
    return _Side(packages, meta, body, rest)


def _added(old: _Side, new: _Side, touched: set[str]) -> list[tuple[int, str]]:
    pieces: list[tuple[int, str, set[str]]] = []
    for name in touched & new.packages.keys():
        had = {line for _, text in old.packages.get(name, ()) for line in text.split("\n")}
        pieces += [(offset, text, had) for offset, text in new.packages[name]]
    had_rest = {line for _, text in old.rest for line in text.split("\n")}
    pieces += [(offset, text, had_rest) for offset, text in new.rest]
    added: list[tuple[int, str]] = []
    number, last = 0, 0
    for offset, text, had in sorted(pieces, key=lambda piece: piece[0]):
        number += new.body.count("\n", last, offset)
        last = offset
        added += [
            (number + i, line)
            for i, line in enumerate(text.split("\n"))
            if line and line not in had
        ]
    return added


def _lines(side: _Side, touched: set[str]) -> Lines:
    """Name -> line of its first package's name, for the touched names (one counting pass)."""
    firsts = sorted((side.packages[name][0][0], name) for name in touched & side.packages.keys())
    out: dict[str, int] = {}
    number, last = 0, 0
    for offset, name in firsts:
        number += side.body.count("\n", last, offset)
        out[name], last = number, offset
    return out.get


def _parse(text: str, key: str) -> Any:
    """The one table `key` of `text` (exactly one, nothing else)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _UnfitError from err
    if list(doc) != [key]:
        raise _UnfitError
    return doc[key]


def _package(name: str, text: str) -> dict[str, Any]:
    tables = _parse("[[package]]\n" + text, "package")
    if not isinstance(tables, list) or len(tables) != 1 or not isinstance(tables[0], dict):
        raise _UnfitError
    if canonical(str(tables[0].get("name"))) != name:
        raise _UnfitError
    return tables[0]


def _entries(packages: Packages, touched: set[str]) -> dict[str, list[Entry]]:
    return _lock.build(
        entry(_package(name, text), {})
        for name, texts in packages.items()
        if name in touched
        for _, text in texts
    )


def _hosts(packages: Packages) -> set[str]:
    """The registry sources the old side's packages use (parsed only where one names a
    source: every other package comes from PyPI)."""
    hosts: set[str] = set()
    for name, texts in packages.items():
        for _, text in texts:
            src = entry(_package(name, text), {}).source if "source" in text else PYPI
            if src.startswith("registry:"):
                hosts.add(src)
    return hosts
