"""The console's Alerts page: a person with the auditor role sees the monitor's alerts and
acknowledges one (recorded in the ledger); roles that cannot read alerts do not get the page;
the acknowledgement form is CSRF-checked like every other."""

from __future__ import annotations

import re
from typing import Any

from serverteam import Team
from webkit import SignIn, accessible, session_client, shot

from signoff.server.alerts.service import run_once


def _seed_alert(team: Team) -> dict[str, Any]:
    """The agent's change merged to main without a passing decision: `drift.no-decision`."""
    repo = team.world.repo
    repo.write(".signoff/monitor.yml", "version: 1\nwindow_days: 3650\n")  # commits dated 2025
    repo.commit("monitor config")
    repo.merge("work", "merge agent work")
    run_once(team.server.ctx)
    alerts = team.api("auditor").ok("GET", "/v1/alerts")["alerts"]
    found: dict[str, Any] = next(a for a in alerts if a["rule"] == "drift.no-decision")
    return found


def _auditor_person(team: Team) -> None:
    """An auditor token bound to a person (the seeded `auditor` is a service token, which may
    read alerts but not acknowledge them)."""
    erin = {"id": "erin", "email": "erin@example.com", "name": "Erin", "groups": []}
    team.admin.ok("POST", "/v1/humans", erin)
    team.tokens["erin"] = team.admin.token_for("erin-auditor", ["auditor"], "erin")


def _acks(team: Team) -> list[Any]:
    return [
        e
        for e in team.server.ctx.recorder.ledger.recent(100)
        if e.type.value == "alert.acknowledged"
    ]


def test_auditor_sees_and_acknowledges_an_alert(team: Team, sign_in: SignIn) -> None:
    alert = _seed_alert(team)
    _auditor_person(team)
    erin = sign_in("erin")
    erin.get_by_role("link", name="Alerts", exact=True).click()
    assert erin.locator("nav a[aria-current=page]").inner_text() == "Alerts"
    row = erin.locator(f"tr#{alert['id']}")
    text = row.inner_text()
    for expected in ("high", "drift.no-decision", team.world.head[:12], "find how it bypassed"):
        assert expected in text
    assert row.locator(".badge-sev-high").count() == 1
    accessible(erin)
    row.get_by_label("Comment").fill("reverting the merge")
    row.get_by_role("button", name=re.compile("^Acknowledge")).click()
    erin.wait_for_url(re.compile(r".*/ui/alerts\?notice=acknowledged"))
    assert "acknowledgement is in the ledger" in erin.locator("[role=status]").inner_text()
    row = erin.locator(f"tr#{alert['id']}")
    assert "by erin@example.com" in row.inner_text()
    assert "reverting the merge" in row.inner_text()
    assert row.get_by_role("button").count() == 0
    shot(erin, "alerts")
    (ack,) = _acks(team)
    assert ack.actor == "human:erin" and ack.subjects["alert"] == alert["id"]
    assert ack.payload["rule"] == "drift.no-decision"
    assert ack.payload["comment"] == "reverting the merge"
    (api,) = [a for a in team.api("auditor").ok("GET", "/v1/alerts")["alerts"]
              if a["id"] == alert["id"]]  # fmt: skip
    assert api["acknowledged"]["by"] == "erin@example.com"


def test_who_gets_the_alerts_page(team: Team, sign_in: SignIn) -> None:
    alert = _seed_alert(team)
    service = sign_in("auditor")  # a service token: reads, cannot acknowledge
    service.get_by_role("link", name="Alerts", exact=True).click()
    assert service.locator(f"tr#{alert['id']}").count() == 1
    assert service.get_by_role("button", name=re.compile("^Acknowledge")).count() == 0
    assert "acknowledged by a person, not a service token" in service.content()
    for who in ("dave", "alice"):  # agent-operator; approver (neither lists nor acknowledges)
        page = sign_in(who)
        assert page.get_by_role("link", name="Alerts", exact=True).count() == 0
        resp = page.goto(f"{team.server.url}/ui/alerts")
        assert resp is not None and resp.status == 403
        assert "Not allowed" in page.locator("h1").inner_text()


def test_acknowledge_form_is_csrf_checked(team: Team) -> None:
    alert = _seed_alert(team)
    _auditor_person(team)
    url = f"/ui/alerts/{alert['id']}/ack"
    same = {"Origin": team.server.url}
    c, token = session_client(team, "erin")
    assert c.post(url, data={"comment": "x"}, headers=same).status_code == 403
    assert c.post(url, data={"csrf": "wrong"}, headers=same).status_code == 403
    evil = {"Origin": "https://evil.example"}
    assert c.post(url, data={"csrf": token}, headers=evil).status_code == 403
    assert _acks(team) == []
    dave, dave_token = session_client(team, "dave")  # a person, but no role that acknowledges
    assert dave.post(url, data={"csrf": dave_token}, headers=same).status_code == 403
    assert _acks(team) == []
    ok = c.post(url, data={"csrf": token, "comment": "seen"}, headers=same)
    assert ok.status_code == 303 and ok.headers["location"] == "/ui/alerts?notice=acknowledged"
    assert [e.payload["comment"] for e in _acks(team)] == ["seen"]
    c.close()
    dave.close()
