"""Landed files too large to read whole (`signoff.gate.files.MAX_ANALYZED_BYTES`).

A modified package-lock.json is analyzed by what changed: git's diff with every changed entry
whole, and one streamed pass over the old file (`signoff.analysis.npm_lockdiff`). Every other
modified text file gets the secrets scan of the lines git's diff adds. Whatever cannot be
analyzed that way (another format, an added or deleted file, an unexpected layout) is reported
as a high-risk fact saying it is too large to analyze, and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from signoff.analysis.base import AnalysisError
from signoff.analysis.ownership import OWNS
from signoff.analysis.secrets import scan_added_lines
from signoff.changes import NULL_SHA, FileChange
from signoff.facts import PARSE_FAILED, Fact
from signoff.gitio import blobdiff
from signoff.gitio.blobdiff import BinaryDiffError, Hunk
from signoff.gitio.runner import Git
from signoff.taxonomy import Risk

#: How much of each side is read for npm's layout and header (name, lockfileVersion).
HEAD_BYTES = 256 << 10


def too_large(path: str, size: int, why: str = "") -> Fact:
    text = f"too large to analyze ({size} bytes)" + (f": {why}" if why else "")
    return Fact(PARSE_FAILED, path, f"{path}: {text}", Risk.HIGH, "gate")


def large_facts(git: Git, change: FileChange, sizes: Mapping[str, int]) -> list[Fact]:
    """Facts about a landed file one side of which is over the size limit (never read whole)."""
    size = max(sizes.get(change.old_blob, 0), sizes.get(change.new_blob, 0))
    if change.old_blob == NULL_SHA or change.new_blob == NULL_SHA:
        return [too_large(change.path, size, "added or deleted whole")]
    try:
        if OWNS["npm-package-lock"](change.path):
            return _package_lock(git, change)
        hunks = blobdiff.function_hunks(git, change.old_blob, change.new_blob, None)
        return [too_large(change.path, size), *_secrets(change.path, hunks)]
    except (AnalysisError, BinaryDiffError) as err:
        why = err.message if isinstance(err, AnalysisError) else "binary"
        return [too_large(change.path, size, why)]


def _secrets(path: str, hunks: Iterable[Hunk]) -> list[Fact]:
    """The secrets scan of the lines git's diff adds."""
    return scan_added_lines(path, blobdiff.added_lines(hunks))


def _package_lock(git: Git, change: FileChange) -> list[Fact]:
    from signoff.analysis import npm_lockdiff as nd

    old_head = blobdiff.head(git, change.old_blob, HEAD_BYTES)
    lay = nd.layout(old_head)
    old = nd.Side(nd.header(lay, old_head))
    new = nd.Side(nd.header(lay, blobdiff.head(git, change.new_blob, HEAD_BYTES)))
    hunks = list(blobdiff.function_hunks(git, change.old_blob, change.new_blob, lay.funcname()))
    changed = nd.read_hunks(lay, hunks, old, new)
    names = nd.changed_names(old, new) if changed else set()
    extra: dict[str, object] = {}
    if names:
        chunks = blobdiff.chunks(git, change.old_blob)
        extra = dict(nd.unchanged_entries(lay, chunks, names, changed))
    hosts = None
    if nd.new_registry_names(old, new, extra):
        hosts = nd.registry_hosts(blobdiff.chunks(git, change.old_blob))
    return nd.facts(change.path, old, new, extra, hosts) + _secrets(change.path, hunks)
