"""The gate's read of a commit range: one `git log`, cut into commits at a random marker.

`history.parse_log` walks git's output token by token and builds every file change, which the
hook and the monitor need. The gate needs less per commit (identity fields, the message, and the
paths it touched) over ranges of many thousands of commits. So each commit here is cut out of
the stream at a marker that starts its header: ``0x1e`` plus 16 random hex digits drawn for this
run, which no message or path can contain except by guessing it. Each commit is then split once
on NUL and checked against the one shape git produces for it; anything else is refused, never
guessed.

With ``--no-renames`` and ``-c`` every raw entry names exactly one path: a commit's entries are
``:<modes> <blobs> <status>`` followed by its path, and a merge's combined entries start ``::``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from types import TracebackType
from typing import NamedTuple

from signoff.changes import Commit, Person, Signature
from signoff.errors import GitError
from signoff.gitio.runner import Git, Stream

# The identity part (author, committer, signature) comes last and contiguous, so attribution can
# cache on its bytes. Header fields cannot hold newlines (git refuses them in names and e-mails;
# the signer, key and fingerprint come from the allowed-signers file the gate wrote).
_FIELDS = ("%H", "%P", "%at", "%ct", "%an", "%ae", "%cn", "%ce", "%G?", "%GS", "%GK", "%GF")
_IDENT_FIELDS = 8
_HEX = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_BAD = "unexpected output from git log (refusing to guess)"
# A raw entry naming one path: modes, blobs and a status per parent (``::`` for a merge), never
# a rename or copy (which would name two).
_ENTRY = re.compile(
    rb":+[0-7]{6}(?: [0-7]{6})+(?: [0-9a-f]{40}| [0-9a-f]{64})+ [AMDTUX]+"
).fullmatch


class RangeCommit(NamedTuple):
    """One commit as the gate reads it."""

    sha: str
    parents: bytes
    times: bytes  # b"<author time>\n<committer time>"
    ident: bytes  # author, committer and signature fields, newline-separated, as git printed
    message: str
    paths: list[bytes]  # every path a raw entry names, as git stored it

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    def commit(self) -> Commit:
        """The full commit (without file changes), for attribution."""
        an, ae, cn, ce, gst, gs, gk, gf = self.ident.split(b"\n")
        at, ct = self.times.split(b"\n")
        return Commit(
            sha=self.sha,
            parents=tuple(self.parents.decode().split()),
            author=Person(_text(an), _text(ae), int(at or 0)),
            committer=Person(_text(cn), _text(ce), int(ct or 0)),
            message=self.message,
            signature=_NO_SIGNATURE if gst == b"N" else Signature(
                gst.decode() or "N", _text(gs), _text(gk), _text(gf)
            ),
        )  # fmt: skip


_NO_SIGNATURE = Signature("N")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


class RangeLog:
    """`git log base..head` running in the background; iterate `commits()` to read it."""

    def __init__(self, git: Git, base: str, head: str) -> None:
        self._marker = b"\x1e" + os.urandom(8).hex().encode()
        fmt = "%x1e" + self._marker[1:].decode() + "%n".join(_FIELDS) + "%x00%B"
        args = [
            "log", "-z", "--raw", "--no-renames", "--no-abbrev", "-c", "--no-color",
            "--no-ext-diff", "--no-textconv", f"--format={fmt}", f"{base}..{head}", "--",
        ]  # fmt: skip
        self._stream: Stream = git.spawn_stream(args)

    def commits(self) -> Iterator[RangeCommit]:
        """Commits newest first, as git produces them."""
        marker = self._marker
        tail = b""
        started = False  # the output's leading marker has been seen
        for chunk in self._stream.chunks():
            records = (tail + chunk).split(marker)
            tail = records.pop()
            if records and not started:
                if records[0]:
                    raise GitError(_BAD)  # the output must start with a marker
                started = True
                del records[0]
            for rec in records:
                yield _record(rec)
        if tail:
            if not started:
                raise GitError(_BAD)
            yield _record(tail)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> RangeLog:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _record(rec: bytes) -> RangeCommit:
    """One commit: ``header NUL message NUL [NUL] [LF]entry NUL path NUL ...``."""
    parts = rec.split(b"\0")
    if len(parts) < 3 or parts[-1]:
        raise GitError(_BAD)
    header, message = parts[0], parts[1]
    fields = header.split(b"\n", len(_FIELDS) - _IDENT_FIELDS)
    if len(fields) != len(_FIELDS) - _IDENT_FIELDS + 1 or fields[-1].count(b"\n") != 7:
        raise GitError(_BAD)
    sha, parents, at, ct, ident = fields
    if not _HEX.fullmatch(sha):
        raise GitError(_BAD)
    entries = parts[2:-1]
    if entries:
        if not entries[0]:  # a merge's combined entries follow an empty token
            entries = entries[1:]
        if entries and entries[0][:2] == b"\n:":
            entries[0] = entries[0][1:]
        if len(entries) % 2 or not all(map(_ENTRY, entries[0::2])):
            raise GitError(_BAD)
    return RangeCommit(
        sha.decode(), parents, at + b"\n" + ct, ident, message.decode("utf-8", "replace"),
        entries[1::2],
    )  # fmt: skip
