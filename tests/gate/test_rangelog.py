"""The range reader (`signoff.gitio.rangelog`) against the plain per-commit reader
(tests/support/plainlog.py), on hostile names, messages, merges and signed commits."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitrepo import COPILOT, HUMAN, Repo
from plainlog import plain_commits

from signoff.errors import GitError
from signoff.gitio import rangelog
from signoff.gitio.runner import Git


def ssh_key(tmp: Path) -> Path:
    key = tmp / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return key


def hostile_range(repo: Repo, key: Path) -> None:
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
    repo.write("signed.txt", "s\n")
    repo.commit("signed, with trailing spaces   \n\ngpgsig in the body\n", sign_key=key)
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


@pytest.mark.parametrize("signatures", [False, True])
def test_range_reader_agrees_with_the_plain_reader(
    repo: Repo, tmp_path: Path, signatures: bool
) -> None:
    hostile_range(repo, ssh_key(tmp_path))
    git = Git(repo.path)
    want = plain_commits(git, ["main..work"])
    with rangelog.RangeLog(git, ["main..work"], signatures=signatures) as log:
        got = list(log.commits())
    assert len(got) == len(want) == 9
    for g, w in zip(got, want, strict=True):
        c = g.commit(files=True)
        assert (c.sha, c.parents, c.message) == (w.sha, w.parents, w.message)
        assert (c.author.name, c.author.email, c.author.timestamp) == w.author
        assert (c.committer.name, c.committer.email, c.committer.timestamp) == w.committer
        assert frozenset(g.paths) == w.paths
        assert frozenset(zip(g.entries, g.paths, strict=True)) == w.entries
        if signatures:
            assert (g.signed.signature if g.signed else None) == w.signature
            assert (g.signed.payload if g.signed else None) == w.payload
        else:
            assert g.signed is None
    assert [g.subject for g in got if not g.paths] == ["merge", "nothing changed"]
    assert sum(g.signed is not None for g in got) == (1 if signatures else 0)
    assert rangelog.read_all(git, ["main..work"]) == [g._replace(signed=None) for g in got]


def test_signed_payload_is_what_the_signature_covers(repo: Repo, tmp_path: Path) -> None:
    """The bytes handed to verification are the object minus its signature header: ssh-keygen
    verifies the signature over exactly them."""
    key = ssh_key(tmp_path)
    repo.write("a.txt", "a\n")
    repo.commit("signed   \n\nwith trailing spaces kept   \n", sign_key=key)
    with rangelog.RangeLog(Git(repo.path), ["HEAD"], signatures=True) as log:
        (c,) = list(log.commits())
    assert c.signed is not None
    signers = tmp_path / "allowed"
    pub = (tmp_path / "id_ed25519.pub").read_text().split()
    signers.write_text(f"me {pub[0]} {pub[1]}\n")
    sig = tmp_path / "sig"
    sig.write_bytes(c.signed.signature)
    ok = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "me", "-n", "git", "-s",
         str(sig)],
        input=c.signed.payload, capture_output=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    tampered = c.signed.payload.replace(b"signed", b"Signed", 1)
    bad = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "me", "-n", "git", "-s",
         str(sig)],
        input=tampered, capture_output=True, check=False,
    )  # fmt: skip
    assert bad.returncode != 0


HEADER = b"\n".join([b"a" * 40, b"", b"1", b"2", b"n", b"e", b"n", b"e"])
ENTRY = b":000000 100644 " + b"0" * 40 + b" " + b"b" * 40 + b" A"


def test_malformed_records_are_refused_not_guessed() -> None:
    good = HEADER + b"\0msg\n\0\n" + ENTRY + b"\0p\0" + ENTRY + b"\0\nq\0"
    assert rangelog._records([good])[0].paths == [b"p", b"\nq"]
    merge = HEADER + b"\0msg\n\0\0:" + ENTRY + b"\0\np\0"
    assert rangelog._records([merge])[0].paths == [b"\np"]
    assert rangelog._records([HEADER + b"\0msg\n\0"])[0].paths == []
    assert rangelog._records([HEADER + b"\0msg\n\0\0"])[0].paths == []  # a clean merge
    assert rangelog._records([]) == []
    refused_at_read = [
        good.replace(b"\0\n:", b"\0:", 1),  # entries must follow a newline (or a merge's NUL)
        good.replace(b"\0\nq\0", b"\0\0"),  # an empty path
        good[:-1],  # truncated: no terminating NUL
        good.replace(b"a" * 40, b"g" * 40),  # not a SHA
        good.replace(b"\0p\0", b"\0p\0x\0", 1),  # an entry without its path
        good.replace(b"\0" + ENTRY, b"\0not an entry", 1),
    ]
    for record in refused_at_read:
        with pytest.raises(GitError, match="refusing to guess"):
            rangelog._records([record])
    refused_at_use = [
        good.replace(b"\nn\ne\nn\ne", b"\nn\ne\nn"),  # an identity field missing
        good.replace(b"\n1\n2\n", b"\nsoon\n2\n"),  # a time that is not a number
        good.replace(b"a" * 40 + b"\n\n", b"a" * 40 + b"\nnot-a-sha\n"),  # parents
    ]
    for record in refused_at_use:
        with pytest.raises(GitError, match="refusing to guess"):
            rangelog._records([record])[0].commit()


def test_git_failure_is_a_clear_error_and_early_exit_stops_git(repo: Repo, tmp_path: Path) -> None:
    hostile_range(repo, ssh_key(tmp_path))
    git = Git(repo.path)
    with (
        pytest.raises(GitError, match=r"unknown revision|bad revision|ambiguous"),
        rangelog.RangeLog(git, ["main..no-such-ref"], signatures=True) as log,
    ):
        list(log.commits())
    log = rangelog.RangeLog(git, ["main..work"], signatures=True)
    with log:
        next(iter(log.commits()))
    assert log.closed  # git was stopped, not left running
