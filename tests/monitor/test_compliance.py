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
    c = _controls(doc)
    with Ledger(world.url) as lg:
        events = lg.recent(lg.size())
        assert doc["deployment"]["ledger_size"] == lg.size() == len(events)
    count = {t: sum(1 for e in events if e.type is t) for t in EventType}
    assert c["C4"]["evidence"]["decisions"] == count[EventType.DECISION_MADE] == 1
    assert c["C4"]["evidence"]["decisions_needs_approval"] == 1
    assert c["C4"]["evidence"]["approvals_given"] == count[EventType.APPROVAL_GIVEN]
    assert c["C4"]["enforcement"] == "enforced server-side"  # the hook refused a push
    assert decision in c["C4"]["ledger_refs"]
    assert c["C2"]["evidence"]["tokens_issued"] == count[EventType.TOKEN_ISSUED] == 1
    assert c["C2"]["evidence"]["requests_or_pushes_refused"] == count[EventType.PUSH_REFUSED] == 1
    assert c["C2"]["evidence"]["pushes_witnessed"] == count[EventType.PUSH_WITNESSED] == 0
    assert {issued, refused} <= set(c["C2"]["ledger_refs"])
    assert c["C1"]["evidence"]["agents_registered"] == 1
    assert c["C1"]["enforcement"] == "enforced in CI"
    assert c["C3"]["enforcement"] == "not configured"  # no trusted builders, no releases
    assert c["C5"]["enforcement"] == "enforced server-side"
    assert c["C5"]["evidence"]["verified"] == 1
    assert c["C6"]["enforcement"] == "enforced in CI"
    assert c["C7"]["enforcement"] == "advisory"
    md = run(capsys, "report", "compliance", "--repo", str(world.repo.path), "--ledger",
             world.url)  # fmt: skip
    assert "| C4 Approvals required for release-impacting changes | **enforced server-side** |" in (
        md.out
    )


def test_policy_without_decisions_is_only_advisory(world: World) -> None:
    from signoff.monitor.snapshot import gather

    snap = gather(now=dt.datetime.now(dt.UTC), repo=world.repo.path)
    c = _controls(compliance(snap))
    assert c["C4"]["enforcement"] == "advisory"
    assert c["C1"]["enforcement"] == "advisory"
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
