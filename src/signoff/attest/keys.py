"""Signing and verification keys for attestations: Ed25519 or ECDSA P-256, PEM or OpenSSH.

The ledger's own checkpoint key (an Ed25519 PKCS#8 PEM file, `signoff.ledger.keys`) loads here
unchanged, so a deployment can sign attestations with the key its ledger already trusts.
"""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
    load_ssh_private_key,
    load_ssh_public_key,
)

from signoff.attest.dsse import AttestationError, PrivateKey, PublicKey

#: `<name>+<8 hex>+<base64>`: a C2SP signed-note verifier key (the ledger's checkpoint key).
_NOTE_VKEY = re.compile(rb"^[^\s+]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/=]+$")


def _note_key(data: bytes, path: Path) -> PublicKey:
    from signoff.errors import Error
    from signoff.ledger.checkpoint import Verifier

    try:
        return Ed25519PublicKey.from_public_bytes(Verifier.parse(data.decode()).public_key)
    except (Error, UnicodeDecodeError):
        raise AttestationError(f"{path} is not a usable verifier key") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AttestationError(f"cannot read key {path}: {exc.strerror}") from None


def _check_private(key: object, path: Path) -> PrivateKey:
    if isinstance(key, Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise AttestationError(f"{path}: only Ed25519 and ECDSA P-256 keys are supported")


def _check_public(key: object, path: Path) -> PublicKey:
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise AttestationError(f"{path}: only Ed25519 and ECDSA P-256 keys are supported")


def load_private_key(path: Path) -> PrivateKey:
    """An unencrypted PEM (PKCS#8 / SEC1) or OpenSSH private key."""
    data = _read(path)
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key: object = load_ssh_private_key(data, password=None)
        else:
            key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise AttestationError(f"{path} is not an unencrypted private key") from None
    return _check_private(key, path)


def load_public_key(path: Path) -> PublicKey:
    """A public key (PEM, OpenSSH line, or the ledger's signed-note verifier key as
    `GET /v1/ledger/public-key` serves it), or the public half of a private key file."""
    data = _read(path)
    try:
        if b"PRIVATE KEY" in data:
            return load_private_key(path).public_key()
        if _NOTE_VKEY.match(data.strip()):
            return _note_key(data, path)
        if data.lstrip().startswith(b"-----BEGIN"):
            key: object = load_pem_public_key(data)
        else:
            key = load_ssh_public_key(data.strip())
    except (ValueError, TypeError):
        raise AttestationError(f"{path} is not a usable public key") from None
    return _check_public(key, path)
