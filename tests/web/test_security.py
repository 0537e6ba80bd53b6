"""Sessions, CSRF and headers of the console, checked over plain HTTP (no browser needed)."""

from __future__ import annotations

import hashlib

import httpx
from serverteam import Team
from webkit import session_client

HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_login_sets_a_strict_session_cookie_and_headers(team: Team) -> None:
    c = httpx.Client(base_url=team.server.url)
    r = c.post("/ui/login", data={"token": team.tokens["alice"]},
               headers={"Origin": team.server.url})  # fmt: skip
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "signoff_session=" in cookie
    for flag in ("httponly", "samesite=strict", "path=/ui"):
        assert flag in cookie
    assert "secure" not in cookie  # plain http on loopback; https adds it
    assert team.tokens["alice"] not in r.headers["set-cookie"]
    page = c.get("/ui/inbox")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline
    c.close()


def test_posts_without_csrf_token_or_from_elsewhere_are_refused(team: Team) -> None:
    c, token = session_client(team, "dave")
    task = team.api("dave").ok(
        "POST", "/v1/tasks",
        {"agent": "copilot", "repo": "demo", "base_commit": team.world.base,
         "intent_text": "x", "branch_prefix": "agent/", "actions": ["push-branch"],
         "allowed_paths": ["src/**"],
         "ttl_seconds": 600},
    )  # fmt: skip
    url = f"/ui/tasks/{task['id']}/revoke"
    same = {"Origin": team.server.url}
    assert c.post(url, data={}, headers=same).status_code == 403
    assert c.post(url, data={"csrf": "wrong"}, headers=same).status_code == 403
    evil = {"Origin": "https://evil.example"}
    assert c.post(url, data={"csrf": token}, headers=evil).status_code == 403
    assert c.post(url, data={"csrf": token}).status_code == 403  # no Origin, no Sec-Fetch-Site
    assert team.api("admin").ok("GET", f"/v1/tasks/{task['id']}")["state"] == "open"
    ok = c.post(url, data={"csrf": token}, headers=same)
    assert ok.status_code == 303
    assert team.api("admin").ok("GET", f"/v1/tasks/{task['id']}")["state"] == "revoked"
    c.close()


def test_signed_out_and_bad_tokens(team: Team) -> None:
    c = httpx.Client(base_url=team.server.url)
    r = c.get("/ui/inbox")
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
    bad = c.post("/ui/login", data={"token": "so_nope"}, headers={"Origin": team.server.url})
    assert bad.status_code == 401
    c.close()
    c, token = session_client(team, "alice")
    assert c.post("/ui/logout", data={"csrf": token},
                  headers={"Origin": team.server.url}).status_code == 303  # fmt: skip
    assert c.get("/ui/inbox").status_code == 303  # the session ended server-side
    c.close()


def test_vendored_htmx_is_the_pinned_release() -> None:
    from importlib import resources

    static = resources.files("signoff.web").joinpath("static")
    digest = hashlib.sha256(static.joinpath("htmx.min.js").read_bytes()).hexdigest()
    assert digest == HTMX_SHA256  # htmx.org 2.0.11 from npm; see static/VENDORED.md
    assert "Zero-Clause BSD" in static.joinpath("htmx.LICENSE").read_text()


def test_html_is_escaped() -> None:
    from signoff.web.views.diffview import split

    patch = "diff --git a/x.py b/x.py\n@@ -1 +1 @@\n-a\n+'<script>alert(1)</script>'\n"
    html = "".join(str(line.html) for f in split(patch) for line in f.lines)
    assert "<script>" not in html and "&lt;script&gt;" in html
