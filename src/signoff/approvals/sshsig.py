"""The adapter around `ssh-keygen -Y sign | find-principals | verify` (namespace
`signoff-approval`), plus a pure reader for the public key inside an SSHSIG signature.

Signing and verifying are left to OpenSSH on purpose: it is the implementation git and every
reviewer already trust. A missing `ssh-keygen` is a `SignatureError` with a clear message.
"""

from __future__ import annotations

import base64
import binascii
import os
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

from signoff.errors import SignatureError
from signoff.identity.sshkeys import blob_fingerprint

NAMESPACE = "signoff-approval"
#: The executable; tests point this elsewhere to simulate a machine without OpenSSH.
SSH_KEYGEN = "ssh-keygen"

_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"
_MAX_SIG = 64 * 1024


class SigKey(NamedTuple):
    """The public key a signature claims to be made with (not yet verified)."""

    key_type: str  # e.g. ssh-ed25519, sk-ssh-ed25519@openssh.com
    fingerprint: str  # SHA256:... as ssh-keygen prints it
    namespace: str


def _run(args: list[str], *, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            [SSH_KEYGEN, *args],
            input=data,
            capture_output=True,
            check=False,
            timeout=120,
            env={**os.environ, "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise SignatureError(
            f"{SSH_KEYGEN} not found: OpenSSH 8.2 or later is needed to sign and verify "
            "approvals (install openssh-client)"
        ) from None
    except subprocess.TimeoutExpired:
        raise SignatureError(f"{SSH_KEYGEN} did not finish (waiting for a passphrase?)") from None


def _first_line(raw: bytes) -> str:
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()
    return ""


def sign(data: bytes, key: Path) -> bytes:
    """An armored SSHSIG signature over `data` with the private key at `key` (or its agent)."""
    if not key.exists():
        raise SignatureError(f"signing key {key} does not exist")
    proc = _run(["-Y", "sign", "-q", "-n", NAMESPACE, "-f", str(key)], data=data)
    if proc.returncode != 0 or _BEGIN.encode() not in proc.stdout:
        msg = _first_line(proc.stderr) or f"exit status {proc.returncode}"
        raise SignatureError(f"cannot sign with {key}: {msg}")
    return proc.stdout


def read_sig_key(sig: bytes) -> SigKey:
    """Read the public key from an armored SSHSIG blob; `ValueError` when it is malformed."""
    if len(sig) > _MAX_SIG:
        raise ValueError("signature too large")
    text = sig.decode("ascii", "replace").strip()
    if not text.startswith(_BEGIN) or not text.endswith(_END):
        raise ValueError("not an SSH signature")
    body = "".join(text[len(_BEGIN) : -len(_END)].split())
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("signature is not base64") from None
    if raw[:6] != b"SSHSIG":
        raise ValueError("missing SSHSIG magic")
    pos = 10  # magic + uint32 version
    pubkey, pos = _string(raw, pos)
    namespace, pos = _string(raw, pos)
    key_type, _ = _string(pubkey, 0)
    return SigKey(key_type.decode("ascii", "replace"), blob_fingerprint(pubkey), namespace.decode())


def _string(buf: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 4 > len(buf):
        raise ValueError("truncated signature")
    n = int.from_bytes(buf[pos : pos + 4], "big")
    end = pos + 4 + n
    if end > len(buf):
        raise ValueError("truncated signature")
    return buf[pos + 4 : end], end


class Verifier:
    """Verifies signatures against one allowed-signers text, written once to a temp file."""

    def __init__(self, allowed_signers: str, workdir: Path) -> None:
        self._allowed = workdir / "allowed_signers"
        self._allowed.write_text(allowed_signers, encoding="utf-8")
        self._dir = workdir

    def find_principals(self, sig: bytes) -> tuple[list[str], str]:
        """(principals whose key made `sig`, ssh-keygen's message when there are none)."""
        with tempfile.NamedTemporaryFile(dir=self._dir, suffix=".sig", delete=False) as fh:
            fh.write(sig)
        try:
            proc = _run(["-Y", "find-principals", "-s", fh.name, "-f", str(self._allowed)])
        finally:
            Path(fh.name).unlink(missing_ok=True)
        found = [p.strip() for p in proc.stdout.decode("utf-8", "replace").splitlines()]
        if proc.returncode != 0 or not any(found):
            return [], _first_line(proc.stderr)
        return [p for p in found if p], ""

    def verify(self, data: bytes, sig: bytes, principal: str) -> tuple[bool, str]:
        """(valid, detail): `ssh-keygen -Y verify` for `principal` in our namespace."""
        with tempfile.NamedTemporaryFile(dir=self._dir, suffix=".sig", delete=False) as fh:
            fh.write(sig)
        try:
            proc = _run(
                [
                    "-Y",
                    "verify",
                    "-f",
                    str(self._allowed),
                    "-I",
                    principal,
                    "-n",
                    NAMESPACE,
                    "-s",
                    fh.name,
                ],
                data=data,
            )
        finally:
            Path(fh.name).unlink(missing_ok=True)
        if proc.returncode == 0 and proc.stdout.startswith(b"Good "):
            return True, _first_line(proc.stdout)
        return False, _first_line(proc.stderr) or _first_line(proc.stdout)
