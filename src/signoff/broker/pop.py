"""Proof of possession of a registered agent key: the broker issues a nonce, the agent signs it.

The signed message binds the nonce to the agent and to this broker, so a signature made for one
agent or one broker cannot be replayed at another (the server also makes each nonce single-use
and short-lived):

    signoff-pop-v1\\n<nonce>\\n<agent id>\\n<broker audience>

Keys are the agent's registered `ssh-ed25519` public keys (the `match.signing_keys` of its
identity); only Ed25519 is accepted, and the signature is the raw 64-byte Ed25519 signature,
base64url-encoded.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_ssh_public_key

from signoff.broker.errors import BrokerError

NONCE_TTL = 120
_PREFIX = b"signoff-pop-v1"


def new_nonce() -> str:
    return "pop_" + secrets.token_urlsafe(32)


def message(nonce: str, agent: str, audience: str) -> bytes:
    for part in (nonce, agent, audience):
        if "\n" in part or not part:
            raise BrokerError("proof fields must be non-empty single lines", code="malformed")
    return b"\n".join([_PREFIX, nonce.encode(), agent.encode(), audience.encode()])


def sign(private_key: Ed25519PrivateKey, nonce: str, agent: str, audience: str) -> str:
    """What an agent sends back (used by tests, the bench and agent tooling)."""
    sig = private_key.sign(message(nonce, agent, audience))
    return base64.urlsafe_b64encode(sig).decode().rstrip("=")


def _ed25519_keys(ssh_keys: Iterable[str]) -> list[Ed25519PublicKey]:
    out = []
    for text in ssh_keys:
        parts = text.split()
        if len(parts) < 2 or parts[0] != "ssh-ed25519":
            continue
        try:
            key = load_ssh_public_key(f"{parts[0]} {parts[1]}".encode())
        except (ValueError, TypeError):
            continue
        if isinstance(key, Ed25519PublicKey):
            out.append(key)
    return out


def verify(signature: str, nonce: str, agent: str, audience: str, ssh_keys: Iterable[str]) -> int:
    """The index of the registered key that made `signature`; BrokerError if none did."""
    keys = _ed25519_keys(ssh_keys)
    if not keys:
        raise BrokerError(f"agent {agent} has no registered ssh-ed25519 key", code="untrusted")
    if len(signature) > 128:
        raise BrokerError("proof signature is malformed", code="malformed")
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except (binascii.Error, ValueError):
        raise BrokerError("proof signature is not base64url", code="malformed") from None
    msg = message(nonce, agent, audience)
    for i, key in enumerate(keys):
        try:
            key.verify(raw, msg)
        except InvalidSignature:
            continue
        return i
    raise BrokerError(
        "proof signature does not verify with any key of the agent", code="bad_signature"
    )
