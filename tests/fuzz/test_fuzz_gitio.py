"""Fuzzing the readers of git output and git objects an agent can shape.

Every test here states one invariant of a parser of untrusted input: any input gives the
parser's result or the project's own error, never another exception. Each runs a bounded number
of examples (`@budget(n)`, no deadline: tests/support/fuzzing.py) so the whole `tests/fuzz` set
stays around half a minute in `make test`; `make fuzz` runs the long profile. Inputs a fuzzer
once broke are kept as `@example` regression cases.
"""

from __future__ import annotations

from fuzzing import budget
from hypothesis import example, given
from hypothesis import strategies as st

from signoff.changes import Commit
from signoff.errors import GitError
from signoff.gitio.rangelog import RangeCommit, _records
from signoff.gitio.rawcommits import SignedPayload, split_signature

SHA = "a" * 40
_TOKENS = st.sampled_from(
    [b"", b"\n", b"\0", b":", b" ", SHA.encode(), b"123", b"x", b"\xff", b"gpgsig ", b"\n\n"]
)
# Records built from the tokens git's output is made of, so the fuzzer reaches past the first check.
_SHAPED = st.lists(_TOKENS, max_size=24).map(b"".join)
_RECORD = st.one_of(st.binary(max_size=200), _SHAPED)


def _check_records(recs: list[bytes]) -> None:
    try:
        out = _records(recs)
    except GitError:
        return
    assert len(out) == len(recs)
    for c in out:
        assert isinstance(c, RangeCommit)
        try:
            commit = c.commit(files=True)
        except GitError:
            continue
        assert isinstance(commit, Commit)
        assert commit.sha == c.sha


@budget(200)
@given(st.lists(_RECORD, max_size=4))
@example([SHA.encode() + b"\n\n1\n2\na\nb\nc\nd\0msg\0"])
@example([SHA.encode() + b"\n\n1\n2\na\nb\nc\nd\0msg\0\n:0 0 M\0p\0"])
@example([SHA.encode() + b"\n\nx\n2\na\nb\nc\nd\0msg\0"])
@example([SHA.encode() + b"\n\n1\n2\na\nb\nc\nd\0msg\0\n:\0p\0"])
def test_range_records_give_commits_or_git_error(recs: list[bytes]) -> None:
    _check_records(recs)


@budget(300)
@given(
    parents=st.binary(max_size=60),
    times=st.tuples(st.binary(max_size=12), st.binary(max_size=12)),
    ident=st.binary(max_size=60),
)
@example(parents=b"\xff", times=(b"1", b"2"), ident=b"a\nb\nc\nd")
@example(parents=b"", times=(b"\xd9\xa1", b"2"), ident=b"a\nb\nc\nd")
@example(parents=b"", times=(b" 1_0 ", b"2"), ident=b"a\nb\nc\nd")
def test_range_commit_identity_gives_commit_or_git_error(
    parents: bytes, times: tuple[bytes, bytes], ident: bytes
) -> None:
    c = RangeCommit(SHA, parents, times[0], times[1], ident, "m", [], [], None)
    try:
        commit = c.commit()
    except GitError:
        return
    assert commit.parents == tuple(parents.decode("ascii").split())
    assert all(set(p) <= set("0123456789abcdef") for p in commit.parents)


_RAW_TOKENS = st.sampled_from(
    [b"tree t\n", b"gpgsig ", b"gpgsig-sha256 ", b" ", b"\n", b"\n\n", b"x", b"\xff", b"-----"]
)


@budget(300)
@given(st.one_of(st.binary(max_size=200), st.lists(_RAW_TOKENS, max_size=20).map(b"".join)))
@example(b"tree t\ngpgsig a\n b\n\nmsg\n")
@example(b"tree t\ngpgsig a\ngpgsig b\n\nmsg")
@example(b"tree t\ngpgsig a")
def test_split_signature_gives_payload_or_none(raw: bytes) -> None:
    got = split_signature(raw)
    if got is None:
        assert b"\ngpgsig" not in raw.split(b"\n\n", 1)[0] + b"\n"
        return
    assert isinstance(got, SignedPayload)
    # The signature header never survives in the bytes said to be signed.
    headers = got.payload.split(b"\n\n", 1)[0]
    if got.signature:
        assert not any(
            line.split(b" ", 1)[0] in (b"gpgsig", b"gpgsig-sha256") for line in headers.split(b"\n")
        )
