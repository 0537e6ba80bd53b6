"""Approvals given through the control plane, in the gate's checked-record shape.

An API approval was authenticated by the server (the approver is the human the token belongs
to) and bound by the server to digests it computed itself, so it needs no signature check here:
it becomes a `CheckedRecord` with `source="server"`, and from then on `apply_approvals` treats it
exactly like a signed record (groups, requesters, vetoes, stale digests, break-glass). Pure: the
HTTP fetching is in `signoff.client`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from signoff.approvals.record import ApprovalRecord, Kind
from signoff.approvals.verify import CheckedRecord

SOURCE = "server"
_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def checked_from_api(item: Mapping[str, Any], repository: str) -> CheckedRecord:
    """One item of `GET /v1/repos/{repo}/approvals`; malformed items count for nothing."""
    rid = f"server:{item.get('id', '?')}"

    def bad(reason: str, rec: ApprovalRecord | None = None) -> CheckedRecord:
        who = str(item.get("approver", ""))
        return CheckedRecord(rid, rec, who, "", "", reason, SOURCE)

    try:
        digests = {}
        for cls, value in dict(item["digests"]).items():
            m = _DIGEST.match(str(value))
            if m is None:
                return bad(f"malformed digest for {cls}")
            digests[str(cls)] = m.group(1)
        policy = _DIGEST.match(str(item["policy_digest"]))
        rec = ApprovalRecord(
            repository=str(item["repository"]),
            decision=Kind(str(item["decision"])),
            approver=str(item["approver"]).strip().lower(),
            digests=dict(sorted(digests.items())),
            policy_digest=policy.group(1) if policy else "",
            base=str(item["base"]),
            head=str(item["head"]),
            classes=tuple(sorted(digests)),
            comment=str(item.get("comment", "")),
            reason=str(item.get("reason", "")),
            time=str(item["time"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        return bad(f"malformed server approval ({type(exc).__name__})")
    if not rec.digests or not rec.approver or not _SHA.match(rec.head):
        return bad("malformed server approval", rec)
    if rec.decision is Kind.OVERRIDE and not rec.reason.strip():
        return bad("an override needs a reason", rec)
    if rec.repository != repository:
        return bad(f"record for another repository ({rec.repository[:12]})", rec)
    return CheckedRecord(rid, rec, rec.approver, "", "", None, SOURCE)
