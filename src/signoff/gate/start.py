"""The gate's first reads: everything that needs only the repository and the two refs.

`RangeStart` resolves the refs, reads the humans' allowed signers from the base ref, starts
`git log` over the range, and then reads the registry while git walks. It lives apart from
`signoff.gate.check` so that `signoff check` can begin it before the CLI framework has even
loaded (`signoff.cli.prefetch`): over a long range, git's walk is the longest part of a check.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from signoff.errors import GitError
from signoff.gate.inputs import GateInputs, assemble, input_blobs, read_humans, read_registry
from signoff.gitio import history
from signoff.gitio.rangelog import RangeLog
from signoff.gitio.runner import Git
from signoff.identity.signers import humans_text

if TYPE_CHECKING:
    from signoff.identity.signers import SignerEntry


class RangeStart:
    """base..head resolved, the base's identities read, and git walking the range.

    Owns the running `git log` and the temporary allowed-signers file: close it (or use it as a
    context manager) to stop and remove them. `inputs`, when the caller has read them already
    for the same base commit, are used instead of reading the base ref again.
    """

    def __init__(
        self,
        repo: str | os.PathLike[str],
        base_ref: str,
        head_ref: str,
        inputs: GateInputs | None = None,
    ) -> None:
        self.refs = (os.path.normpath(repo), base_ref, head_ref)
        self.git = git = Git(repo)
        resolved = history.resolve_range(git, base_ref, head_ref)
        self.base, self.head, self.base_full = resolved.base, resolved.head, resolved.base_full
        git_dir = resolved.git_dir
        base = self.base
        if inputs is not None and inputs.base != base:
            raise GitError(f"the gate's inputs were read from {inputs.base[:12]}, not {base[:12]}")
        self._given = inputs
        self._stack = stack = contextlib.ExitStack()
        try:
            self.blobs = input_blobs(git, base) if inputs is None else {}
            humans: list[SignerEntry] = (
                read_humans(self.blobs, base) if inputs is None else list(inputs.humans)
            )
            # git gets the humans' keys alone, so it can start before the registry is parsed
            # (YAML, the slowest of these reads); agents' keys verify as "U" with their
            # fingerprint, which attribution looks up (`signoff.identity.signers`).
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="signoff-"))
            allowed = os.path.join(tmp, "allowed_signers")
            with open(allowed, "w", encoding="utf-8") as f:
                f.write(humans_text(humans))
            log_git = Git(repo, config=[f"gpg.ssh.allowedSignersFile={allowed}"])
            self.log = stack.enter_context(RangeLog(log_git, base, self.head))
            scratch = os.path.join(tmp, "checkout")
            os.mkdir(scratch)
            #: for what lands: binary or not as git sees the blobs, whatever the checkout says
            self.landed_git = git.without_checkout(git_dir, scratch)
            if inputs is None:
                self._humans = humans
                self.registry, self._notes = read_registry(self.blobs, base)
            else:
                self.registry = inputs.registry
        except BaseException:
            stack.close()
            raise

    def inputs(self, policy_file: Path | None = None) -> GateInputs:
        """The protected inputs: those given, or the ones read here with the policy parsed now
        (while git walks)."""
        if self._given is not None:
            return self._given
        return assemble(
            self.base, self.blobs, self._humans, self.registry, self._notes, policy_file
        )

    def is_for(self, repo: str | os.PathLike[str], base_ref: str, head_ref: str) -> bool:
        """Was this started for exactly this repository path and these refs?"""
        return self.refs == (os.path.normpath(repo), base_ref, head_ref)

    @property
    def closed(self) -> bool:
        """Has git ended and its output and temporary files been let go?"""
        return self.log.closed

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> RangeStart:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
