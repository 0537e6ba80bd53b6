"""`signoff check --server` uses both registries, the stricter winning (issue item 9)."""

from __future__ import annotations

from typing import Any

import pytest
from clirun import run
from serverteam import Team

from signoff.identity.agents import parse_registry


def check(team: Team, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    w = team.world
    r = run(capsys, "check", "--repo", str(w.repo.path), "--base", w.base, "--head", w.head,
            "--format", "json", "--server", team.server.url, "--token", team.tokens["ci"],
            "--server-repo", "demo")  # fmt: skip
    assert r.code in (0, 1), r.err
    return r.code, r.json()


def test_suspending_on_the_server_changes_the_gate(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(team, capsys)
    assert code == 1 and out["decision"] == "needs-approval"
    agent = team.admin.ok("GET", "/v1/agents/copilot")
    team.admin.ok("PATCH", "/v1/agents/copilot",
                  {"version": agent["version"], "status": "suspended"})  # fmt: skip
    code, out = check(team, capsys)
    assert code == 1 and out["decision"] == "deny"
    assert any("agent copilot is suspended" in r["reason"] for f in out["files"]
               for r in f["rules"] if r["effect"] == "deny")  # fmt: skip
    assert any(
        w.startswith("registry drift: agent copilot: status is active in the repository but "
                     "suspended on the server") for w in out["warnings"]
    )  # fmt: skip


def test_the_gate_reads_the_servers_agents_as_ci(team: Team) -> None:
    doc = team.api("ci").get("/v1/gate/agents")
    assert doc.status_code == 200, doc.text
    import json

    registry = parse_registry(json.dumps(doc.json()).encode(), "server")
    assert {a.id for a in registry.agents} == {"copilot", "old-bot"}
    assert team.api(None).get("/v1/gate/agents").status_code == 401
