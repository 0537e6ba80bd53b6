"""Content digests: what an approval is bound to (docs/approvals.md).

Per class, SHA-256 over the canonical JSON of the sorted rows the range changes for files of that
class, plus the policy digest. A row is the change of one path: its old side (what the base has
there) and its new side (what lands), each as (mode, blob). The rows name only content, never the
commits, so a rebase that leaves every changed path's old and new content identical keeps the
digest (Gerrit's "trivial rebase" copy rule). A change to either side, or to the policy, makes a
new one: the same result landed over a base that has moved on is a different change (it may undo
a fix made on the base since), and needs approving again.

`signoff.content/v1` digests bound the new side only. Records made with them are still read, so
that a v1 veto of content that would land keeps blocking; a v1 approval never counts, because it
does not say which change it approved (`legacy_class_digests` gives what they would name now).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import NamedTuple

from signoff.changes import MODE_NONE, NULL_SHA
from signoff.decision import FileDecision

SCHEMA = "signoff.content/v2"
LEGACY_SCHEMA = "signoff.content/v1"

Row = tuple[str | None, ...]


class Changed(NamedTuple):
    """One path the range changes: a missing side has mode 000000 and no blob."""

    file_class: str
    path: str
    old_mode: str
    old_blob: str | None
    new_mode: str
    new_blob: str | None


def _side(mode: str, blob: str) -> tuple[str, str | None]:
    if blob in ("", NULL_SHA):
        return MODE_NONE, None
    return mode or MODE_NONE, blob


def changed_rows(files: Iterable[FileDecision]) -> list[Changed]:
    """The (class, path, old side, new side) rows of the files. A renamed file's new path has no
    old side and its old path no new side; a copy leaves its source as it was."""
    out: list[Changed] = []
    for f in files:
        cls = f.file_class.value
        moved = f.status in ("R", "C") and f.old_path is not None and f.old_path != f.path
        old = (MODE_NONE, None) if moved or f.status == "A" else _side(f.old_mode, f.old_blob)
        new = (MODE_NONE, None) if f.status == "D" else _side(f.new_mode, f.new_blob)
        out.append(Changed(cls, f.path, *old, *new))
        if moved and f.status == "R" and f.old_path is not None:
            out.append(Changed(cls, f.old_path, *_side(f.old_mode, f.old_blob), MODE_NONE, None))
    return out


def class_digest(
    file_class: str, rows: Iterable[Row], policy_digest: str, schema: str = SCHEMA
) -> str:
    """SHA-256 (hex) of one class's rows and the policy digest, as canonical JSON."""
    doc = {
        "schema": schema,
        "class": file_class,
        "files": sorted([list(r) for r in rows], key=lambda r: [str(v) for v in r]),
        "policy": policy_digest,
    }
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogateescape")).hexdigest()


def class_digests(files: Iterable[FileDecision], policy_digest: str) -> dict[str, str]:
    """class -> content digest of the changes, for every class the range changes a file of."""
    by_class: dict[str, list[Row]] = {}
    for r in changed_rows(files):
        by_class.setdefault(r.file_class, []).append(r[1:])
    return {cls: class_digest(cls, rows, policy_digest) for cls, rows in sorted(by_class.items())}


def legacy_class_digests(files: Iterable[FileDecision], policy_digest: str) -> dict[str, str]:
    """class -> the `signoff.content/v1` digest (sorted [path, mode, blob] of the new side only)
    the same files had: what a record made before v2 names for this content."""
    by_class: dict[str, list[Row]] = {}
    for r in changed_rows(files):
        by_class.setdefault(r.file_class, []).append((r.path, r.new_mode, r.new_blob))
    return {
        cls: class_digest(cls, rows, policy_digest, LEGACY_SCHEMA)
        for cls, rows in sorted(by_class.items())
    }
