"""Over HTTP: the console's static files are served (the catch-all page never shadows them),
unknown /ui paths answer an HTML page, `/` leads to the console, and there is a favicon."""

from __future__ import annotations

import httpx
from serverteam import Team
from webkit import session_client


def test_static_files_are_served_before_the_catch_all(team: Team) -> None:
    with httpx.Client(base_url=team.server.url) as c:
        css = c.get("/ui/static/app.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        icon = c.get("/ui/static/favicon.svg")
        assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
        assert c.get("/favicon.ico").headers["location"] == "/ui/static/favicon.svg"
        root = c.get("/")
        assert root.status_code == 307 and root.headers["location"] == "/ui/"


def test_unknown_console_paths_answer_html(team: Team) -> None:
    with httpx.Client(base_url=team.server.url) as anon:
        r = anon.get("/ui/no-such-page")
        assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
    c, _ = session_client(team, "auditor")
    try:
        r = c.get("/ui/no-such-page/x")
    finally:
        c.close()
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "There is no page at /ui/no-such-page/x." in r.text
    assert "<h1>Not found</h1>" in r.text


def test_agents_page_lists_agents_only_the_repositories_register(team: Team) -> None:
    c, _ = session_client(team, "auditor")
    try:
        page = c.get("/ui/agents").text
    finally:
        c.close()
    assert ".signoff/agents.yml</code> only (5)" in page  # claude, paused, overdue, blocky, scoped
    for agent in ("claude", "blocky", "scoped"):
        assert f'<th scope="row">{agent}' in page
    assert '<th scope="row">copilot<' not in page.split("only (5)")[1]  # registered on the server
