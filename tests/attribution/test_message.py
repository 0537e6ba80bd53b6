"""Trailers by git's rules from every trailer block, and footers: the shapes real tools write."""

from __future__ import annotations

import subprocess

import pytest

from signoff.attribution.message import footers, trailers


def test_trailers_in_two_blocks_are_both_read() -> None:
    """The Copilot coding agent writes its co-author block, a blank line, then a session block;
    reading only the last paragraph (as git does) misses the co-author."""
    msg = (
        "Add pagination to the list tool\n\n"
        "Implements cursor handling.\n\n"
        "Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>\n"
        "Co-authored-by: Pat Reviewer <pat@example.com>\n\n"
        "Copilot-Session: 0b5a6c1e-aaaa-bbbb-cccc-111122223333\n"
    )
    assert trailers(msg) == (
        "Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>",
        "Co-authored-by: Pat Reviewer <pat@example.com>",
        "Copilot-Session: 0b5a6c1e-aaaa-bbbb-cccc-111122223333",
    )


def test_trailers_followed_by_a_long_plan_are_read() -> None:
    msg = (
        "Refactor the cache\n\n"
        "Co-Authored-By: Claude <noreply@anthropic.com>\n\n"
        "<plan>\nStep one: read the cache.\nStep two: write it back.\n</plan>\n"
    )
    assert trailers(msg) == ("Co-Authored-By: Claude <noreply@anthropic.com>",)


@pytest.mark.parametrize(
    "msg",
    [
        "Co-authored-by: Claude <noreply@anthropic.com>\n",  # the subject is never a trailer
        "Fix it\n\nSee the notes below: they explain why\nwe changed the parser.\n",  # prose
        "Fix it\n\n    Assisted-by: Tool:model-1\n",  # an indented example is not a trailer
        "Fix it\n\nThe format is\n    Assisted-by: AGENT_NAME:MODEL_VERSION\nsee the spec\n",
    ],
)
def test_what_is_not_a_trailer(msg: str) -> None:
    assert trailers(msg) == ()


def test_continuation_lines_and_the_25_percent_rule() -> None:
    msg = (
        "Fix it\n\n"
        "Reviewed-by: Pat\n  Person <pat@example.com>\n\n"
        "Some prose line one\nline two\nline three\n"
        "Signed-off-by: Lee <lee@example.com>\n"
    )
    # A signature git writes makes a mostly-prose paragraph a block (1 of 4 lines, 25%).
    assert trailers(msg) == (
        "Reviewed-by: Pat Person <pat@example.com>",
        "Signed-off-by: Lee <lee@example.com>",
    )
    prose = "Fix it\n\nOne\nTwo\nThree\nFour\nSigned-off-by: Lee <lee@example.com>\n"
    assert trailers(prose) == ()  # 1 of 5 lines is under 25%


def test_blank_lines_holding_spaces_still_split_paragraphs() -> None:
    msg = "Fix it\n\nBody text\n \t\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n"
    assert trailers(msg) == ("Co-authored-by: Cursor Agent <cursoragent@cursor.com>",)


@pytest.mark.parametrize(
    "msg",
    [
        "Fix it\n\nbody\n\nCo-authored-by: A <a@example.com>\nCopilot-Session: 1\n",
        "Fix it\n\nCo-authored-by: A <a@example.com>\n\nnot a block\nat all\n",
        "Fix it\n\nbody\n\nKey: value\n  continued\nOther: x\n\n\n",
        "Subject\nsecond subject line\n\nToken : spaced\n",
    ],
)
def test_last_paragraph_agrees_with_git_interpret_trailers(msg: str) -> None:
    """Where git reads a trailer block (the last paragraph), we read the same lines."""
    parsed = subprocess.run(
        ["git", "interpret-trailers", "--parse", "--no-divider"],
        input=msg.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    ours = trailers(msg)
    for line in parsed.splitlines():
        key, _, value = line.partition(":")
        assert any(t.replace(" :", ":").startswith(key) and value.strip() in t for t in ours)


def test_footers_are_short_paragraphs_and_the_subject() -> None:
    msg = (
        "Add the feature\n\n"
        "A long explanation that mentions https://claude.ai/code in passing,\n"
        "goes on,\nand on,\nand on.\n\n"
        "## Context\nCreated with Some Tool\n\n"
        "🤖 Generated with [Tool](https://tool.example)\n"
    )
    assert footers(msg) == (
        "Add the feature",
        "## Context",
        "Created with Some Tool",
        "🤖 Generated with [Tool](https://tool.example)",
    )
