"""`four_eyes`: a governance change needs another person's approval even when a verified human
made it; without the option such a change lands as before."""

from __future__ import annotations

from collections.abc import Callable

from gitrepo import HUMAN

from .conftest import BREAK_GLASS, World

Make = Callable[..., World]
FOUR_EYES = BREAK_GLASS + "four_eyes: {approvals: 1, from: maintainers}\n"


def _loosen(w: World) -> None:
    """Alice, alone, signs a commit that stops treating unverified commits as agent work."""
    w.repo.git("reset", "-q", "--hard", "main")
    path = w.repo.path / ".signoff" / "policy.yml"
    text = path.read_text().replace(
        "treat_unverified_as_agent: true", "treat_unverified_as_agent: false"
    )
    w.repo.write(".signoff/policy.yml", text)
    w.repo.commit("policy: trust unsigned commits", author=HUMAN, sign_key=w.keys["alice"])


def _policy_file(doc: dict[str, object]) -> dict[str, object]:
    files = doc["files"]
    assert isinstance(files, list)
    (f,) = [f for f in files if f["path"] == ".signoff/policy.yml"]
    return f  # type: ignore[no-any-return]


def test_without_four_eyes_a_signed_loosening_lands(world: Make) -> None:
    w = world()
    _loosen(w)
    code, doc = w.check()
    assert code == 0 and doc["decision"] == "allow"
    assert doc["commits"][0]["human"] == "alice@example.com"


def test_four_eyes_needs_someone_other_than_the_author(world: Make) -> None:
    w = world(policy_extra=FOUR_EYES)
    _loosen(w)
    code, doc = w.check()
    f = _policy_file(doc)
    assert code == 1 and f["decision"] == "needs-approval" and f["class"] == "governance"
    assert any(h["rule"] == "four-eyes" and "alice@example.com" in h["reason"] for h in f["rules"])  # type: ignore[attr-defined]

    assert w.sign("approve", "alice").code == 0  # the author approves her own change
    code, doc = w.check()
    assert code == 1
    ignored = [i for s in doc["approvals"] for i in s["ignored"]]
    assert any(i["reason"] == "the author of this change cannot approve it (four eyes)"
               for i in ignored), doc["approvals"]  # fmt: skip

    assert w.sign("approve", "bob").code == 0
    code, doc = w.check()
    assert code == 0 and _policy_file(doc)["decision"] == "allow", doc["approvals"]


def test_the_author_cannot_break_glass_around_four_eyes(world: Make) -> None:
    w = world(
        policy_extra=FOUR_EYES.replace("break_glass: release-managers", "break_glass: maintainers")
    )
    _loosen(w)
    assert w.sign("override", "alice", "--reason", "urgent").code == 0
    code, doc = w.check()
    assert code == 1 and doc["decision"] == "needs-approval"
    ignored = [i["reason"] for i in doc["approval_records"]["ignored"]]
    assert any("the author of this change cannot override it (four eyes)" in r for r in ignored), (
        doc["approval_records"]
    )
