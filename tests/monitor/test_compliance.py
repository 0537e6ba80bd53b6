"""The compliance report: numbers equal to the ledger's, enforcement levels from the actual
configuration, only verified framework identifiers, safe HTML."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from clirun import run
from schemas import validate

from signoff.gate.check import run_check
from signoff.gate.record import record_decision
from signoff.ledger.events import EventType
from signoff.ledger.service import Ledger
from signoff.monitor.model import Snapshot
from signoff.monitor.report.compliance import compliance
from signoff.monitor.report.frameworks import MAPPING
from signoff.monitor.report.render import to_html

from .conftest import SHA_A, World

RESEARCH = Path("/work/shared/research/standards-controls.md")


def _controls(doc: dict[str, Any]) -> dict[str, Any]:
    return {c["id"]: c for c in doc["controls"]}


def test_unconfigured_deployment_says_not_configured() -> None:
    doc = compliance(Snapshot(now=dt.datetime.now(dt.UTC)))
    assert {c["enforcement"] for c in doc["controls"]} == {"not configured"}


def test_seeded_deployment_numbers_match_the_ledger(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    base = world.repo.head()
    world.repo.branch("feature")
    world.agent_commit()
    decision = record_decision(world.url, run_check(world.repo.path, base, "feature"))
    world.append(EventType.APPROVAL_GIVEN, {"commit": base, "base": base},
                 {"approver": "alice@example.com"})  # fmt: skip
    issued = world.append(
        EventType.TOKEN_ISSUED,
        {"task": "t1", "agent": "copilot", "token_sha256": SHA_A},
        {"jti": "j1", "proof": {"method": "pop"}},
    )
    refused = world.append(
        EventType.PUSH_REFUSED,
        {"repo": "demo", "token_sha256": SHA_A},
        {"outcome": "refused", "refs": [], "reasons": ["protected ref"]},
    )
    r = run(capsys, "report", "compliance", "--repo", str(world.repo.path), "--ref", "main",
            "--ledger", world.url, "--format", "json")  # fmt: skip
    assert r.code == 0, r.err
    doc = r.json()
    validate(doc, "compliance-v1.json")
    c = _controls(doc)
    with Ledger(world.url) as lg:
        events = lg.recent(lg.size())
        assert doc["deployment"]["ledger_size"] == lg.size() == len(events)
    count = {t: sum(1 for e in events if e.type is t) for t in EventType}
    assert c["C4"]["evidence"]["decisions"] == count[EventType.DECISION_MADE] == 1
    assert c["C4"]["evidence"]["decisions_needs_approval"] == 1
    assert c["C4"]["evidence"]["approvals_given"] == count[EventType.APPROVAL_GIVEN]
    # a push.refused in a ledger file is not the hook observed: no control plane read here
    assert c["C4"]["enforcement"] == "enforced in CI"
    assert decision in c["C4"]["ledger_refs"]
    assert c["C2"]["evidence"]["tokens_issued"] == count[EventType.TOKEN_ISSUED] == 1
    assert c["C2"]["evidence"]["requests_or_pushes_refused"] == count[EventType.PUSH_REFUSED] == 1
    assert c["C2"]["evidence"]["pushes_witnessed"] == count[EventType.PUSH_WITNESSED] == 0
    assert {issued, refused} <= set(c["C2"]["ledger_refs"])
    assert c["C1"]["evidence"]["agents_registered"] == 1
    assert c["C1"]["enforcement"] == "enforced in CI"
    assert c["C3"]["enforcement"] == "not configured"  # no trusted builders, no releases
    assert c["C5"]["enforcement"] == "enforced in CI"  # a ledger file, not the control plane's
    assert c["C2"]["enforcement"] == "configured, not observed"
    assert doc["deployment"]["control_plane"] is False
    assert c["C5"]["evidence"]["verified"] == 1
    assert c["C6"]["enforcement"] == "enforced in CI"
    assert c["C7"]["enforcement"] == "advisory"
    md = run(capsys, "report", "compliance", "--repo", str(world.repo.path), "--ledger",
             world.url)  # fmt: skip
    assert "| C4 Approvals required for release-impacting changes | **enforced in CI** |" in md.out


def test_policy_without_decisions_is_configured_not_observed(world: World) -> None:
    from signoff.monitor.snapshot import gather

    snap = gather(now=dt.datetime.now(dt.UTC), repo=world.repo.path)
    c = _controls(compliance(snap))
    assert c["C4"]["enforcement"] == "configured, not observed"
    assert c["C1"]["enforcement"] == "configured, not observed"
    assert c["C5"]["enforcement"] == "not configured"


@pytest.mark.skipif(not RESEARCH.exists(), reason="research notes not present")
def test_every_cited_identifier_is_in_the_verified_research_tables() -> None:
    text = RESEARCH.read_text()
    verified = text.split("## 8. Proposed mapping")[0]  # the tables, not the proposed mapping
    for control, frameworks in MAPPING.items():
        for ids in frameworks.values():
            for ident in ids:
                pattern = rf"\|\s*(?:req\. \")?{re.escape(ident)}\b"
                assert re.search(pattern, verified), f"{control}: {ident} not verified"
    assert "NHI" not in json.dumps(MAPPING) and "A.6" not in json.dumps(MAPPING)


def test_html_is_escaped_and_self_contained() -> None:
    doc = compliance(Snapshot(now=dt.datetime.now(dt.UTC)), origin="<script>x</script>")
    page = to_html(doc)
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page and "src=" not in page


def test_an_unapproved_agent_change_on_main_fails_c4(world: World) -> None:
    """Decisions recorded elsewhere do not make C4 enforced while an agent change sits on the
    protected branch with no passing decision."""
    base = world.repo.head()
    world.repo.branch("feature")
    world.agent_commit()
    record_decision(world.url, run_check(world.repo.path, base, "feature"))  # the PR's check
    world.repo.checkout("main")
    sha = world.agent_commit("src/app.py", "print('pushed straight to main')\n")
    c = _controls(compliance(world.snapshot()))
    assert c["C4"]["enforcement"] == "failing"
    assert sha[:12] in c["C4"]["basis"]
    assert c["C4"]["evidence"]["agent_commits_on_protected_branches_without_a_passing_decision"]


def test_only_the_control_plane_grades_server_side() -> None:
    """The same events, read as the control plane's own view, earn server-side; read from a
    file they do not."""
    from signoff.ledger.events import Event
    from signoff.monitor.model import LedgerHealth

    now = dt.datetime.now(dt.UTC)
    t = now.isoformat(timespec="microseconds").replace("+00:00", "Z")

    def ev(seq: int, kind: EventType, subjects: dict[str, str]) -> Event:
        return Event(seq, t, kind, "human:admin", subjects, {}, ())

    events = (
        ev(0, EventType.DECISION_MADE, {"commit": "a" * 40}),
        ev(1, EventType.PUSH_REFUSED, {"repo": "demo"}),
        ev(2, EventType.TOKEN_ISSUED, {"agent": "copilot", "task": "t", "token_sha256": SHA_A}),
    )
    health = LedgerHealth(ok=True, size=3)
    for server, c5, c2 in ((True, "enforced server-side", "enforced server-side"),
                           (False, "enforced in CI", "configured, not observed")):  # fmt: skip
        snap = Snapshot(now=now, events=events, ledger=health, server=server,
                        configured=frozenset({"policy"}))  # fmt: skip
        c = _controls(compliance(snap))
        assert (c["C5"]["enforcement"], c["C2"]["enforcement"]) == (c5, c2), server
        assert c["C4"]["enforcement"] == ("enforced server-side" if server else "enforced in CI")
