"""The gate's read of a commit range: one `git log`, cut into commits at a random marker.

`history.parse_log` walks git's output token by token and builds every file change, which the
hook and the monitor need. The gate needs less per commit (identity fields, the message, and the
paths it touched) over ranges of many thousands of commits. So each commit here is cut out of
the stream at a marker that starts its header: ``0x1e`` plus 16 random hex digits drawn for this
run, which no message or path can contain except by guessing it. Each commit is then split once
on NUL and checked against the one shape git produces for it; anything else is refused, never
guessed.

With ``--name-only``, ``--no-renames`` and ``-c`` git prints each path a commit touched once,
NUL-terminated: after a newline for a commit, after an empty token for a merge (its combined
paths: those that differ from every parent; a clean merge has none). Nothing else follows a
message (git ends %B at a NUL), and a path can hold neither NUL nor the marker.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import NamedTuple

from signoff.changes import Commit, Person
from signoff.errors import GitError
from signoff.gitio.history import signature_of
from signoff.gitio.runner import Git, Stream

# The identity part (author, committer, signature) comes last and contiguous, so attribution can
# cache on its bytes. Header fields cannot hold newlines (git refuses them in names and e-mails;
# the signer, key and fingerprint come from the allowed-signers file the gate wrote).
_FIELDS = ("%H", "%P", "%at", "%ct", "%an", "%ae", "%cn", "%ce", "%G?", "%GS", "%GK", "%GF")
_IDENT_FIELDS = 8
_HEX_LINES = re.compile(rb"[0-9a-f\n]*").fullmatch
_BAD = "unexpected output from git log (refusing to guess)"


class RangeCommit(NamedTuple):
    """One commit as the gate reads it."""

    sha: str
    parents: bytes
    author_time: bytes
    committer_time: bytes
    ident: bytes  # author, committer and signature fields, newline-separated, as git printed
    message: str
    paths: list[bytes]  # every path the commit touched, as git stored it

    @property
    def subject(self) -> str:
        return self.message.partition("\n")[0]

    def commit(self) -> Commit:
        """The full commit (without file changes), for attribution; checks the identity part."""
        fields = self.ident.split(b"\n")
        if len(fields) != _IDENT_FIELDS:
            raise GitError(_BAD)
        an, ae, cn, ce, gst, gs, gk, gf = fields
        try:
            parents = tuple(self.parents.decode("ascii").split())
            times = int(self.author_time or 0), int(self.committer_time or 0)
        except ValueError:  # UnicodeDecodeError included
            raise GitError(_BAD) from None
        if not _HEX_LINES(b"\n".join(p.encode() for p in parents)):
            raise GitError(_BAD)
        return Commit(
            sha=self.sha,
            parents=parents,
            author=Person(_text(an), _text(ae), times[0]),
            committer=Person(_text(cn), _text(ce), times[1]),
            message=self.message,
            signature=signature_of(gst, gs, gk, gf),
        )


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


class RangeLog:
    """`git log base..head` running in the background; iterate `commits()` to read it."""

    def __init__(self, git: Git, base: str, head: str) -> None:
        self._marker = b"\x1e" + os.urandom(8).hex().encode()
        fmt = "%x1e" + self._marker[1:].decode() + "%n".join(_FIELDS) + "%x00%B"
        args = [
            "log", "-z", "--name-only", "--no-renames", "-c", "--no-color", "--no-ext-diff",
            "--no-textconv", f"--format={fmt}", f"{base}..{head}", "--",
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
            yield from _records(records)
        if tail:
            if not started:
                raise GitError(_BAD)
            yield from _records([tail])

    def close(self) -> None:
        self._stream.close()

    @property
    def closed(self) -> bool:
        """Has git ended and its output been let go?"""
        return self._stream.closed

    def __enter__(self) -> RangeLog:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _records(
    recs: list[bytes], _new: Callable[..., RangeCommit] = tuple.__new__
) -> list[RangeCommit]:
    """Commits, each ``header NUL message NUL`` and then ``LF path NUL path NUL ...`` (a
    commit), ``NUL [path NUL ...]`` (a merge) or nothing (a commit that changed nothing).

    The hot loop over every commit of a range, so the SHAs of a whole batch are checked with one
    regular expression after the loop, before any commit is handed out. The identity part is
    checked by `RangeCommit.commit` when attribution first meets it; later commits with the
    same bytes reuse that result.
    """
    out: list[RangeCommit] = []
    shas: list[bytes] = []
    for rec in recs:
        parts = rec.split(b"\0")
        if len(parts) < 3 or parts[-1]:
            raise GitError(_BAD)
        fields = parts[0].split(b"\n", 4)
        if len(fields) != 5:
            raise GitError(_BAD)
        sha, parents, at, ct, ident = fields
        shas.append(sha)
        paths = parts[2:-1]
        if paths:
            first = paths[0]
            if first[:1] == b"\n":
                paths[0] = first[1:]
            elif first:
                raise GitError(_BAD)
            else:  # a merge's paths (none when its parents' changes merged cleanly)
                del paths[0]
            if b"" in paths:
                raise GitError(_BAD)
        message = parts[1].decode("utf-8", "replace")
        out.append(_new(RangeCommit, (sha.decode(), parents, at, ct, ident, message, paths)))
    if not _HEX_LINES(b"\n".join(shas)) or not set(map(len, shas)) <= {40, 64}:
        raise GitError(_BAD)
    return out
