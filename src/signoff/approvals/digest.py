"""Content digests: what an approval is bound to (docs/approvals.md).

Per class, SHA-256 over the canonical JSON of the sorted (path, mode, blob) rows that the range
lands for files of that class, plus the policy digest. The rows name only what lands, never the
commits, so a rebase that leaves the landed content identical keeps the digest (Gerrit's
"trivial rebase" copy rule), and any change to that content or to the policy makes a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import NamedTuple

from signoff.changes import MODE_NONE, NULL_SHA
from signoff.decision import FileDecision

SCHEMA = "signoff.content/v1"

Row = tuple[str, str, str | None]


class Landed(NamedTuple):
    """One file state the range lands: a deleted path has mode 000000 and no blob."""

    file_class: str
    path: str
    mode: str
    blob: str | None


def landed_rows(files: Iterable[FileDecision]) -> list[Landed]:
    """The (class, path, mode, blob) states the files land; a rename also deletes its old path."""
    out: list[Landed] = []
    for f in files:
        cls = f.file_class.value
        deleted = f.status == "D" or f.new_blob in ("", NULL_SHA)
        if deleted:
            out.append(Landed(cls, f.path, MODE_NONE, None))
        else:
            out.append(Landed(cls, f.path, f.new_mode or MODE_NONE, f.new_blob))
        if f.status == "R" and f.old_path is not None and f.old_path != f.path:
            out.append(Landed(cls, f.old_path, MODE_NONE, None))
    return out


def class_digest(file_class: str, rows: Iterable[Row], policy_digest: str) -> str:
    """SHA-256 (hex) of one class's landed rows and the policy digest, as canonical JSON."""
    doc = {
        "schema": SCHEMA,
        "class": file_class,
        "files": sorted([list(r) for r in rows], key=lambda r: (str(r[0]), str(r[1]), str(r[2]))),
        "policy": policy_digest,
    }
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogateescape")).hexdigest()


def class_digests(files: Iterable[FileDecision], policy_digest: str) -> dict[str, str]:
    """class -> content digest, for every class the range lands a file of."""
    by_class: dict[str, list[Row]] = {}
    for row in landed_rows(files):
        by_class.setdefault(row.file_class, []).append((row.path, row.mode, row.blob))
    return {cls: class_digest(cls, rows, policy_digest) for cls, rows in sorted(by_class.items())}
