"""The fast JSON writer (`signoff.output.json_fast`) against the plain reference
(`json.dumps(json_v1.to_dict(...))`): byte for byte, on generated decisions."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.attribution.attribute import (
    Actor,
    Attribution,
    AttributionKind,
    Evidence,
    EvidenceType,
    attribution,
)
from signoff.decision import Decision, Verdict
from signoff.output import json_fast, json_v1
from signoff.taxonomy import Kind

# Text as commits carry it: any code point, lone surrogates from undecodable bytes included.
text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=20)
shas = st.text("0123456789abcdef", min_size=40, max_size=40)
actors = st.builds(Actor, id=text, kind=st.sampled_from(list(Kind)), agent=st.none())
evidence = st.builds(
    Evidence,
    type=st.sampled_from(list(EvidenceType)),
    source=text,
    identity=text,
    detail=text,
)


@st.composite
def attributions(draw: st.DrawFn) -> list[Attribution]:
    """Commits, many of them attributed alike (they then share an interned profile)."""
    profiles = draw(
        st.lists(
            st.tuples(
                st.sampled_from(list(AttributionKind)),
                st.lists(actors, max_size=2).map(tuple),
                st.lists(evidence, max_size=2).map(tuple),
                st.none() | text,
                st.lists(text, max_size=2).map(tuple),
                st.lists(text, max_size=1).map(tuple),
            ),
            min_size=1,
            max_size=4,
        )
    )
    picks = draw(st.lists(st.integers(0, len(profiles) - 1), max_size=12))
    found = draw(st.lists(shas, min_size=len(picks), max_size=len(picks), unique=True))
    return [attribution(sha, *profiles[i]) for sha, i in zip(found, picks, strict=True)]


def decision(commits: list[Attribution], subjects: dict[str, str], warnings: list[str]) -> Decision:
    return Decision(
        verdict=Verdict.ALLOW,
        base="a" * 40,
        head="b" * 40,
        merge_base="a" * 40,
        target_branch=None,
        files=(),
        commits=tuple(commits),
        commit_subjects=subjects,
        digests={"change_set": "c" * 64, "policy": "d" * 64},
        policy_source="base:.signoff/policy.yml",
        policy_protected=True,
        warnings=tuple(warnings),
        evaluated_at="2026-12-07T00:00:00+00:00",
    )


def reference(d: Decision) -> str:
    return json.dumps(json_v1.to_dict(d), ensure_ascii=True, separators=(",", ":")) + "\n"


@settings(max_examples=200, deadline=None)
@given(attributions(), st.data(), st.lists(text, max_size=2))
def test_fast_json_is_the_reference_json(
    commits: list[Attribution], data: st.DataObject, warnings: list[str]
) -> None:
    subjects = {a.sha: data.draw(text) for a in commits if data.draw(st.booleans())}
    d = decision(commits, subjects, warnings)
    assert json_fast.dumps(d) == reference(d)

    encoder = json_fast.CommitsEncoder()  # fed as the gate attributes, then used
    for a in commits:
        encoder.add(a, subjects.get(a.sha, ""))
    assert encoder.pieces(d) is not None
    assert json_fast.dumps(d, encoder) == reference(d)


def test_profiles_are_interned() -> None:
    """Attributions alike share one profile object; different ones never do."""
    ev = (Evidence(EvidenceType.ASSERTED, "author", "x", "y"),)
    a = attribution("1" * 40, AttributionKind.AGENT, (Actor("x", Kind.AI_AGENT, None),), ev)
    b = attribution("2" * 40, AttributionKind.AGENT, (Actor("x", Kind.AI_AGENT, None),), ev)
    c = attribution("3" * 40, AttributionKind.BOT, (Actor("x", Kind.BOT, None),), ev)
    assert a.profile is b.profile
    assert a.profile is not c.profile
    assert a != b and a.kind is b.kind
