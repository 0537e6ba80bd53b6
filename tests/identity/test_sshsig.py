"""The in-process SSHSIG verifier, against real `ssh-keygen -Y sign` output and its verdicts.

Every key type ssh-keygen can make without hardware is signed by ssh-keygen itself. Security-key
types are signed by software keys in the authenticator's format (tests/support/sshsigkit.py), and
`ssh-keygen -Y verify` is asked to accept the same bytes, so the vectors are not only ours.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gitrepo import keygen
from sshsigkit import SoftKey, armor, assemble, rsa_key, sk_ecdsa, sk_ed25519, string

from signoff.identity import sshsig
from signoff.identity.sshsig import SshSigError, verify

MESSAGE = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\n\nwork\n"

KEYGEN_TYPES = [
    ("ed25519", [], "ssh-ed25519"),
    ("ecdsa", ["-b", "256"], "ecdsa-sha2-nistp256"),
    ("ecdsa", ["-b", "384"], "ecdsa-sha2-nistp384"),
    ("ecdsa", ["-b", "521"], "ecdsa-sha2-nistp521"),
    ("rsa", [], "ssh-rsa"),
]


def ssh_keygen_sign(tmp: Path, key_type: str, bits: list[str], hashalg: str) -> tuple[bytes, str]:
    key = tmp / f"k-{key_type}{''.join(bits)}"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", key_type, *bits, "-N", "", "-f", str(key)],
        check=True,
        capture_output=True,
    )
    proc = subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-q", "-n", "git", "-O", f"hashalg={hashalg}", "-f", str(key)],
        input=MESSAGE,
        capture_output=True,
        check=True,
    )
    return proc.stdout, Path(f"{key}.pub").read_text().strip()


def ssh_keygen_verify(tmp: Path, sig: bytes, pub: str, message: bytes = MESSAGE) -> bool:
    (tmp / "allowed").write_text(f"someone {pub}\n")
    (tmp / "msg.sig").write_bytes(sig)
    proc = subprocess.run(
        [
            *("ssh-keygen", "-Y", "verify", "-I", "someone", "-n", "git"),
            *("-f", str(tmp / "allowed"), "-s", str(tmp / "msg.sig")),
        ],
        input=message,
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


@pytest.mark.parametrize("hashalg", ["sha512", "sha256"])
@pytest.mark.parametrize(("key_type", "bits", "ssh_type"), KEYGEN_TYPES)
def test_real_ssh_keygen_signatures_verify(
    tmp_path: Path, key_type: str, bits: list[str], ssh_type: str, hashalg: str
) -> None:
    sig, pub = ssh_keygen_sign(tmp_path, key_type, bits, hashalg)
    v = verify(sig, MESSAGE, "git")
    assert v.key.key_type == ssh_type
    assert v.key.openssh == " ".join(pub.split()[:2])
    assert v.hash_algorithm == hashalg
    assert (v.flags, v.counter, v.user_present, v.user_verified) == (None, None, False, False)
    fp = subprocess.run(
        ["ssh-keygen", "-l", "-f", "-"], input=pub.encode(), capture_output=True, check=True
    ).stdout.split()[1]
    assert v.key.fingerprint == fp.decode()
    with pytest.raises(SshSigError, match="does not verify"):
        verify(sig, MESSAGE + b"x", "git")
    with pytest.raises(SshSigError, match="namespace"):
        verify(sig, MESSAGE, "file")


def test_a_signature_under_another_key_is_refused(tmp_path: Path) -> None:
    sig, _ = ssh_keygen_sign(tmp_path, "ed25519", [], "sha512")
    _, other = keygen(tmp_path, "other")
    parsed = sshsig.read_signature(sig)
    swapped = assemble(base64.b64decode(other.split()[1]), "git", "sha512", parsed.signature)
    with pytest.raises(SshSigError, match="does not verify"):
        verify(swapped, MESSAGE, "git")


def test_every_signature_byte_matters(tmp_path: Path) -> None:
    sig, _ = ssh_keygen_sign(tmp_path, "ed25519", [], "sha512")
    parsed = sshsig.read_signature(sig)
    for i in range(len(parsed.signature)):
        broken = bytearray(parsed.signature)
        broken[i] ^= 0x01
        forged = assemble(parsed.key.blob, "git", "sha512", bytes(broken))
        with pytest.raises(SshSigError):
            verify(forged, MESSAGE, "git")


SK_MAKERS = [sk_ed25519, sk_ecdsa]


@pytest.mark.parametrize("make", SK_MAKERS)
@pytest.mark.parametrize(
    ("flags", "present", "verified"),
    [(0x01, True, False), (0x05, True, True), (0x00, False, False), (0x04, False, True)],
)
def test_security_key_flags_and_counter(
    tmp_path: Path, make: Callable[[], SoftKey], flags: int, present: bool, verified: bool
) -> None:
    key = make()
    sig = key.sign(MESSAGE, "git", flags=flags, counter=4242)
    v = verify(sig, MESSAGE, "git")
    assert v.key.key_type == key.key_type
    assert v.key.application == "ssh:"
    assert v.key.is_security_key
    assert (v.flags, v.counter) == (flags, 4242)
    assert (v.user_present, v.user_verified) == (present, verified)
    # ssh-keygen accepts the very same bytes: the vector is in the authenticator's format
    assert ssh_keygen_verify(tmp_path, sig, key.public_line)


@pytest.mark.parametrize("make", SK_MAKERS)
def test_security_key_flags_are_signed(make: Callable[[], SoftKey]) -> None:
    """Raising the flags byte after signing (claiming a touch) breaks the signature."""
    key = make()
    sig = sshsig.read_signature(key.sign(MESSAGE, "git", flags=0x00))
    forged = assemble(key.blob, "git", "sha512", sig.signature[:-5] + b"\x05" + sig.signature[-4:])
    with pytest.raises(SshSigError, match="does not verify"):
        verify(forged, MESSAGE, "git")


def test_security_key_application_is_bound() -> None:
    key = sk_ed25519("ssh:")
    sig = sshsig.read_signature(key.sign(MESSAGE, "git"))
    other_app = SoftKey(key.key_type, key.private, "ssh:other")
    with pytest.raises(SshSigError, match="does not verify"):
        verify(assemble(other_app.blob, "git", "sha512", sig.signature), MESSAGE, "git")


def test_rsa_sha2_256_verifies_and_sha1_is_refused(tmp_path: Path) -> None:
    key = rsa_key()
    good = key.sign(MESSAGE, "git", rsa_alg="rsa-sha2-256")
    assert verify(good, MESSAGE, "git").key.key_type == "ssh-rsa"
    assert ssh_keygen_verify(tmp_path, good, key.public_line)
    sha1 = key.sign(MESSAGE, "git", rsa_alg="ssh-rsa")
    with pytest.raises(SshSigError, match="ssh-rsa signature does not match"):
        verify(sha1, MESSAGE, "git")
    assert not ssh_keygen_verify(tmp_path, sha1, key.public_line)


def test_small_rsa_keys_are_refused() -> None:
    key = rsa_key(1024)
    with pytest.raises(SshSigError, match="RSA key under 2048 bits"):
        verify(key.sign(MESSAGE, "git"), MESSAGE, "git")


def test_signature_type_must_match_key() -> None:
    sk = sk_ed25519()
    data = sshsig.signed_data("git", "sha512", MESSAGE)
    plain = string("ssh-ed25519") + string(Ed25519PrivateKey.generate().sign(data))
    with pytest.raises(SshSigError, match="does not match"):
        verify(assemble(sk.blob, "git", "sha512", plain), MESSAGE, "git")


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda k, s: assemble(k, "git", "sha512", s, version=2), "version 2"),
        (lambda k, s: assemble(k, "git", "sha512", s, reserved=b"x"), "reserved"),
        (lambda k, s: assemble(k, "git", "md5", s), "hash algorithm 'md5'"),
        (lambda k, s: assemble(k, "", "sha512", s), "empty namespace"),
        (lambda k, s: assemble(k + b"\x00", "git", "sha512", s), "trailing"),
        (lambda k, s: assemble(k[:-3], "git", "sha512", s), "truncated"),
        (lambda k, s: assemble(string("ssh-dss") + k[30:], "git", "sha512", s), "unsupported key"),
        (lambda k, s: b"-----BEGIN SSH SIGNATURE-----\n!!\n-----END SSH SIGNATURE-----", "base64"),
        (lambda k, s: b"hello", "armor missing"),
        (lambda k, s: b"\xff" * 10, "not ASCII"),
        (lambda k, s: b"x" * (sshsig.MAX_ARMORED + 1), "too large"),
        (
            lambda k, s: armor(b"SSHSIX" + sshsig.dearmor(assemble(k, "git", "sha512", s))[6:]),
            "magic",
        ),
    ],
)
def test_malformed_signatures_are_refused(mutate: object, error: str) -> None:
    key = sk_ed25519()
    parsed = sshsig.read_signature(key.sign(MESSAGE, "git"))
    blob = mutate(parsed.key.blob, parsed.signature)  # type: ignore[operator]
    with pytest.raises(SshSigError, match=error):
        verify(blob, MESSAGE, "git")
