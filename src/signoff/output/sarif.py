"""SARIF 2.1.0 for GitHub code scanning: one result per file that is not allowed, and one per
fact found in such a file, located at the fact's line when known.

What code scanning reads, and why each part is here:
- rules carry `help` (what the finding means and what to do) and `security-severity`, the
  number code scanning ranks alerts by (critical >= 9, high >= 7, medium >= 4);
- `partialFingerprints` hash what makes an alert the same alert from push to push (the path,
  the rule, the fact's kind and details), never the content or the line, so a new push keeps
  the alert instead of closing it and opening another;
- a message never repeats the path: the location already names it;
- a deleted file has no line to point at: its location names the file and no region;
- a `--policy` dry run says so in every message and in a run notification.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from signoff import __version__
from signoff.analysis.kinds import KNOWN_FACTS
from signoff.changes import path_bytes
from signoff.decision import Decision, FileDecision, Verdict
from signoff.facts import Fact
from signoff.output.json_v1 import status_dict, statuses
from signoff.taxonomy import Risk

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP = "https://github.com/signoff-dev/signoff/blob/main/docs/"
DRY_RUN = "DRY RUN (a --policy file, not the protected policy on the base ref)"

_LEVEL = {
    Verdict.DENY: "error",
    Verdict.NEEDS_APPROVAL: "warning",
    Verdict.OVERRIDDEN: "warning",
    Verdict.ALLOW: "note",
}
_RULE_ID = {
    Verdict.DENY: "signoff/deny",
    Verdict.NEEDS_APPROVAL: "signoff/needs-approval",
    Verdict.OVERRIDDEN: "signoff/overridden",
}
_FACT_LEVEL = {
    Risk.CRITICAL: "error",
    Risk.HIGH: "warning",
    Risk.MEDIUM: "warning",
    Risk.LOW: "note",
}
#: code scanning's scale: critical >= 9.0, high 7.0-8.9, medium 4.0-6.9, low < 4.0
_SEVERITY = {Risk.CRITICAL: "9.5", Risk.HIGH: "7.5", Risk.MEDIUM: "5.0", Risk.LOW: "2.0"}

#: (rule id, short, severity, doc, help text)
_VERDICT_RULES = (
    (
        "signoff/deny", "An agent change the policy denies", "8.5", "policy.md",
        "The policy does not let an agent make this change (a critical class, a blocked or "
        "expired agent, a path outside its registered scope). Approvals cannot lift a denial: "
        "a human redoes the change, or the policy on the base branch changes.",
    ),
    (
        "signoff/needs-approval", "An agent change that needs human approval", "5.5",
        "approvals.md",
        "Agent work that must be approved by the groups named in the message before it lands. "
        "Review the diff, then `signoff approve --base <base> --head <head>` and push "
        "refs/signoff/approvals (or approve in the console). The approval binds to this exact "
        "content: a new push needs a new approval.",
    ),
    (
        "signoff/overridden", "An agent change let through by a break-glass override, not "
        "approved", "7.0", "approvals.md",
        "A member of the policy's break-glass group let this change through with a reason. It "
        "was not approved: review it after the fact.",
    ),
)  # fmt: skip


def _uri(path: str) -> str:
    return quote(path_bytes(path), safe="/")


def _location(path: str, line: int | None, deleted: bool) -> dict[str, Any]:
    loc: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    if not deleted:  # a deleted file has no line: the location is the file alone
        loc["region"] = {"startLine": max(1, line or 1)}
    return {"physicalLocation": loc}


def _rule(rid: str, short: str, level: str, severity: str, doc: str, text: str) -> dict[str, Any]:
    return {
        "id": rid,
        "name": rid.replace("/", "-"),
        "shortDescription": {"text": short},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": f"{text}\n\nSee [{doc}]({HELP}{doc})."},
        "helpUri": HELP + doc,
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["security", "supply-chain"], "security-severity": severity},
    }


def _fact_rule(kind: str, risk: Risk) -> dict[str, Any]:
    info = KNOWN_FACTS.get(kind)
    desc = info.desc if info is not None else kind.replace("-", " ")
    text = (
        f"Fact `{kind}`: {desc}. Found by signoff's analyzers in a file an agent changed; "
        "policies can name this fact to require approval or deny it."
    )
    return _rule(
        f"signoff/fact/{kind}", desc[:1].upper() + desc[1:], _FACT_LEVEL[risk], _SEVERITY[risk],
        f"facts.md#{kind}", text,
    )  # fmt: skip


def render_sarif(d: Decision) -> str:
    rules = {
        rid: _rule(rid, short, "error" if rid == "signoff/deny" else "warning", sev, doc, text)
        for rid, short, sev, doc, text in _VERDICT_RULES
    }
    dry = "" if d.policy_protected else DRY_RUN + ": "
    results: list[dict[str, Any]] = []
    for f in d.files:
        if f.verdict is Verdict.ALLOW:
            continue
        results.append(_file_result(f, dry))
        for fact in f.facts:
            rid = f"signoff/fact/{fact.kind}"
            rule = rules.setdefault(rid, _fact_rule(fact.kind, fact.risk))
            if float(_SEVERITY[fact.risk]) > float(rule["properties"]["security-severity"]):
                rules[rid] = _fact_rule(fact.kind, fact.risk)  # the riskiest instance ranks it
            results.append(_fact_result(fact, rid, f.status == "D", dry))
    ordered = sorted(rules)
    index = {rid: i for i, rid in enumerate(ordered)}
    for r in results:
        r["ruleIndex"] = index[r["ruleId"]]
    notes = [{"level": "warning", "message": {"text": w}} for w in d.warnings]
    if not d.policy_protected:  # said in every message too
        notes.insert(0, {"level": "warning", "message": {"text": f"{DRY_RUN}: {d.policy_source}"}})
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notes:  # SARIF's place for what the tool says about the run itself
        invocation["toolExecutionNotifications"] = notes
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "signoff",
                "version": __version__,
                "informationUri": "https://github.com/signoff-dev/signoff",
                "rules": [rules[r] for r in ordered],
            }
        },
        "automationDetails": {"id": f"signoff/{d.base[:12]}..{d.head[:12]}"},
        "invocations": [invocation],
        "results": results,
        "properties": {
            "decision": d.verdict.value,
            "overridden": d.verdict is Verdict.OVERRIDDEN,
            "approvals": [status_dict(s) for s in statuses(d.approvals)],
            "digests": dict(d.digests),
            "policyProtected": d.policy_protected,
            "baseRef": d.base_ref,
            "headRef": d.head_ref,
        },
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _file_result(f: FileDecision, dry: str) -> dict[str, Any]:
    rid = _RULE_ID[f.verdict]
    effects = ("override",) if f.verdict is Verdict.OVERRIDDEN else ("deny", "approval")
    why = "; ".join(dict.fromkeys(h.reason for h in f.hits if h.effect in effects))
    needs = ", ".join(f"{r.approvals} from {r.group}" for r in f.requirements)
    deleted = f.status == "D"
    text = f"{dry}{'deleted ' if deleted else ''}{f.file_class.value} file ({f.risk}): "
    text += "OVERRIDDEN (not approved)" if f.verdict is Verdict.OVERRIDDEN else f.verdict.value
    if needs:
        text += f" [{needs}]"
    if why:
        text += f". {why}"
    return {
        "ruleId": rid,
        "level": _LEVEL[f.verdict],
        "message": {"text": text},
        "locations": [_location(f.path, None, deleted)],
        "partialFingerprints": {"signoffFile/v2": _fingerprint(f.path, rid)},
        "properties": {
            "class": f.file_class.value,
            "risk": str(f.risk),
            "decision": f.verdict.value,
            "status": f.status,
            "overridden": f.verdict is Verdict.OVERRIDDEN,
            "identities": list(f.identities),
            "commits": list(f.commits),
        },
    }


def _fact_result(fact: Fact, rid: str, deleted: bool, dry: str) -> dict[str, Any]:
    message = fact.message
    for prefix in (f"{fact.path}: ", f"{fact.path} "):  # the location names the file
        message = message.removeprefix(prefix)
    detail = "\0".join(f"{k}={v}" for k, v in sorted(fact.detail))
    key = _fingerprint(fact.path, fact.kind, detail, message)  # no line: edits above move it
    return {
        "ruleId": rid,
        "level": _FACT_LEVEL[fact.risk],
        "message": {"text": dry + message},
        "locations": [_location(fact.path, fact.line, deleted)],
        "partialFingerprints": {"signoffFact/v2": key},
        "properties": {"kind": fact.kind, "risk": str(fact.risk), "analyzer": fact.analyzer},
    }
