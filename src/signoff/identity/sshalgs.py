"""OpenSSH public keys and signatures in wire format, verified with `cryptography`.

The formats are OpenSSH's own (RFC 4253 §6.6, RFC 5656, RFC 8332, and PROTOCOL.u2f for the FIDO
`sk-` types). Parsing is strict: no trailing bytes, minimal mpints, uncompressed curve points, a
signature type that matches its key. Security-key (`sk-`) signatures carry the authenticator's
flags byte and counter; they are signed together with the SHA-256 of the key's application, so
`verify_signature` returns them only once the signature over them is good.

Refused on purpose: `ssh-rsa` (SHA-1) signatures, RSA moduli under 2048 bits, DSA, certificates,
and `webauthn-sk-*` signatures (a browser's format, never made by `ssh-keygen -Y sign`).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ED25519: Final = "ssh-ed25519"
RSA: Final = "ssh-rsa"
SK_ED25519: Final = "sk-ssh-ed25519@openssh.com"
SK_ECDSA: Final = "sk-ecdsa-sha2-nistp256@openssh.com"
_ECDSA: Final = {
    "ecdsa-sha2-nistp256": ("nistp256", ec.SECP256R1(), hashes.SHA256()),
    "ecdsa-sha2-nistp384": ("nistp384", ec.SECP384R1(), hashes.SHA384()),
    "ecdsa-sha2-nistp521": ("nistp521", ec.SECP521R1(), hashes.SHA512()),
}
_RSA_SIG: Final = {"rsa-sha2-256": hashes.SHA256(), "rsa-sha2-512": hashes.SHA512()}
_RSA_MIN_BITS: Final = 2048

PublicCryptoKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class SshSigError(ValueError):
    """A key or signature that is malformed, unsupported, or does not verify."""


class WireReader:
    """Reads the SSH wire types (RFC 4251 §5) from a buffer, refusing truncation."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: bytes) -> None:
        self._buf = buf
        self._pos = 0

    def take(self, n: int) -> bytes:
        end = self._pos + n
        if n < 0 or end > len(self._buf):
            raise SshSigError("truncated data")
        out = self._buf[self._pos : end]
        self._pos = end
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "big")

    def string(self) -> bytes:
        return self.take(self.u32())

    def text(self) -> str:
        raw = self.string()
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            raise SshSigError("a name field is not ASCII") from None

    def mpint(self) -> int:
        """A positive mpint in its minimal encoding (OpenSSH refuses the others too)."""
        raw = self.string()
        if not raw or raw[0] & 0x80:
            raise SshSigError("negative or empty integer")
        if raw[0] == 0 and (len(raw) == 1 or not raw[1] & 0x80):
            raise SshSigError("integer not minimally encoded")
        return int.from_bytes(raw, "big")

    def end(self) -> None:
        if self._pos != len(self._buf):
            raise SshSigError("unexpected trailing data")


@dataclass(frozen=True, slots=True)
class SshPublicKey:
    """A parsed OpenSSH public key; two keys are the same key exactly when their blobs are."""

    key_type: str
    blob: bytes  # the wire encoding, as it appears in signatures and allowed-signers lines
    #: FIDO keys only: the application string the authenticator binds (usually "ssh:")
    application: str | None = None
    crypto: PublicCryptoKey | None = field(default=None, compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """`SHA256:` + unpadded base64 of the blob's SHA-256, as ssh-keygen prints it."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode()
        return "SHA256:" + digest.rstrip("=")

    @property
    def is_security_key(self) -> bool:
        """A FIDO authenticator key: its signatures say whether a person touched it."""
        return self.application is not None

    @property
    def openssh(self) -> str:
        """`type base64`, as a public key line or an allowed-signers entry writes it."""
        return f"{self.key_type} {base64.b64encode(self.blob).decode()}"


def parse_public_key(blob: bytes) -> SshPublicKey:
    """Parse a public key blob; `SshSigError` when it is malformed or of an unsupported type."""
    r = WireReader(blob)
    key_type = r.text()
    key: PublicCryptoKey
    application: str | None = None
    try:
        if key_type in (ED25519, SK_ED25519):
            raw = r.string()
            if len(raw) != 32:
                raise SshSigError("Ed25519 key is not 32 bytes")
            key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        elif key_type in _ECDSA or key_type == SK_ECDSA:
            curve_name, curve, _ = _ECDSA.get(key_type, _ECDSA["ecdsa-sha2-nistp256"])
            if r.text() != curve_name:
                raise SshSigError(f"{key_type} key names another curve")
            point = r.string()
            if not point.startswith(b"\x04"):
                raise SshSigError("curve point is not uncompressed")
            key = ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
        elif key_type == RSA:
            e, n = r.mpint(), r.mpint()
            if n.bit_length() < _RSA_MIN_BITS:
                raise SshSigError(f"RSA key under {_RSA_MIN_BITS} bits")
            key = rsa.RSAPublicNumbers(e, n).public_key()
        else:
            raise SshSigError(f"unsupported key type {key_type!r}")
    except ValueError as exc:  # cryptography refuses an invalid point or modulus
        if isinstance(exc, SshSigError):
            raise
        raise SshSigError(f"invalid {key_type} key: {exc}") from None
    if key_type in (SK_ED25519, SK_ECDSA):
        application = r.text()
    r.end()
    return SshPublicKey(key_type, blob, application, key)


def verify_signature(key: SshPublicKey, signature: bytes, data: bytes) -> tuple[int, int] | None:
    """Check an SSH signature blob over `data` made by `key`.

    Returns (flags, counter) for a security key, None for the others; raises `SshSigError`
    when the blob is malformed or does not verify."""
    r = WireReader(signature)
    sig_type = r.text()
    expected = tuple(_RSA_SIG) if key.key_type == RSA else (key.key_type,)
    if sig_type not in expected:
        raise SshSigError(f"{sig_type} signature does not match a {key.key_type} key")
    sig = r.string()
    app = key.application
    flags, counter = (r.u8(), r.u32()) if app is not None else (0, 0)
    r.end()
    if app is not None:  # PROTOCOL.u2f: the authenticator signs these, not the message itself
        signed = hashlib.sha256(app.encode()).digest() + bytes([flags]) + counter.to_bytes(4, "big")
        data = signed + hashlib.sha256(data).digest()
    try:
        _verify(key, sig_type, sig, data)
    except InvalidSignature:
        raise SshSigError("signature does not verify") from None
    return (flags, counter) if app is not None else None


def _verify(key: SshPublicKey, sig_type: str, sig: bytes, data: bytes) -> None:
    crypto = key.crypto
    if isinstance(crypto, ed25519.Ed25519PublicKey):
        if len(sig) != 64:
            raise SshSigError("Ed25519 signature is not 64 bytes")
        crypto.verify(sig, data)
    elif isinstance(crypto, ec.EllipticCurvePublicKey):
        rs = WireReader(sig)
        der = encode_dss_signature(rs.mpint(), rs.mpint())
        rs.end()
        digest = hashes.SHA256() if key.key_type == SK_ECDSA else _ECDSA[key.key_type][2]
        crypto.verify(der, data, ec.ECDSA(digest))
    elif isinstance(crypto, rsa.RSAPublicKey):
        size = (crypto.key_size + 7) // 8
        if len(sig) > size:
            raise SshSigError("RSA signature longer than the modulus")
        padded = sig.rjust(size, b"\x00")  # OpenSSH accepts a short signature the same way
        crypto.verify(padded, data, padding.PKCS1v15(), _RSA_SIG[sig_type])
    else:
        raise SshSigError(f"no verifier for {key.key_type}")
