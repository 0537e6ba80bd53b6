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
from typing import Any

from packaging.utils import canonicalize_name

from signoff.analysis import _lock
from signoff.analysis._lock import Entry, Lock
from signoff.analysis.base import Analyzer
from signoff.facts import Fact

_HEADER = "\n[[package]]\n"
_META = "\n[metadata]\n"
_NAME = re.compile(r'name = "([^"\\]*)"')
#: Every line that opens a table (or could: indented, or an array's line).
_TABLE = re.compile(r"^[ \t]*\[.*", re.MULTILINE)
_PACKAGE_TABLE = re.compile(r"\[\[package\]\]|\[package\.[A-Za-z0-9_-]+\]|\[metadata\]")
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
    name = canonicalize_name(str(pkg.get("name")))
    return Entry(name, str(pkg.get("version", "")), source(src), hashes)


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


def compare(
    analyzer: Analyzer, path: str, old: tuple[str, Lines], new: tuple[str, Lines]
) -> list[Fact] | None:
    """The facts of the change, or None when either side is not in poetry's layout. Each side
    comes with its name -> line lookup (the plain path's, over the whole text)."""
    try:
        old_pkgs, old_meta = _cut(old[0])
        new_pkgs, new_meta = _cut(new[0])
        touched = {
            name
            for name in old_pkgs.keys() | new_pkgs.keys()
            if sorted(old_pkgs.get(name, ())) != sorted(new_pkgs.get(name, ()))
        }
        old_lock = Lock(_entries(old_pkgs, touched), old_meta, old[1])
        new_lock = Lock(_entries(new_pkgs, touched), new_meta, new[1])
        old_lock.hosts = _hosts(old_pkgs)
    except _UnfitError:
        return None
    return _lock.compare(analyzer, path, old_lock, new_lock, hash_kind="hash-removed")


def _cut(text: str) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Package texts by name (what follows each header), and the metadata without ``files``."""
    body = "\n" + text
    if '"""' in text or "'''" in text or "\n[metadata.files]" in body:
        raise _UnfitError
    parts = body.split(_HEADER)
    tables = _TABLE.findall(text)
    if body.count("[[") != len(parts) - 1 or tables.count("[metadata]") != 1:
        raise _UnfitError
    if not all(_PACKAGE_TABLE.fullmatch(t) for t in tables):
        raise _UnfitError
    last, found, meta_text = parts[-1].rpartition(_META)
    if not found:
        raise _UnfitError
    parts[-1] = last if len(parts) > 1 else ""
    preamble = last if len(parts) == 1 else parts[0]
    if any(line.strip() and not line.lstrip().startswith("#") for line in preamble.split("\n")):
        raise _UnfitError
    packages: dict[str, list[str]] = {}
    for part in parts[1:]:
        m = _NAME.fullmatch(part[: part.find("\n")])
        if m is None:
            raise _UnfitError
        packages.setdefault(canonicalize_name(m.group(1)), []).append(part)
    meta = _parse("[metadata]\n" + meta_text, "metadata")
    if not isinstance(meta, dict) or "files" in meta:
        raise _UnfitError
    return packages, meta


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
    if canonicalize_name(str(tables[0].get("name"))) != name:
        raise _UnfitError
    return tables[0]


def _entries(packages: dict[str, list[str]], touched: set[str]) -> dict[str, list[Entry]]:
    return _lock.build(
        entry(_package(name, text), {})
        for name, texts in packages.items()
        if name in touched
        for text in texts
    )


def _hosts(packages: dict[str, list[str]]) -> set[str]:
    """The registry sources the old side's packages use (parsed only where one names a
    source: every other package comes from PyPI)."""
    hosts: set[str] = set()
    for name, texts in packages.items():
        for text in texts:
            src = entry(_package(name, text), {}).source if "source" in text else PYPI
            if src.startswith("registry:"):
                hosts.add(src)
    return hosts
