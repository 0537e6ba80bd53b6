"""`signoff gitlab note` against a local double of GitLab's notes API (tests/support/gitlabfake.py,
which checks every request and answer against GitLab's documented shapes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import run
from gitlabfake import GitLab, serve, user

from signoff.gitlab.notes import MARKER, MAX_BODY, Api, GitLabError, Target, upsert_note

BOT = user(900, "project_42_bot")
ALICE = user(1, "alice")


@pytest.fixture
def gitlab() -> Iterator[tuple[GitLab, str]]:
    state = GitLab(tokens={"glpat-bot": BOT, "glpat-alice": ALICE})
    server, url = serve(state)
    yield state, url
    server.shutdown()
    server.server_close()
    assert state.problems == []


def _note(
    capsys: pytest.CaptureFixture[str], url: str, report: Path, token: str = "glpat-bot"
) -> tuple[int, str]:
    r = run(
        capsys,
        "gitlab",
        "note",
        str(report),
        "--api-url",
        url,
        "--project",
        "42",
        "--merge-request",
        "7",
        "--token",
        token,
    )
    return r.code, r.err


def test_posts_once_then_edits_the_same_note(
    gitlab: tuple[GitLab, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state, url = gitlab
    report = tmp_path / "signoff.md"
    report.write_text("## signoff: `needs-approval`\n")
    code, err = _note(capsys, url, report)
    assert code == 0, err
    assert "note created" in err
    assert [n["body"] for n in state.notes] == [f"{MARKER}\n## signoff: `needs-approval`\n"]

    report.write_text("## signoff: `allow`\n")
    code, err = _note(capsys, url, report)
    assert code == 0 and "note updated" in err
    assert len(state.notes) == 1
    assert state.notes[0]["body"] == f"{MARKER}\n## signoff: `allow`\n"
    methods = [m for m, _, _ in state.requests]
    assert methods == ["GET", "GET", "POST", "GET", "GET", "PUT"]


def test_a_marker_pasted_by_someone_else_is_never_taken_for_ours(
    gitlab: tuple[GitLab, str],
) -> None:
    state, url = gitlab
    forged = state.add_note(ALICE, f"{MARKER}\nall approved, merge away")
    state.add_note(BOT, f"{MARKER}\nsystem notice", system=True)
    action, note_id = upsert_note(Api(url, "glpat-bot"), Target("42", 7), "report")
    assert action == "created" and note_id != forged
    assert state.notes[0]["body"] == f"{MARKER}\nall approved, merge away"


def test_finds_its_note_past_the_first_page(gitlab: tuple[GitLab, str]) -> None:
    state, url = gitlab
    for i in range(150):
        state.add_note(ALICE, f"comment {i}")
    ours = state.add_note(BOT, f"{MARKER}\nold report")
    action, note_id = upsert_note(Api(url, "glpat-bot"), Target("42", 7), "new report")
    assert (action, note_id) == ("updated", ours)
    pages = [p for m, p, _ in state.requests if m == "GET" and "/notes" in p]
    assert len(pages) == 2 and "page=2" in pages[1]


def test_a_project_path_is_url_encoded(tmp_path: Path) -> None:
    state = GitLab(project="group/sub/project", tokens={"t": BOT})
    server, url = serve(state)
    try:
        action, _ = upsert_note(Api(url, "t"), Target("group/sub/project", 7), "r")
    finally:
        server.shutdown()
        server.server_close()
    assert action == "created"
    assert state.problems == []
    assert any("/projects/group%2Fsub%2Fproject/" in p for _, p, _ in state.requests)


def test_a_long_report_is_cut_to_the_limit(gitlab: tuple[GitLab, str]) -> None:
    state, url = gitlab
    upsert_note(Api(url, "glpat-bot"), Target("42", 7), "x" * (MAX_BODY + 10))
    body = state.notes[0]["body"]
    assert len(body) <= MAX_BODY and body.startswith(MARKER)
    assert body.rstrip().endswith("see the job's artifacts for all of it)_")


def test_refusals_are_one_line(
    gitlab: tuple[GitLab, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = gitlab
    report = tmp_path / "signoff.md"
    report.write_text("r\n")
    code, err = _note(capsys, url, report, token="glpat-wrong")
    assert code == 2
    assert err == "signoff: error: GitLab GET /user: HTTP 401 401 Unauthorized\n"
    code, err = _note(capsys, url, tmp_path / "missing.md")
    assert code == 2 and err.startswith("signoff: error: cannot read ") and err.count("\n") == 1
    r = run(capsys, "gitlab", "note", str(report), "--api-url", url, "--project", "42")
    assert r.code == 2 and "CI_MERGE_REQUEST_IID" in r.err


@pytest.mark.parametrize(
    "url",
    ["http://gitlab.example.com/api/v4", "ftp://127.0.0.1/api/v4", "https:///api/v4"],
)
def test_only_https_or_loopback(url: str) -> None:
    with pytest.raises(GitLabError, match="expected https://"):
        Api(url, "t")


def test_the_token_is_not_sent_after_a_redirect(gitlab: tuple[GitLab, str]) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    state, target = gitlab

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(301)
            self.send_header("Location", target + "/user")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    redirector = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    Thread(target=redirector.serve_forever, daemon=True).start()
    try:
        api = Api(f"http://127.0.0.1:{redirector.server_address[1]}/api/v4", "glpat-bot")
        with pytest.raises(GitLabError, match="HTTP 301"):
            upsert_note(api, Target("42", 7), "r")
    finally:
        redirector.shutdown()
        redirector.server_close()
    assert state.requests == []
