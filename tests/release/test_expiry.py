"""Expiry is judged at the time of the work; revocation reaches all of it (issue: items 5).

The time of the work is one the ledger witnessed: here a `decision.made` the gate recorded with
`signoff check --ledger` while the agent was valid, then the release verified after its expiry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from gitrepo import COPILOT
from policies import AGENTS

from signoff.identity.agents import parse_registry
from signoff.identity.validity import Validity, identity_state_at
from signoff.ledger.events import EventDraft, EventType
from signoff.release.events import LedgerLog

from .conftest import World, failing
from .test_release_e2e import agent_lockfile_release

Make = Callable[..., World]
EXPIRING = AGENTS.replace(
    "    review_by: 2999-01-01\n    match: {catalog: [github-copilot]}",
    "    expires: 2030-06-30\n    match: {catalog: [github-copilot]}",
)
AFTER = "2030-07-15"


def record_gate_decision(w: World) -> None:
    """`signoff check --ledger`: the gate witnesses (and times) the approved work."""
    r = w.cli(
        "check",
        "--repo",
        str(w.repo.path),
        "--base",
        "refs/tags/v1.3.0",  # the gate takes a tag only by its full name
        "--head",
        "main",
        "--ledger",
        w.ledger,
    )
    assert r.code == 0, r.out + r.err


def test_work_witnessed_before_expiry_still_releases(world: Make) -> None:
    w = world(agents=EXPIRING)
    agent_lockfile_release(w)
    record_gate_decision(w)
    code, doc = w.verify("--today", AFTER)
    assert code == 0, failing(doc)
    [identities] = [c for c in doc["checks"] if c["name"] == "identities"]
    assert "has expired since, but its work was witnessed while valid" in str(identities)


def test_unwitnessed_work_is_judged_now(world: Make) -> None:
    w = world(agents=EXPIRING)
    agent_lockfile_release(w)  # approved, but no decision or push was ever witnessed
    code, doc = w.verify("--today", AFTER)
    assert code == 1
    [p] = failing(doc)["identities"]
    assert "agent copilot expired on 2030-06-30, before the work (2030-07-15)" in p
    assert "no witnessed time" in p
    assert code == 1 and w.verify()[0] == 0  # before the expiry date: fine


def test_work_witnessed_after_expiry_fails(world: Make) -> None:
    w = world(agents=EXPIRING.replace("expires: 2030-06-30", "expires: 2020-06-30"))
    agent_lockfile_release(w)
    sha = w.repo.head()
    with LedgerLog(w.ledger) as log:  # the hook saw the push now, years after the expiry
        seq, _ = log.append(
            EventDraft(EventType.PUSH_WITNESSED, "signoff-hook", {"commit": sha}, {})
        )
    code, doc = w.verify()
    assert code == 1
    [p] = failing(doc)["identities"]
    assert "agent copilot expired on 2020-06-30, before the work" in p
    assert f"push.witnessed at ledger seq {seq}" in p


def test_revocation_is_retroactive_even_for_witnessed_work(world: Make) -> None:
    w = world(agents=EXPIRING)
    agent_lockfile_release(w)
    record_gate_decision(w)
    with LedgerLog(w.ledger) as log:
        log.append(
            EventDraft(
                EventType.IDENTITY_SUSPENDED,
                "alice@example.com",
                {"agent": "copilot"},
                {"reason": "key leaked"},
            )
        )
    code, doc = w.verify()
    assert code == 1
    assert "agent copilot was revoked (ledger seq" in failing(doc)["identities"][0]


def test_suspended_in_the_later_registry_is_retroactive(world: Make) -> None:
    w = world(agents=EXPIRING)
    agent_lockfile_release(w)
    record_gate_decision(w)
    w.repo.write(
        ".signoff/agents.yml",
        EXPIRING.replace(
            "    expires: 2030-06-30\n", "    expires: 2030-06-30\n    status: suspended\n", 1
        ),
    )
    w.repo.commit("suspend copilot")
    code, doc = w.verify()
    assert code == 1
    assert any(
        "suspended in the registry: treated as revoked" in p for p in failing(doc)["identities"]
    )


REG = """\
version: 1
agents:
  - {id: a, owner: o@example.com, expires: 2025-01-31}
  - {id: b, owner: o@example.com, expires: 2025-01-31, status: retired}
  - {id: c, owner: o@example.com, review_by: 2025-01-31, status: retired}
  - {id: d, owner: o@example.com, review_by: 2000-01-01, status: suspended}
  - {id: e, owner: o@example.com, review_by: 2000-01-01}
"""


@pytest.mark.parametrize(
    ("agent", "when", "revoked", "validity"),
    [
        ("a", "2025-01-31T23:59:59+00:00", False, Validity.VALID),  # the last valid day
        ("a", "2025-02-01T00:00:00+00:00", False, Validity.EXPIRED),
        ("a", "2025-01-31T23:30:00-01:00", False, Validity.EXPIRED),  # Feb 1st in UTC
        ("a", "2024-06-01T00:00:00+00:00", True, Validity.REVOKED),
        ("b", "2025-01-01T00:00:00+00:00", False, Validity.VALID),  # retired after the work
        ("b", "2025-03-01T00:00:00+00:00", False, Validity.RETIRED),
        ("c", "2020-01-01T00:00:00+00:00", False, Validity.RETIRED),  # no date: cannot place it
        ("d", "2020-01-01T00:00:00+00:00", False, Validity.REVOKED),
        ("e", "2030-01-01T00:00:00+00:00", False, Validity.VALID),  # review due: a reminder only
    ],
)
def test_identity_state_at(agent: str, when: str, revoked: bool, validity: Validity) -> None:
    entry = parse_registry(REG.encode()).get(agent)
    assert entry is not None
    state = identity_state_at(entry, dt.datetime.fromisoformat(when), {agent: 7} if revoked else {})
    assert state.validity is validity
    assert state.ok is (validity is Validity.VALID)
    if revoked:
        assert "ledger seq 7" in state.reason


def test_identity_state_needs_an_aware_time() -> None:
    entry = parse_registry(REG.encode()).get("a")
    assert entry is not None
    with pytest.raises(ValueError, match="timezone-aware"):
        identity_state_at(entry, dt.datetime(2025, 1, 1), {})


def test_commit_dates_never_count_as_the_time_of_work(world: Make) -> None:
    """An agent backdating its commit to before its expiry gains nothing."""
    w = world(agents=EXPIRING)
    w.repo.write("package-lock.json", '{"lockfileVersion": 3, "packages": {"x": {}}}\n')
    env = {"GIT_AUTHOR_DATE": "2001-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2001-01-01T00:00:00Z"}
    w.repo.git("add", "-A")
    w.repo.git(
        "commit",
        "-q",
        "-m",
        "bump",
        env={**env, "GIT_AUTHOR_NAME": COPILOT[0], "GIT_AUTHOR_EMAIL": COPILOT[1]},
    )
    w.approve("alice")
    w.approve("carol")
    code, doc = w.verify("--today", AFTER)
    assert code == 1 and "no witnessed time" in failing(doc)["identities"][0]
