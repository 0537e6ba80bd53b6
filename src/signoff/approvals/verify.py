"""Verify stored approval records: well-formed, for this repository, signed by a known key.

Only cryptographic and structural validity is decided here; who may count for which
requirement (groups, agents, key types, requesters, stale digests) is `apply`'s pure job.
Per record: a pure read of the signature's key, then `ssh-keygen -Y find-principals` and
`-Y verify`: two processes, because this is the security boundary.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from signoff.approvals.record import ApprovalRecord, RecordError, parse_record, record_id
from signoff.approvals.sshsig import NAMESPACE, Verifier, read_sig_key
from signoff.approvals.store import StoredRecord
from signoff.attribution.attribute import AGENT_PRINCIPAL


class CheckedRecord(NamedTuple):
    """A record after verification: `error` is None only when its signature is good."""

    record_id: str
    record: ApprovalRecord | None
    signer: str  # principal ssh-keygen found for the key ("" when none)
    key_type: str
    fingerprint: str
    error: str | None
    #: "ref" (SSH-signed record on the approvals ref) or "server" (given through the API by an
    #: authenticated human; see `signoff.approvals.server_source`)
    source: str = "ref"

    @property
    def valid(self) -> bool:
        return self.error is None and self.record is not None

    @property
    def claimed(self) -> str:
        """Who the record says approved (for reports), or "?" when unreadable."""
        return self.record.approver if self.record is not None else "?"


def verify_records(
    stored: Iterable[StoredRecord], allowed_signers: str, *, repository: str
) -> list[CheckedRecord]:
    """Check every stored record; `allowed_signers` is the text read from the base ref."""
    items = list(stored)
    if not items:
        return []
    with tempfile.TemporaryDirectory(prefix="signoff-approvals-") as tmp:
        verifier = Verifier(allowed_signers, Path(tmp))
        return [_check(s, verifier, repository) for s in items]


def _check(s: StoredRecord, verifier: Verifier, repository: str) -> CheckedRecord:
    def bad(reason: str, rec: ApprovalRecord | None = None, **key: str) -> CheckedRecord:
        return CheckedRecord(
            s.record_id,
            rec,
            key.get("signer", ""),
            key.get("key_type", ""),
            key.get("fingerprint", ""),
            reason,
        )

    if s.json is None:
        return bad("signature without a record (.json missing)")
    try:
        rec = parse_record(s.json)
    except RecordError as exc:
        return bad(f"malformed record: {exc}")
    if record_id(s.json) != s.record_id:
        return bad("record id does not match its content", rec)
    if s.sig is None:
        return bad("unsigned record (.sig missing)", rec)
    if rec.repository != repository:
        return bad(f"record for another repository ({rec.repository[:12]})", rec)
    try:
        key = read_sig_key(s.sig)
    except ValueError as exc:
        return bad(f"bad signature: {exc}", rec)
    info = {"key_type": key.key_type, "fingerprint": key.fingerprint}
    if key.namespace != NAMESPACE:
        return bad(f"bad signature: namespace {key.namespace!r}, not {NAMESPACE!r}", rec, **info)
    principals, why = verifier.find_principals(s.sig)
    if not principals:
        detail = f" ({why})" if why and "No principal matched" not in why else ""
        return bad(f"unknown signer: key {key.fingerprint} is not allowed{detail}", rec, **info)
    agents = [p for p in principals if p.startswith(AGENT_PRINCIPAL)]
    signer = agents[0] if agents else (rec.approver if rec.approver in principals else "")
    if not signer:
        return bad(
            f"approver field does not match signer ({', '.join(principals)})",
            rec,
            signer=principals[0],
            **info,
        )
    ok, detail = verifier.verify(s.json, s.sig, signer)
    if not ok:
        return bad(f"bad signature: {detail or 'does not verify'}", rec, signer=signer, **info)
    return CheckedRecord(s.record_id, rec, signer, key.key_type, key.fingerprint, None)
