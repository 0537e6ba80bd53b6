"""Which script rules of `signoff.classify.content` can match a text, in one Hyperscan search.

The plain path tries each rule's Python regex over the text in turn (`content.script_rule`
with no engine answer). On source code that is about 0.5 MB/s for the four rules together, and every
`.py`, `.js` or `.ts` file a change lands is a script to these rules, so a real history spent
half its check there. Hyperscan reads the text once, at hundreds of MB/s, and names the rules
that *may* match; Python's regex then runs only for those, on the original text, so the rule
that decides and the match quoted are the plain path's own. Why the engine's answer is never
narrower than Python's:

- each rule is compiled whole in prefilter mode (`HS_FLAG_PREFILTER`), which may only loosen a
  pattern (lookarounds dropped, repeats widened), never miss a match;
- the engine reads `signoff.patterns.plain_view.plain_view(text)`: one plain byte for each
  character, chosen so that every class, word boundary and case fold that matches the original
  matches the stand-in.

The database is compiled once per process (about 0.4 s of CPU), and only once the plain path
has read `ENGINE_AFTER` characters, so a short check never pays for it; or at once, in the
background, when the caller knows that much text lies ahead (`warm_up`). Without Hyperscan, or
where it cannot compile, every rule runs (the plain path). tests/classify/test_content_engine.py
compares the two paths on generated and real text.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

from signoff.patterns.plain_view import plain_view

__all__ = [
    "ENGINE_AFTER",
    "Engine",
    "compile_engine",
    "engine_for",
    "rules_worth_trying",
    "warm_up",
]

#: Characters the plain path reads (per process) before the engine's compile pays for itself.
ENGINE_AFTER = 256 << 10


class _Budget:
    """Characters the plain path has read in this process (a heuristic: a lost update under
    threads only moves the compile a little), and whether the engine is on its way."""

    read = 0
    warming = False


def rules_worth_trying(patterns: tuple[re.Pattern[str], ...], text: str) -> frozenset[int] | None:
    """Indices of the rules that may match `text`, or None for "every rule" (the plain path:
    before the engine pays for itself, or without it)."""
    ready = _Budget.warming or compile_engine.cache_info().currsize
    if not ready and _Budget.read + len(text) < ENGINE_AFTER:
        _Budget.read += len(text)
        return None
    engine = engine_for(patterns)
    return None if engine is None else engine.may_match(text)


def warm_up(patterns: tuple[re.Pattern[str], ...], chars: int) -> None:
    """Start compiling the engine now, in the background, when `chars` characters are about to
    be read: Hyperscan's compile lets go of the interpreter, so it overlaps the work before."""
    if chars + _Budget.read >= ENGINE_AFTER and not _Budget.warming:
        _Budget.warming = True
        threading.Thread(
            target=engine_for, args=(patterns,), name="signoff-content-engine", daemon=True
        ).start()


_COMPILING = threading.Lock()


def engine_for(patterns: tuple[re.Pattern[str], ...]) -> Engine | None:
    """The engine for `patterns`, compiled by whichever thread asks first (the others wait)."""
    with _COMPILING:
        return compile_engine(patterns)


class Engine:
    """A compiled database of the rules, each under its index in the rule table."""

    def __init__(self, database: Any) -> None:
        self.database = database
        self.lock = threading.Lock()  # one scratch space: scans never overlap

    def may_match(self, text: str) -> frozenset[int]:
        """Indices of the rules that may match `text` (a superset of those that do)."""
        found: set[int] = set()

        def on_match(ident: int, _start: int, _end: int, _flags: int, _ctx: object) -> None:
            found.add(ident)

        with self.lock:
            self.database.scan(plain_view(text), match_event_handler=on_match)
        return frozenset(found)


@cache
def compile_engine(patterns: tuple[re.Pattern[str], ...]) -> Engine | None:
    """The rules compiled for the engine; None when Hyperscan is missing or refuses them."""
    try:
        import hyperscan
    except ImportError:
        return None
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(
            expressions=[p.pattern.encode() for p in patterns],
            ids=list(range(len(patterns))),
            flags=[_flags(hyperscan, p) for p in patterns],
        )
    except hyperscan.error:
        return None
    return Engine(database)


def _flags(hs: Any, pattern: re.Pattern[str]) -> int:
    """Python's flags in the engine's terms; a flag it has no term for refuses the engine."""
    known = re.IGNORECASE | re.DOTALL | re.MULTILINE | re.UNICODE
    if pattern.flags & ~known:
        raise hs.error(f"flags {pattern.flags:#x} of {pattern.pattern[:40]!r}")
    out = int(hs.HS_FLAG_PREFILTER | hs.HS_FLAG_SINGLEMATCH | hs.HS_FLAG_ALLOWEMPTY)
    for python, engine in ((re.I, "CASELESS"), (re.S, "DOTALL"), (re.M, "MULTILINE")):
        if pattern.flags & python:
            out |= int(getattr(hs, f"HS_FLAG_{engine}"))
    return out
