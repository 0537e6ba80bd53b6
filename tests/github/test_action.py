"""The Action end to end: action.yml's steps run as the runner runs them, with GitHub's
environment and a real event payload, against the GitHub double (OpenAPI-checked)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from actionrun import Run, github_env, run_action
from github_double import GitHubDouble
from github_webhooks import payload, with_pull, with_repo

from .conftest import LOCK_V3, NUMBER, POLICY, REPO, PullRequest, clone


def event_file(
    path: Path, pr: PullRequest, action: str = "opened", event: str = "pull_request"
) -> Path:
    """GitHub's event payload; it names `pr.base` as the base (GitHub's is the base as of the
    pull request's last move, whatever the branch holds now)."""

    def edit(doc: dict) -> None:  # type: ignore[type-arg]
        with_repo(doc, REPO)
        with_pull(doc["pull_request"], NUMBER, ("main", pr.base), ("agent/fix", pr.head))
        doc["pull_request"]["html_url"] = f"https://github.com/{REPO}/pull/{NUMBER}"
        if event == "pull_request_review":
            doc["review"].update(state="approved", commit_id=pr.head)
        doc.pop("installation", None)  # a workflow's event has none

    path.write_bytes(payload(event, action, edit))
    return path


def run(
    tmp: Path,
    github: GitHubDouble,
    pr: PullRequest,
    token: str,
    event: str = "pull_request",
    **inputs: str,
) -> Run:
    """One workflow run: a fresh checkout and runner directories, the event for the head."""
    n = len(list(tmp.glob("run-*")))
    d = tmp / f"run-{n}"
    d.mkdir()
    ws = clone(pr.origin, d / "workspace", pr.head)
    action = "submitted" if event == "pull_request_review" else "synchronize" if n else "opened"
    env = github_env(
        d,
        workspace=ws.path,
        event=event,
        event_path=event_file(d / "event.json", pr, action, event),
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


def test_a_review_runs_the_gate_again_with_the_review_counted(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest
) -> None:
    """The README's workflow also runs on `pull_request_review`: that event is a pull request's
    too, and the run it starts counts the new review."""
    pr = pull_request
    token = github.token(REPO)
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )
    assert run(tmp_path, github, pr, token).code == 1
    github.add_review(REPO, NUMBER, "alice-gh", "APPROVED", pr.head)
    r = run(tmp_path, github, pr, token, event="pull_request_review")
    assert r.code == 0, r.out + r.err
    assert r.outputs["verdict"] == "allow"
    assert "alice@example.com (via forge-review)" in r.out
    assert len(github.comments[(REPO, NUMBER)]) == 1


def test_the_base_is_the_branch_tip_not_the_events_older_base(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest
) -> None:
    """A review after a policy change on the base branch: the event still names the older base,
    whose policy mapped alice's login; the gate reads the policy on the branch's tip."""
    pr = pull_request
    token = github.token(REPO)
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )
    pr.work.checkout("main")
    pr.work.write(".signoff/policy.yml", POLICY.replace(", github: alice-gh", ""))
    pr.work.commit("policy: alice approves with signed records only")
    pr.push()
    github.add_review(REPO, NUMBER, "alice-gh", "APPROVED", pr.head)
    r = run(tmp_path, github, pr, token, event="pull_request_review")
    assert r.code == 1, r.out + r.err
    assert "GitHub user alice-gh is not mapped to a person" in r.out
