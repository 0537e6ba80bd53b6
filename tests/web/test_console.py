"""The issue's browser scenarios: sign in, approve from the inbox and see the gate pass, veto,
a stale digest refused, revoke a task, and a role that must not see the approve button."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from serverteam import Team
from webkit import SignIn, accessible, gate, push_more, shot


def approve_all(page: Any, comment: str = "") -> None:
    card = page.locator("article.change").first
    if comment:
        card.get_by_label("Comment (optional)").fill(comment)
    card.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(r".*notice=approved"))
    assert "Your approval was recorded." in page.locator("[role=status]").inner_text()


def test_approve_from_inbox_then_gate_passes(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = gate(team, capsys)
    assert code == 1
    alice = sign_in("alice")
    card = alice.locator("article.change")
    assert card.count() == 1
    text = card.inner_text()
    for expected in ("copilot", "ci-workflow", "lockfile", "source", "yours to decide"):
        assert expected in text
    assert alice.locator(".dl-add").count() > 0  # the highlighted diff is on the page
    accessible(alice)
    shot(alice, "inbox")
    approve_all(alice, "looks fine")
    assert alice.locator("article.change form.decide").count() == 0  # nothing left for alice
    for who in ("bob", "carol"):
        approve_all(sign_in(who))
    code, out = gate(team, capsys)
    assert code == 0, out["approvals"]
    src = next(s for s in out["approvals"] if s["class"] == "source")
    assert src["sources"]["alice@example.com"] == "server"


def test_veto_blocks(team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]) -> None:
    gate(team, capsys)
    bob = sign_in("bob")
    bob.once("dialog", lambda d: d.accept())
    bob.locator("article.change").first.get_by_role("button", name="Veto").click()
    bob.wait_for_url(re.compile(r".*notice=vetoed"))
    assert "bob@example.com" in bob.locator("article.change").inner_text()
    approve_all(sign_in("alice"))
    code, out = gate(team, capsys)
    assert code == 1
    assert any(s["vetoers"] for s in out["approvals"])


def test_stale_digest_is_refused(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    gate(team, capsys)
    alice = sign_in("alice")
    gate(team, capsys, push_more(team))  # CI checks the new push while alice reads the page
    before = team.counts()["server_approvals"]
    alice.locator("article.change").first.get_by_role("button", name="Approve").click()
    alice.wait_for_url(re.compile(r".*notice=stale"))
    alert = alice.locator("[role=alert]").inner_text()
    assert "the content changed since you loaded this page" in alert.lower()
    assert team.counts()["server_approvals"] == before
    shot(alice, "inbox-stale")


def test_auditor_sees_no_approve_button(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    gate(team, capsys)
    auditor = sign_in("auditor")
    assert auditor.locator("article.change").count() == 1  # sees the change, read-only
    assert auditor.get_by_role("button", name="Approve").count() == 0
    assert auditor.get_by_role("button", name="Veto").count() == 0
    assert "Your roles cannot approve" in auditor.content()


def test_revoke_a_task(team: Team, sign_in: SignIn) -> None:
    task = team.api("dave").ok(
        "POST",
        "/v1/tasks",
        {"agent": "copilot", "repo": "demo", "base_commit": team.world.base,
         "intent_text": "Fix issue #42", "branch_prefix": "agent/", "actions": ["push-branch"],
         "allowed_paths": ["src/**"],
         "ttl_seconds": 600},
    )  # fmt: skip
    dave = sign_in("dave")
    dave.get_by_role("link", name="Tasks").click()
    dave.get_by_role("link", name=task["id"]).click()
    accessible(dave)
    shot(dave, "task")
    dave.once("dialog", lambda d: d.accept())
    dave.get_by_label("Reason for revoking").fill("no longer needed")
    dave.get_by_role("button", name="Revoke task").click()
    dave.wait_for_url(re.compile(r".*notice=revoked"))
    assert "revoked" in dave.locator("h1").inner_text()
    assert team.api("admin").ok("GET", f"/v1/tasks/{task['id']}")["state"] == "revoked"


def test_every_page_renders_and_is_accessible(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    gate(team, capsys)
    admin = sign_in("auditor")
    for name in ("overview", "agents", "tasks", "ledger", "releases"):
        admin.get_by_role("link", name=name.title(), exact=True).click()
        assert admin.locator("nav a[aria-current=page]").inner_text() == name.title()
        accessible(admin)
        shot(admin, name)
    admin.goto(f"{team.server.url}/ui/agents/copilot")
    accessible(admin)
    shot(admin, "agent")
    admin.goto(f"{team.server.url}/ui/ledger?seq=1")
    assert "inclusion proof" in admin.content()
    admin.locator("input[name=seq]").first.check()
    with admin.expect_download() as dl:
        admin.get_by_role("button", name="Download evidence bundle for the picked events").click()
    assert dl.value.suggested_filename == "signoff-evidence.json"


def test_open_a_release_and_download_its_attestation(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    gate(team, capsys)
    rel = team.api("ci").ok(
        "POST", "/v1/repos/demo/releases/verify", {"from": team.world.base, "to": team.world.head}
    )
    carol = sign_in("carol")
    carol.get_by_role("link", name="Releases", exact=True).click()
    carol.get_by_role("link", name=rel["head"][:12]).click()
    assert rel["result"] in carol.locator("h1").inner_text()
    assert carol.locator("figure.graph svg").count() == 1
    accessible(carol)
    shot(carol, "release")
    with carol.expect_download() as dl:
        carol.get_by_role("link", name="Download the attestation (DSSE / in-toto)").click()
    body = Path(dl.value.path()).read_text()
    assert json.loads(body.splitlines()[0])["payloadType"] == "application/vnd.in-toto+json"
