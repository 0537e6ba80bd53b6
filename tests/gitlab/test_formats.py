"""`check --format codequality` and `--format junit` (and `--report FORMAT=FILE`): valid against
GitLab's Code Quality format and the JUnit XSD, for denied, waiting, allowed and overridden
files, with names no report format may carry raw."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import Result, run
from gitrepo import COPILOT, Repo, keygen
from policies import AGENTS, POLICY
from reportformats import codequality, junit

WORKFLOW = """\
on: [pull_request_target]
jobs:
  b:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
"""
ODD = "src/tab\there\x01\u202eevil\ufffe.py"


@pytest.fixture
def change(repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    """main <- work: Copilot adds a dangerous workflow and an oddly named source file; alice
    (a registered human key) signs a docs change, which is allowed."""
    key, pub = keygen(tmp_path, "carol")
    alice, alice_pub = keygen(tmp_path, "alice")
    repo.write(".signoff/policy.yml", POLICY + "approvals: {break_glass: release-managers}\n")
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write(
        ".signoff/allowed_signers",
        f"carol@example.com {pub}\nalice@example.com {alice_pub}\n",
    )
    repo.write("docs/a.md", "a\n")
    repo.commit("base")
    repo.branch("work")
    repo.write(".github/workflows/ci.yml", WORKFLOW)
    repo.write(ODD, "x = 1\n")
    repo.commit("agent work", author=COPILOT)
    repo.write("docs/a.md", "b\n")
    repo.commit("docs", sign_key=alice)
    return repo, key


def _check(capsys: pytest.CaptureFixture[str], repo: Repo, *extra: str) -> Result:
    where = ("--repo", str(repo.path), "--base", "main", "--head", "work")
    r = run(capsys, "check", *where, *extra)
    assert "Traceback" not in r.err
    return r


def test_codequality_lists_what_blocks_and_why(
    change: tuple[Repo, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = change
    r = _check(capsys, repo, "--format", "codequality")
    assert r.code == 1
    issues = codequality(r.out)
    by = {(i["location"]["path"], i["check_name"]): i for i in issues}
    deny = by[(".github/workflows/ci.yml", "signoff/deny")]
    assert deny["severity"] == "blocker"
    assert "deny (ci-workflow" in deny["description"]
    facts = [i for i in issues if i["check_name"].startswith("signoff/fact/")]
    assert any(i["location"]["lines"]["begin"] == 1 for i in facts)
    odd = [i for i in issues if i["check_name"] == "signoff/needs-approval"]
    assert [i["location"]["path"] for i in odd] == ["src/tab\\there\\x01\\u202eevil\ufffe.py"]
    assert odd[0]["severity"] == "critical"
    assert not any(i["location"]["path"] == "docs/a.md" for i in issues)  # allowed: no issue
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    again = codequality(_check(capsys, repo, "--format", "codequality").out)
    assert [i["fingerprint"] for i in again] == fingerprints  # stable across runs


def test_junit_one_case_per_file(
    change: tuple[Repo, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo, _ = change
    out = tmp_path / "signoff.xml"
    r = _check(capsys, repo, "--format", "junit", "-o", str(out))
    assert r.code == 1 and r.out == ""
    suite = junit(out)["testsuite"][0]
    assert (suite["@tests"], suite["@failures"]) == ("3", "2")
    cases = {c["@name"]: c for c in suite["testcase"]}
    assert cases[".github/workflows/ci.yml"]["failure"][0]["@type"] == "signoff/deny"
    assert "pull_request_target" in cases[".github/workflows/ci.yml"]["failure"][0]["$"]
    odd = cases["src/tab\\there\\x01\\u202eevil\\ufffe.py"]
    assert odd["failure"][0]["@type"] == "signoff/needs-approval"
    assert odd["@classname"] == "signoff.source"
    assert "failure" not in cases["docs/a.md"]
    assert "decision: deny" in suite["system-out"]


def test_report_writes_several_formats_from_one_run(
    change: tuple[Repo, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo, _ = change
    cq, ju, md = tmp_path / "cq.json", tmp_path / "j.xml", tmp_path / "r.md"
    r = _check(
        capsys,
        repo,
        "--report",
        f"codequality={cq}",
        "--report",
        f"junit={ju}",
        "--report",
        f"markdown={md}",
    )
    assert r.code == 1
    assert r.out.startswith("signoff: DENIED")
    assert codequality(cq.read_text())
    assert junit(ju)["testsuite"][0]["@failures"] == "2"
    assert md.read_text().startswith("## ⛔ signoff: `deny`")
    bad = _check(capsys, repo, "--report", f"pdf={tmp_path / 'x.pdf'}")
    assert bad.code == 2 and "expected FORMAT=FILE" in bad.err
    bad = _check(capsys, repo, "--report", "junit")
    assert bad.code == 2 and "expected FORMAT=FILE" in bad.err
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf") == []


def test_an_override_passes_and_says_it_was_never_approved(
    change: tuple[Repo, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo, key = change
    where = ("--repo", str(repo.path), "--base", "main", "--head", "work")
    r = run(
        capsys,
        "override",
        *where,
        "--key",
        str(key),
        "--principal",
        "carol@example.com",
        "--reason",
        "incident 42: hotfix",
    )
    assert r.code == 0, r.err
    r = _check(capsys, repo, "--format", "junit")
    assert r.code == 0
    out = tmp_path / "o.xml"
    out.write_text(r.out)
    suite = junit(out)["testsuite"][0]
    assert suite["@failures"] == "0"
    overridden = [c for c in suite["testcase"] if "OVERRIDDEN" in c.get("system-out", [""])[0]]
    assert {c["@name"] for c in overridden} >= {".github/workflows/ci.yml"}
    quality = codequality(_check(capsys, repo, "--format", "codequality").out)
    assert {i["severity"] for i in quality if not i["check_name"].startswith("signoff/fact/")} == {
        "major"
    }
