"""Gitignore-style globs, the one path-pattern language of signoff.

Classifiers, policy rule paths and agent scopes all use these, so a pattern means the same thing
everywhere. Matching is case-sensitive and byte-exact on repo-relative posix paths (str decoded with
surrogateescape, as `signoff.changes` produces them):

- ``*`` and ``?`` never cross ``/``; ``[abc]``, ``[a-z]`` and ``[!a]`` (or ``[^a]``) match one
  character other than ``/``; ``\\x`` matches ``x`` literally.
- ``**`` as a whole segment matches zero or more whole directories: ``**/x``, ``a/**/b``, ``a/**``.
- A pattern with no ``/`` (other than a trailing one) matches the basename at any depth; any other
  pattern is anchored at the repo root, and a leading ``/`` anchors explicitly.
- A trailing ``/`` means "this directory and everything under it" (it also matches a file of
  that name, so replacing a directory by a file or symlink is still caught). ``a/**`` matches only
  what is under ``a``. A pattern naming a directory without ``/`` or ``/**`` matches only that
  exact path.
- A leading ``!`` is refused rather than silently read as gitignore's negation: write ``\\!``.

Each pattern compiles once to a regex (`compile_glob` is cached); `signoff.patterns.globset.GlobSet`
matches many patterns at once, mostly without regexes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

# `re` is imported where a pattern is compiled: the usual patterns never need it (see `GlobSet`).
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Glob", "compile_glob", "match_any", "nocase"]

# ASCII-only case folding: sound for index keys (a case pair `[xX]` folds like the path does) and
# free of Unicode folding surprises (`"İ".lower()` has two characters).
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# One token of a segment: (regex, literal character folded to lower case, or None for a wildcard).
_Token = tuple[str, str | None]


class Glob:
    """One compiled pattern. `match` is a single regex call."""

    __slots__ = (
        "_basename_only",
        "_fullmatch",
        "exact_ext",
        "exact_name",
        "ext",
        "ext2",
        "pattern",
        "prefix",
        "segment",
    )

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        #: Index keys (ASCII-folded): a path segment that must be present, the extension the
        #: basename must have, the first two characters the basename must start with.
        self.segment: str | None = None
        self.ext: str | None = None
        self.ext2: str | None = None  # the last two extensions (`prompt.md`) when known
        self.prefix: str | None = None
        import re

        regex, self._basename_only = self._translate(pattern)
        try:
            self._fullmatch = re.compile(regex, re.DOTALL).fullmatch
        except re.error as err:  # e.g. a reversed range `[z-a]`
            raise ValueError(f"glob pattern {pattern!r} is invalid: {err}") from None
        #: Shapes that need no regex at all: a plain basename (`go.mod`) or `*.ext`.
        self.exact_name: str | None = None
        self.exact_ext: str | None = None
        if self._basename_only and not any(c in pattern for c in "?[\\"):
            if "*" not in pattern:
                self.exact_name = pattern
            elif pattern.startswith("*.") and not any(c in pattern[2:] for c in "*."):
                self.exact_ext = pattern[2:]

    def match(self, path: str) -> bool:
        """Whether `path` (repo-relative, posix, no leading slash) matches the whole pattern."""
        if self._basename_only:
            path = path[path.rfind("/") + 1 :]
        return self._fullmatch(path) is not None

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"

    def _translate(self, pattern: str) -> tuple[str, bool]:
        if not pattern:
            raise ValueError("empty glob pattern")
        if "\x00" in pattern:
            raise ValueError(f"glob pattern {pattern!r} contains a NUL character")
        if pattern.startswith("!"):
            raise ValueError(
                f"glob pattern {pattern!r} starts with `!`: negation is not supported; "
                "write `\\!` to match a literal `!`"
            )
        body = pattern[1:] if pattern.startswith("/") else pattern
        dir_flag = body.endswith("/")
        body = body.rstrip("/") if dir_flag else body
        if not body:
            raise ValueError(f"glob pattern {pattern!r} names no path")
        segs = body.split("/")
        for seg in segs:
            if seg in ("", ".", ".."):
                raise ValueError(
                    f"glob pattern {pattern!r} has an empty, `.` or `..` segment; "
                    "patterns are repo-relative paths without `//`, `./` or `../`"
                )
        anchored = len(segs) > 1 or pattern.startswith("/")
        collapsed: list[str] = []
        for seg in segs:  # `**/**` means the same as `**`
            if not (seg == "**" and collapsed and collapsed[-1] == "**"):
                collapsed.append(seg)
        parsed = [None if s == "**" else _parse_segment(s, pattern) for s in collapsed]

        literal_segments = [
            "".join(ch for _, ch in toks if ch is not None)
            for toks in parsed
            if toks is not None and all(ch is not None for _, ch in toks)
        ]
        self.segment = literal_segments[-1] if literal_segments else None
        last = parsed[-1]
        if last is not None and not dir_flag:
            head = "".join(ch or "" for ch in _until_wildcard(last))
            tail = "".join(ch or "" for ch in _until_wildcard(last[::-1]))[::-1]
            if "." in tail:
                self.ext = tail[tail.rfind(".") + 1 :]
                if tail.count(".") >= 2:
                    self.ext2 = tail[tail.rfind(".", 0, tail.rfind(".")) + 1 :]
            if len(head) >= 2:
                self.prefix = head[:2]

        parts: list[str] = []
        n = len(parsed)
        for i, toks in enumerate(parsed):
            if toks is None:  # `**`
                if n == 1:
                    parts.append(".+")
                elif i == 0:
                    parts.append("(?:.*/)?")
                elif i == n - 1:
                    parts.append("/.+")
                else:
                    parts.append("/(?:.*/)?")
                continue
            if i > 0 and parsed[i - 1] is not None:
                parts.append("/")
            parts.append("".join(rx for rx, _ in toks))
        regex = "".join(parts)
        basename_only = not anchored and not dir_flag and parsed[0] is not None
        if not anchored and not basename_only:
            regex = "(?:.*/)?" + regex
        if dir_flag:
            regex += "(?:/.*)?"
        return regex, basename_only


def _until_wildcard(tokens: list[_Token]) -> list[str | None]:
    out: list[str | None] = []
    for _, ch in tokens:
        if ch is None:
            break
        out.append(ch)
    return out


def _parse_segment(seg: str, pattern: str) -> list[_Token]:
    """Tokens of one `/`-free segment (not `**`)."""
    import re

    toks: list[_Token] = []
    i, n = 0, len(seg)
    while i < n:
        c = seg[i]
        if c == "*":
            toks.append(("[^/]*", None))
        elif c == "?":
            toks.append(("[^/]", None))
        elif c == "\\":
            if i + 1 >= n:
                raise ValueError(f"glob pattern {pattern!r} has a `\\` that escapes nothing")
            i += 1
            toks.append((re.escape(seg[i]), seg[i].translate(_FOLD)))
        elif c == "[":
            tok, i = _parse_class(seg, i, pattern)
            toks.append(tok)
            continue
        else:
            toks.append((re.escape(c), c.translate(_FOLD)))
        i += 1
    return toks


def _parse_class(seg: str, start: int, pattern: str) -> tuple[_Token, int]:
    """Parse `[...]` starting at `start`; return its token and the index after `]`."""
    import re

    i = start + 1
    negate = i < len(seg) and seg[i] in "!^"
    if negate:
        i += 1
    members: list[str] = []
    first = True
    while True:
        if i >= len(seg):
            raise ValueError(
                f"glob pattern {pattern!r} has an unbalanced `[` (at character {start + 1}); "
                "write `\\[` to match a literal `[`"
            )
        c = seg[i]
        if c == "]" and not first:
            break
        if c == "\\" and i + 1 < len(seg):
            i += 1
            c = seg[i]
        members.append(c)
        first = False
        i += 1
    # `-` between two members is a range; anywhere else it is literal.
    body: list[str] = []
    j = 0
    plain = True
    while j < len(members):
        if j + 2 < len(members) and members[j + 1] == "-":
            body.append(f"{re.escape(members[j])}-{re.escape(members[j + 2])}")
            plain = False
            j += 3
        else:
            body.append(re.escape(members[j]))
            j += 1
    regex = "[^/" + "".join(body) + "]" if negate else "(?!/)[" + "".join(body) + "]"
    a = members[0]
    is_case_pair = (
        not negate
        and plain
        and len(members) == 2
        and a.isascii()
        and a.isalpha()
        and members[1] != a
        and members[1].translate(_FOLD) == a.translate(_FOLD)
    )
    return (regex, a.translate(_FOLD) if is_case_pair else None), i + 1


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> Glob:
    """Compile (once) and validate a pattern; raises ValueError with a clear message."""
    return Glob(pattern)


def match_any(patterns: Iterable[str], path: str) -> str | None:
    """The first pattern in `patterns` that matches `path`, or None."""
    for pattern in patterns:
        if compile_glob(pattern).match(path):
            return pattern
    return None


class NoCasePath(str):
    """A pattern whose whole path, folders included, matches in any ASCII case, as if written with
    `nocase`: `NoCasePath(".claude/")` matches `.Claude/x.md`. `GlobSet` indexes it as written,
    lower case, and matches the path in lower case. Shown as written."""

    __slots__ = ()


def nocase(pattern: str) -> str:
    """The pattern with every ASCII letter made case-insensitive (`Dockerfile` → `[Dd][Oo]...`).

    For names that tools or case-insensitive filesystems (macOS, Windows checkouts) accept in any
    case, so a case variant cannot slip past a rule. Patterns may not contain `[` or `\\`.
    """
    if "[" in pattern or "\\" in pattern:
        raise ValueError(f"nocase() takes a pattern without classes or escapes, got {pattern!r}")
    return "".join(
        f"[{c.upper()}{c.lower()}]" if c.isascii() and c.isalpha() else c for c in pattern
    )
