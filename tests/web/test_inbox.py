"""Inbox cases: approving one class of a change and not the others, and refusing a decision
on no class at all."""

from __future__ import annotations

import re

import pytest
from serverteam import Team
from webkit import SignIn, gate


def test_approve_one_class_only(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    gate(team, capsys)
    alice = sign_in("alice")
    card = alice.locator("article.change").first
    boxes = card.locator("fieldset.classes input[type=checkbox]")
    assert boxes.count() >= 2 and all(b.is_checked() for b in boxes.all())
    card.get_by_label(re.compile(r"^\s*lockfile")).uncheck()
    card.get_by_label(re.compile(r"^\s*ci-workflow")).uncheck()
    card.get_by_role("button", name="Approve").click()
    alice.wait_for_url(re.compile(r".*notice=approved"))
    left = alice.locator("article.change fieldset.classes").inner_text()
    assert "lockfile" in left and "source" not in left  # source is decided; the rest still hers
    _, out = gate(team, capsys)
    by = {(s["class"], s["group"]): s for s in out["approvals"]}
    assert by[("source", "maintainers")]["approvers"] == ["alice@example.com"]
    assert by[("lockfile", "maintainers")]["approvers"] == []


def test_deciding_no_class_records_nothing(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    gate(team, capsys)
    alice = sign_in("alice")
    card = alice.locator("article.change").first
    for box in card.locator("fieldset.classes input[type=checkbox]").all():
        box.uncheck()
    before = team.counts()["server_approvals"]
    card.get_by_role("button", name="Approve").click()
    alice.wait_for_url(re.compile(r".*notice=no-class"))
    assert "Tick at least one class" in alice.locator("[role=alert]").inner_text()
    assert team.counts()["server_approvals"] == before
