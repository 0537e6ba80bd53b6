"""Who verified that an artifact was built or signed by whom: the `verified_by` of each record.

An `artifact.built` or `artifact.signed` event names a builder or signer. Who checked that name:

- `server`: the event was read from the control plane's own log (`EventLog.verifies_actors`) and
  the control plane wrote `verified_by: server` in it: the builder or signer is the
  authenticated caller itself, not a name the caller gave (a field trusted on no other log);
- `ssh-signature`: the event carries a `signoff.artifact/v1` statement signed by the builder's
  or signer's own SSH key (`signoff artifact built --key`), namespace `signoff-artifact`, that
  verifies against the allowed signers at `--from` with the named identity as a principal;
- `asserted`: nothing but whoever wrote the event says so (a plain ledger file anyone with
  write access can append to).

`release.require_verified_builders` makes asserted records count for nothing; otherwise the
report says they are asserted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from signoff.identity.allowed_signers import AllowedSigners
from signoff.identity.signers import AGENT_PRINCIPAL
from signoff.identity.sshsig import SshSigError, verify
from signoff.ledger.events import Event, EventType

SCHEMA = "signoff.artifact/v1"
NAMESPACE = "signoff-artifact"
SERVER = "server"
SIGNATURE = "ssh-signature"
ASSERTED = "asserted"


@dataclass(frozen=True, slots=True)
class Statement:
    """What a builder or signer signs: this artifact, this role, from this commit, by me."""

    kind: str  # "built" or "signed"
    digest: str  # sha256:<hex>
    commit: str | None
    identity: str  # the builder or signer named in the event
    time: str

    def canonical(self) -> bytes:
        doc = {"schema": SCHEMA, **asdict(self)}
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def statement(kind: str, digest: str, commit: str | None, identity: str) -> Statement:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Statement(kind, digest, commit, identity, now)


def signed_payload(stmt: Statement, signature: bytes) -> dict[str, str]:
    """The event payload fields that carry the signed statement."""
    return {"statement": stmt.canonical().decode(), "signature": signature.decode("ascii")}


@dataclass(frozen=True, slots=True)
class Verdict:
    verified_by: str  # SERVER, SIGNATURE or ASSERTED
    detail: str  # how, or why the signature did not count


def verified_by(
    e: Event,
    identity: str,
    *,
    server_log: bool,
    allowed_signers: str,
    at: dt.datetime,
) -> Verdict:
    """Who vouches that `identity` is the event's builder or signer."""
    if server_log and e.payload.get("verified_by") == SERVER:
        return Verdict(SERVER, f"the control plane's authenticated caller ({e.actor})")
    raw, sig = e.payload.get("statement"), e.payload.get("signature")
    if not isinstance(raw, str) or not isinstance(sig, str):
        return Verdict(ASSERTED, "no signature by the builder's or signer's own key")
    why = _check(e, identity, raw, sig, allowed_signers, at)
    return Verdict(SIGNATURE, why[1]) if why[0] else Verdict(ASSERTED, why[1])


def _check(
    e: Event, identity: str, raw: str, sig: str, allowed: str, at: dt.datetime
) -> tuple[bool, str]:
    data = raw.encode()
    try:
        doc = json.loads(data)
        good = verify(sig.encode(), data, NAMESPACE)
    except (ValueError, SshSigError) as exc:
        return False, f"signature refused: {exc}"
    kind = "built" if e.type is EventType.ARTIFACT_BUILT else "signed"
    expected = {"schema": SCHEMA, "kind": kind, "digest": e.subjects.get("artifact"),
                "commit": e.subjects.get("commit"), "identity": identity}  # fmt: skip
    if not isinstance(doc, Mapping) or any(doc.get(k) != v for k, v in expected.items()):
        return False, "the signed statement is for another artifact, commit or identity"
    if Statement(**_fields(doc)).canonical() != data:
        return False, "the signed statement is not canonical"
    principals = AllowedSigners.parse(allowed, "allowed signers").principals_for(
        good.key, NAMESPACE, at
    )
    if identity.lower() not in principals or identity.startswith(AGENT_PRINCIPAL):
        return False, f"key {good.key.fingerprint} is not allowed to sign as {identity}"
    return True, f"signed by {identity}'s key {good.key.fingerprint}"


def _fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {f.name: doc.get(f.name) for f in fields(Statement)}
