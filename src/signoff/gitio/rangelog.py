"""The one reader of a commit range: `git log` cut into commits at a random marker.

Every commit is cut out of the stream at a marker that starts its header: ``0x1e`` plus 16 random
hex digits drawn for this run, which no message or path can contain except by guessing it. Each
commit is then split once on NUL and checked against the one shape git produces for it; anything
else is refused, never guessed. The gate, the git-server hook and the monitor read ranges with
it, each taking the projection it needs: the paths a commit touched (`paths`), its raw diff
entries (`entries`, `changes()`), the full `Commit` (`commit()`).

With ``--raw -z --no-renames -c`` git prints, after the NUL that ends the message, each change as
an entry token and a path token: after a newline for a commit, after an empty token for a merge
(its combined entries: paths that differ from every parent; a clean merge has none). A path can
hold neither NUL nor the marker.

Signatures are not asked of `git log` (it would start `gpg` or `ssh-keygen` for every signed
commit): with ``signatures=True`` the exact commit objects are read beside it
(`signoff.gitio.rawcommits`) and each commit carries its signature and signed bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import NamedTuple

from signoff.changes import NO_SIGNATURE, Commit, FileChange, Person, Signature
from signoff.errors import GitError
from signoff.gitio.history import parse_entry
from signoff.gitio.rawcommits import RawCommits, SignedPayload, split_signature
from signoff.gitio.runner import Git, Stream

# The identity part (author, committer) comes last and contiguous, so attribution can cache on
# its bytes. Header fields cannot hold newlines: git refuses them in names and e-mails.
_FIELDS = ("%H", "%P", "%at", "%ct", "%an", "%ae", "%cn", "%ce")
_IDENT_FIELDS = 4
_HEX_LINES = re.compile(rb"[0-9a-f\n]*").fullmatch
_BAD = "unexpected output from git log (refusing to guess)"


class RangeCommit(NamedTuple):
    """One commit as the range reader reads it."""

    sha: str
    parents: bytes
    author_time: bytes
    committer_time: bytes
    ident: bytes  #: author and committer fields, newline-separated, as git printed them
    message: str
    paths: list[bytes]  #: every path the commit touched, as git stored it
    entries: list[bytes]  #: the raw diff entry of each path (`:old new old-blob new-blob M`)
    #: the signature and the bytes it signs (`signatures=True` only; None: not signed)
    signed: SignedPayload | None

    @property
    def subject(self) -> str:
        return self.message.partition("\n")[0]

    def changes(self) -> list[FileChange]:
        """Each file change, parsed from its raw entry."""
        return [parse_entry(e, [_path(p)]) for e, p in zip(self.entries, self.paths, strict=True)]

    def new_blobs(self) -> Iterator[tuple[bytes, str]]:
        """(path, blob) of every file content the commit adds or changes."""
        for entry, path in zip(self.entries, self.paths, strict=True):
            blob = entry.rsplit(b" ", 2)[-2]
            if blob.strip(b"0"):
                yield path, blob.decode("ascii")

    def commit(self, signature: Signature = NO_SIGNATURE, *, files: bool = False) -> Commit:
        """The full commit, for attribution; checks the identity part. `signature` is what the
        caller judged of `signed`; `files` adds the file changes."""
        fields = self.ident.split(b"\n")
        if len(fields) != _IDENT_FIELDS:
            raise GitError(_BAD)
        an, ae, cn, ce = fields
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
            signature=signature,
            files=tuple(self.changes()) if files else (),
        )


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _path(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _log_args(revs: Sequence[str], options: Sequence[str]) -> tuple[bytes, list[str]]:
    """A fresh marker and the `git log` arguments that print commits cut at it."""
    marker = b"\x1e" + os.urandom(8).hex().encode()
    fmt = "%x1e" + marker[1:].decode() + "%n".join(_FIELDS) + "%x00%B"
    args = [
        "log", "-z", "--raw", "--no-abbrev", "--no-renames", "-c", "--no-color",
        "--no-ext-diff", "--no-textconv", *options, f"--format={fmt}", *revs, "--",
    ]  # fmt: skip
    return marker, args


def read_all(git: Git, revs: Sequence[str], options: Sequence[str] = ()) -> list[RangeCommit]:
    """The same reading in one go, for a short range in a short-lived process (the git-server
    hook reads what one push adds): no background process, no temporary files."""
    marker, args = _log_args(revs, options)
    out = git.run(args)
    if not out:
        return []
    records = out.split(marker)
    if records[0]:
        raise GitError(_BAD)  # the output must start with a marker
    return _records(records[1:])


class RangeLog:
    """`git log <revs>` running in the background; iterate `commits()` to read it."""

    def __init__(
        self,
        git: Git,
        revs: Sequence[str],
        *,
        signatures: bool = False,
        options: Sequence[str] = (),
    ) -> None:
        self._marker, args = _log_args(revs, options)
        self._stream: Stream = git.spawn_stream(args)
        try:
            self._raw = RawCommits(git, revs) if signatures else None
        except BaseException:
            self._stream.close()
            raise

    def commits(self) -> Iterator[RangeCommit]:
        """Commits newest first, as git produces them."""
        raw = self._raw.objects() if self._raw is not None else None
        for batch in self._batches():
            if raw is not None:
                batch = [_signed(c, raw) for c in batch]
            yield from batch
        if raw is not None and next(raw, None) is not None:
            raise GitError("git rev-list and git log listed different commits")

    def _batches(self) -> Iterator[list[RangeCommit]]:
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
            yield _records(records)
        if tail:
            if not started:
                raise GitError(_BAD)
            yield _records([tail])

    def close(self) -> None:
        self._stream.close()
        if self._raw is not None:
            self._raw.close()

    @property
    def closed(self) -> bool:
        """Has git ended and its output been let go?"""
        return self._stream.closed and (self._raw is None or self._raw.closed)

    def __enter__(self) -> RangeLog:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _signed(c: RangeCommit, raw: Iterator[tuple[str, bytes]]) -> RangeCommit:
    got = next(raw, None)
    if got is None or got[0] != c.sha:
        raise GitError("git rev-list and git log listed different commits")
    signed = split_signature(got[1])
    return c if signed is None else c._replace(signed=signed)


def _records(recs: list[bytes]) -> list[RangeCommit]:
    """Commits, each ``header NUL message NUL`` and then ``LF entry NUL path NUL ...`` (a
    commit), ``NUL [entry NUL path NUL ...]`` (a merge) or nothing (a commit that changed
    nothing).

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
        tokens = parts[2:-1]
        if tokens:
            first = tokens[0]
            if first[:1] == b"\n":
                tokens[0] = first[1:]
            elif first:
                raise GitError(_BAD)
            else:  # a merge's entries (none when its parents' changes merged cleanly)
                del tokens[0]
        entries, paths = tokens[0::2], tokens[1::2]
        if len(entries) != len(paths) or any(e[:1] != b":" for e in entries) or b"" in paths:
            raise GitError(_BAD)
        message = parts[1].decode("utf-8", "replace")
        out.append(RangeCommit(sha.decode(), parents, at, ct, ident, message, paths, entries, None))
    if not _HEX_LINES(b"\n".join(shas)) or not set(map(len, shas)) <= {40, 64}:
        raise GitError(_BAD)
    return out
