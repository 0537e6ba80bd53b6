"""GitLab Code Quality: the Code Climate subset GitLab reads (an array of issues, each with
`description`, `check_name`, `fingerprint`, `severity` and `location.path`/`lines.begin`).

Like SARIF, one issue per file that is not allowed and one per fact found in such a file, so the
merge request widget lists what blocks the change and why. Fingerprints are stable across runs of
the same content, so GitLab matches an issue with itself from one pipeline to the next.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from signoff.decision import Decision, FileDecision, Verdict
from signoff.facts import Fact
from signoff.output.escape import display
from signoff.taxonomy import Risk

_SEVERITY = {
    Verdict.DENY: "blocker",
    Verdict.NEEDS_APPROVAL: "critical",
    Verdict.OVERRIDDEN: "major",
}
_FACT_SEVERITY = {
    Risk.CRITICAL: "critical",
    Risk.HIGH: "major",
    Risk.MEDIUM: "minor",
    Risk.LOW: "info",
}


def render_codequality(d: Decision) -> str:
    issues: list[dict[str, Any]] = []
    for f in d.files:
        if f.verdict is Verdict.ALLOW:
            continue
        issues.append(_file_issue(f))
        issues += [_fact_issue(fact) for fact in f.facts]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _issue(
    check: str, text: str, severity: str, path: str, line: int | None, key: str
) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": check,
        "description": text,
        "categories": ["Security"],
        "severity": severity,
        "fingerprint": key,
        "location": {"path": display(path), "lines": {"begin": max(1, line or 1)}},
    }


def _file_issue(f: FileDecision) -> dict[str, Any]:
    effects = ("override",) if f.verdict is Verdict.OVERRIDDEN else ("deny", "approval")
    why = "; ".join(display(h.reason) for h in f.hits if h.effect in effects)
    needs = ", ".join(f"{r.approvals} from {r.group}" for r in f.requirements)
    text = f"signoff: {f.verdict.value} ({f.file_class.value}, {f.risk} risk)"
    if needs:
        text += f": needs {needs}"
    if why:
        text += f". {why}"
    key = _fingerprint("file", f.path, f.file_class.value, f.verdict.value, f.new_blob)
    return _issue(f"signoff/{f.verdict.value}", text, _SEVERITY[f.verdict], f.path, None, key)


def _fact_issue(fact: Fact) -> dict[str, Any]:
    key = _fingerprint("fact", fact.path, fact.kind, fact.message, str(fact.line or 0))
    check = f"signoff/fact/{fact.kind}"
    text = f"signoff: {display(fact.message)}"
    return _issue(check, text, _FACT_SEVERITY[fact.risk], fact.path, fact.line, key)
