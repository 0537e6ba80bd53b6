"""Bidirectional control characters never reach the approval diff unmarked ("Trojan Source"):
each becomes a visible, named marker, and the file is flagged."""

from __future__ import annotations

import pytest
from gitrepo import COPILOT
from serverteam import Team
from webkit import gate, session_client

from signoff.web.views.diffview import split

RLO, PDI = "\u202e", "\u2069"
TROJAN = f'access_level = "user{RLO} {PDI}// Check if admin{PDI} {RLO}"\n'


def test_split_marks_every_bidi_control() -> None:
    patch = (
        "diff --git a/src/auth.py b/src/auth.py\n--- a/src/auth.py\n+++ b/src/auth.py\n"
        f"@@ -1 +1 @@\n-x = 1\n+{TROJAN}"
    )
    (fd,) = split(patch)
    html = "".join(str(line.html) for line in fd.lines)
    assert RLO not in html and PDI not in html
    assert html.count("⟨U+202E⟩") == 2 and html.count("⟨U+2069⟩") == 2
    assert 'title="RIGHT-TO-LEFT OVERRIDE"' in html
    assert fd.bidi
    (plain,) = split("diff --git a/a b/a\n+x = 1\n")
    assert not plain.bidi


def test_the_inbox_shows_bidi_controls_marked(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = team.world.repo
    repo.checkout("work")
    repo.write("src/app.py", TROJAN)
    head = repo.commit("agent: access check", author=COPILOT)
    repo.checkout("main")
    gate(team, capsys, head)
    client, _ = session_client(team, "alice")
    page = client.get("/ui/inbox")
    assert page.status_code == 200, page.text
    assert "⟨U+202E⟩" in page.text
    assert RLO not in page.text and PDI not in page.text
    assert "bidirectional Unicode control characters" in page.text
    client.close()
