"""Helpers of the console's browser tests: the CI gate, a new push, screenshots, an offline
accessibility check and a signed-in HTTP client."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from clirun import run
from gitrepo import COPILOT
from serverteam import Team

from tools import need

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
SignIn = Callable[[str], Any]


def gate(
    team: Team, capsys: pytest.CaptureFixture[str], head: str | None = None
) -> tuple[int, Any]:
    """`signoff check --server` as CI runs it: posts its decision record to the server."""
    w = team.world
    r = run(
        capsys, "check", "--repo", str(w.repo.path), "--base", w.base, "--head", head or w.head,
        "--format", "json", "--server", team.server.url, "--token", team.tokens["ci"],
        "--server-repo", "demo",
    )  # fmt: skip
    assert r.code in (0, 1), r.err
    return r.code, r.json()


def push_more(team: Team) -> str:
    """The agent pushes another commit on top of the change: new content, new digests."""
    repo = team.world.repo
    repo.checkout("work")
    repo.write("src/app.py", "print('agent, again')\n")
    head = repo.commit("agent change 2", author=COPILOT)
    repo.checkout("main")
    return head


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def accessible(page: Any, nav: bool = True) -> None:
    """axe-core (pinned in tests/tools) finds nothing serious or critical on the page, and the
    console's own rules hold: one h1, labelled controls, a skip link, a main landmark and (on
    pages with navigation) the current page marked in the nav.

    axe is evaluated through the DevTools protocol, so the page's Content-Security-Policy stays
    in force (an injected <script> would be refused by it, as it should be)."""
    global _AXE
    if _AXE is None:
        _AXE = need("axe-core/axe.min.js").read_text()
    page.evaluate(_AXE + "\n;0")
    found = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3)
              .map(n => n.target.join(" ")).join(", "));
        }"""
    )
    assert found == [], found
    problems = page.evaluate((Path(__file__).parent / "a11y.js").read_text())
    if not nav:
        problems = [p for p in problems if p != "no current nav item"]
    assert problems == [], problems


_AXE: str | None = None


def session_client(team: Team, who: str) -> tuple[httpx.Client, str]:
    """An httpx client signed in to the console (for header and CSRF checks); returns it and
    the CSRF token of its session, read from a page."""
    c = httpx.Client(base_url=team.server.url, timeout=30)
    r = c.post("/ui/login", data={"token": team.tokens[who]}, headers={"Origin": team.server.url})
    assert r.status_code == 303, r.text
    page = c.get("/ui/tasks").text
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m
    return c, m.group(1)
