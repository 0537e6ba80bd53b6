"""Renderers for a decision: text for people, JSON (versioned), Markdown, SARIF 2.1.0, GitLab
Code Quality and JUnit XML."""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from signoff.decision import Decision


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"
    CODEQUALITY = "codequality"
    JUNIT = "junit"


def render(decision: Decision, fmt: Format, *, color: bool = False, full: bool = False) -> str:
    if fmt is Format.TEXT:
        from signoff.output.text import render_text

        return render_text(decision, color=color, full=full)
    if fmt is Format.JSON:
        from signoff.output.json_fast import dumps

        return dumps(decision)
    if fmt is Format.MARKDOWN:
        from signoff.output.markdown import render_markdown

        return render_markdown(decision)
    if fmt is Format.SARIF:
        from signoff.output.sarif import render_sarif

        return render_sarif(decision)
    if fmt is Format.CODEQUALITY:
        from signoff.output.codequality import render_codequality

        return render_codequality(decision)
    if fmt is Format.JUNIT:
        from signoff.output.junit import render_junit

        return render_junit(decision)
    assert_never(fmt)
