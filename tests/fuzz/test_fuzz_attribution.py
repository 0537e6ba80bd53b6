"""Fuzzing attribution: the trailers, footers and identities a commit carries are the agent's.

Everything a commit says about itself is *asserted*: it may make a commit count as agent work,
never as human work. So for any message, author and committer: reading the message gives its
trailers and footers, never an exception; a commit without a good signature by a registered
human is never `human`; and text added around a trailer that names an agent never hides that
agent. Bounded as `tests/fuzz` requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

from fuzzing import budget
from hypothesis import example, given
from hypothesis import strategies as st
from policies import AGENTS

from signoff.attribution.attribute import (
    AGENT_PRINCIPAL,
    AttributionKind,
    Attributor,
    EvidenceType,
    attribute,
)
from signoff.attribution.message import footers, trailers
from signoff.changes import NO_SIGNATURE, Commit, Person, Signature
from signoff.identity.agents import parse_registry
from signoff.identity.signers import Signers

REGISTRY = parse_registry(AGENTS.encode(), "agents.yml")
HUMAN = "alice@example.com"
SIGNERS = Signers(humans=frozenset({HUMAN}))
AGENT_TRAILER = "Co-authored-by: Claude <noreply@anthropic.com>"

_MSG_TOKENS = st.sampled_from(
    [
        "Fix", "\n", "\n\n", " ", "\t", "\r", "\r\n", "\f", "\v", "\u2028", ":", " : ", "#", "## ",
        "Co-authored-by: ", "co-authored-by:", "Signed-off-by: ", "(cherry picked from commit ",
        "Generated-by: ", "Assisted-by: ", "Claude", "Copilot", "<noreply@anthropic.com>",
        f"<{HUMAN}>", "<a@b>", "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
        "human", "AI", "ai-", "llm", "created with ", "https://x.example/s", "x", "é", "\x00",
        "\ud800", "-", "Agent", "[bot]", "by ",
    ]
)  # fmt: skip
MESSAGES = st.one_of(st.text(max_size=200), st.lists(_MSG_TOKENS, max_size=30).map("".join))
_NAMES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["Alice", "Claude", "Copilot", "copilot-swe-agent[bot]", "GPT-5", "", " "]),
)
_EMAILS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            HUMAN,
            "noreply@anthropic.com",
            "198982749+Copilot@users.noreply.github.com",
            "old-bot@example.com",
            "paused@example.com",
            "",
            "@",
            "a@users.noreply.github.com",
        ]
    ),
)
PEOPLE = st.builds(Person, _NAMES, _EMAILS, st.integers(0, 2**40))
#: Every signature that is not a good one by a registered human's key.
UNTRUSTED = st.sampled_from(
    [
        NO_SIGNATURE,
        Signature("U", key="openpgp"),
        Signature("B", signer=HUMAN, key="ssh-ed25519 SHA256:x"),
        Signature("G", signer="mallory@example.com", key="ssh-ed25519 SHA256:y"),
        Signature("G", signer=f"{AGENT_PRINCIPAL}nobody", key="ssh-ed25519 SHA256:z"),
        Signature("G", signer=f"{AGENT_PRINCIPAL}claude", key="ssh-ed25519 SHA256:w"),
    ]
)


def _commit(message: str, author: Person, committer: Person, sig: Signature) -> Commit:
    return Commit("c" * 40, ("p" * 40,), author, committer, message, sig)


@budget(200)
@given(MESSAGES)
@example("Fix\n\n\ud800: x\nCo-authored-by: a <b@c>")
def test_message_reading_gives_trailers_and_footers(message: str) -> None:
    got = trailers(message)
    subject = message.strip().split("\n", 1)[0].strip()
    assert footers(message)[0] == subject
    for t in got:
        assert t.strip() == t and t
        assert ":" in t or t.startswith("(cherry picked from commit ")


@budget(120)
@given(MESSAGES, PEOPLE, PEOPLE, UNTRUSTED)
def test_nothing_a_commit_asserts_makes_it_human(
    message: str, author: Person, committer: Person, sig: Signature
) -> None:
    commit = _commit(message, author, committer, sig)
    a = attribute(commit, REGISTRY, SIGNERS)
    assert a.kind is not AttributionKind.HUMAN
    assert a.human is None
    witnessed = [e for e in a.evidence if e.type is EvidenceType.WITNESSED]
    # Only a good signature by a registered agent's key is witnessed here, and it names it.
    assert all(e.source == "signature" and e.identity == "claude" for e in witnessed)
    if not witnessed:
        assert a.asserted_only
    # The cached path attributes alike.
    assert Attributor(REGISTRY, SIGNERS)(commit) == a


@budget(100)
@given(MESSAGES, PEOPLE)
def test_a_human_signature_stays_the_only_human_evidence(message: str, author: Person) -> None:
    sig = Signature("G", signer=HUMAN, key="ssh-ed25519 SHA256:h")
    a = attribute(_commit(message, author, author, sig), REGISTRY, SIGNERS)
    assert a.human == HUMAN
    assert a.kind in (AttributionKind.HUMAN, AttributionKind.AGENT, AttributionKind.BOT)
    assert [e.identity for e in a.evidence if e.type is EvidenceType.WITNESSED] == [HUMAN]


_BASE = attribute(
    _commit(f"Fix\n\n{AGENT_TRAILER}\n", Person("Alice", HUMAN, 0), Person("Alice", HUMAN, 0),
            NO_SIGNATURE),
    REGISTRY, SIGNERS,
)  # fmt: skip


@budget(200)
@given(MESSAGES, MESSAGES, st.sampled_from(["\n\n", "\n \n", "\r\n\r\n"]))
def test_text_around_an_agent_trailer_never_hides_the_agent(
    before: str, after: str, gap: str
) -> None:
    assert _BASE.kind is AttributionKind.AGENT and _BASE.actors
    message = f"Fix\n\n{before}{gap}{AGENT_TRAILER}{gap}{after}"
    alice = Person("Alice", HUMAN, 0)
    a = attribute(_commit(message, alice, alice, NO_SIGNATURE), REGISTRY, SIGNERS)
    assert a.kind is AttributionKind.AGENT
    assert {x.id for x in _BASE.actors} <= {x.id for x in a.actors}
