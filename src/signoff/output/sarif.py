"""SARIF 2.1.0 that GitHub code scanning accepts: one result per file that is not allowed, and
one per fact found in such a file, located at the fact's line when known."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from signoff import __version__
from signoff.changes import path_bytes
from signoff.decision import Decision, FileDecision, Verdict
from signoff.facts import Fact
from signoff.output.escape import display
from signoff.output.json_v1 import status_dict, statuses
from signoff.taxonomy import Risk

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP = "https://github.com/signoff-dev/signoff/blob/main/docs/"

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


def _uri(path: str) -> str:
    return quote(path_bytes(path), safe="/")


def _location(path: str, line: int | None) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(path)},
            "region": {"startLine": max(1, line or 1)},
        }
    }


def _rule(rule_id: str, text: str, level: str, doc: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": rule_id.replace("/", "-"),
        "shortDescription": {"text": text},
        "helpUri": HELP + doc,
        "defaultConfiguration": {"level": level},
    }


def render_sarif(d: Decision) -> str:
    rules: dict[str, dict[str, Any]] = {
        "signoff/deny": _rule(
            "signoff/deny", "An agent change the policy denies", "error", "policy.md"
        ),
        "signoff/needs-approval": _rule(
            "signoff/needs-approval",
            "An agent change that needs human approval",
            "warning",
            "policy.md",
        ),
        "signoff/overridden": _rule(
            "signoff/overridden",
            "An agent change let through by a break-glass override, not approved",
            "warning",
            "approvals.md",
        ),
    }
    results: list[dict[str, Any]] = []
    for f in d.files:
        if f.verdict is Verdict.ALLOW:
            continue
        results.append(_file_result(f, d))
        for fact in f.facts:
            rid = f"signoff/fact/{fact.kind}"
            rules.setdefault(
                rid,
                _rule(
                    rid,
                    fact.kind.replace("-", " "),
                    _FACT_LEVEL[fact.risk],
                    f"facts.md#{fact.kind}",
                ),
            )
            results.append(_fact_result(fact, rid))
    ordered = sorted(rules)
    index = {rid: i for i, rid in enumerate(ordered)}
    for r in results:
        r["ruleIndex"] = index[r["ruleId"]]
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
    if d.warnings:  # SARIF's place for what the tool says about the run itself
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": w}} for w in d.warnings
                ],
            }
        ]
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


def _file_result(f: FileDecision, d: Decision) -> dict[str, Any]:
    rid = _RULE_ID[f.verdict]
    effects = ("override",) if f.verdict is Verdict.OVERRIDDEN else ("deny", "approval")
    why = "; ".join(h.reason for h in f.hits if h.effect in effects)
    needs = ", ".join(f"{r.approvals} from {r.group}" for r in f.requirements)
    text = f"{display(f.path)} ({f.file_class.value}, {f.risk}): {f.verdict.value}"
    if needs:
        text += f" [{needs}]"
    if why:
        text += f". {why}"
    key = f"{f.path}\0{f.file_class}\0{f.verdict}\0{f.new_blob}".encode("utf-8", "surrogateescape")
    return {
        "ruleId": rid,
        "level": _LEVEL[f.verdict],
        "message": {"text": text},
        "locations": [_location(f.path, None)],
        "partialFingerprints": {"signoffFile/v1": hashlib.sha256(key).hexdigest()},
        "properties": {
            "class": f.file_class.value,
            "risk": str(f.risk),
            "decision": f.verdict.value,
            "overridden": f.verdict is Verdict.OVERRIDDEN,
            "identities": list(f.identities),
            "commits": list(f.commits),
        },
    }


def _fact_result(fact: Fact, rid: str) -> dict[str, Any]:
    key = f"{fact.path}\0{fact.kind}\0{fact.message}".encode("utf-8", "surrogateescape")
    return {
        "ruleId": rid,
        "level": _FACT_LEVEL[fact.risk],
        "message": {"text": f"{display(fact.path)}: {fact.message}"},
        "locations": [_location(fact.path, fact.line)],
        "partialFingerprints": {"signoffFact/v1": hashlib.sha256(key).hexdigest()},
        "properties": {"kind": fact.kind, "risk": str(fact.risk), "analyzer": fact.analyzer},
    }
