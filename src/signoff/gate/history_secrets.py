"""Secrets in every commit of the range, not only in what lands.

A token added by one commit and removed by a later one does not land, but it stays in the
history that merging publishes: it must be rotated. So every blob a commit of the range writes
is scanned for the lines it adds to what the commit's parents had at that path (each blob once,
in the first commit that wrote it; binary decided by content, never by name), and a secret on a
line the head no longer has at that path is reported with the commit that added it. A secret
the head still holds is the per-file analysis's to report (`signoff.gate.files`); a blob the
head lands is left to it whole.

`writes` takes which blobs each commit wrote from the range reader's raw entries (the gate's one
`git log` of the range); `scan_written` scans them. It needs a `Git` that reads no `.gitattributes`
from a checkout (`signoff.gitio.runner.Git.without_checkout`): an attribute must not make text
look binary.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from signoff.analysis._lines import BINARY_SNIFF, is_binary
from signoff.analysis._secrets_scan import Finding, scan, warm_up
from signoff.analysis.secrets import SecretsAnalyzer, new_lines
from signoff.changes import NULL_SHA, FileChange
from signoff.errors import GitError
from signoff.facts import PARSE_FAILED, Fact
from signoff.gitio import blobdiff, history
from signoff.gitio.blobdiff import BinaryDiffError
from signoff.gitio.runner import Git
from signoff.taxonomy import Risk

#: Blobs larger than this are scanned from git's diff of them, never read whole.
READ_LIMIT = 8 << 20
_BAD = "unexpected output from git log (refusing to guess)"
_GITLINK = "160000"
_ANALYZER = SecretsAnalyzer()


class Written(NamedTuple):
    """A blob one commit wrote at a path, and the path's blob in each of its parents."""

    sha: str
    path: str
    new_blob: str
    parent_blobs: tuple[str, ...]  #: NULL_SHA where a parent did not have the path


def writes(commits: Iterable[tuple[str, Sequence[bytes], Sequence[bytes]]]) -> Iterator[Written]:
    """What each commit wrote, from the range reader's raw entries (`signoff.gitio.rangelog`:
    sha, entry tokens, paths), in the order given (for a merge, the paths that differ from all
    its parents: what the merge itself wrote)."""
    for sha, entries, paths in commits:
        for entry, path in zip(entries, paths, strict=True):
            if (w := _entry(sha, entry, path)) is not None:
                yield w


def _entry(sha: str, token: bytes, path: bytes) -> Written | None:
    """One raw entry: one colon, one mode and one blob per parent, then the commit's own."""
    token = token.lstrip(b"\n")
    parents = len(token) - len(token.lstrip(b":"))
    fields = token[parents:].decode("ascii", "replace").split(" ")
    if not parents or len(fields) != 2 * parents + 3:
        raise GitError(_BAD)
    new_mode, new_blob = fields[parents], fields[2 * parents + 1]
    if new_blob == NULL_SHA or new_mode == _GITLINK:  # a deletion or a submodule: no content
        return None
    olds = tuple(fields[parents + 1 : 2 * parents + 1])
    return Written(sha, path.decode("utf-8", "surrogateescape"), new_blob, olds)


def scan_range(
    git: Git,
    commits: Sequence[tuple[str, Sequence[bytes], Sequence[bytes]]],
    landed: Iterable[FileChange],
    head: str,
) -> list[Fact]:
    """`scan_written` over what the range's commits wrote (`commits` newest first, as git
    lists them: each blob is scanned in the oldest commit that wrote it)."""
    return scan_written(git, writes(reversed(commits)), landed, head)


def scan_written(
    git: Git, writes: Iterable[Written], landed: Iterable[FileChange], head: str
) -> list[Fact]:
    """``secret-in-history`` facts: secrets the writes added on lines the head does not have at
    the same path. Each blob is scanned once, in the first write of it given; blobs the head
    lands at the same path are left to the per-file analysis."""
    final = {c.new_path: c.new_blob for c in landed if c.new_blob != NULL_SHA}
    todo: dict[str, Written] = {}
    for w in writes:
        if w.new_blob not in todo and final.get(w.path) != w.new_blob:
            todo[w.new_blob] = w
    if not todo:
        return []
    wanted = {b for w in todo.values() for b in (w.new_blob, *w.parent_blobs) if b != NULL_SHA}
    written = {w.new_blob for w in todo.values()}

    def on_sizes(sizes: Mapping[str, int]) -> None:  # only what the writes add is scanned
        warm_up(sum(size for blob, size in sizes.items() if blob in written))

    contents, large = history.read_objects_upto(git, wanted, READ_LIMIT, on_sizes=on_sizes)
    found: list[tuple[Written, Finding, str]] = []
    facts: list[Fact] = []
    for w in todo.values():
        olds = [b for b in w.parent_blobs if b != NULL_SHA]
        if w.new_blob in large or any(b in large for b in olds):
            batches = _large_lines(git, w, olds)
            if batches is None:
                facts.append(_unscanned(w))
                continue
        else:  # lines in none of the parents' versions (a merge's own lines)
            old = b"\n".join(contents.get(b) or b"" for b in olds) if olds else None
            batches = [new_lines(old, contents.get(w.new_blob))]
        for lines in batches:
            text = dict(lines)
            found += [(w, f, text[f.line]) for f in scan(w.path, lines)]
    return facts + _not_at_head(git, head, found)


def _large_lines(
    git: Git, w: Written, olds: Sequence[str]
) -> Iterable[list[tuple[int, str]]] | None:
    """The lines a large blob adds, in batches, never read whole: git's diff against the first
    parent's version, or the blob streamed when it is new. None when git's diff says binary
    although the new side is text by content."""
    if is_binary(blobdiff.head(git, w.new_blob, BINARY_SNIFF)):
        return []
    if not olds:
        return _streamed(git, w.new_blob)
    try:
        return [blobdiff.added_lines(blobdiff.hunks(git, olds[0], w.new_blob))]
    except BinaryDiffError:
        return None


def _streamed(git: Git, blob: str, batch: int = 1 << 20) -> Iterator[list[tuple[int, str]]]:
    """A blob's lines, numbered, in batches of about `batch` bytes."""
    number, size = 0, 0
    pending: list[bytes] = []  # the line being read (joined once whole: a long line stays linear)
    lines: list[tuple[int, str]] = []
    for chunk in blobdiff.chunks(git, blob):
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            pending.append(chunk)
            continue
        parts[0] = b"".join([*pending, parts[0]])
        pending = [parts.pop()]
        for part in parts:
            number += 1
            lines.append((number, part.decode("utf-8", "replace")))
            size += len(part)
        if size >= batch:
            yield lines
            lines, size = [], 0
    if tail := b"".join(pending):
        lines.append((number + 1, tail.decode("utf-8", "replace")))
    yield lines


def _unscanned(w: Written) -> Fact:
    text = f"too large to scan for secrets as commit {w.sha[:12]} wrote it"
    return Fact(
        PARSE_FAILED, w.path, f"{w.path}: {text}", Risk.HIGH, "gate", detail=(("commit", w.sha),)
    )


def _not_at_head(git: Git, head: str, found: list[tuple[Written, Finding, str]]) -> list[Fact]:
    """The findings on lines the head does not have at their path, as facts naming the commit."""
    if not found:
        return []
    specs = {f"{head}:{w.path}" for w, _, _ in found}
    heads = history.read_objects_upto(git, specs, READ_LIMIT)[0]
    kept: dict[str, frozenset[str]] = {}
    facts: list[Fact] = []
    for w, finding, line in found:
        spec = f"{head}:{w.path}"
        if spec not in kept:
            now = heads.get(spec)
            kept[spec] = (
                frozenset(now.decode("utf-8", "replace").splitlines()) if now else frozenset()
            )
        if line in kept[spec]:
            continue
        text = (
            f"{finding.kind} added by commit {w.sha[:12]} and not in the head: it stays in the "
            f"history merging publishes, rotate it: `{finding.preview}` (value redacted)"
        )
        facts.append(
            _ANALYZER.fact(
                "secret-in-history",
                w.path,
                text,
                line=finding.line,
                type=finding.kind,
                commit=w.sha,
            )
        )
    return facts
