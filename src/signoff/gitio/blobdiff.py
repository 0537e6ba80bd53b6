"""What changed between two versions of a large file, read without loading either into memory.

`hunks` streams ``git diff -U0`` between two blobs. `head` reads the start of a blob; `chunks`
streams one; `whole` reads one at once (for a caller that checked its size).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from signoff.errors import GitError
from signoff.gitio.runner import Git

_HUNK = re.compile(rb"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


class BinaryDiffError(Exception):
    """git judged one side binary (a NUL byte in its first 8,000 bytes)."""


class Hunk(NamedTuple):
    """One hunk: where it starts on each side, and its lines, each led by `` ``, ``-`` or ``+``
    (line breaks removed)."""

    old_start: int
    new_start: int
    lines: list[bytes]


def added_lines(hunks: Iterable[Hunk]) -> list[tuple[int, str]]:
    """The lines the hunks add, numbered on the new side (undecodable bytes replaced)."""
    added: list[tuple[int, str]] = []
    for hunk in hunks:
        number = hunk.new_start
        for line in hunk.lines:
            if line[:1] == b"+":
                added.append((number, line[1:].decode("utf-8", "replace")))
            if line[:1] != b"-":
                number += 1
    return added


def head(git: Git, blob: str, size: int) -> bytes:
    """The first `size` bytes of a blob (git is stopped once they are read)."""
    with git.spawn_stream(["cat-file", "blob", blob]) as stream:
        out = b""
        for chunk in stream.chunks():
            out += chunk
            if len(out) >= size:
                break
        return out[:size]


def whole(git: Git, blob: str) -> bytes:
    """A blob's content, read at once (the caller checked its size): git writes it into an
    unlinked file, read back in one piece (no second copy joined from a pipe's chunks)."""
    with git.spawn_stream(["cat-file", "blob", blob]) as stream:
        return stream.read_all()


def chunks(git: Git, blob: str) -> Iterator[bytes]:
    """A blob's content, in chunks as git writes them."""
    with git.spawn_stream(["cat-file", "blob", blob]) as stream:
        yield from stream.chunks()


def hunks(git: Git, old: str, new: str) -> Iterator[Hunk]:
    """The hunks of ``git diff -U0`` between two blobs; `BinaryDiffError` when git finds either
    side binary."""
    args = ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", old, new]
    yield from _parse(_lines(git, args))


def _lines(git: Git, args: list[str]) -> Iterator[bytes]:
    with git.spawn_stream(args) as stream:
        tail = b""
        for chunk in stream.chunks():
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            yield from lines
        if tail:
            yield tail


def _parse(lines: Iterator[bytes]) -> Iterator[Hunk]:
    hunk: Hunk | None = None
    for line in lines:
        if hunk is not None and line[:1] in (b" ", b"-", b"+"):
            hunk.lines.append(line)
            continue
        if line.startswith(b"@@"):
            m = _HUNK.match(line)
            if m is None:
                raise GitError("unexpected hunk header from git diff (refusing to guess)")
            if hunk is not None:
                yield hunk
            hunk = Hunk(int(m.group(1)), int(m.group(2)), [])
        elif line.startswith(b"Binary files "):
            raise BinaryDiffError
        elif line.startswith(b"\\"):
            continue  # "\ No newline at end of file"
        elif hunk is not None:
            raise GitError("unexpected line in git diff output (refusing to guess)")
    if hunk is not None:
        yield hunk
