"""A unified diff as HTML: diff structure plus the file's own syntax, highlighted server-side.

Each line is tokenised on its own with the lexer Pygments picks for the file name (so a string
that spans lines may be coloured as code: a small price for never running script in the page).
Every piece of text goes through `markupsafe.escape`; the only markup added is `<span class>`
with Pygments' short class names (styled by `static/app.css`).

Bidirectional control characters (the "Trojan Source" trick: U+202E and friends make code read
differently on screen than the compiler reads it) are never passed through: each is replaced by
a visible marker naming it (`⟨U+202E⟩`, class `bidi`), and the file is flagged, as code hosts do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.token import STANDARD_TYPES, _TokenType
from pygments.util import ClassNotFound


@dataclass(frozen=True)
class DiffLine:
    kind: str  # add | del | ctx | hunk | meta
    html: Markup


@dataclass(frozen=True)
class FileDiff:
    path: str
    lines: tuple[DiffLine, ...]

    @property
    def path_html(self) -> Markup:
        return mark(self.path)

    @property
    def bidi(self) -> bool:
        """Whether the path or any line holds a bidirectional control character."""
        return bool(BIDI.search(self.path)) or any('class="bidi"' in ln.html for ln in self.lines)


#: Unicode's bidirectional formatting characters (UAX #9): embeddings, overrides, isolates and
#: the implicit marks.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def mark(text: str) -> Markup:
    """`text` escaped, with each bidirectional control replaced by a visible, named marker."""
    if not BIDI.search(text):
        return escape(text)
    out = []
    last = 0
    for m in BIDI.finditer(text):
        out.append(escape(text[last : m.start()]))
        c = m.group()
        name = unicodedata.name(c, "BIDI CONTROL")
        out.append(Markup('<span class="bidi" title="{}">⟨U+{:04X}⟩</span>').format(name, ord(c)))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _lexer(path: str) -> Lexer:
    lexer: Lexer
    try:
        lexer = get_lexer_for_filename(path, stripnl=False, ensurenl=False)
    except ClassNotFound:
        lexer = TextLexer(stripnl=False, ensurenl=False)
    return lexer


def _css(tok: _TokenType) -> str:
    while tok not in STANDARD_TYPES and tok.parent is not None:
        tok = tok.parent
    return str(STANDARD_TYPES.get(tok, ""))


def _code(lexer: Lexer, text: str) -> Markup:
    out = []
    for tok, value in lexer.get_tokens(text):
        cls = _css(tok)
        out.append(
            Markup('<span class="{}">{}</span>').format(cls, mark(value)) if cls else mark(value)
        )
    return Markup("").join(out)


def split(patch: str) -> list[FileDiff]:
    """One `FileDiff` per `diff --git` section of `patch`."""
    files: list[FileDiff] = []
    path, lines, lexer = "", list[DiffLine](), _lexer("")
    for raw in patch.splitlines():
        if raw.startswith("diff --git "):
            if path:
                files.append(FileDiff(path, tuple(lines)))
            path = raw.rsplit(" b/", 1)[-1]
            lines, lexer = [], _lexer(path)
            continue
        if raw.startswith(("+++", "---", "index ", "new file", "deleted file", "similarity",
                           "rename ", "old mode", "new mode", "Binary files")):  # fmt: skip
            lines.append(DiffLine("meta", mark(raw)))
        elif raw.startswith("@@"):
            lines.append(DiffLine("hunk", mark(raw)))
        elif raw[:1] in ("+", "-", " "):
            kind = {"+": "add", "-": "del", " ": "ctx"}[raw[0]]
            lines.append(DiffLine(kind, escape(raw[0]) + _code(lexer, raw[1:])))
        else:
            lines.append(DiffLine("meta", mark(raw)))
    if path:
        files.append(FileDiff(path, tuple(lines)))
    return files
