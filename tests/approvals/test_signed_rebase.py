"""A person's signature on an agent-authored commit says who handled it, not who asked for it:
an approver who rebases the agent's change with commit signing on stays an approver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitrepo import HUMAN

from signoff.gate.check import run_check

from .conftest import World

Make = Callable[..., World]


def status(doc: Any, cls: str = "source") -> Any:
    [s] = [s for s in doc["approvals"] if s["class"] == cls]
    return s


def signed_rebase(w: World, who: str) -> None:
    w.repo.checkout("main")
    w.repo.write("docs/notes.md", "# unrelated\n")
    w.repo.commit("human edit elsewhere", author=HUMAN)
    w.repo.checkout("work")
    key = str(w.keys[who])
    env = {"GIT_COMMITTER_NAME": who, "GIT_COMMITTER_EMAIL": f"{who}@example.com"}
    w.repo.git(
        "-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "-c", "commit.gpgsign=true",
        "rebase", "-q", "main", env=env,
    )  # fmt: skip


def test_an_approver_who_rebases_with_signing_on_still_counts(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    signed_rebase(w, "alice")
    d = run_check(w.repo.path, "main", "work", approvals_ref=None)
    [agent_commit] = [a for a in d.commits if a.kind.value == "agent"]
    assert agent_commit.human == "alice@example.com"  # the signature is still read
    assert "alice@example.com" not in agent_commit.co_authors
    code, doc = w.check()
    assert code == 0, doc
    assert status(doc)["approvers"] == ["alice@example.com"]
    assert status(doc)["requesters"] == []


def test_a_person_who_authored_and_signed_agent_work_is_its_requester(world: Make) -> None:
    """Made with an agent (the person is the author, the agent a co-author): they asked for it."""
    w = world()
    w.repo.write("src/app.py", "print('paired')\n")
    w.repo.commit(
        "paired change\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        author=("alice", "alice@example.com"),
        sign_key=w.keys["alice"],
    )
    w.sign("approve", "alice")
    code, doc = w.check()
    assert code == 1
    assert "alice@example.com" in status(doc)["requesters"]
