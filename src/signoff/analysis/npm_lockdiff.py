"""package-lock.json too large to read whole, analyzed by what changed: entry by entry.

npm writes one key per line, and every entry of ``packages`` opens on a line of its own at the
second indentation level (``    "node_modules/a": {``). Each side is cut at those lines without
being parsed (`split`): the entries' text by key, and the lines above that level (the skeleton:
top-level fields, braces, section keys), which are read whole on both sides and must be npm's.
An entry is parsed only when its text differs from the other side's entry under the same key
(it must then be one whole JSON member), or when it locks a package name a changed entry locks.
The facts are those `PackageLockAnalyzer` gives on the whole files (`_lock.compare` on the same
entries, `version_facts` on the same fields), except that lines point at the changed entry; the
lines the change adds (`Changes.added`) are what the secrets scan reads.

Anything else (lockfile version 1, a changed version 2 ``dependencies`` section, another layout,
an entry that is not one JSON member, a key written twice or with an escape, a line outside the
entries and the skeleton) raises `AnalysisError`, which the caller reports as a high-risk fact,
never as nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from signoff.analysis import _lock
from signoff.analysis._lock import Entry, Lock
from signoff.analysis.base import AnalysisError
from signoff.analysis.npm_locks import PackageLockAnalyzer, _tail_name
from signoff.analysis.version import version_facts
from signoff.facts import Fact

_FIRST_KEY = re.compile(rb'\A\{\n([ \t]+)"')
_ANALYZER = PackageLockAnalyzer()
#: The objects whose members are entries: ``packages`` (2, 3) and ``dependencies`` (2).
SECTIONS = (b"packages", b"dependencies")


@dataclass(frozen=True, slots=True)
class Layout:
    """How npm indented this file: `unit` per level; entries open at two units."""

    unit: bytes

    @property
    def entry(self) -> bytes:
        return self.unit * 2 + b'"'


def layout(head: bytes) -> Layout:
    m = _FIRST_KEY.match(head)
    if m is None:
        raise AnalysisError("not npm's layout (one key per line, indented, LF line ends)")
    return Layout(m.group(1))


@dataclass(frozen=True, slots=True)
class Section:
    """The entries of ``packages`` (or ``dependencies``): raw key -> the entry's text after its
    key's opening quote (no line break at the end); `line` is the first entry's line."""

    line: int
    entries: dict[bytes, bytes]


@dataclass(frozen=True, slots=True)
class Split:
    """One side cut at its entry lines: its layout, top-level fields, sections, and the
    skeleton's lines as (line number, text)."""

    layout: Layout
    top: dict[str, Any]
    sections: dict[bytes, Section]
    skeleton: list[tuple[int, bytes]]


def split(data: bytes, side: str) -> Split:
    """Cut one side at its entry lines; its skeleton must be npm's (see the module's doc)."""
    lay = layout(data)
    if b"\r" in data:
        raise AnalysisError("a CR line end (not npm's layout)", side=side)
    top, bounds, found = _skeleton(lay, data, side)
    numbers = _lines_at(data, [pos for pos, _ in found])
    marker = b"\n" + lay.entry
    pieces = data.split(marker)  # every entry line lies in a section (`_skeleton`)
    sections: dict[bytes, Section] = {}
    for name, (begin, end) in bounds.items():
        first, count = data.count(marker, 0, begin - 1) + 1, data.count(marker, begin - 1, end - 1)
        texts = pieces[first : first + count]
        if texts:  # the last one without the lines after the section
            texts[-1] = data[data.rfind(marker, begin - 1, end - 1) + len(marker) : end - 1]
        keys = [text[: text.find(b'"')] for text in texts]
        if (not data.startswith(marker, begin - 1) if texts else begin != end) or (
            b"\\" in b"\n".join(keys)
        ):
            raise AnalysisError(f"a line of `{name.decode()}` not in npm's layout (or an "
                                "escaped key)", line=_line(data, begin), side=side)  # fmt: skip
        entries = dict(zip(keys, texts, strict=True))
        if len(entries) != len(keys):
            raise AnalysisError(f"a key written twice in `{name.decode()}`", side=side)
        sections[name] = Section(_line(data, begin), entries)
    if b"packages" not in sections:
        raise AnalysisError("no `packages` object", side=side)
    return Split(lay, top, sections, [(numbers[pos], text) for pos, text in found])


def _skeleton(
    lay: Layout, data: bytes, side: str
) -> tuple[dict[str, Any], dict[bytes, tuple[int, int]], list[tuple[int, bytes]]]:
    """The top-level fields, where each section's entries lie, and the lines outside them
    (start, text): ``{``, fields one per line, section keys and their closing braces, ``}``.
    A section ends at the first closing brace at its level (an entry that holds one leaves
    the rest of the entries outside every section, which is refused)."""
    top: dict[str, Any] = {}
    bounds: dict[bytes, tuple[int, int]] = {}
    lines: list[tuple[int, bytes]] = []
    closer = re.compile(rb"\n" + re.escape(lay.unit) + rb"\},?(?=\n|\Z)")
    pos, ended = 0, False
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end == -1 else end
        line, start, pos = data[pos:end], pos, end + 1
        lines.append((start, line))
        if (start == 0 and line == b"{") or (ended and not line):
            continue
        if start == 0 or ended or not (line == b"}" or line.startswith(lay.unit + b'"')):
            raise AnalysisError("not npm's layout", line=_line(data, start), side=side)
        ended = line == b"}"
        name = line[len(lay.unit) + 1 :].removesuffix(b'": {')
        if line.endswith(b'": {') and name in SECTIONS and name not in bounds:
            m = closer.search(data, end)
            if m is None:
                raise AnalysisError(f"`{name.decode()}` is not closed", side=side)
            bounds[name] = (pos, m.start() + 1)
            lines.append((m.start() + 1, m.group().lstrip(b"\n")))
            pos = m.end() + 1
        elif not ended:
            top.update(_field(line, data, start, side))
    if not ended:
        raise AnalysisError("the file does not end with `}`", side=side)
    if top.get("lockfileVersion") not in (2, 3):
        raise AnalysisError(f"lockfile version {top.get('lockfileVersion')} is read whole only")
    return top, bounds, lines


def _field(line: bytes, data: bytes, pos: int, side: str) -> dict[str, Any]:
    """One top-level field on one line (an object or array over several lines is refused)."""
    try:
        field = json.loads(b"{" + line.removesuffix(b",") + b"}")
    except ValueError as err:
        raise AnalysisError("not npm's layout", line=_line(data, pos), side=side) from err
    if not isinstance(field, dict) or len(field) != 1:
        raise AnalysisError("not npm's layout", line=_line(data, pos), side=side)
    return field


def _line(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def member(section: Section, key: bytes, side: str) -> Any:
    """The value of the entry under `key`, which must be exactly one JSON member so named."""
    text = b'{"' + section.entries[key].removesuffix(b",") + b"}"
    try:
        parsed = json.loads(text)
    except ValueError as err:
        raise AnalysisError(f"unreadable entry `{_show(key)}`", side=side) from err
    if not isinstance(parsed, dict) or list(parsed) != [key.decode()]:
        raise AnalysisError(f"the entry `{_show(key)}` is not one member", side=side)
    return parsed[key.decode()]


def _show(key: bytes) -> str:
    return key.decode("utf-8", "replace")[:200]


class Side:
    """One side: its header fields and its changed entries (key -> (line, value))."""

    def __init__(self, top: dict[str, Any]) -> None:
        self.top = top
        self.entries: dict[str, tuple[int, Any]] = {}


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed: both sides' changed entries, the unchanged entries of the touched package
    names (`extra`), and the new side's lines that the old side's same entry (or skeleton)
    does not have, numbered (what the secrets scan reads)."""

    old: Side
    new: Side
    extra: dict[str, Any]
    added: list[tuple[int, str]]


def changes(old: Split, new: Split) -> Changes:
    """Compare two sides entry by entry: texts first, values where the texts differ."""
    o_side, n_side = Side(old.top), Side(new.top)
    diffs = {name: _differing(old, new, name) for name in SECTIONS}
    if any(a != b for a, b in _parsed(old, new, b"dependencies", diffs).values()):
        raise AnalysisError("`dependencies` changed: lockfile version 2 is read whole only")
    values = _parsed(old, new, b"packages", diffs)
    changed = {k for k, (a, b) in values.items() if a != b}
    texts = diffs[b"packages"]
    old_keys = {k for k in changed if texts[k][0] is not None}
    o_lines = _entry_lines(old.sections[b"packages"], old_keys)
    n_lines = {
        name: _entry_lines(section, {k for k, (_, t) in diffs[name].items() if t is not None})
        for name, section in new.sections.items()
    }
    for k in changed:
        o_val, n_val = values[k]
        if k in o_lines:
            o_side.entries[k.decode()] = (o_lines[k], o_val)
        if texts[k][1] is not None:
            n_side.entries[k.decode()] = (n_lines[b"packages"][k], n_val)
    return Changes(o_side, n_side, touched(old, changed), _added(old, new, diffs, n_lines))


def touched(old: Split, changed: set[bytes]) -> dict[str, Any]:
    """The unchanged entries of the old side that lock a package name a changed entry locks
    (the whole-file analyzer compares every entry of a touched name)."""
    names = {k.rpartition(b"node_modules/")[2] for k in changed if k}
    packages = old.sections[b"packages"]
    return {
        k.decode(): member(packages, k, "old")
        for k in packages.entries
        if k not in changed and k and k.rpartition(b"node_modules/")[2] in names
    }


#: An entry's value on a side where it is missing.
_MISSING: Any = object()
#: Keys whose text differs, with their text on each side (None where missing).
Differing = dict[bytes, tuple[bytes | None, bytes | None]]


def _differing(old: Split, new: Split, name: bytes) -> Differing:
    """The keys of one section whose text differs between the sides."""
    o = old.sections[name].entries if name in old.sections else {}
    n = new.sections[name].entries if name in new.sections else {}
    out: Differing = {k: (o.get(k), text) for k, text in n.items() if o.get(k) != text}
    out.update((k, (o[k], None)) for k in o.keys() - n.keys())
    return out


def _parsed(
    old: Split, new: Split, name: bytes, diffs: dict[bytes, Differing]
) -> dict[bytes, tuple[Any, Any]]:
    """(old value, new value) of each key of one section whose text differs."""
    return {
        k: (
            member(old.sections[name], k, "old") if a is not None else _MISSING,
            member(new.sections[name], k, "new") if b is not None else _MISSING,
        )
        for k, (a, b) in diffs[name].items()
    }


def _entry_lines(section: Section, wanted: set[bytes]) -> dict[bytes, int]:
    """The line each wanted entry starts at (entries are counted up to the last one wanted)."""
    out: dict[bytes, int] = {}
    number, left = section.line, len(wanted)
    for key, text in section.entries.items() if left else ():
        if key in wanted:
            out[key] = number
            left -= 1
            if not left:
                break
        number += text.count(b"\n") + 1
    return out


def _added(
    old: Split, new: Split, diffs: dict[bytes, Differing], lines: dict[bytes, dict[bytes, int]]
) -> list[tuple[int, str]]:
    """The new side's lines its old entry under the same key (or the old skeleton) lacks;
    `lines` has the line of every new entry whose text differs."""
    indent = new.layout.entry
    added: list[tuple[int, str]] = []
    for name, differing in diffs.items():
        for key, number in lines.get(name, {}).items():
            before, text = differing[key]
            had = set((indent + before).split(b"\n")) if before is not None else set()
            for offset, line in enumerate((indent + (text or b"")).split(b"\n")):
                if line not in had:
                    added.append((number + offset, line.decode("utf-8", "replace")))
    skeleton = {text for _, text in old.skeleton}
    added += [
        (n, text.decode("utf-8", "replace")) for n, text in new.skeleton if text not in skeleton
    ]
    return sorted(added)


def _lines_at(data: bytes, positions: Iterable[int]) -> dict[int, int]:
    """Line number of each position, in one pass."""
    out: dict[int, int] = {}
    number, last = 1, 0
    for pos in sorted(positions):
        number += data.count(b"\n", last, pos)
        out[pos], last = number, pos
    return out


def registry_hosts(old: Split) -> set[str]:
    """The registry hosts of every tarball the old side's packages resolve
    (`PackageLockAnalyzer`'s `hosts`), found in their text."""
    marker = b'"resolved": "'
    prefixes: set[bytes] = set()
    for key, text in old.sections[b"packages"].entries.items():
        pos = 0
        while key and (i := text.find(marker, pos)) != -1:
            j = text.find(b'"', i + len(marker))
            url = text[i + len(marker) : j]
            if b"/-/" in url:
                prefixes.add(url[: url.find(b"/", 8)])
            pos = i + len(marker)
    return {_lock.registry(p.decode("utf-8", "replace")) for p in prefixes}


def analyze(
    path: str, read_old: Callable[[], bytes], read_new: Callable[[], bytes]
) -> tuple[list[Fact], list[tuple[int, str]]]:
    """The facts of the change between two versions of a package-lock, and the lines it adds
    (numbered on the new side) for the secrets scan. Each side is read (`read_old`,
    `read_new`) and cut before the next is read, so that its bytes are freed meanwhile."""
    old = split(read_old(), "old")
    new = split(read_new(), "new")
    if new.layout != old.layout:
        raise AnalysisError("the two sides are indented differently")
    found = changes(old, new)
    hosts = registry_hosts(old) if new_registry_names(found.old, found.new, found.extra) else None
    return facts(path, found.old, found.new, found.extra, hosts), found.added


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
