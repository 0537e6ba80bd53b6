"""The README's walkthrough, as `make run` prints it, in a real browser: the demo's data set,
alice and carol approve from the inbox, and the gate run again lets the change through.

With SIGNOFF_DOCS_SCREENSHOTS=1 the inbox screenshot is also written to
docs/img/console-inbox.png (the README's picture comes from this test)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serverkit import ThreadServer, close_clients, make_settings
from webkit import SHOTS, accessible, shot

from signoff.demo import server as demo

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "console-inbox.png"


def sign_in(browser: Any, url: str, token: str) -> Any:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/ui/login")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/ui/inbox.*"))
    return page


def approve_mine(page: Any) -> None:
    card = page.locator("article.change").first
    card.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(r".*notice=approved"))


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[ThreadServer]:
    """The server as `make run` configures it (intent text kept 30 days)."""
    server = ThreadServer(make_settings(tmp_path / "srv", intent_retention="30d"))
    yield server
    close_clients()
    server.stop()


def printed_step_two(printed: str) -> list[str]:
    """The command of step 2 ("Run the gate again") as the demo prints it, continuation
    lines joined as a shell joins them."""
    lines = printed.split("2. Run the gate again, as CI would:\n", 1)[1].splitlines()
    command = ""
    for line in lines:
        command += line.strip().removesuffix("\\") + " "
        if not line.endswith("\\"):
            break
    return shlex.split(command)


def test_the_readme_walkthrough(
    browser: Any, demo_server: ThreadServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = demo_server
    repo, base, head, pubs = demo.build_repo(tmp_path)
    data = demo.seed(live.url, live.bootstrap(), repo, base, pubs)
    tokens = data["tokens"]
    first = demo._gate(live.url, tokens["ci"], repo, base, head)
    assert "signoff: NEEDS APPROVAL" in first and "(exit code 1)" in first
    assert "deny" not in first  # the demo's change is within copilot's registered paths

    alice = sign_in(browser, live.url, tokens["alice"])
    card = alice.locator("article.change")
    assert card.count() == 1
    text = card.inner_text()
    for expected in (
        "copilot",
        "lockfile",
        "source",
        "yours to decide",
        "left-pad",
        "Fix issue #42",
    ):
        assert expected in text, expected
    header = "getComputedStyle(document.querySelector('header.top')).display"
    assert alice.evaluate(header) == "flex"  # the stylesheet loaded
    accessible(alice)
    shot(alice, "walkthrough-inbox")
    if os.environ.get("SIGNOFF_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(SHOTS / "walkthrough-inbox.png", DOCS_IMG)
    approve_mine(alice)
    alice.context.close()

    carol = sign_in(browser, live.url, tokens["carol"])
    approve_mine(carol)
    carol.context.close()

    # step 2 exactly as printed (the demo's own report comes from the same gate)
    demo._print(live.url, tmp_path, repo, base, head, tokens, data["task"], first)
    again = subprocess.run(
        printed_step_two(capsys.readouterr().out), capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("signoff: ALLOWED"), again.stdout
