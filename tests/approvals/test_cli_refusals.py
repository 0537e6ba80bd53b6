"""`signoff approve | override` refuse, with one line and exit 2, a record the gate would not
count, and write nothing: a person must never read "recorded" for a record that does nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from signoff.approvals import store
from signoff.gitio.runner import Git

from .conftest import World

Make = Callable[..., World]


def attempt(w: World, kind: str, who: str, key: str, *extra: str) -> tuple[int, str, str]:
    r = w.cli(kind, "--repo", str(w.repo.path), "--base", "main", "--head", "work",
              "--key", str(w.keys[key]), "--principal", f"{who}@example.com", *extra)  # fmt: skip
    return r.code, r.out, r.err


@pytest.mark.parametrize(
    ("kind", "who", "key", "extra", "why"),
    [
        ("approve", "alice", "mallory", (), "unknown signer"),  # a key nobody registered
        ("approve", "alice", "bob", (), "does not match signer"),  # someone else's key
        ("override", "alice", "alice", ("--reason", "incident"), "break-glass"),  # not in it
        ("approve", "carol", "carol", (), "in none of the groups"),  # release-managers only
    ],
)
def test_a_record_the_gate_ignores_is_refused_and_not_written(
    world: Make, kind: str, who: str, key: str, extra: tuple[str, ...], why: str
) -> None:
    w = world()
    code, out, err = attempt(w, kind, who, key, *extra)
    assert code == 2
    assert "recorded" not in out
    assert len(err.strip().splitlines()) == 1 and why in err and "nothing was recorded" in err
    assert store.read_records(Git(w.repo.path)) == []


def test_a_record_that_counts_is_written(world: Make) -> None:
    w = world()
    code, out, _ = attempt(w, "approve", "alice", "alice")
    assert code == 0 and "approve recorded:" in out
    assert len(store.read_records(Git(w.repo.path))) == 1
