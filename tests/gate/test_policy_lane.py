"""High and critical classes in the auto lane: refused unless the policy opts in explicitly
(`allow_risky_lane`), and then every output of every decision says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run
from gitrepo import CLAUDE_TRAILER, Repo
from policies import AGENTS

LANE = """\
version: 1
groups:
  maintainers: [alice@example.com, bob@example.com]
default_approval: {approvals: 1, from: maintainers}
treat_unverified_as_agent: false  # the claude trailer alone is then that (limited) agent's work
auto_lane:
  classes: [docs, tests, dependency-manifest]
"""
OPT_IN = LANE + "allow_risky_lane: [dependency-manifest]\n"


def test_validate_refuses_a_risky_class_in_the_lane(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(LANE)
    r = run(capsys, "policy", "validate", str(policy), "--agents", str(tmp_path / "none.yml"))
    assert r.code == 2
    (line,) = r.err.strip().splitlines()
    assert f"{policy}:7:" in line and "auto_lane.classes[2]" in line, line
    assert "dependency-manifest is a high-risk class" in line and "allow_risky_lane" in line
    assert "Traceback" not in r.err
    policy.write_text(OPT_IN)
    assert run(capsys, "policy", "validate", str(policy)).code == 0
    policy.write_text(OPT_IN.replace("tests, dependency-manifest]", "tests]"))
    r = run(capsys, "policy", "validate", str(policy))
    assert r.code == 2 and "allow_risky_lane[0]: dependency-manifest is not in auto_lane" in r.err


def _limited_manifest_change(repo: Repo, policy: str) -> None:
    repo.write(".signoff/policy.yml", policy)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("package.json", '{"name": "x"}\n')
    repo.commit("base")
    repo.branch("work")
    repo.write("package.json", '{"name": "x", "description": "y"}\n')
    repo.commit(f"describe the package\n\n{CLAUDE_TRAILER}")  # claude is `limited`


def _check(capsys: pytest.CaptureFixture[str], repo: Repo, fmt: str) -> tuple[int, str]:
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work",
            "--format", fmt)  # fmt: skip
    assert r.code in (0, 1), r.err
    return r.code, r.out


def test_the_gate_refuses_a_policy_with_an_unannounced_risky_lane(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    _limited_manifest_change(repo, LANE)
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work")
    assert r.code == 2 and "allow_risky_lane" in r.err


def test_an_opted_in_risky_lane_lets_it_through_and_every_output_warns(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    _limited_manifest_change(repo, OPT_IN)
    code, out = _check(capsys, repo, "json")
    doc = json.loads(out)
    assert code == 0 and doc["decision"] == "allow"
    (f,) = doc["files"]
    assert f["class"] == "dependency-manifest"
    assert any(h["rule"] == "allow_risky_lane" for h in f["rules"]), f["rules"]
    (warning,) = [w for w in doc["warnings"] if "allow_risky_lane" in w]
    assert "dependency-manifest" in warning
    assert warning in _check(capsys, repo, "text")[1]
    # the warning as a quote; its `quoted` words are code spans, the rest is escaped text
    md = _check(capsys, repo, "markdown")[1]
    (quote,) = [line for line in md.splitlines() if line.startswith("> ⚠️ ")]
    assert "allow\\_risky\\_lane: dependency-manifest" in quote
    assert "): `limited` agents change them with no approval" in quote
    sarif = json.loads(_check(capsys, repo, "sarif")[1])
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert {"level": "warning", "message": {"text": warning}} in notes
