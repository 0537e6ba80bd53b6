"""Landed files too large to read whole (`signoff.gate.files.MAX_ANALYZED_BYTES`).

A modified package-lock.json or poetry.lock is analyzed by what changed: both sides are read
as bytes and compared entry by entry, only the entries that differ (and the other entries of
their package names) being parsed (`signoff.analysis.npm_lockdiff`,
`signoff.analysis._poetry_entries`). Every other
modified text file gets the secrets scan of the lines git's diff adds. Whatever cannot be
analyzed that way (another format, an added or deleted file, an unexpected layout) is reported
as a high-risk fact saying it is too large to analyze, and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from signoff.analysis.base import AnalysisError
from signoff.analysis.ownership import OWNS
from signoff.analysis.secrets import scan_added_lines, scan_blob
from signoff.changes import NULL_SHA, FileChange
from signoff.facts import PARSE_FAILED, Fact
from signoff.gitio import blobdiff
from signoff.gitio.blobdiff import BinaryDiffError, Hunk
from signoff.gitio.runner import Git
from signoff.taxonomy import Risk

#: A package-lock up to this size is read whole as bytes and compared entry by entry (about
#: three times this in memory at the peak); a larger one is reported as too large.
MAX_ENTRY_BYTES = 256 << 20


def too_large(path: str, size: int, why: str = "") -> Fact:
    text = f"too large to analyze ({size} bytes)" + (f": {why}" if why else "")
    return Fact(PARSE_FAILED, path, f"{path}: {text}", Risk.HIGH, "gate")


def large_facts(git: Git, change: FileChange, sizes: Mapping[str, int]) -> list[Fact]:
    """Facts about a landed file one side of which is over the size limit (never read whole)."""
    size = max(sizes.get(change.old_blob, 0), sizes.get(change.new_blob, 0))
    if change.old_blob == NULL_SHA or change.new_blob == NULL_SHA:
        return [too_large(change.path, size, "added or deleted whole")]
    try:
        if OWNS["npm-package-lock"](change.path) or OWNS["poetry-lock"](change.path):
            return _lockfile(git, change, size)
        hunks = blobdiff.hunks(git, change.old_blob, change.new_blob)
        return [too_large(change.path, size), *_secrets(change.path, hunks)]
    except (AnalysisError, BinaryDiffError) as err:
        why = err.message if isinstance(err, AnalysisError) else "binary"
        return [too_large(change.path, size, why)]


def _secrets(path: str, hunks: Iterable[Hunk]) -> list[Fact]:
    """The secrets scan of the lines git's diff adds."""
    return scan_added_lines(path, blobdiff.added_lines(hunks))


def _lockfile(git: Git, change: FileChange, size: int) -> list[Fact]:
    """A package-lock or poetry.lock compared entry by entry, with the secrets scan of the
    lines the change adds."""
    from signoff.analysis import npm_lockdiff
    from signoff.analysis.python_locks import PoetryLockAnalyzer

    if size > MAX_ENTRY_BYTES:
        hunks = blobdiff.hunks(git, change.old_blob, change.new_blob)
        why = f"over {MAX_ENTRY_BYTES >> 20} MiB, the limit for reading it entry by entry"
        return [too_large(change.path, size, why), *_secrets(change.path, hunks)]
    if OWNS["npm-package-lock"](change.path):
        facts, added = npm_lockdiff.analyze(
            change.path,
            lambda: blobdiff.whole(git, change.old_blob),
            lambda: blobdiff.whole(git, change.new_blob),
        )
        return facts + scan_added_lines(change.path, added)
    old, new = blobdiff.whole(git, change.old_blob), blobdiff.whole(git, change.new_blob)
    found = PoetryLockAnalyzer().analyze_entries(change.path, old, new)
    if found is None:
        why = "not in poetry's own layout, which is read whole only"
        return [too_large(change.path, size, why), *scan_blob(change.path, old, new)]
    return found.facts + scan_added_lines(change.path, found.added)
