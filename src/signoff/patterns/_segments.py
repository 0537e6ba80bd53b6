"""The pieces `GlobSet` indexes file names with: one `/`-free segment of literals and `*`, and
the tables of such segments by name, extension, prefix and suffix (`signoff.patterns.globset`)."""

from __future__ import annotations

from signoff.patterns.globs import _FOLD

__all__ = ["_NameTables", "_Seg", "_fold", "_needs_regex", "_seg", "_seg_match"]


def _fold(text: str) -> str:
    """ASCII-only lower case (see `_FOLD`), fast for the usual all-ASCII text."""
    return text.lower() if text.isascii() else text.translate(_FOLD)


# A matcher for one `/`-free segment made of literal characters and `*` only:
# (literal or None, prefix, suffix, middle literals in order, minimum length).
_Seg = tuple[str | None, str, str, tuple[str, ...], int]


def _needs_regex(pattern: str) -> bool:
    """Whether the pattern has a character class, `?`, an escape or a NUL (to be refused)."""
    return "[" in pattern or "?" in pattern or "\\" in pattern or "\x00" in pattern


def _seg(text: str) -> _Seg:
    if "*" not in text:
        return (text, "", "", (), len(text))
    parts = text.split("*")
    mids = tuple(p for p in parts[1:-1] if p)
    return (None, parts[0], parts[-1], mids, sum(map(len, parts)))


def _seg_match(seg: _Seg, text: str) -> bool:
    """Whether `text` (no `/`) matches the segment, `*` matching any run of characters."""
    lit, pre, suf, mids, minlen = seg
    if lit is not None:
        return text == lit
    if len(text) < minlen or not text.startswith(pre) or not text.endswith(suf):
        return False
    pos, end = len(pre), len(text) - len(suf)
    for mid in mids:
        pos = text.find(mid, pos, end)
        if pos < 0:
            return False
        pos += len(mid)
    return True


class _NameTables:
    """Patterns on the file name alone (literal, or literal parts around `*`), by lookup key.

    Keys are ASCII-folded so that case-sensitive names and any-case names (given folded) share
    one set of lookups; a case-sensitive entry then checks the name as written.
    """

    __slots__ = ("exact", "ext", "ext_only", "other", "pre", "pre_lens", "suf", "suf_lens")

    def __init__(self) -> None:
        #: The name itself, and `*.py` by its extension: (the text as written, or None when any
        #: case will do; index).
        self.exact: dict[str, list[tuple[str | None, int]]] = {}
        self.ext_only: dict[str, list[tuple[str | None, int]]] = {}
        #: Other shapes: (segment, whether it matches the folded name, index), by the text after
        #: the last `.` then `/` and the first character if the segment has a literal prefix,
        #: else by the first 1-2 characters, by the last 1-2 characters, or none.
        self.ext: dict[str, list[tuple[_Seg, bool, int]]] = {}
        self.pre: dict[str, list[tuple[_Seg, bool, int]]] = {}
        self.pre_lens: tuple[int, ...] = ()
        self.suf: dict[str, list[tuple[_Seg, bool, int]]] = {}
        self.suf_lens: tuple[int, ...] = ()
        self.other: list[tuple[_Seg, bool, int]] = []

    def add(self, name: str, fold: bool, i: int) -> None:
        """Index pattern `i`, a `/`-free segment of literals and `*` (ASCII-folded if `fold`)."""
        if "*" not in name:
            self.exact.setdefault(_fold(name), []).append((None if fold else name, i))
            return
        if name[:2] == "*." and "*" not in name[2:] and "." not in name[2:]:
            ext = name[2:]
            self.ext_only.setdefault(_fold(ext), []).append((None if fold else ext, i))
            return
        seg = _seg(name)
        pre, suf = seg[1], seg[2]
        entry = (seg, fold, i)
        if "." in suf:
            key = _fold(f"{suf[suf.rfind('.') + 1 :]}/{pre[:1]}")  # no name has a `/`
            self.ext.setdefault(key, []).append(entry)
        elif pre:
            key = _fold(pre[:2])
            if len(key) not in self.pre_lens:
                self.pre_lens += (len(key),)
            self.pre.setdefault(key, []).append(entry)
        elif suf:
            key = _fold(suf[-2:])
            if len(key) not in self.suf_lens:
                self.suf_lens += (len(key),)
            self.suf.setdefault(key, []).append(entry)
        else:
            self.other.append(entry)

    def matches(self, name: str) -> tuple[int, ...]:
        """Indices (ascending) of the patterns that match the file name `name`."""
        found: list[int] = []
        fname = _fold(name)
        for text, i in self.exact.get(fname, ()):
            if text is None or text == name:
                found.append(i)
        dot = name.rfind(".")
        if dot >= 0:
            fext = fname[dot + 1 :]
            for text, i in self.ext_only.get(fext, ()):
                if text is None or text == name[dot + 1 :]:
                    found.append(i)
            for key in (f"{fext}/", f"{fext}/{fname[:1]}"):
                for seg, fold, i in self.ext.get(key, ()):
                    if _seg_match(seg, fname if fold else name):
                        found.append(i)
        for n in self.pre_lens:
            if n <= len(name):
                for seg, fold, i in self.pre.get(fname[:n], ()):
                    if _seg_match(seg, fname if fold else name):
                        found.append(i)
        for n in self.suf_lens:
            if n <= len(name):
                for seg, fold, i in self.suf.get(fname[-n:], ()):
                    if _seg_match(seg, fname if fold else name):
                        found.append(i)
        for seg, fold, i in self.other:
            if _seg_match(seg, fname if fold else name):
                found.append(i)
        found.sort()
        return tuple(found)
