"""An approval binds the change, old side and new side per path (docs/approvals.md): the same
result landed over a base that moved on is a different change; an identical rebase is not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitrepo import COPILOT, HUMAN

from signoff.approvals import sshsig, store
from signoff.approvals.digest import legacy_class_digests
from signoff.approvals.record import Kind, make_record, record_id
from signoff.gate.check import run_check
from signoff.gitio.runner import Git

from .conftest import World

Make = Callable[..., World]


def status(doc: Any, cls: str = "source") -> Any:
    [s] = [s for s in doc["approvals"] if s["class"] == cls]
    return s


def reasons(doc: Any) -> list[str]:
    out = [i["reason"] for s in doc["approvals"] for i in s["ignored"]]
    return out + [i["reason"] for i in doc["approval_records"]["ignored"]]


def reland_over_moved_base(w: World, base_content: str) -> None:
    """A person changes src/app.py on main; the agent re-lands the very same final file."""
    w.repo.checkout("main")
    w.repo.write("src/app.py", base_content)
    w.repo.commit("human hardening", author=HUMAN)
    w.repo.git("checkout", "-q", "-B", "work", "main")
    w.repo.write("src/app.py", "print('agent')\n")
    w.repo.commit("agent change, re-landed", author=COPILOT)


def test_same_result_over_a_moved_base_needs_approving_again(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    assert w.check()[0] == 0
    reland_over_moved_base(w, "print('hi')  # hardened\n")
    code, doc = w.check()
    assert code == 1, doc
    assert status(doc)["approvers"] == []


def test_identical_rebase_keeps_the_approval(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    w.repo.checkout("main")
    w.repo.write("docs/notes.md", "# unrelated\n")
    w.repo.commit("human edit elsewhere", author=HUMAN)
    w.repo.git("checkout", "-q", "-B", "work", "main")
    w.repo.write("src/app.py", "print('agent')\n")
    w.repo.commit("agent change, re-made", author=COPILOT)
    code, doc = w.check()
    assert code == 0, doc
    assert status(doc)["approvers"] == ["alice@example.com"]


def store_legacy(w: World, who: str, kind: Kind) -> None:
    """A record made before signoff.content/v2: it names the v1 digest of the new side only."""
    d = run_check(w.repo.path, "main", "work", approvals_ref=None)
    git = Git(w.repo.path)
    rec = make_record(
        repository=store.repository_id(git, d.base),
        decision=kind,
        approver=f"{who}@example.com",
        digests={"source": legacy_class_digests(d.files, d.digests["policy"])["source"]},
        policy_digest=d.digests["policy"],
        base=d.base,
        head=d.head,
    )
    data = rec.canonical()
    sig = sshsig.sign(data, w.keys[who])
    store.append(git, record_id(data), {"json": data, "sig": sig})


def test_a_v1_approval_does_not_count(world: Make) -> None:
    w = world()
    store_legacy(w, "alice", Kind.APPROVE)
    code, doc = w.check()
    assert code == 1
    assert status(doc)["approvers"] == []
    assert any("signoff.content/v1" in r for r in reasons(doc)), reasons(doc)


def test_a_v1_veto_keeps_blocking_until_its_author_approves(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    store_legacy(w, "bob", Kind.VETO)
    code, doc = w.check()
    assert code == 1
    assert status(doc)["vetoers"] == ["bob@example.com"]
    w.sign("approve", "bob")
    assert w.check()[0] == 0
