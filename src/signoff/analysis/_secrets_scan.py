"""The secrets scan of added lines, in two paths that must find exactly the same secrets.

- `scan_reference`: the plain path. Every line is cut into overlapping windows (bounding regex
  time on minified code) and each window is tried against one Python alternation of all the
  token plugins' patterns and the keyword plugin's words; the plugins then run on the windows
  that match.
- `scan_fast`: the same windows, joined into one buffer and searched once by Hyperscan, a
  multi-pattern regex engine, for loosened forms of the same patterns (generated into
  `_secrets_prefilter.py` by `signoff.analysis._secrets_translate`, which says why each is a
  superset on plain text: tabs and printable ASCII), the keyword plugin's patterns for every
  kind of file among them. A window with no hit is skipped; one with a hit runs only the
  plugins whose patterns hit (the others cannot match). Other characters,
  where Python's regexes and the engine's differ (Unicode classes and case folding), are shown
  to the engine as a plain stand-in that every pattern element matching the original matches
  too (`signoff.patterns.plain_view.stand_in`); the plugins always run on the original text.

Both end in `signoff.analysis._secrets_plugins.run_plugins`, so a difference between them can
only come from which windows and plugins are tried; the differential test
(tests/analysis/test_secrets_fast.py) compares them on generated and real text. `scan` picks the
fast path once it pays for the engine's compile (about 0.35 s of CPU, once per process; `warm_up`
starts it in the background when the caller knows how much text lies ahead) and when Hyperscan is
installed and works on this machine; otherwise, the reference path.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from signoff.analysis import _secrets_plugins as sp
from signoff.patterns.plain_view import plain_view

#: Lines longer than WINDOW are scanned in windows overlapping by OVERLAP characters.
WINDOW, OVERLAP = 4000, 200
#: Characters scanned (per process) before compiling the engine pays for itself: its compile
#: (about 0.35 s of CPU) costs what the reference path spends on about 250 KB.
ENGINE_AFTER = 256 << 10
_KEYWORD = "KeywordDetector"


class Finding(NamedTuple):
    """One secret on one added line; `preview` is redacted (see `redact`)."""

    line: int
    kind: str
    preview: str


def redact(value: str) -> str:
    """The first four characters of a value of 12 or more, else nothing: never the value."""
    return f"{value[:4]}…" if len(value) >= 12 else "…"


def windows(line: str) -> list[str]:
    if len(line) <= WINDOW:
        return [line]
    return [line[start : start + WINDOW + OVERLAP] for start in range(0, len(line), WINDOW)]


@cache
def _quick() -> re.Pattern[str]:
    """The reference path's window check, from the generated module, so that text with no
    candidate never imports detect-secrets (about 100 ms)."""
    from signoff.analysis._secrets_prefilter import KEYWORD_HINT, PREFILTER

    return re.compile(f"(?:{PREFILTER})|(?i:{KEYWORD_HINT})")


_LOADING = threading.Lock()


def checked_plugins() -> sp.Plugins:
    """`_checked_plugins`, loaded by whichever thread asks first (the others wait for it)."""
    with _LOADING:
        return _checked_plugins()


@cache
def _checked_plugins() -> sp.Plugins:
    """The installed plugins, refused if they are not those `_secrets_prefilter.py` was generated
    from (both paths would then skip lines a plugin matches)."""
    from signoff.analysis._secrets_prefilter import (
        ALWAYS,
        KEYWORD_HINT,
        KEYWORD_PATTERNS,
        PREFILTER,
    )

    plugins = sp.plugins()
    always = tuple(type(p).__name__ for p in plugins.always)
    keywords = {pattern.pattern for group in sp.keyword_groups() for pattern in group}
    installed = (plugins.prefilter.pattern, sp.keyword_hint_source(), always, keywords)
    if installed != (PREFILTER, KEYWORD_HINT, ALWAYS, set(KEYWORD_PATTERNS)):
        raise RuntimeError("detect-secrets differs from the one _secrets_prefilter.py was made for")
    return plugins


class _Run:
    """One scan's state: the path's keyword patterns (looked up once) and the findings."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.keywords: dict[re.Pattern[str], int] | None = None
        self.found: list[Finding] = []

    def keyword_owners(self) -> set[str]:
        """The engine's names for the keyword patterns used on this path."""
        from signoff.analysis._secrets_prefilter import KEYWORD_PATTERNS

        if self.keywords is None:
            self.keywords = sp.keyword_regex(self.path)
        used = {pattern.pattern for pattern in self.keywords}
        return {f"{_KEYWORD}/{i}" for i, src in enumerate(KEYWORD_PATTERNS) if src in used}

    def check(self, number: int, chunk: str, chosen: Sequence[Any], seen: set[str]) -> None:
        if not chosen:
            return
        if self.keywords is None:
            self.keywords = sp.keyword_regex(self.path)
        for kind, secret in sp.run_plugins(chunk, chosen, seen, self.keywords):
            self.found.append(Finding(number, kind, redact(secret)))


def _reference_choice(p: sp.Plugins, chunk: str) -> list[Any]:
    chosen = [*p.filtered] if p.prefilter.search(chunk) else []
    return chosen + [a for a in p.always if not sp.is_keyword(a) or p.keyword_hint.search(chunk)]


def scan_reference(path: str, lines: Sequence[tuple[int, str]]) -> list[Finding]:
    """The plain path: every window of every line through Python's regexes."""
    quick = _quick()
    if not any(quick.search(chunk) for _, line in lines for chunk in windows(line)):
        return []
    p = checked_plugins()
    run = _Run(path)
    for number, line in lines:
        seen: set[str] = set()
        for chunk in windows(line):
            run.check(number, chunk, _reference_choice(p, chunk), seen)
    return run.found


class Engine:
    """A compiled Hyperscan database of the loosened patterns, and which plugin owns each."""

    def __init__(self, database: Any, owners: tuple[str, ...]) -> None:
        self.database = database
        self.owners = owners
        self.lock = threading.Lock()  # one scratch space: scans never overlap

    def hits(self, buffer: bytes) -> list[tuple[int, int]]:
        """(end offset, pattern id) of every match, in offset order."""
        found: list[tuple[int, int]] = []

        def on_match(ident: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            found.append((end, ident))

        with self.lock:
            self.database.scan(buffer, match_event_handler=on_match)
        found.sort()
        return found


_COMPILING = threading.Lock()


def engine() -> Engine | None:
    """The engine, compiled on first use by whichever thread asks first (the others wait for
    it); None when Hyperscan is missing or cannot run here."""
    with _COMPILING:
        return _compiled()


def warm_up(chars: int) -> None:
    """Start compiling the engine now, in the background, when `chars` characters of text are
    about to be scanned, and load the plugins after it: Hyperscan's compile lets go of the
    interpreter, so it overlaps the work before the first scan (the gate calls this once it
    knows the sizes of the files that land, before reading them)."""
    if chars + _Budget.scanned >= ENGINE_AFTER and not _Budget.warming:
        _Budget.warming = True
        threading.Thread(target=_warm, name="signoff-secrets-engine", daemon=True).start()


def _warm() -> None:
    """The engine, then the plugins (importing detect-secrets holds the interpreter, but only
    while the caller waits on git anyway)."""
    if engine() is not None:
        checked_plugins()


@cache
def _compiled() -> Engine | None:
    try:
        import hyperscan
    except ImportError:
        return None
    from signoff.analysis._secrets_prefilter import ALWAYS, ENGINE

    if ALWAYS != (_KEYWORD,):
        return None  # a plugin that runs on every line cannot be prefiltered
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    caseless = hyperscan.HS_FLAG_CASELESS
    try:
        database.compile(
            expressions=[pattern.encode() for _, pattern, _ in ENGINE],
            ids=list(range(len(ENGINE))),
            flags=[caseless if ci else 0 for _, _, ci in ENGINE],
        )
    except hyperscan.error:
        return None
    return Engine(database, tuple(owner for owner, _, _ in ENGINE))


def engine_view(texts: Sequence[str]) -> bytes:
    """The windows as the engine reads them: plain (stand-ins for other characters), one per
    line."""
    return plain_view("\n".join(texts))


def _candidates(engine_: Engine, buffer: bytes) -> dict[int, set[str]]:
    """Window index -> names of the plugins whose patterns hit it."""
    out: dict[int, set[str]] = {}
    index, pos = 0, 0
    for end, ident in engine_.hits(buffer):
        index += buffer.count(b"\n", pos, end - 1)  # a hit never spans a line break
        pos = end - 1
        out.setdefault(index, set()).add(engine_.owners[ident])
    return out


def scan_fast(path: str, lines: Sequence[tuple[int, str]], engine_: Engine) -> list[Finding]:
    """The engine's path: only the windows and plugins it points at (see the module docstring)."""
    texts = [line for _, line in lines]
    owner: list[int] | None = None
    if texts and max(map(len, texts)) > WINDOW:
        owner = []
        chunks: list[str] = []
        for i, text in enumerate(texts):
            parts = windows(text)
            chunks += parts
            owner += [i] * len(parts)
        texts = chunks
    buffer = engine_view(texts)
    if buffer.count(b"\n") != max(len(texts) - 1, 0):  # a line holding a line break
        return scan_reference(path, lines)
    candidates = _candidates(engine_, buffer)
    if not candidates:
        return []
    p = checked_plugins()
    run = _Run(path)
    keyword: set[str] | None = None
    seen: dict[int, set[str]] = {}
    for index in sorted(candidates):
        line = owner[index] if owner is not None else index
        chunk, names = texts[index], candidates[index]
        chosen = [f for f in p.filtered if type(f).__name__ in names]
        if any(name.startswith(_KEYWORD) for name in names):
            keyword = run.keyword_owners() if keyword is None else keyword
            if names & keyword and p.keyword_hint.search(chunk):
                chosen += [a for a in p.always if sp.is_keyword(a)]
        run.check(lines[line][0], chunk, chosen, seen.setdefault(line, set()))
    return run.found


class _Budget:
    """Characters the reference path has scanned in this process (see `ENGINE_AFTER`), and
    whether the engine is on its way (`warm_up`)."""

    scanned = 0
    warming = False


def scan(path: str, lines: Sequence[tuple[int, str]]) -> list[Finding]:
    """Secrets on `lines` ((number, text) pairs of one file's added lines), by the fast path
    when the engine is worth compiling and available, else by the reference path."""
    ready = _Budget.warming or _compiled.cache_info().currsize
    size = 0 if ready else sum([len(line) for _, line in lines])
    if ready or _Budget.scanned + size >= ENGINE_AFTER:
        compiled = engine()
        if compiled is not None:
            return scan_fast(path, lines, compiled)
    _Budget.scanned += size
    return scan_reference(path, lines)
