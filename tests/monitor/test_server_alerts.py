"""Alerts in the control plane: the monitor job over the server's own data (real uvicorn on
loopback, real API), `GET /v1/alerts`, acknowledgement by a person, `/metrics`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gitrepo import Repo, make_repo
from serverkit import ThreadServer, close_clients, make_settings
from serverteam import Team, build_world, seed_team

from signoff.ledger.events import EventType
from signoff.server.alerts.service import run_once


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    world = build_world(make_repo(tmp_path / "repo"), tmp_path)
    server = ThreadServer(make_settings(tmp_path / "srv"))
    yield seed_team(server, world)
    close_clients()
    server.stop()


def _merge_agent_work(repo: Repo) -> None:
    """The test repository's commits are dated 2025: widen the window to see them."""
    repo.write(".signoff/monitor.yml", "version: 1\nwindow_days: 3650\n")
    repo.commit("monitor config")
    repo.merge("work", "merge agent work")


def _rules(team: Team) -> dict[str, dict[str, object]]:
    body = team.api("auditor").ok("GET", "/v1/alerts")
    return {a["rule"]: a for a in body["alerts"]}


def test_agent_change_merged_without_decision(team: Team) -> None:
    _merge_agent_work(team.world.repo)
    run_once(team.server.ctx)
    found = _rules(team)
    drift = found["drift.no-decision"]
    assert drift["evidence"]["commits"] == [team.world.head]  # type: ignore[index]
    # platform@example.com owns the agents but is no person or group of this server
    assert found["identity.owner-not-approver"]["severity"] == "warning"
    assert team.api("ci").get("/v1/alerts").status_code == 403
    alert_id = drift["id"]
    assert team.api("ci").post(f"/v1/alerts/{alert_id}/ack", {}).status_code == 403
    # an approver cannot list alerts, so cannot silence one either
    r = team.api("alice").post(f"/v1/alerts/{alert_id}/ack", {"comment": "hush"})
    assert r.status_code == 403 and "reads them" in r.json()["error"]["message"]
    acked = team.api("admin").ok("POST", f"/v1/alerts/{alert_id}/ack", {"comment": "reverting"})
    assert acked["acknowledged"]["by"] == "root@example.com"
    recorded = [
        e
        for e in team.server.ctx.recorder.ledger.recent(50)
        if e.type.value == "alert.acknowledged"
    ]
    assert [(e.subjects["alert"], e.payload["comment"]) for e in recorded] == [
        (alert_id, "reverting")
    ]
    run_once(team.server.ctx)  # the next run keeps the acknowledgement (dedup by id)
    assert _rules(team)["drift.no-decision"]["acknowledged"]["by"] == "root@example.com"  # type: ignore[index]
    metrics = team.api("auditor").get("/metrics").text
    assert 'signoff_alerts{acknowledged="true",rule="drift.no-decision",severity="high"} 1.0' in (
        metrics
    )


def _metrics(team: Team) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    text = team.api("auditor").get("/metrics").text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_carry_the_signals_of_the_run(team: Team) -> None:
    assert not any(name == "signoff_agents" for name, _ in _metrics(team))  # no run yet
    _merge_agent_work(team.world.repo)
    rec = team.server.ctx.recorder
    for code in ("replayed", "scope", "scope"):
        rec.record(EventType.TOKEN_REFUSED, "signoff:broker", {"agent": "copilot"},
                   {"outcome": "refused", "code": code, "reason": code})  # fmt: skip
    run_once(team.server.ctx)
    m = _metrics(team)
    assert m[("signoff_agents", (("state", "active"),))] == 1  # copilot
    assert m[("signoff_agents", (("state", "expired"),))] == 1  # old-bot
    assert m[("signoff_drift_commits", (("kind", "no-decision"),))] == 1
    assert m[("signoff_token_refusals", (("code", "scope"), ("event", "token.refused")))] == 2
    assert m[("signoff_token_replays_total", ())] == 1
    assert m[("signoff_token_out_of_scope_total", ())] == 2
    assert m[("signoff_ledger_verified", ())] == 1
    assert m[("signoff_ledger_events", ())] == team.server.ctx.recorder.size()
    assert 0 <= m[("signoff_ledger_checkpoint_age_seconds", ())] < 600
    assert m[("signoff_monitor_last_run_timestamp_seconds", ())] > time.time() - 600


def test_healthy_history_raises_no_drift(team: Team) -> None:
    team.world.repo.write(".signoff/monitor.yml", "version: 1\nwindow_days: 3650\n")
    team.world.repo.commit("monitor config")
    run_once(team.server.ctx)
    assert "drift.no-decision" not in _rules(team)
    assert team.api("admin").post("/v1/alerts/al-0000000000000000/ack", {}).status_code == 404


def test_periodic_job_runs_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNOFF_MONITOR_INTERVAL", "0.2")
    world = build_world(make_repo(tmp_path / "repo"), tmp_path)
    _merge_agent_work(world.repo)
    server = ThreadServer(make_settings(tmp_path / "srv"))
    try:
        team = seed_team(server, world)
        deadline = time.monotonic() + 15
        while "drift.no-decision" not in _rules(team):
            assert time.monotonic() < deadline, "the monitor job did not run"
            time.sleep(0.1)
    finally:
        close_clients()
        server.stop()


def test_review_speed_is_measured_in_the_servers_repository(team: Team) -> None:
    """The server's monitor run measures each approved change in the repository the approval
    names (it used to measure none and report "0 changed lines" for every change)."""
    import re

    w = team.world
    team.server.ctx.recorder.record(
        EventType.DECISION_MADE, "signoff-gate", {"repo": "demo", "commit": w.head, "base": w.base},
        {"decision": "needs-approval", "commits": [{"sha": w.head}]},
    )  # fmt: skip
    approved = team.api("alice").post(
        "/v1/repos/demo/approvals", {"base": w.base, "head": w.head, "decision": "approve"}
    )
    assert approved.status_code == 201, approved.text
    run_once(team.server.ctx)
    stat = w.repo.git("diff", "--shortstat", w.base, w.head)
    lines = sum(int(n) for n in re.findall(r"(\d+) (?:insertion|deletion)", stat))
    assert lines > 0
    alert = _rules(team)["approval.too-fast"]
    assert f"({lines} changed lines)" in str(alert["message"]), alert
