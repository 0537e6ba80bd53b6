"""Translate detect-secrets' Python regexes into looser patterns for the multi-pattern engine.

Used only to generate `_secrets_prefilter.py` (and by the test that checks it is current), never
at scan time. The translation reads each pattern with Python's own regex parser, so nothing about
Python's syntax is guessed, and writes a pattern in the plain syntax Hyperscan accepts, with every
byte that is not a letter or digit escaped as ``\\xHH``.

On *plain* text (tabs and printable ASCII: where Python's ``\\d``, ``\\w``, ``\\s`` and case
folding mean the same as the engine's), every translated pattern matches wherever its original
matches, and maybe more: it is a prefilter, and the exact Python regexes confirm each candidate.
Other characters reach the engine as plain stand-ins (`signoff.patterns.plain_view.stand_in`:
the letter a character case-folds to, "0", a space, "a" or "%"); a negated class that would
refuse a stand-in its original passes is refused here, and a non-ASCII literal becomes ``.``.
What loosens it:

- anchors (``^ $ \\b \\A \\Z``) and lookaround are dropped;
- a repeat with an upper bound above 2 loses the bound and keeps at most `MIN_KEPT` of its
  lower bound (counted repeats are what make the engine's compile slow);
- leading and trailing elements that can match empty are dropped (they never decide whether a
  line holds a match);
- a backreference becomes any text (what the group matched is some text on the same line).

It never matches across a line break: ``.`` excludes it in the engine, and so does every negated
class written here, so each hit belongs to one scanned line.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from signoff.analysis import _secrets_plugins

#: Python's own regex parser and opcode names (no public API exposes the parse tree).
P: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

#: A repeat keeps at most this much of its lower bound (``x{40}`` becomes ``x{32,}``).
MIN_KEPT = 32
#: Character classes of Python's categories on plain text (tab and printable ASCII).
_CATEGORIES = {
    C.CATEGORY_DIGIT: ("0-9", False),
    C.CATEGORY_NOT_DIGIT: ("0-9", True),
    C.CATEGORY_WORD: ("0-9A-Za-z_", False),
    C.CATEGORY_NOT_WORD: ("0-9A-Za-z_", True),
    C.CATEGORY_SPACE: (r"\x09\x20", False),
    C.CATEGORY_NOT_SPACE: (r"\x09\x20", True),
}


class UntranslatableError(ValueError):
    """A construct with no safe looser form (a backreference, a conditional group...)."""


def _char(code: int, in_class: bool = False) -> str:
    if code == 0x0A:
        raise UntranslatableError("a line break (the engine's buffer separates lines with it)")
    if code > 0x7F:  # the engine sees its stand-in, which `.` matches
        if in_class:
            raise UntranslatableError("a non-ASCII character in a class")
        return "."
    return chr(code) if chr(code).isalnum() else f"\\x{code:02x}"


#: Stand-ins (and the case variants a case-sensitive class could tell apart from them).
_STAND_INS = frozenset(map(ord, "aAiIkKsS0 %"))
#: Categories Python applies to every character, so excluding one excludes the stand-ins of all
#: the characters it holds, as in Python.
_WHOLE_CATEGORIES = frozenset([C.CATEGORY_SPACE, C.CATEGORY_WORD, C.CATEGORY_DIGIT])


def _negated(items: list[tuple[Any, Any]]) -> None:
    """Refuse a negated class that could refuse a stand-in whose original it accepts."""
    for op, arg in items:
        if op is C.LITERAL:
            bad = arg in _STAND_INS
        elif op is C.RANGE:
            bad = any(c in _STAND_INS for c in range(arg[0], arg[1] + 1))
        else:
            bad = not (op is C.CATEGORY and arg in _WHOLE_CATEGORIES)
        if bad:
            raise UntranslatableError(f"a negated class excluding {op} {arg}")


def _set(body: str, negated: bool) -> str:
    return f"[^{body}\\x0a]" if negated else f"[{body}]"


def _class(items: list[tuple[Any, Any]]) -> str:
    if items and items[0][0] is C.NEGATE:
        _negated(items[1:])
    negated = False
    parts: list[str] = []
    for op, arg in items:
        if op is C.NEGATE:
            negated = True
        elif op is C.LITERAL:
            parts.append(_char(arg, in_class=True))
        elif op is C.RANGE:
            if arg[0] <= 0x0A <= arg[1]:
                raise UntranslatableError("a range holding the line break")
            parts.append(f"{_char(arg[0], True)}-{_char(arg[1], True)}")
        elif op is C.CATEGORY and not _CATEGORIES[arg][1]:
            parts.append(_CATEGORIES[arg][0])
        else:
            raise UntranslatableError(f"class item {op}")
    return _set("".join(parts), negated)


def _repeat(lo: int, hi: Any, item: Any) -> str:
    inner = f"(?:{_emit(item)})"
    if hi is not C.MAXREPEAT and hi <= 2:
        return f"{inner}{{{lo},{hi}}}"
    return f"{inner}{{{min(lo, MIN_KEPT)},}}"


def _emit(items: Any) -> str:
    out: list[str] = []
    for op, arg in items:
        if op is C.LITERAL:
            out.append(_char(arg))
        elif op is C.NOT_LITERAL:
            _negated([(C.LITERAL, arg)])
            out.append(_set(_char(arg, in_class=True), True))
        elif op is C.ANY:
            out.append(".")
        elif op is C.IN:
            out.append(_class(arg))
        elif op is C.CATEGORY:  # \W \D \S pass every stand-in their originals pass
            out.append(_set(*_CATEGORIES[arg]))
        elif op is C.BRANCH:
            out.append("(?:" + "|".join(_emit(branch) for branch in arg[1]) + ")")
        elif op is C.SUBPATTERN:
            _group, add, remove, body = arg
            if (add | remove) & ~re.IGNORECASE:
                raise UntranslatableError("inline flags other than (?i)")
            flag = "(?i:" if add else "(?-i:" if remove else "(?:"
            out.append(flag + _emit(body) + ")")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            out.append(_repeat(*arg))
        elif op is C.ATOMIC_GROUP:
            out.append(f"(?:{_emit(arg)})")
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue  # anchors and lookaround only narrow a match: dropping them loosens it
        elif op is C.GROUPREF:
            out.append("(?:.){0,}")  # the text a group matched: some text on the same line
        else:
            raise UntranslatableError(f"{op}")
    return "".join(out)


def engine_pattern(source: str, flags: int) -> str:
    """The loosened form of one Python regex (see the module docstring)."""
    tree = P.parse(source, flags)
    items = list(tree.data)

    def can_be_empty(item: Any) -> bool:
        return bool(P.SubPattern(tree.state, [item]).getwidth()[0] == 0)

    while items and can_be_empty(items[0]):
        items.pop(0)
    while items and can_be_empty(items[-1]):
        items.pop()
    if not items:
        raise UntranslatableError("matches the empty string")
    return _emit(items)


def keyword_patterns() -> tuple[re.Pattern[str], ...]:
    """Every pattern the keyword plugin may use, whatever the file type, in a stable order."""
    found: dict[str, re.Pattern[str]] = {}
    for group in _secrets_plugins.keyword_groups():
        for pattern in group:
            found.setdefault(pattern.pattern, pattern)
    return tuple(found[source] for source in sorted(found))


def engine_table() -> tuple[tuple[str, str, bool], ...]:
    """(owner, loosened pattern, caseless) for every pattern the prefilter covers (the owner is
    the plugin's class name) and every keyword-plugin pattern (``KeywordDetector/<index>`` in
    `keyword_patterns`)."""
    p = _secrets_plugins.plugins()
    rows: list[tuple[str, str, bool]] = []
    for plugin in p.filtered:
        for pattern in _secrets_plugins.covered_patterns(plugin) or ():
            loose = engine_pattern(pattern.pattern, pattern.flags)
            rows.append((type(plugin).__name__, loose, bool(pattern.flags & re.IGNORECASE)))
    for i, pattern in enumerate(keyword_patterns()):
        loose = engine_pattern(pattern.pattern, pattern.flags)
        rows.append((f"KeywordDetector/{i}", loose, bool(pattern.flags & re.IGNORECASE)))
    return tuple(rows)


def generated_prefilter_module() -> str:
    """The text of `_secrets_prefilter.py` for the installed detect-secrets."""
    p = _secrets_plugins.plugins()
    always = tuple(type(plugin).__name__ for plugin in p.always)
    rows = "".join(f"    {row!r},\n" for row in engine_table())
    keywords = "".join(f"    {pattern.pattern!r},\n" for pattern in keyword_patterns())
    return (
        f'"""{_GENERATED_DOC}"""\n\n'
        f"PREFILTER = {p.prefilter.pattern!r}\n\n"
        f"KEYWORD_HINT = {_secrets_plugins.keyword_hint_source()!r}\n\n"
        f"#: Plugins that run on every window the prefilters above let through.\n"
        f"ALWAYS = {always!r}\n\n"
        f"#: Every pattern of the keyword plugin, any file type (``KeywordDetector/<index>``).\n"
        f"KEYWORD_PATTERNS = (\n{keywords})\n\n"
        f"#: (owner, loosened pattern, caseless) for the multi-pattern engine.\n"
        f"ENGINE = (\n{rows})\n"
    )


_GENERATED_DOC = (
    "Generated from the installed detect-secrets by\n"
    "`signoff.analysis._secrets_translate.generated_prefilter_module()`: the exact prefilter\n"
    "sources the reference scan builds at run time, and the engine's loosened patterns.\n"
    "tests/analysis/test_secrets_prefilter.py checks they match.\n"
)
