"""Attribution on plain commits: what each kind of evidence makes of a commit.

Only a signature by a registered key is witnessed; everything a commit says about itself
(author, committer, trailers, message) is asserted and can only make it count as agent work.
"""

from __future__ import annotations

import pytest
from units import registry

from signoff.attribution.attribute import AttributionKind, Attributor, EvidenceType
from signoff.attribution.message import trailers
from signoff.changes import Commit, Person, Signature
from signoff.identity.signers import Signers

REGISTRY = registry()
SIGNERS = Signers(humans=frozenset({"alice@example.com"}), agent_keys={})
ALICE = Person("Alice", "alice@example.com", 0)
UNSIGNED = Signature("N")


def commit(
    message: str = "change",
    author: Person = ALICE,
    committer: Person | None = None,
    signature: Signature = UNSIGNED,
    sha: str = "a" * 40,
) -> Commit:
    return Commit(sha, ("b" * 40,), author, committer or author, message, signature)


COPILOT = Person("Copilot", "198982749+Copilot@users.noreply.github.com", 0)
DEPENDABOT = Person("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", 0)
GOOD_SIG = Signature("G", "alice@example.com", "ED25519 SHA256:x", "SHA256:x")
CLAUDE = "\n\nCo-authored-by: Claude <noreply@anthropic.com>"


@pytest.mark.parametrize(
    ("c", "kind", "ids", "witnessed"),
    [
        (commit(), AttributionKind.UNVERIFIED, [], False),
        (commit(signature=GOOD_SIG), AttributionKind.HUMAN, [], True),
        (commit(author=COPILOT), AttributionKind.AGENT, ["copilot"], False),
        (commit(author=DEPENDABOT), AttributionKind.BOT, ["unregistered:dependabot"], False),
        (commit("fix" + CLAUDE), AttributionKind.AGENT, ["claude"], False),
        # a human's signature does not make agent work human: the agent stays, alice co-authors
        (commit("fix" + CLAUDE, signature=GOOD_SIG), AttributionKind.AGENT, ["claude"], True),
        # a signature git could not verify is no evidence at all
        (commit(signature=Signature("B", "alice@example.com")), AttributionKind.UNVERIFIED, [],
         False),
    ],
)  # fmt: skip
def test_attribution_table(
    c: Commit, kind: AttributionKind, ids: list[str], witnessed: bool
) -> None:
    a = Attributor(REGISTRY, SIGNERS)(c)
    assert a.kind is kind
    assert [x.id for x in a.actors] == ids
    assert any(e.type is EvidenceType.WITNESSED for e in a.evidence) is witnessed


def test_a_human_signature_on_agent_work_names_the_human_as_co_author() -> None:
    a = Attributor(REGISTRY, SIGNERS)(commit("fix" + CLAUDE, signature=GOOD_SIG))
    assert a.human == "alice@example.com"
    assert "alice@example.com" in a.co_authors


def test_commits_attributed_alike_share_one_profile() -> None:
    attributor = Attributor(REGISTRY, SIGNERS)
    one = attributor(commit(author=COPILOT, sha="1" * 40))
    two = attributor(commit(author=COPILOT, sha="2" * 40))
    assert one.sha != two.sha and one.profile is two.profile


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("subject only", []),
        ("subject\n\nKey: value", ["Key: value"]),
        ("subject\n\nbody text\n\nA: 1\nB: 2", ["A: 1", "B: 2"]),
        ("subject\n\nA: 1\n  continued", ["A: 1 continued"]),
        ("subject\n\nnot: a trailer block\nbecause this line is prose", []),
    ],
)
def test_trailers(message: str, expected: list[str]) -> None:
    assert list(trailers(message)) == expected
