"""The Action end to end: action.yml's steps run as the runner runs them, with GitHub's
environment and a real event payload, against the GitHub double (OpenAPI-checked)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from actionrun import Run, github_env, run_action
from github_double import GitHubDouble
from github_webhooks import payload, with_pull, with_repo

from .conftest import LOCK_V3, NUMBER, REPO, PullRequest, clone


def event_file(path: Path, pr: PullRequest, action: str = "opened") -> Path:
    def edit(doc: dict) -> None:  # type: ignore[type-arg]
        with_repo(doc, REPO)
        with_pull(doc["pull_request"], NUMBER, ("main", pr.base), ("agent/fix", pr.head))
        doc["pull_request"]["html_url"] = f"https://github.com/{REPO}/pull/{NUMBER}"
        del doc["installation"]  # a workflow's event has none

    path.write_bytes(payload("pull_request", action, edit))
    return path


def run(tmp: Path, github: GitHubDouble, pr: PullRequest, token: str, **inputs: str) -> Run:
    """One workflow run: a fresh checkout and runner directories, the event for the head."""
    n = len(list(tmp.glob("run-*")))
    d = tmp / f"run-{n}"
    d.mkdir()
    ws = clone(pr.origin, d / "workspace", pr.head)
    env = github_env(
        d,
        workspace=ws.path,
        event="pull_request",
        event_path=event_file(d / "event.json", pr, "opened" if n == 0 else "synchronize"),
        repo=REPO,
        api_url=github.url,
    )
    # signoff is already installed in this interpreter's environment: the install step sees
    # it in $RUNNER_TEMP and skips (test_action_install runs the real install once)
    (Path(env["RUNNER_TEMP"]) / "signoff-action").symlink_to(sys.prefix)
    return run_action(env, token, inputs)


def test_agent_lockfile_pr_red_then_approved_on_github_then_stale(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest
) -> None:
    pr = pull_request
    token = github.token(REPO)
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )

    red = run(tmp_path, github, pr, token)
    assert red.code == 1, red.err
    assert red.outputs["verdict"] == "needs-approval"
    warnings = [x for x in red.out.splitlines() if x.startswith("::warning file=")]
    assert any(w.startswith("::warning file=package-lock.json,line=") for w in warnings)
    assert any(w.startswith("::warning file=src/app.py,") for w in warnings)
    assert "needs approval: 1 from maintainers" in "\n".join(warnings)
    assert "signoff: `needs-approval`" in red.summary and "package-lock.json" in red.summary
    [comment] = github.comments[(REPO, NUMBER)]
    body = comment["body"]
    assert body.startswith("<!-- signoff:pull-request-comment -->")
    assert "### How to approve" in body
    assert "alice@example.com (GitHub `alice-gh`)" in body
    assert f"signoff approve --base {pr.base} --head {pr.head}" in body
    assert "Only signed records count for: governance." in body

    # a maintainer mapped in the policy approves the head on GitHub
    github.add_review(REPO, NUMBER, "Alice-GH", "APPROVED", pr.head)
    green = run(tmp_path, github, pr, token)
    assert green.code == 0, green.out + green.err
    assert green.outputs["verdict"] == "allow"
    assert "alice@example.com (via forge-review)" in green.out
    assert not [x for x in green.out.splitlines() if x.startswith(("::warning f", "::error f"))]
    [comment] = github.comments[(REPO, NUMBER)]  # the same comment, updated
    assert "alice@example.com (forge-review)" in comment["body"]
    assert "How to approve" not in comment["body"]

    # the agent pushes again: the lockfile changed, so the review no longer counts for it
    pr.agent_commit("package-lock.json", LOCK_V3, "Bump left-pad")
    github.set_head(REPO, NUMBER, pr.head)
    again = run(tmp_path, github, pr, token)
    assert again.code == 1
    assert "::warning file=package-lock.json" in again.out
    assert "::warning file=src/app.py" not in again.out  # its content is what was reviewed
    assert "stale digest" in again.out and "github-review:" in again.out
    [comment] = github.comments[(REPO, NUMBER)]
    assert "### How to approve" in comment["body"] and "**lockfile**" in comment["body"]
    assert "**source**" not in comment["body"]


def test_unmapped_bot_and_changes_requested(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest
) -> None:
    pr = pull_request
    token = github.token(REPO)
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )
    github.add_review(REPO, NUMBER, "stranger", "APPROVED", pr.head)
    github.add_review(REPO, NUMBER, "copilot-swe-agent", "APPROVED", pr.head)
    github.add_review(REPO, NUMBER, "helper[bot]", "APPROVED", pr.head, bot=True)
    github.add_review(REPO, NUMBER, "alice-gh", "APPROVED", pr.head)
    github.add_review(REPO, NUMBER, "bob-gh", "CHANGES_REQUESTED", pr.base)
    r = run(tmp_path, github, pr, token)
    assert r.code == 1
    assert "VETOED by: bob@example.com" in r.out
    assert "GitHub user stranger is not mapped to a person" in r.out
    assert "agent identity cannot approve" in r.out
    # bob approves the head later: his veto is lifted, and he counts once
    github.add_review(REPO, NUMBER, "bob-gh", "APPROVED", pr.head)
    r = run(tmp_path, github, pr, token)
    assert r.code == 0, r.out


def test_reviews_unreadable_is_an_error_not_no_reviews(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest
) -> None:
    pr = pull_request
    token = github.token(REPO)
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )
    github.fail["pulls/list-reviews"] = 403
    r = run(tmp_path, github, pr, token)
    assert r.code == 2
    assert "::error title=signoff::GitHub reviews of pull request #7: HTTP 403" in r.out
    assert r.err.count("\n") <= 2 and "Traceback" not in r.err
    assert github.comments == {}


def test_sarif_and_no_comment(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest
) -> None:
    pr = pull_request
    token = github.token(REPO)
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )
    sarif = tmp_path / "signoff.sarif"
    r = run(tmp_path, github, pr, token, comment="false", sarif=str(sarif))
    assert r.code == 1
    assert r.outputs["sarif"] == str(sarif)
    doc = json.loads(sarif.read_text())
    assert doc["version"] == "2.1.0"
    assert github.comments == {}
    assert not [c for c in github.calls if c[0].startswith("issues/")]
