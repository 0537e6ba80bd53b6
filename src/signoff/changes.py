"""Plain data for what a commit range contains (docs/architecture.md).

Paths are ``str`` decoded from git's bytes with ``surrogateescape``: comparison stays byte-exact
(`path_bytes` gives the original bytes back) and nothing is lost for non-UTF-8 names. Use
`signoff.output.escape.display` to show a path to a person.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

NULL_SHA = "0" * 40

MODE_FILE = "100644"
MODE_EXEC = "100755"
MODE_SYMLINK = "120000"
MODE_GITLINK = "160000"
MODE_TREE = "040000"
MODE_NONE = "000000"


class Status(StrEnum):
    ADDED = "A"
    MODIFIED = "M"
    DELETED = "D"
    RENAMED = "R"
    COPIED = "C"
    TYPE_CHANGED = "T"
    UNMERGED = "U"
    UNKNOWN = "X"


class FileChange(NamedTuple):
    """One file in a diff, as git's raw format reports it (plus binary-ness when known)."""

    status: Status
    old_path: str
    new_path: str
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str
    score: int | None = None
    binary: bool | None = None

    @property
    def path(self) -> str:
        """The path the change lands at (old path for deletions)."""
        return self.old_path if self.status is Status.DELETED else self.new_path

    @property
    def is_symlink(self) -> bool:
        return MODE_SYMLINK in (self.old_mode, self.new_mode)

    @property
    def is_submodule(self) -> bool:
        return MODE_GITLINK in (self.old_mode, self.new_mode)

    @property
    def became_executable(self) -> bool:
        return self.new_mode == MODE_EXEC and self.old_mode != MODE_EXEC

    @property
    def is_rename(self) -> bool:
        return self.status in (Status.RENAMED, Status.COPIED) and self.old_path != self.new_path


class Person(NamedTuple):
    name: str
    email: str
    timestamp: int


class Signature(NamedTuple):
    """What a commit's signature proves, as signoff verified it at the time of the check
    (`signoff.identity.commit_signers`; git is never asked, so `gpg` never runs)."""

    #: N not signed; G good, by a key the base ref registers (`signer`: a person's principal,
    #: or ``agent:<id>``); B bad (a registered key, and it does not verify); U signed, by a key
    #: signoff does not trust, or in a format it does not verify (OpenPGP, X.509)
    status: str
    signer: str = ""
    key: str = ""  #: what signed: `ssh-ed25519 SHA256:...`, or `openpgp`, `x509`
    fingerprint: str = ""
    why: str = ""

    @property
    def present(self) -> bool:
        return self.status != "N"

    @property
    def good(self) -> bool:
        return self.status == "G"


NO_SIGNATURE = Signature("N")


class Commit(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str
    signature: Signature
    files: tuple[FileChange, ...] = ()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


def path_bytes(path: str) -> bytes:
    """The exact bytes git stored for a path."""
    return path.encode("utf-8", "surrogateescape")
