"""SSHSIG signatures (`ssh-keygen -Y sign`, git's SSH commit signatures), verified in-process.

The format is OpenSSH's PROTOCOL.sshsig: an armored blob holding the magic `SSHSIG`, version 1,
the public key, the namespace, an empty reserved field, the hash algorithm (sha256 or sha512) and
an SSH signature over::

    "SSHSIG" || string(namespace) || string("") || string(hash_algorithm) || string(H(message))

`verify` says which key signed a message and, for FIDO security keys, the authenticator's flags
and counter; whether that key may sign for someone is `signoff.identity.allowed_signers`'s job:

    verified = verify(armored, message, "git")
    allowed.principals_for(verified.key, "git", at=when)

Everything that is not exactly this format is refused with `SshSigError` (a `ValueError`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Final, NamedTuple

from signoff.identity.sshalgs import (
    SshPublicKey,
    SshSigError,
    WireReader,
    parse_public_key,
    verify_signature,
)

__all__ = [
    "USER_PRESENT",
    "USER_VERIFIED",
    "SshPublicKey",
    "SshSig",
    "SshSigError",
    "Verified",
    "read_signature",
    "verify",
]

USER_PRESENT: Final = 0x01
"""FIDO flag: a person touched the authenticator for this signature."""
USER_VERIFIED: Final = 0x04
"""FIDO flag: the authenticator verified that person (PIN or biometric)."""

BEGIN: Final = "-----BEGIN SSH SIGNATURE-----"
END: Final = "-----END SSH SIGNATURE-----"
MAX_ARMORED: Final = 64 * 1024
_MAGIC: Final = b"SSHSIG"
_VERSION: Final = 1
_HASHES: Final = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}


class SshSig(NamedTuple):
    """An SSHSIG blob's fields, read but not yet verified."""

    key: SshPublicKey
    namespace: str
    hash_algorithm: str
    signature: bytes  # the SSH signature blob


class Verified(NamedTuple):
    """A good signature: the key that made it and, for security keys, what the token said."""

    key: SshPublicKey
    namespace: str
    hash_algorithm: str
    #: FIDO flags byte (security keys only; None otherwise)
    flags: int | None
    #: the authenticator's signature counter (security keys only)
    counter: int | None

    @property
    def user_present(self) -> bool:
        """A person touched the security key (never true for a plain key)."""
        return self.flags is not None and bool(self.flags & USER_PRESENT)

    @property
    def user_verified(self) -> bool:
        """The security key verified its user (PIN or biometric)."""
        return self.flags is not None and bool(self.flags & USER_VERIFIED)


def dearmor(armored: bytes) -> bytes:
    """The binary SSHSIG blob inside the `BEGIN/END SSH SIGNATURE` armor."""
    if len(armored) > MAX_ARMORED:
        raise SshSigError("signature too large")
    try:
        text = armored.decode("ascii").strip()
    except UnicodeDecodeError:
        raise SshSigError("signature is not ASCII armor") from None
    if not text.startswith(BEGIN) or not text.endswith(END):
        raise SshSigError("not an SSH signature (BEGIN/END SSH SIGNATURE armor missing)")
    body = "".join(text[len(BEGIN) : -len(END)].split())
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise SshSigError("signature is not valid base64") from None


def read_signature(armored: bytes) -> SshSig:
    """Parse an armored SSHSIG without verifying it (the key it claims, its namespace)."""
    r = WireReader(dearmor(armored))
    if r.take(len(_MAGIC)) != _MAGIC:
        raise SshSigError("missing SSHSIG magic")
    version = r.u32()
    if version != _VERSION:
        raise SshSigError(f"unsupported SSHSIG version {version}")
    key = parse_public_key(r.string())
    namespace = r.text()
    if r.string():
        raise SshSigError("SSHSIG reserved field is not empty")
    hash_algorithm = r.text()
    signature = r.string()
    r.end()
    if hash_algorithm not in _HASHES:
        raise SshSigError(f"unsupported hash algorithm {hash_algorithm!r}")
    if not namespace:
        raise SshSigError("empty namespace")
    return SshSig(key, namespace, hash_algorithm, signature)


def signed_data(namespace: str, hash_algorithm: str, message: bytes) -> bytes:
    """What the key signs for `message` (PROTOCOL.sshsig); also what a test signer signs."""
    digest = _HASHES[hash_algorithm](message).digest()
    return b"".join(
        (
            _MAGIC,
            _string(namespace.encode()),
            _string(b""),
            _string(hash_algorithm.encode()),
            _string(digest),
        )
    )


def verify(armored: bytes, message: bytes, namespace: str) -> Verified:
    """Verify `armored` over `message` in `namespace`; raises `SshSigError` when it does not hold.

    Only the cryptography is checked here: the caller decides whom the key belongs to
    (`AllowedSigners.principals_for`) and what the FIDO flags must say."""
    sig = read_signature(armored)
    if sig.namespace != namespace:
        raise SshSigError(f"namespace {sig.namespace!r}, not {namespace!r}")
    data = signed_data(namespace, sig.hash_algorithm, message)
    sk = verify_signature(sig.key, sig.signature, data)
    flags, counter = sk if sk is not None else (None, None)
    return Verified(sig.key, namespace, sig.hash_algorithm, flags, counter)


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data
