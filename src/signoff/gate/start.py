"""The gate's first reads: everything that needs only the repository and the two refs.

`RangeStart` resolves the refs, reads the humans' allowed signers from the base ref, starts
`git log` over the range, and then reads the registry while git walks. It lives apart from
`signoff.gate.check` so that `signoff check` can begin it before the CLI framework has even
loaded (`signoff.gate.prefetch`): over a long range, git's walk is the longest part of a check.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from signoff.gitio import history
from signoff.gitio.rangelog import RangeLog
from signoff.gitio.runner import Git
from signoff.identity.signers import (
    SignerEntry,
    Signers,
    build_signers,
    humans_text,
    parse_allowed_signers,
)
from signoff.protected import ALLOWED_SIGNERS_PATH, POLICY_PATH, REGISTRY_PATH

if TYPE_CHECKING:
    from signoff.identity.agents import Registry


class RangeStart:
    """base..head resolved, the base's identities read, and git walking the range.

    Owns the running `git log` and the temporary allowed-signers file: close it (or use it as a
    context manager) to stop and remove them.
    """

    def __init__(self, repo: str | os.PathLike[str], base_ref: str, head_ref: str) -> None:
        self.refs = (os.path.normpath(repo), base_ref, head_ref)
        self.git = git = Git(repo)
        self.base, self.head, self.base_full, git_dir = history.resolve_range(
            git, base_ref, head_ref
        )
        base, head = self.base, self.head
        self._stack = stack = contextlib.ExitStack()
        try:
            self.blobs = input_blobs(git, base)
            humans = _humans(self.blobs, base)
            # git gets the humans' keys alone, so it can start before the registry is parsed
            # (YAML, the slowest of these reads); agents' keys verify as "U" with their
            # fingerprint, which attribution looks up (`signoff.identity.signers`).
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="signoff-"))
            allowed = os.path.join(tmp, "allowed_signers")
            with open(allowed, "w", encoding="utf-8") as f:
                f.write(humans_text(humans))
            log_git = Git(repo, config=[f"gpg.ssh.allowedSignersFile={allowed}"])
            self.log = stack.enter_context(RangeLog(log_git, base, head))
            scratch = os.path.join(tmp, "checkout")
            os.mkdir(scratch)
            #: for what lands: binary or not as git sees the blobs, whatever the checkout says
            self.landed_git = git.without_checkout(git_dir, scratch)
            self.registry, self.warnings = _registry(self.blobs, base)
            signers: tuple[Signers, str, str] = build_signers(humans, self.registry)
            self.signers, self.signers_text, self.signers_digest = signers
        except BaseException:
            stack.close()
            raise

    def is_for(self, repo: str | os.PathLike[str], base_ref: str, head_ref: str) -> bool:
        """Was this started for exactly this repository path and these refs?"""
        return self.refs == (os.path.normpath(repo), base_ref, head_ref)

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> RangeStart:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def input_blobs(git: Git, base: str) -> dict[str, bytes | None]:
    """The policy, registry and allowed signers as stored on the base ref (None: absent)."""
    paths = (POLICY_PATH, REGISTRY_PATH, ALLOWED_SIGNERS_PATH)
    found = history.read_objects(git, [f"{base}:{p}" for p in paths])
    return {p: found.get(f"{base}:{p}") for p in paths}


def identities(
    blobs: Mapping[str, bytes | None], base: str
) -> tuple[Registry, list[SignerEntry], list[str]]:
    """The registry and the humans' allowed signers: whose signatures git may trust."""
    registry, warnings = _registry(blobs, base)
    return registry, _humans(blobs, base), warnings


def _registry(blobs: Mapping[str, bytes | None], base: str) -> tuple[Registry, list[str]]:
    from signoff.identity.agents import EMPTY_REGISTRY, parse_registry

    raw = blobs[REGISTRY_PATH]
    if raw is None:
        reason = f"no {REGISTRY_PATH} on the base ref: every agent is unregistered"
        return EMPTY_REGISTRY, [reason]
    return parse_registry(raw, f"{base[:12]}:{REGISTRY_PATH}"), []


def _humans(blobs: Mapping[str, bytes | None], base: str) -> list[SignerEntry]:
    raw = blobs[ALLOWED_SIGNERS_PATH]
    if raw is None:
        return []
    return parse_allowed_signers(raw, f"{base[:12]}:{ALLOWED_SIGNERS_PATH}")
