"""DSSE v1 envelopes (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md).

    PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body

with LEN the ASCII decimal byte length. The signature covers PAE, never the raw payload, so the
payload type cannot be swapped. `keyid` is an unauthenticated hint: verification tries every
trusted key and never lets the hint decide. Ed25519 signatures are the raw 64 bytes; ECDSA P-256
signatures are DER over SHA-256, as securesystemslib and sigstore write them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from signoff.errors import Error

PAYLOAD_TYPE = "application/vnd.in-toto+json"

PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


class AttestationError(Error):
    """An envelope or statement that is malformed, tampered with, or signed by no trusted key."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE pre-authentication encoding."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(t), t, len(payload), payload)


def keyid(key: PublicKey) -> str:
    """SHA-256 (hex) of the DER SubjectPublicKeyInfo: a stable hint, not an authority."""
    der = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def sign_envelope(
    payload: bytes, key: PrivateKey, payload_type: str = PAYLOAD_TYPE
) -> dict[str, Any]:
    """A one-signature envelope as a JSON-ready dict (standard base64)."""
    data = pae(payload_type, payload)
    if isinstance(key, Ed25519PrivateKey):
        sig = key.sign(data)
    else:
        sig = key.sign(data, ec.ECDSA(hashes.SHA256()))
    return {
        "payload": base64.b64encode(payload).decode(),
        "payloadType": payload_type,
        "signatures": [{"keyid": keyid(key.public_key()), "sig": base64.b64encode(sig).decode()}],
    }


@dataclass(frozen=True, slots=True)
class Opened:
    payload: bytes
    payload_type: str
    keyids: tuple[str, ...]  # the trusted keys (by our keyid) whose signature verified


def _b64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise AttestationError(f"{what} must be a base64 string")
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise AttestationError(f"{what} is not valid base64") from None


def _verify_one(key: PublicKey, sig: bytes, data: bytes) -> bool:
    try:
        if isinstance(key, Ed25519PublicKey):
            key.verify(sig, data)
        else:
            key.verify(sig, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def open_envelope(envelope: object, keys: Sequence[PublicKey], *, threshold: int = 1) -> Opened:
    """The payload, once at least `threshold` distinct trusted keys verified it; else an error."""
    if not isinstance(envelope, Mapping) or set(envelope) - {
        "payload",
        "payloadType",
        "signatures",
    }:
        raise AttestationError("not a DSSE envelope (expected payload, payloadType, signatures)")
    payload = _b64(envelope.get("payload"), "payload")
    ptype = envelope.get("payloadType")
    if not isinstance(ptype, str) or not ptype:
        raise AttestationError("payloadType must be a non-empty string")
    try:
        data = pae(ptype, payload)
    except UnicodeEncodeError:  # a lone surrogate: no bytes could have been signed
        raise AttestationError("payloadType is not UTF-8 text") from None
    sigs = envelope.get("signatures")
    if not isinstance(sigs, list) or not sigs:
        raise AttestationError("the envelope has no signatures")
    good: list[str] = []
    for i, entry in enumerate(sigs):
        if not isinstance(entry, Mapping):
            raise AttestationError(f"signatures[{i}] must be an object")
        sig = _b64(entry.get("sig"), f"signatures[{i}].sig")
        for key in keys:
            kid = keyid(key)
            if kid not in good and _verify_one(key, sig, data):
                good.append(kid)
    if len(good) < threshold:
        raise AttestationError(
            "signature verification failed: no trusted key signed this envelope "
            "(tampered, or signed with a different key)"
        )
    return Opened(payload, ptype, tuple(good))


def dumps(envelope: Mapping[str, Any]) -> str:
    """One compact JSON line (the bundle format)."""
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)
