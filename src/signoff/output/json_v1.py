"""The versioned JSON form of a decision (schema `signoff.check/v1`, see docs/json-schema.md).

Built by converter functions, never by dumping internal types, so internals can change freely.
`to_dict` is the plain reference; `signoff.output.json_fast` writes the same text faster for a
long range, and its tests compare the two.
"""

from __future__ import annotations

from typing import Any

from signoff import __version__
from signoff.attribution.attribute import Attribution
from signoff.decision import (
    PASSING,
    ApprovalReport,
    ApprovalStatus,
    Decision,
    FileDecision,
    IgnoredRecord,
    Verdict,
)
from signoff.facts import Fact

SCHEMA = "signoff.check/v1"


def exit_code(decision: Decision) -> int:
    return 0 if decision.verdict in PASSING else 1


def to_dict(decision: Decision, *, commits: bool = True) -> dict[str, Any]:
    """The whole document; without the ``commits`` list when `dumps` encodes it itself."""
    counts = {v.value: 0 for v in Verdict}
    for f in decision.files:
        counts[f.verdict.value] += 1
    return {
        "schema": SCHEMA,
        "signoff_version": __version__,
        "decision": decision.verdict.value,
        "exit_code": exit_code(decision),
        "evaluated_at": decision.evaluated_at,
        "range": {
            "base": decision.base,
            "head": decision.head,
            "base_ref": decision.base_ref,
            "head_ref": decision.head_ref,
            "merge_base": decision.merge_base,
            "target_branch": decision.target_branch,
        },
        "policy": {"source": decision.policy_source, "protected": decision.policy_protected},
        "digests": dict(decision.digests),
        "warnings": list(decision.warnings),
        "summary": {"files": len(decision.files), **counts, "commits": len(decision.commits)},
        "commits": [
            commit_dict(a, decision.commit_subjects.get(a.sha, "")) for a in decision.commits
        ]
        if commits
        else None,
        "files": [file_dict(f) for f in decision.files],
        "approvals": [status_dict(s) for s in statuses(decision.approvals)],
        "approval_records": records_dict(decision.approvals),
    }


def statuses(report: ApprovalReport | None) -> tuple[ApprovalStatus, ...]:
    return report.statuses if report is not None else ()


def ignored_dict(i: IgnoredRecord) -> dict[str, Any]:
    return {
        "record": i.record_id,
        "approver": i.approver,
        "decision": i.decision,
        "reason": i.reason,
        "source": i.source,
    }


def status_dict(s: ApprovalStatus) -> dict[str, Any]:
    return {
        "class": s.file_class,
        "digest": s.digest,
        "group": s.group,
        "rule": s.rule,
        "state": s.state,
        "needed": s.needed,
        "have": s.have,
        "missing": s.missing,
        "approvers": list(s.approvers),
        "sources": dict(s.sources),
        "vetoers": list(s.vetoers),
        "requesters": list(s.requesters),
        "task_requesters": list(s.task_requesters),
        "paths": list(s.paths),
        "ignored": [ignored_dict(i) for i in s.ignored],
    }


def records_dict(report: ApprovalReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "ref": report.ref,
        "considered": report.records,
        "server": report.server or None,
        "server_considered": report.server_records,
        "overrides": [
            {
                "class": o.file_class,
                "digest": o.digest,
                "by": o.by,
                "reason": o.reason,
                "record": o.record_id,
                "time": o.time,
                "source": o.source,
            }
            for o in report.overrides
        ],
        "ignored": [ignored_dict(i) for i in report.ignored],
    }


def commit_dict(a: Attribution, subject: str) -> dict[str, Any]:
    if a.actors:
        identity = ", ".join(x.id if x.registered else "unregistered" for x in a.actors)
    else:
        identity = a.human or "unverified"
    return {
        "sha": a.sha,
        "subject": subject,
        "attribution": a.kind.value,
        "identity": identity,
        "identities": [
            {"id": x.id, "kind": x.kind.value, "registered": x.registered} for x in a.actors
        ],
        "human": a.human,
        "co_authors": list(a.co_authors),
        "task_requesters": list(a.task_requesters),
        "evidence": [
            {"type": e.type.value, "source": e.source, "identity": e.identity, "detail": e.detail}
            for e in a.evidence
        ],
    }


def fact_dict(f: Fact) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "message": f.message,
        "risk": str(f.risk),
        "line": f.line,
        "analyzer": f.analyzer,
        "detail": f.detail_dict(),
    }


def file_dict(f: FileDecision) -> dict[str, Any]:
    return {
        "path": f.path,
        "old_path": f.old_path,
        "status": f.status,
        "class": f.file_class.value,
        "risk": str(f.risk),
        "decision": f.verdict.value,
        "requirements": [
            {"approvals": r.approvals, "from": r.group, "rule": r.rule} for r in f.requirements
        ],
        "rules": [{"rule": h.rule, "effect": h.effect, "reason": h.reason} for h in f.hits],
        "facts": [fact_dict(x) for x in f.facts],
        "adjustments": list(f.adjustments),
        "commits": list(f.commits),
        "identities": list(f.identities),
        "brought_by": list(f.brought_by),
    }
