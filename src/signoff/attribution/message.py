"""The parts of a commit message that say who or what made it, read the way git reads them.

**Trailers.** git (`git interpret-trailers`) calls a paragraph a trailer block when every line in
it is a trailer (`Token: value`, the token made of letters, digits and `-`, optional blanks before
the `:`) or a continuation (a line starting with a blank, after a trailer); or when at least 25%
of its lines are trailers and one of them is one git writes itself (`Signed-off-by: `,
`(cherry picked from commit `). git looks only at the last paragraph; tools do not keep to that
(the Copilot coding agent writes `Co-authored-by:` in one block and `Copilot-Session:` in the
next; a plan or a log can follow the trailers), so every paragraph after the subject that is a
trailer block by git's rules is read here, wherever it sits.

**Footers.** A tool that announces itself in prose does so in a paragraph of its own
(`🤖 Generated with [Claude Code](…)`, a session link on its own line). `footers` are the short
paragraphs (at most three lines, joined; a Markdown heading line ends a paragraph) after the
subject, each line of such a paragraph on its own too (a tool may write its footer line right
above its trailers: `🤖 Generated with Codebuff` then `Co-Authored-By: …`), and the subject
itself; a sentence inside a longer paragraph is prose, and a URL in prose is not authorship.

Both are pure string work done for every commit the gate reads, so they are written to be cheap:
a message with no `:` has no trailers, and footers are cut only when a caller asks.
"""

from __future__ import annotations

import re

__all__ = ["footers", "trailers"]

#: A trailer line: token, optional blanks, `:`; the value may be empty (git accepts `Token:`).
_TRAILER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*[ \t]*:")
#: Trailers git writes itself: they make a mostly-prose paragraph count (the 25% rule).
_GIT_WRITTEN = ("Signed-off-by: ", "(cherry picked from commit ")
_MAX_FOOTER_LINES = 3


def _block(lines: list[str]) -> list[str]:
    """The trailers of one paragraph, continuations joined; [] if git would not call it a block."""
    lines = [line.rstrip() for line in lines]
    out: list[str] = []
    prose = 0
    recognised = False
    follows_trailer = False
    for line in lines:
        if line[:1] in (" ", "\t"):
            if follows_trailer:
                out[-1] = f"{out[-1]} {line.strip()}"
                continue
            prose += 1
        elif line.startswith(_GIT_WRITTEN):
            out.append(line.strip())
            recognised = follows_trailer = True
            continue
        elif _TRAILER.match(line):
            out.append(line.strip())
            follows_trailer = True
            continue
        else:
            prose += 1
        follows_trailer = False
    if not out or (prose and not (recognised and 3 * len(out) >= prose)):
        return []
    return out


_BLANK_LINES = re.compile(r"\n(?:[ \t\r\f\v]*\n)+")


def _paragraphs(message: str) -> list[str]:
    """Paragraphs after the subject paragraph, as text (split by runs of blank lines)."""
    text = message.strip()
    if "\n " in text or "\n\t" in text or "\r" in text or "\f" in text or "\v" in text:
        parts = _BLANK_LINES.split(text)  # a blank line may hold blanks: the exact, slower split
    else:
        parts = text.split("\n\n")
    return [p.strip("\n") for p in parts[1:] if p.strip()]


def trailers(message: str) -> tuple[str, ...]:
    """Every trailer line (continuations joined) of every trailer block after the subject."""
    if ":" not in message or "\n" not in message.strip():
        return ()
    out: list[str] = []
    for para in _paragraphs(message):
        # A block starts with a trailer, unless a trailer git writes makes prose count (25%).
        if _TRAILER.match(para) or any(p in para for p in _GIT_WRITTEN):
            out += _block(para.split("\n"))
    return tuple(out)


def footers(message: str) -> tuple[str, ...]:
    """The subject line, then each short paragraph after it, its lines joined by one space and
    then (for a paragraph of two or three lines) each line alone."""
    stripped = message.strip()
    subject = stripped.split("\n", 1)[0].strip()
    out = [subject]
    if "\n" in stripped:
        for para in _paragraphs(message):
            if para.count("\n") < _MAX_FOOTER_LINES and not para.startswith("#"):
                lines = [line.strip() for line in para.split("\n")]
                out.append(" ".join(lines))
                if len(lines) > 1:
                    out += lines
            elif "#" in para:
                for part in _under_headings(para.split("\n")):
                    if len(part) <= _MAX_FOOTER_LINES:
                        out.append(" ".join(line.strip() for line in part))
    return tuple(out)


def _under_headings(para: list[str]) -> list[list[str]]:
    """A paragraph cut at Markdown headings (`## Context`): a heading ends the text above it."""
    if not any(line.startswith("#") for line in para):
        return [para]
    parts: list[list[str]] = [[]]
    for line in para:
        if line.startswith("#"):
            parts += [[line], []]
        else:
            parts[-1].append(line)
    return [p for p in parts if p]
