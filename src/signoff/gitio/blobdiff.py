"""What changed between two versions of a large file, read without loading either into memory.

`function_hunks` streams ``git diff -U0 -W`` between two blobs, with a function-name pattern the
caller gives (a lockfile entry's first line): each hunk then holds every changed entry whole, on
both sides, and nothing else. `head` reads the start of a blob; `chunks` streams one.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from signoff.errors import GitError
from signoff.gitio.runner import Git

_HUNK = re.compile(rb"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_DRIVER = "signoff-entries"


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


def chunks(git: Git, blob: str) -> Iterator[bytes]:
    """A blob's content, in chunks as git writes them."""
    with git.spawn_stream(["cat-file", "blob", blob]) as stream:
        yield from stream.chunks()


def function_hunks(git: Git, old: str, new: str, funcname: str | None) -> Iterator[Hunk]:
    """The hunks of ``git diff -U0 -W old new`` where a function starts at a line matching the
    extended regex `funcname` (of ``git diff -U0`` when None); `BinaryDiffError` when git finds
    either side binary."""
    if funcname is None:
        args = ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", old, new]
        yield from _parse(_lines(git, args))
        return
    with tempfile.TemporaryDirectory(prefix="signoff-diff-") as tmp:
        attributes = os.path.join(tmp, "attributes")
        with open(attributes, "w", encoding="utf-8") as f:
            f.write(f"* diff={_DRIVER}\n")
        differ = git.with_config(
            f"core.attributesFile={attributes}", f"diff.{_DRIVER}.xfuncname={funcname}"
        )
        args = ["diff", "-U0", "-W", "--no-color", "--no-ext-diff", "--no-textconv", old, new]
        yield from _parse(_lines(differ, args))


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
