"""The gate's first reads: everything that needs only the repository and the two refs.

`RangeStart` resolves the refs, starts `git log` over the range, and reads the base ref's
protected inputs while git walks. It lives apart from
`signoff.gate.check` so that `signoff check` can begin it before the CLI framework has even
loaded (`signoff.cli.prefetch`): over a long range, git's walk is the longest part of a check.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType

from signoff.errors import GitError
from signoff.gate.inputs import GateInputs, assemble, input_blobs, read_humans, read_registry
from signoff.gitio import refs
from signoff.gitio.rangelog import RangeLog
from signoff.gitio.runner import Git


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
        found, git_dir = refs.resolve(git, {"base": base_ref, "head": head_ref})
        self.base, self.head = found["base"].sha, found["head"].sha
        #: the full ref names used (a SHA when a SHA was given): every output says them
        self.base_ref, self.head_ref = found["base"].ref, found["head"].ref
        base = self.base
        if inputs is not None and inputs.base != base:
            raise GitError(f"the gate's inputs were read from {inputs.base[:12]}, not {base[:12]}")
        self._given = inputs
        self._stack = stack = contextlib.ExitStack()
        try:
            # git walks the range first; the base's inputs are read while it does. Signatures are
            # judged by signoff itself (`signoff.identity.commit_signers`), never by git.
            self.log = stack.enter_context(RangeLog(git, [f"{base}..{self.head}"], signatures=True))
            self.blobs = input_blobs(git, base) if inputs is None else {}
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="signoff-"))
            scratch = os.path.join(tmp, "checkout")
            os.mkdir(scratch)
            #: for what lands: binary or not as git sees the blobs, whatever the checkout says
            self.landed_git = git.without_checkout(git_dir, scratch)
            objects = os.path.join(tmp, "objects")
            os.mkdir(objects)
            #: the same, for what a merge of head into base would land: the merge's own trees and
            #: blobs are written under the temporary directory, never into the repository
            self.merge_git = self.landed_git.with_scratch_objects(git_dir, objects)
            if inputs is None:
                self._humans = read_humans(self.blobs, base)
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
