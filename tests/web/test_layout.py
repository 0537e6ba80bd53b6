"""The console on a phone: at 360 px wide no page is wider than the screen, every nav entry is
on screen, and axe still finds nothing serious."""

from __future__ import annotations

import re
from typing import Any

import pytest
from serverteam import Team
from webkit import accessible, gate, shot

WIDTH = 360
PAGES = ("inbox", "overview", "agents", "tasks", "ledger", "releases", "alerts")


def test_every_page_fits_360_px(
    browser: Any, team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    gate(team, capsys)
    ctx = browser.new_context(viewport={"width": WIDTH, "height": 780}, is_mobile=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{team.server.url}/ui/login")
    page.get_by_label("API token").fill(team.tokens["admin"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/ui/inbox.*"))
    for name in PAGES:
        page.goto(f"{team.server.url}/ui/{name}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        culprits = page.evaluate(
            """w => [...document.querySelectorAll("main *")]
                .filter(e => e.getBoundingClientRect().right > w).slice(-3)
                .map(e => e.tagName + "." + e.className)""",
            WIDTH,
        )
        assert wide <= WIDTH, f"/ui/{name} is {wide} px wide: {culprits}"
        for link in page.locator("nav a").all():
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, name
        accessible(page)
        shot(page, f"phone-{name}")
    ctx.close()
