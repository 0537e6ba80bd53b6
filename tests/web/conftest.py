"""The console in a real browser: Debian's chromium driven by Playwright against a live server.

The browser is `/usr/bin/chromium` (installed by `make test` / `.ci/run` with apt), never one
Playwright downloads. Without it these tests skip, unless SIGNOFF_REQUIRE_BROWSER=1 (CI), which
turns the skip into a failure. Screenshots of each page go to `test-output/screenshots/`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serverkit import ThreadServer, close_clients, make_settings
from serverteam import Team, World, build_world, seed_team
from webkit import SignIn

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        msg = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("SIGNOFF_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + "; SIGNOFF_REQUIRE_BROWSER=1")
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[ThreadServer]:
    server = ThreadServer(make_settings(tmp_path / "srv"))
    yield server
    close_clients()
    server.stop()


@pytest.fixture
def world(repo: Any, tmp_path: Path) -> World:
    return build_world(repo, tmp_path, co_author="dave@example.com")


@pytest.fixture
def team(live: ThreadServer, world: World) -> Team:
    return seed_team(live, world)


@pytest.fixture
def sign_in(browser: Any, team: Team) -> Iterator[SignIn]:
    contexts: list[Any] = []

    def open_as(who: str) -> Any:
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{team.server.url}/ui/login")
        page.get_by_label("API token").fill(team.tokens[who])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/ui/inbox.*"))
        return page

    yield open_as
    for c in contexts:
        c.close()
