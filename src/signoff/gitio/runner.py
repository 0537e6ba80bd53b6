"""A thin wrapper over the `git` executable that turns failures into `GitError`."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from signoff.errors import GitError

_CHUNK = 1 << 20

# Git must not read the user's pager, editor, or replace-refs: what we read is what the repo holds.
_ENV_OVERRIDES = {
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "LC_ALL": "C",
}


class Git:
    """Runs git plumbing in one repository."""

    def __init__(self, repo: str | os.PathLike[str], config: Sequence[str] = ()) -> None:
        self.repo = Path(repo)
        self._config = tuple(config)
        self._env = {**os.environ, **_ENV_OVERRIDES}

    def _argv(self, args: Sequence[str]) -> list[str]:
        argv = ["git", "-C", str(self.repo), "-c", "core.quotePath=false"]
        for item in self._config:
            argv += ["-c", item]
        return argv + list(args)

    def run(self, args: Sequence[str], *, input: bytes | None = None, check: bool = True) -> bytes:
        """Run git and return stdout; raise `GitError` with git's own message on failure."""
        try:
            proc = subprocess.run(
                self._argv(args), input=input, capture_output=True, env=self._env, check=False
            )
        except FileNotFoundError as exc:
            raise GitError("git is not installed or not on PATH") from exc
        if check and proc.returncode != 0:
            raise GitError(_first_line(proc.stderr) or f"git {args[0]} failed")
        return proc.stdout

    def ok(self, args: Sequence[str]) -> bool:
        """True when git exits 0 (for yes/no questions such as `merge-base --is-ancestor`)."""
        proc = subprocess.run(self._argv(args), capture_output=True, env=self._env, check=False)
        return proc.returncode == 0

    def stream_tokens(self, args: Sequence[str]) -> Iterator[bytes]:
        """Yield NUL-separated tokens of a `-z` command's output as git produces them."""
        # stderr goes to a file, not a pipe: a chatty git can never block on a full pipe.
        with tempfile.TemporaryFile() as errfile:
            try:
                proc = subprocess.Popen(
                    self._argv(args), stdout=subprocess.PIPE, stderr=errfile, env=self._env
                )
            except FileNotFoundError as exc:
                raise GitError("git is not installed or not on PATH") from exc
            stdout = proc.stdout
            assert isinstance(stdout, io.BufferedReader)
            tail = b""
            try:
                # read1: take what git has produced so far, so parsing overlaps git's own work
                while chunk := stdout.read1(_CHUNK):
                    parts = (tail + chunk).split(b"\0")
                    tail = parts.pop()
                    yield from parts
            finally:
                stdout.close()
                rc = proc.wait()
            if rc != 0:
                errfile.seek(0)
                raise GitError(_first_line(errfile.read()) or f"git {args[0]} failed")
        if tail:
            yield tail


def _first_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""
