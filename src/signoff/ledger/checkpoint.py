"""Signed checkpoints: C2SP tlog-checkpoint bodies inside C2SP signed notes, Ed25519 only.

A checkpoint body is ``<origin>\\n<size>\\n<base64 root>\\n``. The note adds a blank line and one
signature line per signer: ``— <key name> <base64(4-byte key id || 64-byte signature)>`` (an em
dash, U+2014). The key id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key),
where 0x01 is the Ed25519 signature type. Verifier keys travel as
``<name>+<hex key id>+<base64(0x01 || public key)>``.

References: https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from signoff.errors import Error

ALG_ED25519 = 0x01
_SIG_PREFIX = "\u2014 "
_NAME_RE = re.compile(r"[^\s+]+")  # fullmatch: no Unicode space, no "+"
_SIZE_RE = re.compile(r"0|[1-9][0-9]{0,19}")  # fullmatch


class CheckpointError(Error):
    """A checkpoint or note is malformed, unsigned by a known key, or for another log."""


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise CheckpointError(f"{what} is not valid base64") from None


def key_id(name: str, public_key: bytes) -> bytes:
    """signed-note key id: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not _NAME_RE.fullmatch(name) or not _is_utf8(name):
        raise CheckpointError(f"key name {name!r} must be non-empty with no spaces or '+'")


def _is_utf8(text: str) -> bool:
    """Whether `text` has a UTF-8 form (a lone surrogate has none, so nothing can sign it)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key that can check signed-note signatures."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise CheckpointError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def __str__(self) -> str:
        """The verifier key string ``<name>+<hex key id>+<base64(0x01 || key)>``."""
        blob = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise CheckpointError("verifier key must look like <name>+<hex key id>+<base64 key>")
        name, hexid, blob = parts
        raw = _b64decode(blob, "verifier key")
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise CheckpointError("verifier key is not an Ed25519 (type 0x01) key")
        verifier = cls(name, raw[1:])
        if verifier.key_id.hex() != hexid.lower():
            raise CheckpointError("verifier key id does not match its name and key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key that signs notes."""

    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, public_bytes(self.private_key.public_key()))

    def sign(self, text: str) -> str:
        """Return the signed note for ``text`` (which must end in a newline)."""
        if not text.endswith("\n") or "\n\n" in text:
            raise CheckpointError("note text must end in one newline and have no blank lines")
        sig = self.private_key.sign(text.encode())
        blob = base64.b64encode(self.verifier.key_id + sig).decode()
        return f"{text}\n{_SIG_PREFIX}{self.name} {blob}\n"


MAX_SIGNATURES = 100
"""Signature lines a note may carry (c2sp.org/signed-note: at least 16 must be accepted)."""


def open_note(note: str, verifier: Verifier) -> str:
    """Return the note's text if ``verifier`` signed it (c2sp.org/signed-note).

    The whole note must be well formed: no ASCII control character but newline, a text ending
    in a newline, a blank line, then 1 to `MAX_SIGNATURES` lines ``— <name> <base64>`` with a
    valid key name and at least a key id in the signature. Signatures by unknown keys (name or
    key id differs) are ignored; a signature by ``verifier``'s key that fails to verify rejects
    the whole note, even next to a good one.
    """
    if len(note) > 1_000_000:
        raise CheckpointError("note is too large")
    bad = next((c for c in note if c < " " and c != "\n"), None)
    if bad is not None:
        raise CheckpointError(f"note contains control character U+{ord(bad):04X}")
    if not _is_utf8(note):
        raise CheckpointError("note is not UTF-8 text (it holds a lone surrogate)")
    text, sep, sigs = note.rpartition("\n\n")
    if not sep or not text or not sigs.endswith("\n"):
        raise CheckpointError("note has no signature block")
    text += "\n"
    lines = sigs[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"note has more than {MAX_SIGNATURES} signatures")
    good = False
    for line in lines:
        name, raw = _signature_line(line)
        if name != verifier.name or raw[:4] != verifier.key_id:
            continue
        if len(raw) != 68 or not verifier.verify(text.encode(), raw[4:]):
            raise CheckpointError(f"bad signature by key {verifier.name}")
        good = True
    if not good:
        raise CheckpointError(f"note is not signed by key {verifier.name}")
    return text


def _signature_line(line: str) -> tuple[str, bytes]:
    """(key name, decoded signature) of one ``— <name> <base64>`` line."""
    if not line.startswith(_SIG_PREFIX):
        raise CheckpointError(f"malformed signature line {line[:40]!r}")
    name, sep, blob = line[len(_SIG_PREFIX) :].partition(" ")
    if not sep or not _NAME_RE.fullmatch(name) or " " in blob:
        raise CheckpointError(f"malformed signature line {line[:40]!r}")
    raw = _b64decode(blob, "signature")
    if len(raw) < 5:
        raise CheckpointError("signature line is too short")
    return name, raw


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint: the log's origin, its size and its RFC 6962 root hash."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    def sign(self, signer: Signer) -> str:
        return signer.sign(self.body())

    @classmethod
    def parse_body(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise CheckpointError("checkpoint body needs origin, size and root lines")
        origin, size, root = lines[0], lines[1], lines[2]
        if any(not ext for ext in lines[3:-1]):
            raise CheckpointError("checkpoint extension lines must not be empty")
        if not origin or any(ord(c) < 0x20 for c in origin):
            raise CheckpointError("checkpoint origin line is empty or has control characters")
        if not _SIZE_RE.fullmatch(size):
            raise CheckpointError(f"checkpoint size {size[:30]!r} is not a decimal number")
        raw = _b64decode(root, "checkpoint root")
        if len(raw) != 32:
            raise CheckpointError("checkpoint root is not 32 bytes")
        return cls(origin, int(size), raw)


def open_checkpoint(note: str, verifier: Verifier, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint note and parse it; ``origin`` pins which log it must be for."""
    cp = Checkpoint.parse_body(open_note(note, verifier))
    if origin is not None and cp.origin != origin:
        raise CheckpointError(f"checkpoint is for log {cp.origin!r}, not {origin!r}")
    return cp
