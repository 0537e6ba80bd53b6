"""Who signed a commit: a person's key, an agent's key, or nobody signoff knows.

The one function for every signature format (`CommitSigners.judge`). Only SSH signatures
(git's `gpg.format=ssh`) by keys the protected base ref registers can make a commit a person's or
an agent's: the humans' keys in `.signoff/allowed_signers`, the agents' keys in the registry.
They are verified here, in-process (`signoff.identity.sshsig`), at the time of the check, never
at the commit's date, which whoever signs writes: a key whose `valid-before` has passed proves
nothing more, however the commit is dated. OpenPGP and X.509 signatures (GitHub's web commits,
gpg users) are recorded as present and never verified, so no `gpg` process ever starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple

from signoff.changes import NO_SIGNATURE, Signature
from signoff.identity.allowed_signers import AllowedSigners
from signoff.identity.sshalgs import SshSigError
from signoff.identity.sshsig import read_signature, verify

#: git's namespace for SSH commit signatures (`ssh-keygen -Y sign -n git`).
NAMESPACE = "git"


class SignerKind(StrEnum):
    NONE = "none"  #: not signed
    HUMAN = "human"  #: a good signature by a person's allowed key
    AGENT = "agent"  #: a good signature by a key registered to an agent
    UNKNOWN = "unknown"  #: signed, but by no key signoff trusts, or not verifiable by signoff
    BAD = "bad"  #: claims a registered key, and does not verify


class SignedBy(NamedTuple):
    kind: SignerKind
    principal: str = ""  #: the person (`HUMAN`) or the agent id (`AGENT`)
    key: str = ""  #: what signed: `ssh-ed25519 SHA256:...`, or the format when not SSH
    why: str = ""


NOT_SIGNED = SignedBy(SignerKind.NONE)


class CommitSigners:
    """The keys the base ref registers, for judging commit signatures."""

    def __init__(self, humans: AllowedSigners, agent_keys: Mapping[str, str]) -> None:
        self.humans = humans
        self.agent_keys = agent_keys  #: SSH key fingerprint (SHA256:...) -> agent id

    def judge(self, signature: bytes | None, payload: bytes, at: dt.datetime) -> SignedBy:
        """Who made `signature` over `payload`, judged at `at` (the time of the check)."""
        if signature is None:
            return NOT_SIGNED
        if signature.startswith(b"-----BEGIN PGP SIGNATURE-----"):
            return SignedBy(SignerKind.UNKNOWN, key="openpgp", why="OpenPGP: not verified")
        if signature.startswith(b"-----BEGIN SIGNED MESSAGE-----"):
            return SignedBy(SignerKind.UNKNOWN, key="x509", why="X.509: not verified")
        if not signature.startswith(b"-----BEGIN SSH SIGNATURE-----"):
            return SignedBy(SignerKind.UNKNOWN, key="unknown", why="unreadable signature")
        try:
            key = read_signature(signature).key
        except SshSigError as exc:
            return SignedBy(SignerKind.UNKNOWN, key="ssh", why=f"unreadable SSH signature: {exc}")
        shown = f"{key.key_type} {key.fingerprint}"
        agent = self.agent_keys.get(key.fingerprint)
        humans = self.humans.principals_for(key, NAMESPACE, at) if agent is None else ()
        if agent is None and not humans:
            return SignedBy(SignerKind.UNKNOWN, key=shown, why="key not registered")
        try:
            verify(signature, payload, NAMESPACE)
        except SshSigError as exc:
            return SignedBy(SignerKind.BAD, key=shown, why=f"does not verify: {exc}")
        if agent is not None:
            return SignedBy(SignerKind.AGENT, agent, shown, "key registered to the agent")
        return SignedBy(SignerKind.HUMAN, humans[0].lower(), shown, "key in allowed_signers")


def as_signature(by: SignedBy) -> Signature:
    """The judgement in the commit's own terms (`signoff.changes.Signature`), for attribution:
    a person's principal, or ``agent:<id>`` (`signoff.identity.signers.AGENT_PRINCIPAL`)."""
    fingerprint = by.key.split(" ")[-1] if by.key.startswith(("ssh-", "sk-", "ecdsa-")) else ""
    if by.kind is SignerKind.NONE:
        return NO_SIGNATURE
    if by.kind is SignerKind.HUMAN:
        return Signature("G", by.principal, by.key, fingerprint, by.why)
    if by.kind is SignerKind.AGENT:
        return Signature("G", f"agent:{by.principal}", by.key, fingerprint, by.why)
    return Signature("B" if by.kind is SignerKind.BAD else "U", "", by.key, fingerprint, by.why)
