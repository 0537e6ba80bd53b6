"""Inbox cases: approving one class of a change and not the others, and refusing a decision
on no class at all."""

from __future__ import annotations

import re

import pytest
from gitrepo import COPILOT
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


def test_a_change_with_a_denied_file_still_reaches_the_inbox(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = team.world.repo
    repo.checkout("work")
    repo.write(".github/workflows/release.yml", "on: [push]\njobs: {}\n")  # critical: denied
    head = repo.commit("agent adds a release workflow", author=COPILOT)
    repo.checkout("main")
    code, out = gate(team, capsys, head)
    assert code == 1 and out["decision"] == "deny", out["decision"]
    alice = sign_in("alice")
    card = alice.locator("article.change")
    assert card.count() == 1
    text = card.inner_text()
    assert "are denied" in text and ".github/workflows/release.yml" in text
    assert "yours to decide" in text  # the other classes can still be approved


def test_the_task_shown_is_the_one_that_pushed_never_a_guess(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """A task on the same base that pushed nothing is not this change's task: its intent and
    requester must not be shown for it."""
    team.api("dave").ok(
        "POST", "/v1/tasks",
        {"agent": "copilot", "repo": "demo", "base_commit": team.world.base,
         "intent_text": "Something else entirely", "branch_prefix": "agent/",
         "allowed_paths": ["src/**"],
         "actions": ["push-branch"], "ttl_seconds": 600},
    )  # fmt: skip
    gate(team, capsys)
    text = sign_in("alice").locator("article.change").inner_text()
    assert "Something else entirely" not in text and "requested by dave" not in text
    assert "none witnessed" in text


def test_approved_by_lists_only_people_who_count_for_the_group(
    team: Team, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    gate(team, capsys)
    w = team.world
    team.api("carol").ok(
        "POST",
        "/v1/repos/demo/approvals",
        {"base": w.base, "head": w.head, "decision": "approve", "classes": ["source"]},
    )  # fmt: skip  carol is a release manager, not a maintainer: no count for source
    rows = sign_in("alice").locator("article.change table").first.inner_text()
    source_row = next(line for line in rows.splitlines() if line.startswith("source"))
    assert "carol@example.com" not in source_row
