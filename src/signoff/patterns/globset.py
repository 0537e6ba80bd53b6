"""`GlobSet`: many signoff globs matched at once, mostly without regular expressions.

The usual shapes (literal characters, `*`, `/`, `**` first or last; and `**/d/**`,
`**/d/**/name`, `/.*/**/name`) are indexed by file name, extension, name prefix or suffix, folder,
path prefix or segment; other patterns fall back to
`compile_glob` and are prefiltered by a literal segment, extension or name prefix they need. So
building a set of hundreds of patterns takes about a millisecond, and matching a path checks only
the few patterns that can match it. Semantics are exactly those of `signoff.patterns.globs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from signoff.patterns._segments import _fold, _NameTables, _needs_regex, _Seg, _seg, _seg_match
from signoff.patterns.globs import Glob, NoCasePath, compile_glob, nocase

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["GlobSet"]


class GlobSet:
    """Many patterns, matched together: `matches(path)` lists the indices of all that match.

    Built without compiling a regex for the usual shapes (a pattern of literal characters, `*`
    and `/`, with `**` only as its first or last segment): these go into dicts keyed by file
    name, extension, name prefix or suffix, folder, path prefix or segment, so a path is checked
    against only the few patterns that can match it, with plain string operations. Any other
    pattern is compiled (`compile_glob`) and prefiltered by the literal segment, extension or
    name prefix it needs. Building validates every pattern (ValueError, as `compile_glob`).

    `any_case` lists the indices of patterns whose file name (the last segment, unless the
    pattern ends with `/`) matches in any ASCII case, as if written with `nocase`.
    """

    __slots__ = (
        "_any_case",
        "_by_name",
        "_deep",
        "_dir",
        "_fb_always",
        "_fb_by_ext",
        "_fb_by_ext2",
        "_fb_by_prefix",
        "_fb_by_segment",
        "_fb_match",
        "_globs",
        "_heads",
        "_in_dir",
        "_in_dot_root",
        "_in_folder",
        "_in_folder_keys",
        "_in_top",
        "_name_cache",
        "_nocase",
        "_nocase_index",
        "_nocase_names",
        "_path",
        "_root",
        "_seg",
        "_seg_keys",
        "_under",
        "_written",
    )

    def __init__(self, patterns: Iterable[str], *, any_case: Iterable[int] = ()) -> None:
        self._written: tuple[str, ...] = tuple(patterns)
        # `NoCasePath` patterns: indexed here as written (lower case, name in any case), and again
        # in a set of their own, matched against the path in lower case when it has an upper-case
        # letter anywhere.
        whole = [n for n, p in enumerate(self._written) if isinstance(p, NoCasePath)]
        lowered = [_fold(self._written[n]) for n in whole]
        self._nocase = GlobSet(lowered) if whole else None
        self._nocase_index = whole
        # With its folders in lower case, a path needs that second look only for a file named
        # like one of their folder patterns (`.clinerules/` matches a file `.CLINERULES` too).
        self._nocase_names = frozenset(
            p.rstrip("/").rsplit("/", 1)[-1] for p in lowered if p.endswith("/")
        )
        self._any_case = frozenset(any_case).union(whole)
        self._globs: tuple[Glob, ...] | None = None
        self._by_name = _NameTables()  # patterns on the file name alone
        self._name_cache: dict[str, tuple[int, ...]] = {}  # file names repeat a lot
        # Rooted patterns (starting with a literal folder): by what the path must equal.
        self._path: dict[str, list[int]] = {}  # the whole path
        self._dir: dict[str, list[int]] = {}  # a path prefix ending at `/` or the end
        self._under: dict[str, list[int]] = {}  # a path prefix ending at `/`, more after it
        self._in_dir: dict[str, list[tuple[_Seg, bool, int]]] = {}  # the folder, then the name
        self._heads: set[str] = set()  # the first segments of all the keys above
        self._root: list[tuple[_Seg, bool, int]] = []  # `/name*`: the name of a path with no `/`
        self._seg: dict[str, list[tuple[str | None, int]]] = {}  # any segment (+ folders check)
        self._seg_keys: frozenset[str] = frozenset()
        # by the parent folder's name: (the folders ending there, name segment, fold, index)
        self._deep: dict[str, list[tuple[str, _Seg, bool, int]]] = {}
        # `**/d/**` and `**/d/**/name`: under a folder named d at any depth (a name, or anything)
        self._in_folder: dict[str, list[tuple[_Seg | None, bool, int]]] = {}
        self._in_folder_keys: frozenset[str] = frozenset()
        # `/.*/**/name`: a file name anywhere under a top-level dot-folder
        self._in_dot_root: list[tuple[_Seg, bool, int]] = []
        # `d/**/name`: a file name anywhere under the top-level folder d
        self._in_top: dict[str, list[tuple[_Seg, bool, int]]] = {}
        self._fb_match: dict[int, tuple[Callable[[str], object], bool]] = {}
        self._fb_by_segment: dict[str, list[int]] = {}
        self._fb_by_ext: dict[str, list[int]] = {}
        self._fb_by_ext2: dict[str, list[int]] = {}
        self._fb_by_prefix: dict[str, list[int]] = {}
        self._fb_always: list[int] = []
        any_case = self._any_case
        by_name = self._by_name
        # Characters only the regex engine handles; if no pattern has any, skip looking per pattern.
        joined = "\n".join(self._written)
        odd = "[" in joined or "?" in joined or "\\" in joined or "\x00" in joined
        for i, written in enumerate(self._written):
            fold = i in any_case
            pattern = _fold(written) if isinstance(written, NoCasePath) else written
            if (
                "/" not in pattern  # the common case, inlined: a file name at any depth
                and pattern[:1] not in ("", "!")
                and pattern not in (".", "..", "**")
                and not (odd and _needs_regex(pattern))
            ):
                by_name.add(_fold(pattern) if fold else pattern, fold, i)
            elif not self._add_plain(pattern, i, fold):
                self._add_fallback(_nocase_name(pattern) if fold else pattern, i)
        self._seg_keys = frozenset(self._seg)
        self._in_folder_keys = frozenset(self._in_folder)
        for table in (self._path, self._dir, self._under, self._in_dir):
            self._heads.update(key.partition("/")[0] for key in table)

    @property
    def patterns(self) -> tuple[str, ...]:
        """The patterns as matched (file names of `any_case` patterns expanded by `nocase`)."""
        return tuple(
            nocase(p)
            if isinstance(p, NoCasePath)
            else _nocase_name(p)
            if i in self._any_case
            else p
            for i, p in enumerate(self._written)
        )

    @property
    def globs(self) -> tuple[Glob, ...]:
        """Every pattern compiled (on first use: matching does not need them)."""
        if self._globs is None:
            self._globs = tuple(compile_glob(p) for p in self.patterns)
        return self._globs

    def _add_plain(self, pattern: str, i: int, fold: bool) -> bool:
        """Index a pattern with a `/` of the usual shapes without a regex; False if it is not."""
        if pattern[:1] in ("", "!") or "/" not in pattern or _needs_regex(pattern):
            return False  # `__init__` did the plain names
        rooted = pattern[0] == "/"
        body = pattern[1:] if rooted else pattern
        dir_flag = body.endswith("/")
        if dir_flag:
            body = body.rstrip("/")
            fold = False  # `nocase` of the empty name after the last `/` changes nothing
        segs = body.split("/")
        if "" in segs or "." in segs or ".." in segs:
            return False  # invalid: the fallback raises the error
        while len(segs) > 1 and segs[0] == "**" and segs[1] == "**":
            del segs[0]
        while len(segs) > 1 and segs[-1] == "**" and segs[-2] == "**":
            del segs[-1]
        if self._add_under_folder(segs, rooted, dir_flag, fold, i):
            return True
        if "**" in segs[1:-1]:
            return False
        lead = segs[0] == "**"
        if lead:
            del segs[0]
            if not segs:
                return False  # `**` alone
        tail = segs[-1] == "**"
        if tail:
            if lead:
                return False
            del segs[-1]
            fold = False
        dirs, name = segs[:-1], segs[-1]
        if any("*" in d for d in dirs) or ((dir_flag or tail) and "*" in name):
            return False
        if fold:
            name = _fold(name)
        if lead:
            if not dirs and not dir_flag:  # `**/name`: the file name at any depth
                self._by_name.add(name, fold, i)
            elif dir_flag:  # `**/a/b/`: these folders at any depth
                check = "/" + "/".join(segs) + "/" if dirs else None
                self._seg.setdefault(name, []).append((check, i))
            else:  # `**/a/b/name`
                self._deep.setdefault(dirs[-1], []).append(("/".join(dirs), _seg(name), fold, i))
        elif tail:  # `a/b/**`: under these folders
            self._under.setdefault("/".join(segs), []).append(i)
        elif not dirs and not rooted:  # `name/`: a folder (or file) of that name at any depth
            self._seg.setdefault(name, []).append((None, i))
        elif dir_flag:  # `a/b/`: this folder (or file) and everything under it
            self._dir.setdefault("/".join(segs), []).append(i)
        elif "*" not in name and not fold:  # `a/b/c`: exactly this path
            self._path.setdefault("/".join(segs), []).append(i)
        elif not dirs:  # `/name*`: a file name at the root
            self._root.append((_seg(name), fold, i))
        else:  # `a/b/*.md`: a name pattern in this folder
            self._in_dir.setdefault("/".join(dirs), []).append((_seg(name), fold, i))
        return True

    def _add_under_folder(
        self, segs: list[str], rooted: bool, dir_flag: bool, fold: bool, i: int
    ) -> bool:
        """Index `**/d/**`, `**/d/**/name`, `d/**/name` and `/.*/**/name` (`d` literal): a name
        (or anything) under a folder at any depth, under a top-level folder, under any top-level
        dot-folder. False for any other shape."""
        if dir_flag:
            return False
        if not rooted and len(segs) in (3, 4) and segs[0] == "**" and segs[2] == "**":
            folder = segs[1]
            if "*" in folder or "**" in segs[3:]:
                return False
            seg = None if len(segs) == 3 else _seg(_fold(segs[3]) if fold else segs[3])
            self._in_folder.setdefault(folder, []).append((seg, fold, i))
            return True
        if len(segs) == 3 and segs[1] == "**" and segs[0] != "**" and segs[2] != "**":
            seg = _seg(_fold(segs[2]) if fold else segs[2])
            if rooted and segs[0] == ".*":
                self._in_dot_root.append((seg, fold, i))
                return True
            if "*" not in segs[0]:  # `d/**/name` starts at the root, with or without a `/`
                self._in_top.setdefault(segs[0], []).append((seg, fold, i))
                return True
        return False

    def _add_fallback(self, pattern: str, i: int) -> None:
        glob = compile_glob(pattern)  # raises ValueError for an invalid pattern
        self._fb_match[i] = (glob._fullmatch, glob._basename_only)
        if glob.segment is not None:
            self._fb_by_segment.setdefault(glob.segment, []).append(i)
        elif glob.prefix is not None:
            self._fb_by_prefix.setdefault(glob.prefix, []).append(i)
        elif glob.ext2 is not None:
            self._fb_by_ext2.setdefault(glob.ext2, []).append(i)
        elif glob.ext is not None:
            self._fb_by_ext.setdefault(glob.ext, []).append(i)
        else:
            self._fb_always.append(i)

    def matches(self, path: str) -> list[int]:
        """Indices (ascending) of every pattern that matches `path`."""
        slash = path.rfind("/")
        base = path[slash + 1 :]
        named = self._name_cache.get(base)
        if named is None:
            if len(self._name_cache) >= 8192:
                self._name_cache.clear()
            named = self._name_cache[base] = self._by_name.matches(base)
        found: list[int] = []
        if slash < 0:
            for seg_m, fold, i in self._root:
                if _seg_match(seg_m, _fold(base) if fold else base):
                    found.append(i)
        if (path if slash < 0 else path[: path.find("/")]) in self._heads:
            hit = self._path.get(path)
            if hit is not None:
                found += hit
            by_dir, by_under = self._dir, self._under
            hit = by_dir.get(path)
            if hit is not None:
                found += hit
            end = path.find("/")
            while end >= 0:
                prefix = path[:end]
                hit = by_dir.get(prefix)
                if hit is not None:
                    found += hit
                if end + 1 < len(path):
                    hit = by_under.get(prefix)
                    if hit is not None:
                        found += hit
                end = path.find("/", end + 1)
            if slash >= 0:
                in_dir = self._in_dir.get(path[:slash])
                if in_dir is not None:
                    for seg_m, fold, i in in_dir:
                        if _seg_match(seg_m, _fold(base) if fold else base):
                            found.append(i)
        segs = path.split("/")
        if not self._seg_keys.isdisjoint(segs):
            for seg in self._seg_keys.intersection(segs):
                for check, i in self._seg[seg]:
                    if check is None or check in f"/{path}/":
                        found.append(i)
        if slash >= 0 and (self._in_folder_keys or self._in_top or self._in_dot_root):
            found += self._under_folders(path, segs, base)
        if self._deep and slash >= 0:
            deep = self._deep.get(segs[-2])
            if deep is not None:
                folder = path[:slash]
                for dirs, seg_m, fold, i in deep:
                    if (folder == dirs or folder.endswith("/" + dirs)) and _seg_match(
                        seg_m, _fold(base) if fold else base
                    ):
                        found.append(i)
        if self._fb_match:
            found += self._fallback_matches(path, base)
        if self._nocase is not None and not path.islower():
            folders = path[:slash] if slash > 0 else ""
            if (folders and not folders.islower() and _fold(folders) != folders) or (
                _fold(base) in self._nocase_names
            ):
                found += [self._nocase_index[i] for i in self._nocase.matches(_fold(path))]
        if not found:
            return list(named)
        found += named
        return sorted(set(found))

    def _under_folders(self, path: str, segs: list[str], base: str) -> list[int]:
        """Matches of `**/d/**`, `**/d/**/name`, `d/**/name` and `/.*/**/name` (a path with `/`)."""
        found: list[int] = []
        if self._in_folder_keys and not self._in_folder_keys.isdisjoint(segs):
            for folder in self._in_folder_keys.intersection(segs[:-1]):
                # something must follow the folder: `a/d/` has nothing under d
                under = bool(base) or folder in segs[:-2]
                for seg_u, fold, i in self._in_folder[folder]:
                    if seg_u is None:
                        if under:
                            found.append(i)
                    elif _seg_match(seg_u, _fold(base) if fold else base):
                        found.append(i)
        if self._in_top:
            top = self._in_top.get(segs[0])
            if top is not None:
                for seg_t, fold, i in top:
                    if _seg_match(seg_t, _fold(base) if fold else base):
                        found.append(i)
        if self._in_dot_root and base and path[:1] == ".":
            for seg_d, fold, i in self._in_dot_root:
                if _seg_match(seg_d, _fold(base) if fold else base):
                    found.append(i)
        return found

    def _fallback_matches(self, path: str, raw_base: str) -> list[int]:
        folded = _fold(path)
        segs = folded.split("/")
        base = segs[-1]
        cands: set[int] = set(self._fb_always)
        for seg in segs:
            hit = self._fb_by_segment.get(seg)
            if hit is not None:
                cands.update(hit)
        dot = base.rfind(".")
        if dot >= 0:
            hit = self._fb_by_ext.get(base[dot + 1 :])
            if hit is not None:
                cands.update(hit)
            dot2 = base.rfind(".", 0, dot)
            if dot2 >= 0:
                hit = self._fb_by_ext2.get(base[dot2 + 1 :])
                if hit is not None:
                    cands.update(hit)
        hit = self._fb_by_prefix.get(base[:2])
        if hit is not None:
            cands.update(hit)
        out = []
        for i in cands:
            fullmatch, on_base = self._fb_match[i]
            if fullmatch(raw_base if on_base else path) is not None:
                out.append(i)
        return out


def _nocase_name(pattern: str) -> str:
    """`pattern` with its file name (the part after the last `/`) made any-case by `nocase`."""
    head, sep, name = pattern.rpartition("/")
    return f"{head}{sep}{nocase(name)}"
