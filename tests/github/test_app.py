"""App mode end to end: real webhook payloads (validated against GitHub's schemas, signed as
GitHub signs them) delivered to `signoff serve`, which fetches into its own clone, runs the gate
and reports check runs to the GitHub double (OpenAPI-checked), recording everything."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github_double import GitHubDouble
from github_webhooks import payload, sign, with_pull, with_repo
from joserfc.jwk import RSAKey
from pg import fresh_database
from serverkit import Api, ThreadServer, held_person, make_settings

from signoff.ledger.service import Ledger

from .conftest import LOCK_V3, NUMBER, POLICY, REPO, PullRequest

SECRET = "webhook-secret-for-tests"
INSTALLATION = 77


@dataclass
class App:
    server: ThreadServer
    github: GitHubDouble
    pr: PullRequest
    admin: Api

    def deliver(
        self,
        event: str,
        action: str | None,
        edit: Callable[[dict[str, Any]], None],
        *,
        delivery: str | None = None,
        secret: str = SECRET,
        installation: int = INSTALLATION,
    ) -> httpx.Response:
        def full(doc: dict[str, Any]) -> None:
            with_repo(doc, REPO, installation)
            edit(doc)

        body = payload(event, action, full)
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(secret, body),
            "Content-Type": "application/json",
        }
        url = f"{self.server.url}/v1/forges/github/webhook"
        return httpx.post(url, content=body, headers=headers, timeout=120)

    def pull_event(self, action: str) -> httpx.Response:
        pr = self.pr

        def edit(doc: dict[str, Any]) -> None:
            with_pull(doc["pull_request"], NUMBER, ("main", pr.base), ("agent/fix", pr.head))

        return self.deliver("pull_request", action, edit)

    def runs(self) -> dict[int, dict[str, Any]]:
        return self.github.check_runs.get(REPO, {})

    def events(self, type_: str) -> list[Any]:
        ctx = self.server.ctx
        led: Ledger = ctx.recorder.ledger
        return [e for e in led.events(range(led.size())) if e.type == type_]


BOTH_DATABASES = pytest.mark.parametrize(
    "app", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    github: GitHubDouble,
    pull_request: PullRequest,
) -> Iterator[App]:
    with contextlib.ExitStack() as stack:
        url = None
        if getattr(request, "param", "sqlite") == "postgresql":
            url = stack.enter_context(fresh_database("signoff_forge"))
        yield from _app(tmp_path, github, pull_request, url)


def _app(
    tmp_path: Path, github: GitHubDouble, pull_request: PullRequest, database_url: str | None
) -> Iterator[App]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    github.app_id = "4242"
    github.app_key = RSAKey.import_key(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    github.installations[INSTALLATION] = REPO
    pr = pull_request
    github.add_pull(
        REPO, NUMBER, base=("main", pr.base), head=("agent/fix", pr.head), user="Copilot"
    )
    (tmp_path / "app.pem").write_bytes(pem)
    (tmp_path / "secret").write_text(SECRET)
    clone = tmp_path / "server-clone"
    subprocess.run(["git", "clone", "-q", str(pull_request.origin), str(clone)], check=True)
    cfg = tmp_path / "github-app.toml"
    cfg.write_text(
        f'app_id = "4242"\nprivate_key_file = "{tmp_path / "app.pem"}"\n'
        f'webhook_secret_file = "{tmp_path / "secret"}"\napi_url = "{github.url}"\n'
        f'[repos."{REPO}"]\nrepo = "widgets"\ninstallation = {INSTALLATION}\n'
        f'remote = "{pull_request.origin}"\n'
    )
    server = ThreadServer(make_settings(tmp_path / "data", database_url, github_app=str(cfg)))
    admin = Api(server.url, server.bootstrap())
    admin.ok("POST", "/v1/repos", {"name": "widgets", "path": str(clone)})
    try:
        yield App(server, github, pull_request, admin)
    finally:
        admin.close()
        server.stop()


@BOTH_DATABASES
def test_check_run_red_then_green_on_review_then_stale_on_push(app: App) -> None:
    pr = app.pr
    r = app.pull_event("opened")
    assert r.status_code == 200, r.text
    [(run_id, run)] = app.runs().items()
    assert r.json()["evaluated"] == [{"pull": NUMBER, "verdict": "needs-approval"}], run["output"]
    [(run_id, run)] = app.runs().items()
    assert run["head_sha"] == pr.head and run["conclusion"] == "action_required"
    paths = {a["path"] for a in run["output"]["annotations"]}
    assert paths == {"package-lock.json", "src/app.py"}
    assert "How to approve" in run["output"]["summary"]

    app.github.add_review(REPO, NUMBER, "alice-gh", "APPROVED", pr.head)

    def review(doc: dict[str, Any]) -> None:
        with_pull(doc["pull_request"], NUMBER, ("main", pr.base), ("agent/fix", pr.head))
        doc["review"]["state"] = "approved"
        doc["review"]["commit_id"] = pr.head

    r = app.deliver("pull_request_review", "submitted", review)
    assert r.json()["evaluated"] == [{"pull": NUMBER, "verdict": "allow"}], r.text
    assert list(app.runs()) == [run_id]  # the same check run, updated
    assert app.runs()[run_id]["conclusion"] == "success"
    assert "forge-review" in app.runs()[run_id]["output"]["summary"]

    pr.agent_commit("package-lock.json", LOCK_V3, "Bump left-pad")
    r = app.pull_event("synchronize")
    assert r.json()["evaluated"] == [{"pull": NUMBER, "verdict": "needs-approval"}]
    new = [v for k, v in app.runs().items() if k != run_id]
    [latest] = new
    assert latest["head_sha"] == pr.head and latest["conclusion"] == "action_required"
    assert {a["path"] for a in latest["output"]["annotations"]} == {"package-lock.json"}

    checks = app.events("check.reported")
    assert [e.payload["verdict"] for e in checks] == ["needs-approval", "allow", "needs-approval"]
    assert all(e.payload["installation_token"].startswith("sha256:") for e in checks)
    assert len(app.events("forge.event")) == 3


@BOTH_DATABASES
def test_bad_signature_unknown_installation_and_replay_are_refused_and_recorded(
    app: App,
) -> None:
    pr = app.pr

    def edit(doc: dict[str, Any]) -> None:
        with_pull(doc["pull_request"], NUMBER, ("main", pr.base), ("agent/fix", pr.head))

    for _ in range(3):  # refused each time; recorded once a minute (anyone can send these)
        bad = app.deliver("pull_request", "opened", edit, secret="not-the-secret")
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad-signature"
    stranger = app.deliver("pull_request", "opened", edit, installation=999)
    assert stranger.status_code == 403
    assert stranger.json()["error"]["code"] == "unknown-installation"
    first = app.deliver("pull_request", "opened", edit, delivery="d-1")
    assert first.status_code == 200, first.text
    again = app.deliver("pull_request", "opened", edit, delivery="d-1")
    assert again.status_code == 409 and again.json()["error"]["code"] == "replayed"
    reasons = [e.payload["reason"] for e in app.events("forge.refused")]
    assert reasons == ["bad-signature", "unknown-installation", "replayed"]
    assert len(app.runs()) == 1  # only the accepted delivery was evaluated


def test_console_approval_rechecks_the_open_pull_request(app: App, tmp_path: Path) -> None:
    pr = app.pr
    assert app.pull_event("opened").json()["evaluated"][0]["verdict"] == "needs-approval"
    [(run_id, run)] = app.runs().items()
    assert run["conclusion"] == "action_required"
    app.admin.ok("POST", "/v1/groups", {"name": "maintainers", "members": []})
    # bob holds his token himself (claimed with his own key): only then may he approve
    bob = held_person(app.admin, tmp_path, "bob", ["approver"], groups=["maintainers"])
    try:
        given = bob.post(
            "/v1/repos/widgets/approvals", {"base": pr.base, "head": pr.head, "decision": "approve"}
        )
        assert given.status_code == 201, given.text
    finally:
        bob.close()
    # the approval re-ran the gate on the open pull request and updated its check run
    assert list(app.runs()) == [run_id]
    assert app.runs()[run_id]["conclusion"] == "success"
    assert [e.payload["verdict"] for e in app.events("check.reported")] == [
        "needs-approval",
        "allow",
    ]


def test_push_to_the_base_and_rerequested_check_suite_redo_the_pull_request(app: App) -> None:
    pr = app.pr
    app.pull_event("opened")
    # a maintainer pushes to main: the followed pull request is judged against the new base
    pr.work.checkout("main")
    pr.work.write("docs/readme.md", "more docs\n")
    tip = pr.work.commit("docs")
    pr.push()

    def pushed(doc: dict[str, Any]) -> None:
        doc.update(ref="refs/heads/main", before=pr.base, after=tip)

    r = app.deliver("push", None, pushed)
    assert r.status_code == 200, r.text
    assert r.json()["evaluated"] == [{"pull": NUMBER, "verdict": "needs-approval"}]
    last = app.events("check.reported")[-1]
    assert last.subjects["base"] == tip

    def rerequested(doc: dict[str, Any]) -> None:
        doc["check_suite"]["head_sha"] = pr.head
        [item] = doc["check_suite"]["pull_requests"] or [None]
        assert item is not None
        item["number"] = NUMBER
        item["head"].update(ref="agent/fix", sha=pr.head)
        item["base"].update(ref="main", sha=tip)

    r = app.deliver("check_suite", "rerequested", rerequested)
    assert r.status_code == 200, r.text
    assert r.json()["evaluated"] == [{"pull": NUMBER, "verdict": "needs-approval"}]
    assert len(app.runs()) == 1  # the same head: its one check run, updated


def test_a_stale_base_in_a_delivery_does_not_bring_back_an_older_policy(app: App) -> None:
    """GitHub's pull_request.base.sha is the base as it was when the pull request last moved: a
    review delivered after the base branch changed still names the old base. The server judges
    against the branch's tip it fetched itself, so the policy in force is the one on the branch."""
    pr = app.pr
    assert app.pull_event("opened").json()["evaluated"][0]["verdict"] == "needs-approval"
    # a maintainer takes alice's GitHub login out of the policy on main
    pr.work.checkout("main")
    pr.work.write(".signoff/policy.yml", POLICY.replace(", github: alice-gh", ""))
    tip = pr.work.commit("policy: alice approves with signed records only")
    pr.push()
    app.github.add_review(REPO, NUMBER, "alice-gh", "APPROVED", pr.head)

    def review(doc: dict[str, Any]) -> None:  # the payload still names the old base
        with_pull(doc["pull_request"], NUMBER, ("main", pr.base), ("agent/fix", pr.head))
        doc["review"]["state"] = "approved"
        doc["review"]["commit_id"] = pr.head

    r = app.deliver("pull_request_review", "submitted", review)
    assert r.json()["evaluated"] == [{"pull": NUMBER, "verdict": "needs-approval"}], r.text
    last = app.events("check.reported")[-1]
    assert last.subjects["base"] == tip
    [run] = app.runs().values()
    assert run["conclusion"] == "action_required"
    assert "alice-gh" in run["output"]["summary"]  # said why her review did not count


def test_an_evaluation_overtaken_by_a_later_one_does_not_report(app: App) -> None:
    """Two evaluations overlap: the first read alice's approval, the second (started later)
    also read bob's veto. The first is the last to finish, yet the check run keeps the veto:
    only the evaluation that started last may report."""
    pr = app.pr
    assert app.pull_event("opened").json()["evaluated"][0]["verdict"] == "needs-approval"
    app.github.add_review(REPO, NUMBER, "alice-gh", "APPROVED", pr.head)

    def review(state: str) -> Callable[[dict[str, Any]], None]:
        def edit(doc: dict[str, Any]) -> None:
            with_pull(doc["pull_request"], NUMBER, ("main", pr.base), ("agent/fix", pr.head))
            doc["review"].update(state=state, commit_id=pr.head)

        return edit

    held = app.github.hold("pulls/list-reviews")  # the first evaluation's read of the reviews
    first: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: first.append(
            app.deliver("pull_request_review", "submitted", review("approved"))
        )
    )
    thread.start()
    try:
        assert held.reached.wait(60), "the first evaluation never read the reviews"
        app.github.add_review(REPO, NUMBER, "Bob-GH", "CHANGES_REQUESTED", pr.head)
        second = app.deliver("pull_request_review", "submitted", review("changes_requested"))
        assert second.json()["evaluated"] == [{"pull": NUMBER, "verdict": "needs-approval"}]
    finally:
        held.release.set()
        thread.join(120)
    [response] = first
    assert response.json()["evaluated"] == [{"pull": NUMBER, "verdict": "superseded"}]
    [run] = app.runs().values()
    assert run["conclusion"] == "action_required"
    assert (
        "(vetoed) | alice@example.com (forge-review) | bob@example.com |"
        in (run["output"]["summary"])
    )
    verdicts = [e.payload["verdict"] for e in app.events("check.reported")]
    assert verdicts == ["needs-approval", "needs-approval"]


def test_a_delivery_that_could_not_be_acted_on_can_be_delivered_again(app: App) -> None:
    """GitHub cannot mint an installation token (its API is down): nothing is reported, the
    delivery is answered 502 and forgotten, so GitHub's "Redeliver" (same delivery id) acts on
    it once GitHub answers again. A delivery that was acted on stays a replay."""
    pr = app.pr

    def edit(doc: dict[str, Any]) -> None:
        with_pull(doc["pull_request"], NUMBER, ("main", pr.base), ("agent/fix", pr.head))

    app.github.fail["apps/create-installation-access-token"] = 503
    down = app.deliver("pull_request", "opened", edit, delivery="d-down")
    assert down.status_code == 502, down.text
    assert down.json()["error"]["code"] == "forge-unavailable"
    assert "installation token" in down.json()["error"]["message"]
    assert app.runs() == {}
    del app.github.fail["apps/create-installation-access-token"]
    again = app.deliver("pull_request", "opened", edit, delivery="d-down")
    assert again.status_code == 200, again.text
    assert again.json()["evaluated"] == [{"pull": NUMBER, "verdict": "needs-approval"}]
    replay = app.deliver("pull_request", "opened", edit, delivery="d-down")
    assert replay.status_code == 409
    assert [e.payload["reason"] for e in app.events("forge.failed")] == ["forge-unavailable"]
