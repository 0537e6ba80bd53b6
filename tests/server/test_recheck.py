"""A change approved in full through the console and the API is allowed at once: after each
approval the server runs the gate itself on its registered copy, so the change's status and the
inbox move on without CI running again (docs/console.md, "After an approval")."""

from __future__ import annotations

import re

import pytest
from serverteam import Team
from webkit import gate, session_client

from signoff.ledger.events import EventType


def _decide_in_the_console(team: Team, who: str) -> None:
    """What the Approve button posts: the hidden fields of the viewer's card, every class ticked."""
    client, _ = session_client(team, who)
    try:
        page = client.get("/ui/inbox").text
        form = re.search(r'<form method="post" action="/ui/inbox/decide".*?</form>', page, re.S)
        assert form, f"{who} has nothing to decide"
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[0]))
        for name in re.findall(r'name="(class_[^"]+)" value="on"', form[0]):
            fields[name] = "on"
        r = client.post("/ui/inbox/decide", data=fields, headers={"Origin": team.server.url})
        assert r.status_code == 303 and "notice=approved" in r.headers["location"], r.text
    finally:
        client.close()


def _inbox_lists_a_change(team: Team, who: str) -> bool:
    client, _ = session_client(team, who)
    try:
        return '<article class="card change"' in client.get("/ui/inbox").text
    finally:
        client.close()


def _latest(team: Team, head: str) -> dict[str, object]:
    ev = team.api("auditor").ok("GET", "/v1/repos/demo/evaluations", params={"head": head})
    latest: dict[str, object] = ev["items"][0]
    return latest


def test_a_fully_approved_change_is_allowed_without_ci(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    w = team.world
    code, out = gate(team, capsys)  # CI, once: the change needs approval
    assert (code, out["decision"]) == (1, "needs-approval")
    assert _inbox_lists_a_change(team, "alice")
    _decide_in_the_console(team, "alice")
    assert _latest(team, w.head)["decision"] == "needs-approval"  # ci-workflow needs two
    _decide_in_the_console(team, "bob")
    assert _latest(team, w.head)["decision"] == "needs-approval"  # the lockfile needs carol
    body = {"base": w.base, "head": w.head, "decision": "approve"}
    assert team.api("carol").post("/v1/repos/demo/approvals", body).status_code == 201
    # no CI run since: the server's own evaluation of its copy says allowed, and nobody's
    # inbox lists the change any more
    latest = _latest(team, w.head)
    assert latest["decision"] == "allow" and latest["evidence"] == "witnessed"
    assert not any(_inbox_lists_a_change(team, who) for who in ("alice", "bob", "carol"))
    posted = team.api("auditor").ok("GET", "/v1/repos/demo/decisions")["items"]
    assert [p["decision"] for p in posted] == ["needs-approval"]  # CI's one record, unchanged
    ledger = team.server.ctx.recorder.ledger
    evaluated = [e for e in ledger.recent(200) if e.type is EventType.DECISION_EVALUATED]
    assert evaluated[-1].actor == "signoff:server"
    assert evaluated[-1].payload["decision"] == "allow"
    # and CI, when it does run, agrees with what the server said
    code, out = gate(team, capsys)
    assert (code, out["decision"]) == (0, "allow")


def test_the_recheck_reads_the_copy_not_the_caller(team: Team) -> None:
    """The re-check evaluates the server's copy: a head the copy does not hold is refused, and
    nothing is recorded for it."""
    w = team.world
    before = team.counts()
    body = {"base": w.base, "head": "f" * 40, "decision": "approve"}
    r = team.api("alice").post("/v1/repos/demo/approvals", body)
    assert r.status_code == 422, r.text
    assert team.counts() == before
