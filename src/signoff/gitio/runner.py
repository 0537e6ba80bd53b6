"""A thin wrapper over the `git` executable that turns failures into `GitError`."""

from __future__ import annotations

import io
import os
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType

from signoff.errors import GitError

_CHUNK = 1 << 20

# Git must not read the user's pager, editor, or replace-refs: what we read is what the repo holds.
_ENV_OVERRIDES = {
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "LC_ALL": "C",
}


# Nor may the repository's own configuration change what git prints: signature checks in log
# output, messages in another encoding, submodule changes left out.
_CONFIG = tuple(
    arg
    for setting in (
        "core.quotePath=false",
        "log.showSignature=false",
        "i18n.logOutputEncoding=UTF-8",
        "diff.ignoreSubmodules=none",
    )
    for arg in ("-c", setting)
)


class Git:
    """Runs git plumbing in one repository."""

    def __init__(
        self,
        repo: str | os.PathLike[str],
        config: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.repo = os.fspath(repo)
        self._config = tuple(config)
        self._env = {**os.environ, **_ENV_OVERRIDES, **(env or {})}

    def without_checkout(self, git_dir: str, scratch: str) -> Git:
        """This repository (its absolute `git_dir`) seen from `scratch`, an empty directory, as
        the work tree, with no index: git then reads no `.gitattributes` from the checkout
        (which the change under review controls: `*.png diff` would make a binary file count
        as text), only the repository's own `info/attributes`."""
        env = {
            "GIT_DIR": git_dir,
            "GIT_WORK_TREE": scratch,
            "GIT_INDEX_FILE": os.path.join(scratch, "index"),  # never written: diffs of commits
        }
        return Git(scratch, (*self._config, f"core.attributesFile={os.devnull}"), env)

    def with_scratch_objects(self, git_dir: str, objects: str) -> Git:
        """The same repository, writing the objects it makes (a merge's result) into `objects`,
        a directory the caller removes, and reading the repository's own through alternates:
        nothing is added to the repository (nor to a push's quarantine, which stays readable)."""
        current = self._env.get("GIT_OBJECT_DIRECTORY") or os.path.join(git_dir, "objects")
        alternates = [
            current,
            *filter(None, self._env.get("GIT_ALTERNATE_OBJECT_DIRECTORIES", "").split(os.pathsep)),
        ]
        other = Git(self.repo, self._config)
        other._env = {
            **self._env,
            "GIT_OBJECT_DIRECTORY": objects,
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": os.pathsep.join(alternates),
        }
        return other

    def _argv(self, args: Sequence[str]) -> list[str]:
        argv = ["git", "-C", self.repo, *_CONFIG]
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

    def spawn_stream(self, args: Sequence[str]) -> Stream:
        """Start git now, writing into a file, so it runs ahead while the caller works."""
        return Stream(self._argv(args), self._env, args[0])

    def spawn_piped(self, producer: Sequence[str], consumer: Sequence[str]) -> Stream:
        """`git <producer> | git <consumer>`, started now (two processes, no shell); the
        consumer's output is read as a `Stream`, and a failure of either is a `GitError`."""
        try:
            first = subprocess.Popen(
                self._argv(producer),
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=self._env,
            )
        except FileNotFoundError as exc:
            raise GitError("git is not installed or not on PATH") from exc
        assert first.stdout is not None
        try:
            return Stream(self._argv(consumer), self._env, consumer[0], upstream=first)
        except BaseException:
            first.kill()
            first.wait()
            raise
        finally:
            first.stdout.close()  # the consumer holds it now

    def stream_tokens(self, args: Sequence[str]) -> Iterator[bytes]:
        """Yield NUL-separated tokens of a `-z` command's output as git produces them."""
        import tempfile  # here, not at start: `run` alone (the git hook) never needs it

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


class Stream:
    """A streaming git process writing into an unlinked temporary file, read as it grows.

    A file rather than a pipe: git then never waits on its reader (a pipe costs git about a
    fifth more time in small writes and wake-ups), however long the caller spends importing
    modules or parsing what came before. `chunks` reads it with ``os.pread`` and naps a
    millisecond when it has caught up with git; no thread is needed, so nothing competes with
    the caller for the interpreter meanwhile. Leaving the ``with`` block early kills git; git's
    stderr goes to another file.
    """

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        what: str,
        upstream: subprocess.Popen[bytes] | None = None,
    ) -> None:
        import tempfile  # here, not at start: `run` alone (the git hook) never needs it

        self._what = what
        self._upstream = upstream  # writes this process's input (`Git.spawn_piped`)
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=upstream.stdout if upstream is not None else subprocess.DEVNULL,
                stdout=self._out,
                stderr=self._err,
                env=env,
            )
        except FileNotFoundError as exc:
            self._out.close()
            self._err.close()
            raise GitError("git is not installed or not on PATH") from exc

    def chunks(self) -> Iterator[bytes]:
        """Output as it arrives; a `GitError` with git's message if git fails."""
        fd, offset, proc = self._out.fileno(), 0, self._proc
        while True:
            exited = proc.poll() is not None  # checked before reading: nothing comes after
            while chunk := os.pread(fd, _CHUNK, offset):
                offset += len(chunk)
                yield chunk
            if exited:
                break
            time.sleep(0.001)
        if proc.returncode != 0:
            self._err.seek(0)
            raise GitError(_first_line(self._err.read()) or f"git {self._what} failed")
        if self._upstream is not None and self._upstream.wait() != 0:
            raise GitError(f"git {self._what} was given an incomplete list (its input failed)")

    def read_all(self) -> bytes:
        """The whole output once git has ended, read in one piece; a `GitError` with git's
        message if git fails."""
        if self._proc.wait() != 0:
            self._err.seek(0)
            raise GitError(_first_line(self._err.read()) or f"git {self._what} failed")
        self._out.seek(0)
        return self._out.read()

    def close(self) -> None:
        for proc in (self._upstream, self._proc):
            if proc is not None and proc.poll() is None:
                proc.kill()
        if self._upstream is not None:
            self._upstream.wait()
        self._proc.wait()
        self._out.close()
        self._err.close()

    @property
    def closed(self) -> bool:
        """Has git ended and its output been let go (nothing left running or open)?"""
        return self._proc.poll() is not None and self._out.closed and self._err.closed

    def __enter__(self) -> Stream:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _first_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""
