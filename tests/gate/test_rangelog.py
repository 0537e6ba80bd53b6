"""The gate's range reader against the careful token parser, on hostile names and messages."""

from __future__ import annotations

import pytest
from gitrepo import COPILOT, HUMAN, Repo

from signoff.errors import GitError
from signoff.gitio import history, rangelog
from signoff.gitio.runner import Git


def hostile_range(repo: Repo) -> None:
    repo.write("README.md", "# demo\n")
    repo.commit("base")
    repo.branch("work")
    repo.branch("side")
    repo.write("src/side.py", "x = 1\n")
    repo.commit("side\x1e0123456789abcdef with a record separator", author=COPILOT)
    repo.checkout("work")
    repo.write("\nstarts with a newline", "a\n")
    repo.write(":100644 100644 looks like an entry M", "b\n")
    repo.write("has R100 and C50 inside", "c\n")
    repo.write(b"caf\xe9.txt", "d\n")
    repo.commit("odd names\n\nbody\x1e\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    repo.commit("nothing changed", allow_empty=True)
    repo.merge("side", no_commit=True)
    repo.write("src/evil.py", "import os\n")
    repo.write("\nmerge resolution starting with a newline", "e\n")
    repo.commit("Merge side", author=HUMAN)
    repo.remove("README.md")
    repo.commit("delete")
    repo.branch("clean")
    repo.write("src/clean.py", "y = 2\n")
    repo.commit("clean side")
    repo.checkout("work")
    repo.write("docs/clean.md", "z\n")
    repo.commit("meanwhile")
    repo.merge("clean")  # merges cleanly: no combined paths


def test_range_reader_agrees_with_the_token_parser(repo: Repo) -> None:
    hostile_range(repo)
    git = Git(repo.path)
    args = ["log", "-z", "--raw", "--no-renames", "--no-abbrev", "-c",
            f"--format={history.LOG_FORMAT}", "main..work", "--"]  # fmt: skip
    reference = list(history.parse_log(git.stream_tokens(args)))
    with rangelog.RangeLog(git, "main", "work") as log:
        fast = list(log.commits())
    assert [c.sha for c in fast] == [c.sha for c in reference]
    for got, want in zip(fast, reference, strict=True):
        assert got.commit() == want._replace(files=())
        assert got.subject == want.subject
        expected = {p for f in want.files for p in (f.old_path, f.new_path)}
        assert {p.decode("utf-8", "surrogateescape") for p in got.paths} == expected
    assert len(fast) == 8
    assert [c.subject for c in fast if not c.paths] == ["merge", "nothing changed"]


def test_malformed_records_are_refused_not_guessed() -> None:
    header = b"\n".join([b"a" * 40, b"", b"1", b"2", b"n", b"e", b"n", b"e", b"N", b"", b"", b""])
    good = header + b"\0msg\n\0\np\0\nq\0"
    assert rangelog._records([good])[0].paths == [b"p", b"\nq"]
    merge = header + b"\0msg\n\0\0\np\0q\0"
    assert rangelog._records([merge])[0].paths == [b"\np", b"q"]
    assert rangelog._records([header + b"\0msg\n\0"])[0].paths == []
    assert rangelog._records([header + b"\0msg\n\0\0"])[0].paths == []  # a clean merge
    assert rangelog._records([]) == []  # a read that ends before the next commit starts
    bad = [
        good.replace(b"\0\np\0", b"\0p\0"),  # paths must follow a newline (or a merge's NUL)
        good.replace(b"\0\nq\0", b"\0\0"),  # an empty path
        good[:-1],  # truncated: no terminating NUL
        good.replace(b"a" * 40, b"g" * 40),  # not a SHA
        good.replace(b"\nN\n", b"\nN\nextra\n"),  # one header field too many
        good.replace(b"\n1\n2\n", b"\nsoon\n2\n"),  # a time that is not a number
        good.replace(b"a" * 40 + b"\n\n", b"a" * 40 + b"\nnot-a-sha\n"),  # parents
    ]
    for record in bad:
        with pytest.raises(GitError, match="refusing to guess"):
            rangelog._records([record])[0].commit()  # the identity part is checked on first use


def test_git_failure_is_a_clear_error_and_early_exit_stops_git(repo: Repo) -> None:
    hostile_range(repo)
    git = Git(repo.path)
    with (
        pytest.raises(GitError, match=r"unknown revision|bad revision|ambiguous"),
        rangelog.RangeLog(git, "main", "no-such-ref") as log,
    ):
        list(log.commits())
    log = rangelog.RangeLog(git, "main", "work")
    with log:
        next(iter(log.commits()))
    assert log._stream._proc.returncode is not None  # git was stopped, not left running
