"""SSHSIG signatures made in the test, for what `ssh-keygen -Y sign` cannot make here.

FIDO security keys (`sk-ssh-ed25519@openssh.com`, `sk-ecdsa-sha2-nistp256@openssh.com`) need
hardware to sign. Their signatures are built here the way the authenticator makes them
(OpenSSH PROTOCOL.u2f): a software key signs SHA256(application) || flags || counter ||
SHA256(SSHSIG signed data). The result is the same bytes a token would return for that key, so
tests can choose the flags (user presence 0x01, user verification 0x04) a real token would set.
`ssh-keygen -Y verify` accepts these vectors (tests/identity/test_sshsig.py checks that), which
is what makes them a fair stand-in. RSA with `rsa-sha2-256` (ssh-keygen always signs
`rsa-sha2-512`) and SHA-1 `ssh-rsa` are built the same way.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from signoff.identity.sshsig import signed_data

SK_ED25519 = "sk-ssh-ed25519@openssh.com"
SK_ECDSA = "sk-ecdsa-sha2-nistp256@openssh.com"


def string(data: bytes | str) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    return len(raw).to_bytes(4, "big") + raw


def mpint(n: int) -> bytes:
    raw = n.to_bytes((n.bit_length() + 8) // 8, "big")  # a leading zero when the top bit is set
    return string(raw)


def armor(blob: bytes) -> bytes:
    b64 = base64.b64encode(blob).decode()
    lines = [b64[i : i + 70] for i in range(0, len(b64), 70)]
    return (
        "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n"
    ).encode()


def assemble(
    pub_blob: bytes,
    namespace: str,
    hash_alg: str,
    sig_blob: bytes,
    *,
    version: int = 1,
    reserved: bytes = b"",
) -> bytes:
    """An armored SSHSIG from its parts (parts can be made wrong on purpose)."""
    body = b"SSHSIG" + version.to_bytes(4, "big") + string(pub_blob) + string(namespace)
    body += string(reserved) + string(hash_alg) + string(sig_blob)
    return armor(body)


@dataclass
class SoftKey:
    """A software key that signs like one of OpenSSH's key types."""

    key_type: str
    private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    application: str = "ssh:"

    @property
    def blob(self) -> bytes:
        pub = self.private.public_key()
        if isinstance(pub, ed25519.Ed25519PublicKey):
            raw = pub.public_bytes(Encoding.Raw, PublicFormat.Raw)
            out = string(self.key_type) + string(raw)
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            point = pub.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
            out = string(self.key_type) + string("nistp256") + string(point)
        else:
            nums = pub.public_numbers()
            return string("ssh-rsa") + mpint(nums.e) + mpint(nums.n)
        return out + string(self.application) if self.key_type.startswith("sk-") else out

    @property
    def public_line(self) -> str:
        return f"{self.key_type} {base64.b64encode(self.blob).decode()}"

    def raw_sign(
        self, data: bytes, *, rsa_alg: str = "rsa-sha2-512", flags: int = 1, counter: int = 7
    ) -> bytes:
        """The SSH signature blob over `data`."""
        key = self.private
        if self.key_type.startswith("sk-"):
            app = hashlib.sha256(self.application.encode()).digest()
            tbs = app + bytes([flags]) + counter.to_bytes(4, "big") + hashlib.sha256(data).digest()
            tail = bytes([flags]) + counter.to_bytes(4, "big")
            if isinstance(key, ed25519.Ed25519PrivateKey):
                return string(self.key_type) + string(key.sign(tbs)) + tail
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            r, s = decode_dss_signature(key.sign(tbs, ec.ECDSA(hashes.SHA256())))
            return string(self.key_type) + string(mpint(r) + mpint(s)) + tail
        assert isinstance(key, rsa.RSAPrivateKey)
        algs = {
            "rsa-sha2-256": hashes.SHA256(),
            "rsa-sha2-512": hashes.SHA512(),
            "ssh-rsa": hashes.SHA1(),
        }
        return string(rsa_alg) + string(key.sign(data, padding.PKCS1v15(), algs[rsa_alg]))

    def sign(
        self,
        message: bytes,
        namespace: str,
        *,
        hash_alg: str = "sha512",
        rsa_alg: str = "rsa-sha2-512",
        flags: int = 1,
        counter: int = 7,
    ) -> bytes:
        """An armored SSHSIG over `message`, as `ssh-keygen -Y sign -n namespace` would make."""
        data = signed_data(namespace, hash_alg, message)
        sig = self.raw_sign(data, rsa_alg=rsa_alg, flags=flags, counter=counter)
        return assemble(self.blob, namespace, hash_alg, sig)


def sk_ed25519(application: str = "ssh:") -> SoftKey:
    return SoftKey(SK_ED25519, ed25519.Ed25519PrivateKey.generate(), application)


def sk_ecdsa(application: str = "ssh:") -> SoftKey:
    return SoftKey(SK_ECDSA, ec.generate_private_key(ec.SECP256R1()), application)


def rsa_key(bits: int = 2048) -> SoftKey:
    return SoftKey("ssh-rsa", rsa.generate_private_key(65537, bits))
