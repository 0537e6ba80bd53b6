"""Re-qualifying a release after a revocation: release managers re-review the revoked work.

After a revocation (`signoff.release.revocation`), `release verify` fails every commit of the
revoked agent or task. Release managers who have re-reviewed that work (or reverted it) record
it: each signs a `signoff.requalify/v1` record with their SSH key (`ssh-keygen -Y sign`, namespace
`signoff-requalify`), bound to the repository, the exact range, the revoked identity and the
ledger seq of the revocation, and `signoff release requalify` appends it to the ledger as a
`release.requalified` event. `release verify` then counts, for each revoked identity, the
records that:

- verify in-process against the allowed signers read from `--from` (the protected inputs), at
  the time of the check, with the signer's key listing the record's principal;
- come from members of the release group (`release.from`), never an agent key;
- name this repository, base, head, identity, and the latest revocation of that identity.

With `release.approvals` distinct people, the revoked work stays a note; the new PASSED run is
recorded after the revocation, which is what lets the release's new attestation pass
`attest verify --check-revocations`. The old attestation stays revoked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from signoff.identity.allowed_signers import AllowedSigners
from signoff.identity.signers import AGENT_PRINCIPAL
from signoff.identity.sshsig import SshSigError, verify
from signoff.ledger.events import Event, EventType

SCHEMA = "signoff.requalify/v1"
NAMESPACE = "signoff-requalify"
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_FIELDS = ("schema", "repository", "base", "head", "revoked", "revocation_seq", "principal",
           "reason", "time")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Requalification:
    repository: str
    base: str
    head: str
    revoked: str  # "agent:<id>" or "task:<id>"
    revocation_seq: int
    principal: str
    reason: str
    time: str

    def canonical(self) -> bytes:
        doc = {"schema": SCHEMA, **asdict(self)}
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def make(
    *, repository: str, base: str, head: str, revoked: str, revocation_seq: int,
    principal: str, reason: str,
) -> Requalification:  # fmt: skip
    """A new record; `reason` says what was re-reviewed (or reverted), and is required."""
    if not reason.strip():
        raise ValueError("a re-qualification needs a reason: what was re-reviewed")
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Requalification(repository, base, head, revoked, revocation_seq, principal,
                           reason.strip(), now)  # fmt: skip


def parse(data: bytes) -> Requalification:
    """A stored record, refused unless it is exactly canonical and complete."""
    try:
        doc = json.loads(data)
    except ValueError:
        raise ValueError("not JSON") from None
    if not isinstance(doc, dict) or sorted(doc) != sorted(_FIELDS) or doc["schema"] != SCHEMA:
        raise ValueError(f"not a {SCHEMA} record")
    strings = [f for f in _FIELDS if f != "revocation_seq"]
    if not all(isinstance(doc[f], str) for f in strings) or type(doc["revocation_seq"]) is not int:
        raise ValueError("a field has the wrong type")
    rec = Requalification(**{k: v for k, v in doc.items() if k != "schema"})
    if rec.canonical() != data or not _SHA.match(rec.base) or not _SHA.match(rec.head):
        raise ValueError("record is not canonical")
    return rec


@dataclass(frozen=True, slots=True)
class Counted:
    by: tuple[str, ...]  # the people whose re-qualification counts
    seqs: tuple[int, ...]  # their ledger events
    ignored: tuple[str, ...]  # why others did not count


def count(
    events: Sequence[Event],
    *,
    repository: str,
    base: str,
    head: str,
    revoked: str,
    revocation_seq: int,
    allowed_signers: str,
    group: Collection[str],
    at: dt.datetime,
) -> Counted:
    """The valid re-qualifications of `revoked`'s work in base..head after its revocation."""
    signers = AllowedSigners.parse(allowed_signers, "allowed signers")
    by: dict[str, int] = {}
    ignored: list[str] = []
    for e in events:
        if e.type is not EventType.RELEASE_REQUALIFIED:
            continue
        why = _why_not(e, signers, at, group)
        if isinstance(why, str):
            ignored.append(f"ledger seq {e.seq}: {why}")
            continue
        wanted = (repository, base, head, revoked, revocation_seq)
        if (why.repository, why.base, why.head, why.revoked, why.revocation_seq) == wanted:
            by.setdefault(why.principal, e.seq)
    return Counted(tuple(sorted(by)), tuple(by[p] for p in sorted(by)), tuple(ignored))


def _why_not(
    e: Event, signers: AllowedSigners, at: dt.datetime, group: Collection[str]
) -> Requalification | str:
    """The record, once its signature and signer hold; else why it cannot count."""
    record, sig = e.payload.get("record"), e.payload.get("signature")
    if not isinstance(record, str) or not isinstance(sig, str):
        return "no signed record"
    data = record.encode()
    try:
        rec = parse(data)
        good = verify(sig.encode(), data, NAMESPACE)
    except (ValueError, SshSigError) as exc:
        return f"refused: {exc}"
    principals = signers.principals_for(good.key, NAMESPACE, at)
    if rec.principal not in principals or rec.principal.startswith(AGENT_PRINCIPAL):
        return f"key {good.key.fingerprint} does not speak for {rec.principal}"
    if rec.principal not in group:
        return f"{rec.principal} is not in the release group"
    return rec


def payload(rec: Requalification, signature: bytes) -> Mapping[str, Any]:
    """The `release.requalified` event payload: the signed bytes and the armored signature."""
    return {"record": rec.canonical().decode(), "signature": signature.decode("ascii")}
