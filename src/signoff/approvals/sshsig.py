"""Signing approval records with `ssh-keygen -Y sign` (namespace `signoff-approval`; release
re-qualifications use their own, `signoff-requalify`).

Signing stays with OpenSSH: it reaches keys in files, in `ssh-agent` and on FIDO tokens, which
is where approvers keep them. Verifying is in-process (`signoff.identity.sshsig`), so checking
approvals needs no `ssh-keygen`. A missing `ssh-keygen` when signing is a `SignatureError`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from signoff.errors import SignatureError
from signoff.identity.sshsig import BEGIN

NAMESPACE = "signoff-approval"
#: The executable; tests point this elsewhere to simulate a machine without OpenSSH.
SSH_KEYGEN = "ssh-keygen"


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
            f"{SSH_KEYGEN} not found: OpenSSH 8.2 or later is needed to sign "
            "approvals (install openssh-client)"
        ) from None
    except subprocess.TimeoutExpired:
        raise SignatureError(f"{SSH_KEYGEN} did not finish (waiting for a passphrase?)") from None


def _first_line(raw: bytes) -> str:
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()
    return ""


def sign(data: bytes, key: Path, namespace: str = NAMESPACE) -> bytes:
    """An armored SSHSIG signature over `data` with the private key at `key` (or its agent)."""
    if not key.exists():
        raise SignatureError(f"signing key {key} does not exist")
    proc = _run(["-Y", "sign", "-q", "-n", namespace, "-f", str(key)], data=data)
    if proc.returncode != 0 or BEGIN.encode() not in proc.stdout:
        msg = _first_line(proc.stderr) or f"exit status {proc.returncode}"
        raise SignatureError(f"cannot sign with {key}: {msg}")
    return proc.stdout
