"""The check run a decision becomes. Pure.

GitHub takes at most 50 annotations per request and 65,535 characters of summary; the rest of
the annotations go in follow-up updates (GitHub adds them up)."""

from __future__ import annotations

from typing import Any

from signoff.decision import Decision, Verdict
from signoff.github.annotations import CHECK_BATCH, check_annotations
from signoff.output.markdown import render_markdown

NAME = "signoff"
MAX_SUMMARY = 65_000
_CONCLUSION = {
    Verdict.ALLOW: "success",
    Verdict.OVERRIDDEN: "success",
    Verdict.NEEDS_APPROVAL: "action_required",
    Verdict.DENY: "failure",
}


def conclusion(d: Decision) -> str:
    return _CONCLUSION[d.verdict]


def bodies(d: Decision, how: str, details_url: str | None = None) -> list[dict[str, Any]]:
    """The create-or-update body, then one update per further 50 annotations."""
    notes = check_annotations(d)
    summary = render_markdown(d)
    if how:
        summary += "\n" + how
    if len(summary) > MAX_SUMMARY:
        summary = summary[:MAX_SUMMARY] + "\n\n… (cut here)"
    title = f"signoff: {d.verdict.value}"
    first: dict[str, Any] = {
        "name": NAME,
        "head_sha": d.head,
        "status": "completed",
        "conclusion": conclusion(d),
        "output": {"title": title, "summary": summary, "annotations": notes[:CHECK_BATCH]},
    }
    if details_url:
        first["details_url"] = details_url
    rest = [
        {"output": {"title": title, "summary": summary, "annotations": notes[i : i + CHECK_BATCH]}}
        for i in range(CHECK_BATCH, len(notes), CHECK_BATCH)
    ]
    return [first, *rest]


def error_body(head: str, message: str) -> dict[str, Any]:
    """A check run for a change the gate could not decide on: it fails, never passes."""
    return {
        "name": NAME,
        "head_sha": head,
        "status": "completed",
        "conclusion": "failure",
        "output": {"title": "signoff could not decide", "summary": message[:MAX_SUMMARY]},
    }
