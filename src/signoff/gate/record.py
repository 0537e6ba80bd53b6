"""Record a gate decision in the ledger (`signoff check --ledger URL`).

Imported only when `--ledger` is given, so the plain gate never loads a database driver.
"""

from __future__ import annotations

from typing import Any

from signoff.decision import Decision


def decision_payload(d: Decision) -> dict[str, Any]:
    """The decision record: every input digest, so anyone can replay it and get the same answer."""
    return {
        "decision": d.verdict.value,
        "evaluated_at": d.evaluated_at,
        "range": {
            "base": d.base,
            "head": d.head,
            "merge_base": d.merge_base,
            "target_branch": d.target_branch,
        },
        "policy": {"source": d.policy_source, "protected": d.policy_protected},
        "digests": {k: f"sha256:{v}" for k, v in d.digests.items()},
        "files": [
            {
                "path": f.path,
                "class": f.file_class.value,
                "risk": str(f.risk),
                "decision": f.verdict.value,
                "blob": f.new_blob,
                "requirements": [
                    {"approvals": r.approvals, "from": r.group} for r in f.requirements
                ],
                "rules": sorted({h.rule for h in f.hits}),
                "facts": sorted({x.kind for x in f.facts}),
            }
            for f in d.files
        ],
        "commits": [
            {"sha": a.sha, "attribution": a.kind.value, "identities": [x.id for x in a.actors]}
            for a in d.commits
        ],
        **_approvals(d),
    }


def _approvals(d: Decision) -> dict[str, Any]:
    """Which signed approvals, vetoes and overrides the decision counted, by content digest."""
    r = d.approvals
    if r is None:
        return {}
    return {
        "approvals": [
            {
                "class": s.file_class,
                "digest": f"sha256:{s.digest}",
                "group": s.group,
                "needed": s.needed,
                "approvers": list(s.approvers),
                "vetoers": list(s.vetoers),
            }
            for s in r.statuses
        ],
        "overrides": [
            {
                "class": o.file_class,
                "digest": f"sha256:{o.digest}",
                "by": o.by,
                "reason": o.reason,
                "record": o.record_id,
            }
            for o in r.overrides
        ],
    }


def record_decision(url: str, d: Decision) -> int:
    from signoff.ledger import append_event

    seq, _ = append_event(
        url,
        "decision.made",
        "signoff-gate",
        {"commit": d.head, "base": d.base},
        decision_payload(d),
        # signoff computed all of it from git objects; commit identities inside stay *asserted*
        # attribution, which the payload records as attribution kinds, not as proof.
        [
            "subjects.commit",
            "subjects.base",
            "payload.decision",
            "payload.digests",
            "payload.files",
        ],
    )
    return seq
