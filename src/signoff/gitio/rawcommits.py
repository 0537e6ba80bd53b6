"""Commit objects exactly as stored, for their signatures: `git rev-list | git cat-file --batch`.

A commit's signature (its `gpgsig` header) is over the object's exact bytes without that header,
and `git log`'s formats print neither the header nor the message byte for byte. So the range's
commit objects are read as stored by two processes started once, side by side with the range's
`git log` (never one process per commit, and never `gpg` or `ssh-keygen`: signoff verifies the
signatures itself, `signoff.identity.commit_signers`). `git rev-list` walks the same revisions
as `git log` in the same order, and each object is checked to be the commit expected.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import NamedTuple

from signoff.errors import GitError
from signoff.gitio.runner import Git

_BAD = "unexpected output from git cat-file (refusing to guess)"
#: The headers that carry a commit signature (SHA-1 and SHA-256 repositories).
_SIGNATURE_HEADERS = (b"gpgsig", b"gpgsig-sha256")


class SignedPayload(NamedTuple):
    """A signed commit's signature and the exact bytes it signs."""

    signature: bytes  #: the armored signature, header continuation spaces removed
    payload: bytes  #: the commit object without its signature header(s)


def split_signature(raw: bytes) -> SignedPayload | None:
    """The signature and signed bytes of a raw commit object (None: it is not signed).

    The signature is a header: `gpgsig <first line>` followed by continuation lines that start
    with one space, all before the blank line that ends the headers. Git signs the object as it
    would be without those lines (for a SHA-256 repository, `gpgsig-sha256`). An object with two
    signature headers gets an empty signature: present, and never verified."""
    end = raw.find(b"\n\n")
    headers = raw[: end + 1] if end >= 0 else raw
    if b"\ngpgsig" not in headers:
        return None
    lines = headers.split(b"\n")[:-1]
    kept: list[bytes] = []
    signature: list[bytes] = []
    inside = False
    for line in lines:
        name = line.split(b" ", 1)[0]
        if name in _SIGNATURE_HEADERS:
            if signature:  # two signatures: refuse to pick one
                return SignedPayload(b"", raw)
            inside = True
            signature.append(line[len(name) + 1 :])
        elif inside and line.startswith(b" "):
            signature.append(line[1:])
        else:
            inside = False
            kept.append(line)
    payload = b"\n".join(kept) + b"\n" + (raw[end + 1 :] if end >= 0 else b"")
    return SignedPayload(b"\n".join(signature) + b"\n", payload)


class RawCommits:
    """The commit objects `git rev-list <revs>` lists, read as git walks (see the docstring)."""

    def __init__(self, git: Git, revs: Sequence[str]) -> None:
        self._stream = git.spawn_piped(["rev-list", *revs, "--"], ["cat-file", "--batch"])

    def objects(self) -> Iterator[tuple[str, bytes]]:
        """(SHA, raw object) of each commit, in `git rev-list`'s order."""
        buf = bytearray()
        pos = 0
        for chunk in self._stream.chunks():
            buf += chunk
            while True:
                nl = buf.find(b"\n", pos)
                if nl < 0:
                    break
                header = bytes(buf[pos:nl]).split(b" ")
                if len(header) != 3 or header[1] != b"commit" or not header[2].isdigit():
                    raise GitError(_BAD)
                end = nl + 1 + int(header[2])
                if len(buf) < end + 1:
                    break  # the object is not all here yet
                if buf[end : end + 1] != b"\n":
                    raise GitError(_BAD)
                yield header[0].decode("ascii"), bytes(buf[nl + 1 : end])
                pos = end + 1
            del buf[:pos]
            pos = 0
        if buf:
            raise GitError(_BAD)

    def close(self) -> None:
        self._stream.close()

    @property
    def closed(self) -> bool:
        return self._stream.closed

    def __enter__(self) -> RawCommits:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
