"""OpenSSH public keys as allowed-signers files, registries and the server hold them."""

from __future__ import annotations

import base64
import binascii

KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)


def parse_ssh_key(text: str) -> tuple[str, bytes] | None:
    """(type, blob) of an OpenSSH public key line, or None when it is not one."""
    parts = text.split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    return (parts[0], blob) if blob else None


def ssh_fingerprint(text: str) -> str | None:
    """The `SHA256:...` fingerprint git and ssh-keygen print for a public key."""
    parsed = parse_ssh_key(text)
    if parsed is None:
        return None
    return blob_fingerprint(parsed[1])


def blob_fingerprint(blob: bytes) -> str:
    """`SHA256:` + unpadded base64 of the key blob's SHA-256, as OpenSSH prints it."""
    import hashlib  # loads OpenSSL: only once a key is fingerprinted (after git log started)

    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
