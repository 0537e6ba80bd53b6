"""JUnit XML for CI test-report views (GitLab's merge request test summary, Jenkins).

One test suite, `signoff`, with one test case per landed file: a file the policy denies or that
still needs approval is a failure whose message says why; an allowed file passes; a file let
through by a break-glass override passes and says so in its output, since it was never approved.
Every text is escaped for people (`display`) and stripped of what XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from signoff.decision import Decision, FileDecision, Verdict
from signoff.output.escape import display

#: Characters XML 1.0 does not allow, even escaped (its `Char` production).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render_junit(d: Decision) -> str:
    failing = [f for f in d.files if f.verdict in (Verdict.DENY, Verdict.NEEDS_APPROVAL)]
    suites = ET.Element(
        "testsuites",
        name="signoff",
        tests=str(len(d.files)),
        failures=str(len(failing)),
        errors="0",
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=_x(f"signoff {d.base[:12]}..{d.head[:12]}"),
        tests=str(len(d.files)),
        failures=str(len(failing)),
        errors="0",
        skipped="0",
    )
    if d.evaluated_at:
        suite.set("timestamp", d.evaluated_at)
    for f in d.files:
        _case(suite, f)
    notes = [f"decision: {d.verdict.value}", f"policy: {d.policy_source}"]
    if not d.policy_protected:
        notes.append("DRY RUN: not the protected policy")
    notes += [f"warning: {w}" for w in d.warnings]
    ET.SubElement(suite, "system-out").text = _x("\n".join(notes))
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _case(suite: ET.Element, f: FileDecision) -> None:
    case = ET.SubElement(
        suite, "testcase", name=_x(display(f.path)), classname=f"signoff.{f.file_class.value}"
    )
    effects = ("override",) if f.verdict is Verdict.OVERRIDDEN else ("deny", "approval")
    why = [h.reason for h in f.hits if h.effect in effects or f.verdict is Verdict.ALLOW]
    needs = ", ".join(f"{r.approvals} from {r.group}" for r in f.requirements)
    facts = [f"{display(x.path)}: {x.message}" for x in f.facts]
    if f.verdict in (Verdict.DENY, Verdict.NEEDS_APPROVAL):
        message = f"{f.verdict.value} ({f.file_class.value}, {f.risk} risk)"
        if needs:
            message += f": needs {needs}"
        failure = ET.SubElement(case, "failure", type=f"signoff/{f.verdict.value}")
        failure.set("message", _x(message))
        failure.text = _x("\n".join([*why, *facts, *f.adjustments]))
        return
    lines = [f"{f.verdict.value} ({f.file_class.value}, {f.risk} risk)", *why, *facts]
    if f.verdict is Verdict.OVERRIDDEN:
        lines.insert(0, "OVERRIDDEN by break-glass: let through, never approved")
    ET.SubElement(case, "system-out").text = _x("\n".join(lines))
