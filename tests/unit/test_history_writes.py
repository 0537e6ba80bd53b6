"""What each commit wrote, read from the range reader's raw entries: one old blob per parent,
deletions and submodules left out, anything else refused."""

from __future__ import annotations

import pytest

from signoff.changes import NULL_SHA
from signoff.errors import GitError
from signoff.gate.history_secrets import Written, writes

A, B, C, D = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)
SHA = "1" * 40


@pytest.mark.parametrize(
    ("entry", "path", "expected"),
    [
        (f":100644 100644 {A} {B} M".encode(), b"f.py", [Written(SHA, "f.py", B, (A,))]),
        (f"\n:000000 100644 {NULL_SHA} {B} A".encode(), b"n", [Written(SHA, "n", B, (NULL_SHA,))]),
        (f"::100644 100644 100644 {A} {C} {D} MM".encode(), b"m", [Written(SHA, "m", D, (A, C))]),
        (f":100644 000000 {A} {NULL_SHA} D".encode(), b"gone.py", []),  # a deletion
        (f":160000 160000 {A} {B} M".encode(), b"vendor/sub", []),  # a submodule
        (f":100644 100644 {A} {B} M".encode(), "é.txt".encode(), [Written(SHA, "é.txt", B, (A,))]),
    ],
)  # fmt: skip
def test_entries(entry: bytes, path: bytes, expected: list[Written]) -> None:
    assert list(writes([(SHA, [entry], [path])])) == expected


@pytest.mark.parametrize(
    "entry",
    [
        f"100644 100644 {A} {B} M".encode(),  # no colon
        f":100644 {A} {B} M".encode(),  # a mode missing
        f"::100644 100644 {A} {B} MM".encode(),  # a merge with one old side
        b"",
    ],
)
def test_malformed_entries_are_refused(entry: bytes) -> None:
    with pytest.raises(GitError):
        list(writes([(SHA, [entry], [b"f.py"])]))


def test_entries_and_paths_must_pair() -> None:
    with pytest.raises(ValueError):
        list(writes([(SHA, [f":100644 100644 {A} {B} M".encode()], [])]))
