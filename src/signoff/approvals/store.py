"""Approval records in the repository, on `refs/signoff/approvals`, so they travel with
`git push` / `git fetch` and need no server.

Each record is two blobs in one flat tree: `<id>.json` (the canonical bytes) and `<id>.sig` (the
SSHSIG signature over them). Appending commits a new tree on top of the old ref and moves the ref
with a compare-and-swap (`update-ref REF NEW OLD`), retrying when another writer won the race.
Listing reads the tree once and every blob in one `cat-file --batch`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from signoff.errors import GitError
from signoff.gitio.history import read_objects
from signoff.gitio.runner import Git
from signoff.protected import APPROVALS_REF

ZERO = "0" * 40
_RETRIES = 5
_IDENT = ["user.name=signoff", "user.email=signoff@localhost"]


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record as found on the ref; `json` or `sig` is None when its blob is missing."""

    record_id: str
    json: bytes | None
    sig: bytes | None


def check_ref(ref: str) -> str:
    """Refuse option-like or malformed ref names before they reach git."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n ~^:?*[\\"):
        raise GitError(f"invalid approvals ref {ref!r}")
    return ref


def repository_id(git: Git, base: str) -> str:
    """The repository's identity: the root commit of the base's first-parent history."""
    out = git.run(["rev-list", "--first-parent", "--max-parents=0", base, "--"]).split()
    if not out:
        raise GitError(f"cannot find the root commit of {base[:12]}")
    return out[-1].decode()


def _tree_entries(git: Git, ref: str) -> dict[str, tuple[str, str, str]]:
    """name -> (mode, type, sha) of the tree at `ref`; empty when the ref does not exist."""
    if not git.ok(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"]):
        return {}
    out = git.run(["ls-tree", "-z", f"{ref}^{{commit}}"])
    entries: dict[str, tuple[str, str, str]] = {}
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        entries[name.decode("utf-8", "surrogateescape")] = (mode, kind, sha)
    return entries


def lost_records(git: Git, ref: str, old: str, new: str) -> list[str]:
    """Why moving the records ref from `old` to `new` would lose a record (empty: it does not).

    A record is evidence, and a veto deleted is a veto lifted. So the ref may be created, and
    moved forward to a commit whose tree keeps every file of the old tree byte for byte; it is
    never deleted, rewound or rewritten. (The git server's hook enforces this for pushes.)
    """
    if set(old) == {"0"}:
        return []
    if set(new) == {"0"}:
        return [f"{ref}: approval records are never deleted"]
    if not git.ok(["merge-base", "--is-ancestor", old, new]):
        return [f"{ref}: not a fast-forward: approval records are appended, never rewritten"]
    after = _tree_entries(git, new)
    gone = sorted(n for n, entry in _tree_entries(git, old).items() if after.get(n) != entry)
    if not gone:
        return []
    shown = ", ".join(gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
    return [f"{ref}: would remove or change approval records: {shown}"]


def read_records(git: Git, ref: str = APPROVALS_REF) -> list[StoredRecord]:
    """Every record on the ref (sorted by id), read with one `cat-file --batch`."""
    entries = _tree_entries(git, check_ref(ref))
    ids: set[str] = set()
    for name, (_, kind, _) in entries.items():
        stem, dot, ext = name.rpartition(".")
        if kind == "blob" and dot and ext in ("json", "sig"):
            ids.add(stem)
    blobs = read_objects(git, [e[2] for e in entries.values() if e[1] == "blob"])

    def blob(name: str) -> bytes | None:
        entry = entries.get(name)
        return blobs.get(entry[2]) if entry is not None and entry[1] == "blob" else None

    return [StoredRecord(i, blob(f"{i}.json"), blob(f"{i}.sig")) for i in sorted(ids)]


def append(git: Git, record_id: str, files: Mapping[str, bytes], ref: str = APPROVALS_REF) -> str:
    """Add `<record_id>.<ext>` blobs to the ref in a new commit; returns the new commit SHA."""
    check_ref(ref)
    writer = Git(git.repo, config=_IDENT)
    new_blobs = {
        f"{record_id}.{ext}": writer.run(["hash-object", "-w", "--stdin"], input=data)
        .decode()
        .strip()
        for ext, data in files.items()
    }
    for _ in range(_RETRIES):
        old = git.run(["rev-parse", "--verify", "--quiet", ref], check=False).decode().strip()
        entries = _tree_entries(git, ref) if old else {}
        for name, sha in new_blobs.items():
            entries[name] = ("100644", "blob", sha)
        listing = b"".join(
            f"{mode} {kind} {sha}\t".encode() + name.encode("utf-8", "surrogateescape") + b"\0"
            for name, (mode, kind, sha) in sorted(entries.items())
        )
        tree = writer.run(["mktree", "-z"], input=listing).decode().strip()
        args = ["commit-tree", tree, "-m", f"signoff: approval record {record_id[:16]}"]
        if old:
            args[2:2] = ["-p", old]
        commit = writer.run(args).decode().strip()
        if git.ok(["update-ref", "-m", "signoff approval", ref, commit, old or ZERO]):
            return commit
    raise GitError(f"could not update {ref}: other writers kept moving it; try again")
