"""`evaluate_file` on plain inputs: who changed a file of which class, and what the policy says.

Each row is one principle of docs/policy.md: rules only add, critical changes by agents are
denied unless a rule names them, limited agents flow through the auto lane, identities that are
expired, suspended or out of scope are denied, unverified work is agent work when the policy
says so.
"""

from __future__ import annotations

import pytest
from units import TODAY, change, policy, registry

from signoff.attribution.attribute import (
    Actor,
    Attribution,
    AttributionKind,
    Evidence,
    EvidenceType,
    attribution,
)
from signoff.decision import Verdict
from signoff.facts import Fact
from signoff.policy.evaluate import FileInput, evaluate_file
from signoff.taxonomy import RISK, FileClass, Kind, Risk

REGISTRY = registry()


def agent(agent_id: str, sha: str = "a" * 40, *, witnessed: bool = True) -> Attribution:
    """Work of a registered agent: signed with its key (witnessed), or only claimed by the
    commit's own words (asserted)."""
    known = REGISTRY.get(agent_id)
    actor = Actor(agent_id, Kind.AI_AGENT, known)
    how = EvidenceType.WITNESSED if witnessed else EvidenceType.ASSERTED
    ev = (Evidence(how, "signature" if witnessed else "trailer", agent_id, "test"),)
    return attribution(sha, AttributionKind.AGENT, (actor,), ev)


def unregistered(sha: str = "b" * 40) -> Attribution:
    actor = Actor("unregistered:some-tool", Kind.AI_AGENT, None)
    return attribution(sha, AttributionKind.AGENT, (actor,), ())


HUMAN = attribution("c" * 40, AttributionKind.HUMAN, (), (), human="alice@example.com")
UNVERIFIED = attribution("d" * 40, AttributionKind.UNVERIFIED, (), ())


def decide(
    path: str,
    cls: FileClass,
    *who: Attribution,
    facts: tuple[Fact, ...] = (),
    target: str | None = "main",
    text: str | None = None,
) -> tuple[Verdict, list[tuple[int, str]], list[str]]:
    fi = FileInput(change(path), cls, RISK[cls], facts, who)
    d = evaluate_file(fi, policy(text) if text else policy(), TODAY, target)
    return (
        d.verdict,
        [(r.approvals, r.group) for r in d.requirements],
        [h.rule for h in d.hits],
    )


@pytest.mark.parametrize(
    ("path", "cls", "who", "verdict", "needs"),
    [
        # verified humans: allowed whatever the class
        ("src/a.py", FileClass.SOURCE, (HUMAN,), Verdict.ALLOW, []),
        (".github/workflows/ci.yml", FileClass.CI_WORKFLOW, (HUMAN,), Verdict.ALLOW, []),
        # a supervised agent: the default approval, plus what rules add
        ("src/a.py", FileClass.SOURCE, (agent("copilot"),), Verdict.NEEDS_APPROVAL,
         [(1, "maintainers")]),
        ("package-lock.json", FileClass.LOCKFILE, (agent("copilot"),), Verdict.NEEDS_APPROVAL,
         [(1, "maintainers"), (1, "release-managers")]),
        (".github/workflows/ci.yml", FileClass.CI_WORKFLOW, (agent("copilot"),),
         Verdict.NEEDS_APPROVAL, [(2, "maintainers")]),
        # critical classes are denied to agents unless a rule names them (a denied file still
        # lists the approval its mode would need, for the record)
        ("AGENTS.md", FileClass.AGENT_INSTRUCTIONS, (agent("copilot"),), Verdict.DENY,
         [(1, "maintainers")]),
        (".signoff/policy.yml", FileClass.GOVERNANCE, (agent("claude"),), Verdict.DENY,
         [(1, "maintainers")]),
        # a limited agent in the auto lane flows; outside it, it needs approval
        ("docs/x.md", FileClass.DOCS, (agent("claude"),), Verdict.ALLOW, []),
        ("tests/t.py", FileClass.TESTS, (agent("claude"),), Verdict.ALLOW, []),
        ("src/a.py", FileClass.SOURCE, (agent("claude"),), Verdict.NEEDS_APPROVAL,
         [(1, "maintainers")]),
        # claimed only by the commit's own words: also unverified, the stricter treatment wins
        ("docs/x.md", FileClass.DOCS, (agent("claude", witnessed=False),), Verdict.NEEDS_APPROVAL,
         [(1, "maintainers")]),
        # a blocked agent may not touch high or critical classes
        ("Dockerfile", FileClass.PACKAGING_BUILD, (agent("blocky"),), Verdict.DENY, []),
        # expired, suspended or out-of-scope identities are denied
        ("docs/x.md", FileClass.DOCS, (agent("old-bot"),), Verdict.DENY, [(1, "maintainers")]),
        ("docs/x.md", FileClass.DOCS, (agent("paused"),), Verdict.DENY, [(1, "maintainers")]),
        ("src/a.py", FileClass.SOURCE, (agent("scoped"),), Verdict.DENY, [(1, "maintainers")]),
        ("docs/x.md", FileClass.DOCS, (agent("scoped"),), Verdict.NEEDS_APPROVAL,
         [(1, "maintainers")]),
        # unverified work is agent work under this policy (supervised, as unregistered agents)
        ("docs/x.md", FileClass.DOCS, (UNVERIFIED,), Verdict.NEEDS_APPROVAL, [(1, "maintainers")]),
        ("src/a.py", FileClass.SOURCE, (unregistered(),), Verdict.NEEDS_APPROVAL,
         [(1, "maintainers")]),
        # one agent commit among human ones governs the file
        ("src/a.py", FileClass.SOURCE, (HUMAN, agent("copilot")), Verdict.NEEDS_APPROVAL,
         [(1, "maintainers")]),
    ],
)  # fmt: skip
def test_policy_table(
    path: str,
    cls: FileClass,
    who: tuple[Attribution, ...],
    verdict: Verdict,
    needs: list[tuple[int, str]],
) -> None:
    got, reqs, _ = decide(path, cls, *who)
    assert got is verdict
    assert reqs == needs


def test_a_critical_fact_raises_the_file_to_critical() -> None:
    fact = Fact("dangerous-trigger-added", ".github/workflows/ci.yml", "x", Risk.CRITICAL, "t")
    got, _, hits = decide(
        ".github/workflows/ci.yml", FileClass.CI_WORKFLOW, agent("copilot"), facts=(fact,)
    )
    assert got is Verdict.DENY
    assert "critical" in hits


def test_rules_only_add_requirements() -> None:
    """A rule that does not apply removes nothing; one that does adds to the default."""
    text = policy().source  # the same policy, plus a rule for another class
    extra = (
        "  - name: docs-free\n    when: {classes: [docs]}\n"
        "    require: {approvals: 3, from: maintainers}\n"
    )
    from policies import POLICY

    got, reqs, _ = decide("src/a.py", FileClass.SOURCE, agent("copilot"), text=POLICY + extra)
    assert text and got is Verdict.NEEDS_APPROVAL and reqs == [(1, "maintainers")]
    got, reqs, _ = decide("docs/x.md", FileClass.DOCS, agent("copilot"), text=POLICY + extra)
    assert reqs == [(3, "maintainers")]


def test_an_unknown_target_branch_applies_branch_rules_to_be_safe() -> None:
    from policies import POLICY

    extra = (
        "  - name: main-only\n    when: {branches: [main]}\n"
        "    require: {approvals: 2, from: release-managers}\n"
    )
    _, reqs, _ = decide("src/a.py", FileClass.SOURCE, agent("copilot"), target=None,
                        text=POLICY + extra)  # fmt: skip
    assert (2, "release-managers") in reqs
    _, reqs, _ = decide("src/a.py", FileClass.SOURCE, agent("copilot"), target="dev",
                        text=POLICY + extra)  # fmt: skip
    assert (2, "release-managers") not in reqs
