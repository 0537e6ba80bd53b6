"""package-lock.json too large to read whole, analyzed by what changed: entry by entry.

The input is git's diff with every changed entry whole on both sides (``git diff -W``, a function
being one ``"<key>": {`` entry of ``packages``), and one streamed pass over the old file for the
unchanged entries of the touched package names. The facts are those `PackageLockAnalyzer` gives
on the whole files (`_lock.compare` on the same entries, `version_facts` on the same fields),
except that lines point at the changed entry. It needs npm's own layout (one key per line,
entries at the second indentation level, lockfile version 2 or 3); anything else raises
`AnalysisError`, which the caller reports as a high-risk fact, never as nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from signoff.analysis import _lock
from signoff.analysis._lock import Entry, Lock
from signoff.analysis.base import AnalysisError
from signoff.analysis.npm_locks import PackageLockAnalyzer, _tail_name
from signoff.analysis.version import version_facts
from signoff.facts import Fact

_FIRST_KEY = re.compile(rb'\A\{\r?\n([ \t]+)"')
_ANALYZER = PackageLockAnalyzer()
#: Longer than any entry's first line: what a chunk keeps of the last one for the next.
_KEY_SPAN = 4096


@dataclass(frozen=True, slots=True)
class Layout:
    """How npm indented this file: `unit` per level; entries open at two units."""

    unit: bytes

    @property
    def entry(self) -> bytes:
        return self.unit * 2 + b'"'

    def funcname(self) -> str:
        """git's function pattern (extended regex) for an entry's first line."""
        return "^" + re.escape((self.unit * 2).decode()) + '"[^"]*": [{]$'


def layout(head: bytes) -> Layout:
    m = _FIRST_KEY.match(head)
    if m is None:
        raise AnalysisError("not npm's layout (one key per line, indented)")
    return Layout(m.group(1))


def header(lay: Layout, head: bytes) -> dict[str, Any]:
    """The top-level fields before the first object (name, version, lockfileVersion...), read
    from the start of one side; refused unless the lockfile version is 2 or 3."""
    top: dict[str, Any] = {}
    for line in head.split(b"\n")[1:]:
        if not line.startswith(lay.unit + b'"') or line.startswith(lay.unit * 2):
            break
        try:
            (key, value), *_ = json.loads(b"{" + line.rstrip(b",") + b"}").items()
        except (ValueError, TypeError):
            break  # an object starts: "packages" (or "dependencies" in version 1)
        top[key] = value
    version = top.get("lockfileVersion")
    if version not in (2, 3):
        raise AnalysisError(f"lockfile version {version} is read whole only")
    return top


class Side:
    """One side: its header fields and the entries git's hunks hold (key -> (line, value))."""

    def __init__(self, top: dict[str, Any]) -> None:
        self.top = top
        self.entries: dict[str, tuple[int, Any]] = {}


def _close(lay: Layout, line: bytes) -> bool:
    return line.rstrip(b",") == lay.unit * 2 + b"}"


def _structure(lay: Layout, line: bytes) -> bool:
    """A line outside the entries: the header, braces, the `packages` key."""
    if line in (b"{", b"}", lay.unit + b"}", lay.unit + b"},"):
        return True
    return line.startswith(lay.unit + b'"') and not line.startswith(lay.unit * 2)


def read_side(lay: Layout, side: Side, start: int, lines: list[bytes], changed: list[bool]) -> None:
    """The entries in one hunk's lines of one side (line numbers from `start`). Lines before
    the first entry are the end of an unchanged one, or the header; a change anywhere but in an
    entry or the header is refused."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(lay.entry) and line.endswith(b": {"):
            end = i
            while end < len(lines) and not _close(lay, lines[end]):
                end += 1
            if end == len(lines):
                raise AnalysisError(f"an entry at line {start + i} ends outside git's hunk")
            text = b"\n".join(lines[i : end + 1]).rstrip(b",")
            try:
                (key, value), *_ = json.loads(b"{" + text + b"}").items()
            except (ValueError, TypeError) as err:
                raise AnalysisError(f"unreadable entry at line {start + i}") from err
            side.entries[key] = (start + i, value)
            i = end + 1
            continue
        if changed[i] and not _structure(lay, line):
            raise AnalysisError(f"a change outside the entries at line {start + i}")
        i += 1


def read_hunks(
    lay: Layout, hunks: Iterable[tuple[int, int, list[bytes]]], old: Side, new: Side
) -> set[str]:
    """Read every hunk into `old` and `new`; returns the keys whose entry changed."""
    for old_start, new_start, lines in hunks:
        olds = [(line[1:], line[:1] == b"-") for line in lines if line[:1] in (b" ", b"-")]
        news = [(line[1:], line[:1] == b"+") for line in lines if line[:1] in (b" ", b"+")]
        for side, start, pairs in ((old, old_start, olds), (new, new_start, news)):
            read_side(lay, side, start, [p[0] for p in pairs], [p[1] for p in pairs])
    keys = old.entries.keys() | new.entries.keys()
    missing: tuple[int, Any] = (0, None)
    changed = {k for k in keys if old.entries.get(k, missing)[1] != new.entries.get(k, missing)[1]}
    for side in (old, new):
        side.entries = {k: v for k, v in side.entries.items() if k in changed}
    return changed


def changed_names(old: Side, new: Side) -> set[str]:
    """Package names with a changed entry (the root entry is no package)."""
    return {_tail_name(k) for k in old.entries.keys() | new.entries.keys() if k}


def unchanged_entries(
    lay: Layout, chunks: Iterable[bytes], names: set[str], skip: set[str]
) -> Iterator[tuple[str, Any]]:
    """(key, value) of every entry of the old file whose package name is in `names` and whose
    key is not in `skip` (the changed ones), in one streamed pass: one regex finds the keys."""
    alternatives = b"|".join(re.escape(n.encode()) for n in sorted(names, key=len, reverse=True))
    key = re.compile(
        b"\n" + re.escape(lay.entry) + b'((?:[^"\n]*node_modules/)?(?:' + alternatives + b'))": [{]'
    )
    close = b"\n" + lay.unit * 2 + b"}"
    tail = b""
    for chunk in chunks:
        buf = tail + chunk
        pos, tail = 0, b""
        while (m := key.search(buf, pos)) is not None:
            end = buf.find(close, m.end())
            if end == -1:  # the entry goes on in the next chunk
                tail = buf[m.start() :]
                break
            if m.group(1).decode() not in skip:
                text = buf[m.start() + 1 : end + len(close)]
                (k, value), *_ = json.loads(b"{" + text + b"}").items()
                yield k, value
            pos = end
        else:
            tail = buf[max(pos, len(buf) - _KEY_SPAN) :]  # a key line cut by the chunk's end


def registry_hosts(chunks: Iterable[bytes]) -> set[str]:
    """The registry hosts of every tarball the old file resolves (`PackageLockAnalyzer`'s
    `hosts`), in one streamed pass."""
    marker = b'"resolved": "'
    prefixes: set[bytes] = set()
    tail = b""
    for chunk in chunks:
        buf = tail + chunk
        pos = 0
        while (i := buf.find(marker, pos)) != -1:
            j = buf.find(b'"', i + len(marker))
            if j == -1:
                break
            url = buf[i + len(marker) : j]
            if b"/-/" in url:
                prefixes.add(url[: url.find(b"/", 8)])
            pos = j
        tail = buf[pos:]
    return {_lock.registry(p.decode("utf-8", "replace")) for p in prefixes}


def _lock_of(side: Side, extra: dict[str, Any], version: int) -> Lock:
    entries: list[Entry] = []
    lines: dict[str, int] = {}
    for key, (number, info) in sorted(side.entries.items(), key=lambda kv: kv[1][0]):
        if version == 2 and key and not key.startswith("node_modules/"):
            raise AnalysisError(f"`{key}` changed: lockfile version 2 is read whole only")
        if key and isinstance(info, dict) and not info.get("link"):
            entries.append(PackageLockAnalyzer._entry(_tail_name(key), info))
            lines.setdefault(_tail_name(key), number)
    for key, info in extra.items():
        if key and isinstance(info, dict) and not info.get("link"):
            entries.append(PackageLockAnalyzer._entry(_tail_name(key), info))
    return Lock(_lock.build(entries), None, lines.get)


def new_registry_names(old: Side, new: Side, extra: dict[str, Any]) -> bool:
    """Whether a package name new to the file resolves from a registry (then the old file's
    hosts decide `registry-changed`, as in `PackageLockAnalyzer`)."""
    before = {_tail_name(k) for k in (*old.entries, *extra)}
    return any(
        _tail_name(k) not in before and "/-/" in str((info or {}).get("resolved", ""))
        for k, (_, info) in new.entries.items()
        if k and isinstance(info, dict)
    )


def facts(
    path: str, old: Side, new: Side, extra: dict[str, Any], hosts: set[str] | None
) -> list[Fact]:
    """The facts of the change: `extra` holds the unchanged entries of touched names, `hosts`
    the registry hosts of the old file (None when no package new to it needs them)."""
    version = new.top["lockfileVersion"]
    old_lock, new_lock = _lock_of(old, extra, version), _lock_of(new, extra, version)
    old_lock.hosts = hosts if hosts is not None else set()
    old_root = (old.entries.get("") or (0, {}))[1]
    new_root = (new.entries.get("") or (0, {}))[1]
    old_lock.meta, new_lock.meta = _meta(old, old_root), _meta(new, new_root)
    found = _lock.compare(_ANALYZER, path, old_lock, new_lock)
    # version_facts compares whole documents; what else the diff changed stands in for "~".
    top = {k for k in old.top.keys() | new.top.keys() if old.top.get(k) != new.top.get(k)}
    others = bool({k for k in old.entries.keys() | new.entries.keys() if k} | (top - {"version"}))
    old_doc: dict[str, Any] = {"packages": {"": old_root}, "~": 0}
    new_doc: dict[str, Any] = {"packages": {"": new_root}, "~": int(others)}
    for doc, side in ((old_doc, old), (new_doc, new)):
        if "version" in side.top:
            doc["version"] = side.top["version"]
    paths = [("version",), ("packages", "", "version")]
    return found + version_facts(_ANALYZER, path, old_doc, new_doc, paths, 1)


def _meta(side: Side, root: Any) -> dict[str, Any]:
    kept = {k: v for k, v in root.items() if k != "version"} if isinstance(root, dict) else root
    return {"lockfileVersion": side.top.get("lockfileVersion"), "name": side.top.get("name"),
            "root": kept}  # fmt: skip
