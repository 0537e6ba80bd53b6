"""Verify stored approval records: well-formed, for this repository, signed by a known key.

Only cryptographic and structural validity is decided here; who may count for which
requirement (groups, agents, key types, FIDO flags, requesters, stale digests) is `apply`'s
pure job. Signatures are checked in-process (`signoff.identity.sshsig`) against the allowed
signers read from the base ref, evaluated at the time of the check: a key whose `valid-before`
has passed signs nothing more, and a record is re-signed rather than trusted for its own `time`
field, which its signer wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from signoff.approvals.record import ApprovalRecord, RecordError, parse_record, record_id
from signoff.approvals.sshsig import NAMESPACE
from signoff.approvals.store import StoredRecord
from signoff.attribution.attribute import AGENT_PRINCIPAL
from signoff.identity.allowed_signers import AllowedSigners
from signoff.identity.sshsig import SshPublicKey, SshSigError, read_signature, verify


@dataclass(frozen=True, slots=True)
class CheckedRecord:
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
    #: the FIDO flags byte of a security-key signature (None for other keys and the server)
    sk_flags: int | None = None

    @property
    def valid(self) -> bool:
        return self.error is None and self.record is not None

    @property
    def claimed(self) -> str:
        """Who the record says approved (for reports), or "?" when unreadable."""
        return self.record.approver if self.record is not None else "?"


def verify_records(
    stored: Iterable[StoredRecord],
    allowed_signers: str,
    *,
    repository: str,
    at: dt.datetime | None = None,
) -> list[CheckedRecord]:
    """Check every stored record; `allowed_signers` is the text read from the base ref, and
    `at` the time its validity windows are judged at (default: now)."""
    items = list(stored)
    if not items:
        return []
    signers = AllowedSigners.parse(allowed_signers, "allowed signers")
    when = at or dt.datetime.now(dt.UTC)
    return [_check(s, signers, repository, when) for s in items]


def _check(
    s: StoredRecord, signers: AllowedSigners, repository: str, at: dt.datetime
) -> CheckedRecord:
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
        claimed = read_signature(s.sig)
    except SshSigError as exc:
        return bad(f"bad signature: {exc}", rec)
    info = {"key_type": claimed.key.key_type, "fingerprint": claimed.key.fingerprint}
    if claimed.namespace != NAMESPACE:
        ns = claimed.namespace
        return bad(f"bad signature: namespace {ns!r}, not {NAMESPACE!r}", rec, **info)
    principals = signers.principals_for(claimed.key, NAMESPACE, at)
    if not principals:
        why = _not_allowed(signers, claimed.key, at)
        return bad(
            f"unknown signer: key {claimed.key.fingerprint} is not allowed{why}", rec, **info
        )
    agents = [p for p in principals if p.startswith(AGENT_PRINCIPAL)]
    signer = agents[0] if agents else (rec.approver if rec.approver in principals else "")
    if not signer:
        return bad(
            f"approver field does not match signer ({', '.join(principals)})",
            rec,
            signer=principals[0],
            **info,
        )
    try:
        good = verify(s.sig, s.json, NAMESPACE)
    except SshSigError as exc:
        return bad(f"bad signature: {exc}", rec, signer=signer, **info)
    return CheckedRecord(
        s.record_id, rec, signer, good.key.key_type, good.key.fingerprint, None, "ref", good.flags
    )


def _not_allowed(signers: AllowedSigners, key: SshPublicKey, at: dt.datetime) -> str:
    """Why a listed key has no principal now (outside its validity window, namespace, CA)."""
    reasons = [f"line {p.line}: {p.message}" for p in signers.problems_for(key)]
    for line in signers.lines_for(key):
        o = line.options
        if o.cert_authority:
            reasons.append(f"line {line.line}: cert-authority (certificates are not supported)")
        elif o.valid_after is not None and at < o.valid_after:
            reasons.append(f"line {line.line}: not valid before {o.valid_after.isoformat()}")
        elif o.valid_before is not None and at > o.valid_before:
            reasons.append(f"line {line.line}: expired {o.valid_before.isoformat()}")
        else:
            reasons.append(f"line {line.line}: not for namespace {NAMESPACE}")
    return f" ({'; '.join(reasons)})" if reasons else ""
