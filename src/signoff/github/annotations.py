"""Per-file annotations for what needs approval or is denied: as workflow commands (the Action)
and as check-run annotations (App mode). Pure.

Paths and messages come from the change under review, so an agent writes them: workflow
commands are escaped as GitHub's runner reads them (`%`, CR and LF in data; also `:` and `,` in
properties), so a file name can never start a command of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from signoff.decision import Decision, FileDecision, Verdict
from signoff.output.escape import display

MAX_MESSAGE = 1000
#: GitHub takes at most 50 annotations per check-run request.
CHECK_BATCH = 50


class Note(NamedTuple):
    path: str
    line: int | None
    level: str  # error | warning
    title: str
    message: str


def notes(d: Decision) -> list[Note]:
    """One note per file that is denied (error) or still needs approval (warning)."""
    return [n for f in d.files if (n := _note(f)) is not None]


def _note(f: FileDecision) -> Note | None:
    if f.verdict not in (Verdict.DENY, Verdict.NEEDS_APPROVAL):
        return None
    deny = f.verdict is Verdict.DENY
    why = [h.reason for h in f.hits if h.effect != "allow"]
    if not deny and f.requirements:
        asks = " + ".join(f"{r.approvals} from {r.group}" for r in f.requirements)
        why.insert(0, f"needs approval: {asks}")
    why += [x.message for x in f.facts]
    message = "; ".join(dict.fromkeys(why)) or f.verdict.value
    lines = [x.line for x in f.facts if x.line]
    return Note(
        path=display(f.path),
        line=None if f.status == "D" else (min(lines) if lines else 1),
        level="error" if deny else "warning",
        title=f"signoff: {f.verdict.value} ({f.file_class.value}, {f.risk} risk)",
        message=message[:MAX_MESSAGE],
    )


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_commands(d: Decision) -> Iterator[str]:
    """`::error file=...,line=...,title=...::message` lines for the runner to turn into
    annotations."""
    for n in notes(d):
        props = [f"file={_prop(n.path)}"]
        if n.line is not None:
            props.append(f"line={n.line}")
        props.append(f"title={_prop(n.title)}")
        yield f"::{n.level} {','.join(props)}::{_data(n.message)}"


def check_annotations(d: Decision) -> list[dict[str, Any]]:
    """Annotations for a check run's `output.annotations` (send in batches of 50)."""
    return [
        {
            "path": n.path,
            "start_line": n.line or 1,
            "end_line": n.line or 1,
            "annotation_level": "failure" if n.level == "error" else "warning",
            "title": n.title[:255],
            "message": n.message,
        }
        for n in notes(d)
    ]
