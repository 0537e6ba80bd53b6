"""The report formats users' tools read: SARIF (code scanning), Markdown (a pull-request comment)
and JSON, each checked against the schema it claims, on real ranges."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import run
from gitrepo import COPILOT, Repo
from policies import AGENTS, POLICY
from schemas import SCHEMAS, schema, validate

from signoff.output.markdown import MARKER
from tools import sarif_schema

PKG = '{"name": "demo", "version": "1.0.0"}\n'
RISKY_PKG = '{"name": "demo", "version": "1.0.0", "scripts": {"postinstall": "node x.js"}}\n'
ODD = "docs/a`b|c\\d.md"


def world(repo: Repo) -> tuple[str, str]:
    """A base, and an agent change with a fact, a deletion, a workflow and an odd path."""
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("package.json", PKG)
    repo.write(".github/workflows/old.yml", "on: [push]\njobs: {}\n")
    repo.write("src/app.py", "print('hi')\n")
    base = repo.commit("base")
    repo.branch("work")
    repo.write("package.json", RISKY_PKG)
    repo.remove(".github/workflows/old.yml")
    repo.write("src/app.py", "print('agent')\n")
    repo.write(ODD, "odd\n")
    head = repo.commit("agent change", author=COPILOT)
    repo.checkout("main")
    return base, head


def push_again(repo: Repo) -> str:
    """A second push on the same change: new content, same findings."""
    repo.checkout("work")
    repo.write("src/app.py", "print('agent, again')\n")
    head = repo.commit("agent change 2", author=COPILOT)
    repo.checkout("main")
    return head


def report(capsys: pytest.CaptureFixture[str], repo: Repo, fmt: str, *extra: str) -> str:
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work",
            "--format", fmt, *extra)  # fmt: skip
    assert r.code == 1, r.err
    return r.out


# -- SARIF ------------------------------------------------------------------------------------


def test_sarif_is_valid_sarif_2_1_0_with_help_and_severity(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    world(repo)
    doc = json.loads(report(capsys, repo, "sarif"))
    spec = json.loads(sarif_schema().read_text())
    jsonschema.Draft7Validator(spec).validate(doc)
    run_ = doc["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert "signoff/fact/install-script-added" in rules
    for r in rules.values():
        assert r["help"]["text"] and r["help"]["markdown"]
        assert 0 < float(r["properties"]["security-severity"]) <= 10
    assert float(rules["signoff/deny"]["properties"]["security-severity"]) >= 7
    for res in run_["results"]:
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not res["message"]["text"].startswith(uri), res["message"]["text"]
        assert "package.json:" not in res["message"]["text"]
    assert "invocations" in run_ and "toolExecutionNotifications" not in run_["invocations"][0]


def test_sarif_deleted_file_has_no_line(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    world(repo)
    doc = json.loads(report(capsys, repo, "sarif"))
    by_uri = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r
        for r in doc["runs"][0]["results"]
        if r["ruleId"] in ("signoff/deny", "signoff/needs-approval")
    }
    gone = by_uri[".github/workflows/old.yml"]
    assert "region" not in gone["locations"][0]["physicalLocation"]
    assert gone["message"]["text"].startswith("deleted ")
    assert gone["properties"]["status"] == "D"
    assert by_uri["src/app.py"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_sarif_fingerprints_survive_a_new_push(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    world(repo)

    def prints() -> dict[tuple[str, str], Any]:
        doc = json.loads(report(capsys, repo, "sarif"))
        return {
            (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r[
                "partialFingerprints"
            ]
            for r in doc["runs"][0]["results"]
        }

    first = prints()
    push_again(repo)
    second = prints()
    assert first == second
    assert len({json.dumps(v, sort_keys=True) for v in first.values()}) == len(first)


def test_sarif_says_dry_run(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    world(repo)
    policy = repo.path / "dry-policy.yml"
    policy.write_text(POLICY)
    doc = json.loads(report(capsys, repo, "sarif", "--policy", str(policy)))
    run_ = doc["runs"][0]
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert "DRY RUN" in notes[0]["message"]["text"]
    assert run_["results"] and all(
        r["message"]["text"].startswith("DRY RUN") for r in run_["results"]
    )


# -- Markdown ---------------------------------------------------------------------------------


def test_markdown_marker_how_to_approve_and_code_spans(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = world(repo)
    md = report(capsys, repo, "markdown")
    assert MARKER in md and MARKER.startswith("<!--") and MARKER.endswith("-->")
    assert f"signoff approve --base {base[:12]} --head {head[:12]}" in md
    assert "**How to approve:**" in md
    row = next(line for line in md.splitlines() if "docs/a" in line)
    # The path is one code span: a fence longer than its backtick and only `|` escaped (GitHub
    # reads that before the span); the backslash is doubled by `display`, as in every format,
    # and no backtick is backslash-escaped (which a code span would show literally).
    assert row.startswith("| ``docs/a`b\\|c\\\\d.md`` |"), row
    for line in md.splitlines():
        if line.startswith("| ") and "docs/a" not in line:
            assert "\\`" not in line, line
    trigger = next(line for line in md.splitlines() if "postinstall" in line)
    assert "`node x.js`" in trigger or "`postinstall`" in trigger, trigger


def test_markdown_without_pending_approval_has_no_how_to(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("src/app.py", "a\n")
    repo.commit("base")
    repo.branch("work")
    repo.write(".github/workflows/release.yml", "on: [push]\njobs: {}\n")
    repo.commit("agent", author=COPILOT)
    repo.checkout("main")
    md = report(capsys, repo, "markdown")
    assert "deny" in md and "How to approve" not in md


# -- JSON and its schemas -------------------------------------------------------------------


def test_check_json_matches_its_schema(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    world(repo)
    doc = json.loads(report(capsys, repo, "json"))
    validate(doc, "check-v1.json")
    assert {f["status"] for f in doc["files"]} >= {"A", "M", "D"}
    doc["decision"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        validate(doc, "check-v1.json")  # the schema can fail


def test_explain_json_matches_its_schema(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text(POLICY)
    r = run(capsys, "explain", "package.json", ".github/workflows/x.yml", "--policy", str(policy),
            "--format", "json")  # fmt: skip
    assert r.code == 0, r.err
    validate(r.json(), "explain-v1.json")


def test_every_schema_names_its_document() -> None:
    names = sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert names, "docs/schemas/ is empty"
    for name in names:
        doc = schema(name)
        jsonschema.Draft202012Validator.check_schema(doc)
        assert doc["$id"].endswith(f"/docs/schemas/{name}")
        const = doc["properties"]["schema"]["const"]
        assert re.fullmatch(r"signoff\.[a-z.]+/v\d+", const), const
