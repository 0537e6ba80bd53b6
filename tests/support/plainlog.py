"""The plain reference for the range reader: one git process per question, per commit.

`git rev-list` lists the commits; for each, `git cat-file commit` gives its headers and message
as stored and `git diff-tree` the files it changed. Slow and obviously right: tests compare
`signoff.gitio.rangelog` against it on hostile names and messages.
"""

from __future__ import annotations

from typing import NamedTuple

from signoff.gitio.rawcommits import split_signature
from signoff.gitio.runner import Git


class PlainCommit(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    author: tuple[str, str, int]  #: name, e-mail, time
    committer: tuple[str, str, int]
    message: str
    paths: frozenset[bytes]
    entries: frozenset[tuple[bytes, bytes]]  #: (raw entry, path)
    signature: bytes | None
    payload: bytes | None


def _person(value: bytes) -> tuple[str, str, int]:
    name_mail, _, rest = value.rpartition(b"> ")
    name, _, mail = name_mail.partition(b" <")
    return (name.decode("utf-8", "replace"), mail.decode("utf-8", "replace"),
            int(rest.split(b" ")[0]))  # fmt: skip


def plain_commits(git: Git, revs: list[str]) -> list[PlainCommit]:
    out = []
    for sha in git.run(["rev-list", *revs, "--"]).decode().split():
        raw = git.run(["cat-file", "commit", sha])
        head, _, message = raw.partition(b"\n\n")
        fields: dict[bytes, list[bytes]] = {}
        for line in head.split(b"\n"):
            if not line.startswith(b" "):
                key, _, value = line.partition(b" ")
                fields.setdefault(key, []).append(value)
        tokens = git.run(
            ["diff-tree", "-z", "-r", "--raw", "--root", "--no-renames", "--no-abbrev", "-c",
             "--no-commit-id", "--no-ext-diff", "--no-textconv", sha, "--"]
        ).split(b"\0")  # fmt: skip
        tokens = [t for t in tokens if t]
        pairs = set(zip(tokens[0::2], tokens[1::2], strict=True))
        signed = split_signature(raw)
        out.append(
            PlainCommit(
                sha=sha,
                parents=tuple(p.decode() for p in fields.get(b"parent", [])),
                author=_person(fields[b"author"][0]),
                committer=_person(fields[b"committer"][0]),
                message=message.decode("utf-8", "replace"),
                paths=frozenset(p for _, p in pairs),
                entries=frozenset(pairs),
                signature=signed.signature if signed else None,
                payload=signed.payload if signed else None,
            )
        )
    return out
