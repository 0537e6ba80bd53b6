"""API tokens and roles: who is calling, and what each role may do.

A token is ``so_`` + 52 base32 characters (32 random bytes) + a 7-character checksum (CRC-32 of
the body), so a leaked token is recognisable by scanners and a mistyped one is refused without a
database read. Only its SHA-256 is stored; the token is shown once, when it is created. Logs carry
at most the first 12 hex digits of that hash.

Roles are checked server-side through one table (`PERMISSIONS`); the role matrix in
docs/server.md and tests/server/test_roles.py are both generated from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import zlib
from dataclasses import dataclass
from enum import StrEnum

from signoff.server.errors import ForbiddenError, UnauthenticatedError

PREFIX = "so_"
_BODY = 52  # base32 of 32 bytes, padding removed
_CHECK = 7  # base32 of 4 bytes, padding removed
TOKEN_LENGTH = len(PREFIX) + _BODY + _CHECK
_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")


class Role(StrEnum):
    ADMIN = "admin"
    APPROVER = "approver"
    AUDITOR = "auditor"
    AGENT_OPERATOR = "agent-operator"
    CI = "ci"
    #: the git server's pre-receive hook: introspects task tokens, records pushes, and for a
    #: landing on a protected branch reads approvals and witnessed pushes and appends its decision
    HOOK = "hook"


class Perm(StrEnum):
    READ_IDENTITY = "read-identity"
    WRITE_IDENTITY = "write-identity"
    MANAGE_TOKENS = "manage-tokens"
    READ_REPOS = "read-repos"
    WRITE_REPOS = "write-repos"
    READ_POLICY = "read-policy"
    WRITE_POLICY = "write-policy"
    READ_TASKS = "read-tasks"
    WRITE_TASKS = "write-tasks"
    READ_APPROVALS = "read-approvals"
    APPROVE = "approve"
    READ_DECISIONS = "read-decisions"
    APPEND_DECISIONS = "append-decisions"
    EVALUATE = "evaluate"
    READ_METRICS = "read-metrics"
    RECORD_ARTIFACTS = "record-artifacts"
    VERIFY_RELEASES = "verify-releases"
    PROMOTE_RELEASES = "promote-releases"
    READ_RELEASES = "read-releases"
    INTROSPECT = "introspect"
    RECORD_PUSHES = "record-pushes"


_A, _P, _U, _O, _C = Role.ADMIN, Role.APPROVER, Role.AUDITOR, Role.AGENT_OPERATOR, Role.CI
_H = Role.HOOK
#: Which roles hold each permission. `ci` reads policy, registry and approvals (the gate needs
#: them) and appends decisions; nothing else. Only `approver` approves: not even `admin`.
PERMISSIONS: dict[Perm, frozenset[Role]] = {
    Perm.READ_IDENTITY: frozenset({_A, _U, _O, _P}),
    Perm.WRITE_IDENTITY: frozenset({_A}),
    Perm.MANAGE_TOKENS: frozenset({_A}),
    Perm.READ_REPOS: frozenset({_A, _U, _O, _P, _C}),
    Perm.WRITE_REPOS: frozenset({_A}),
    Perm.READ_POLICY: frozenset({_A, _U, _O, _P, _C}),
    Perm.WRITE_POLICY: frozenset({_A}),
    Perm.READ_TASKS: frozenset({_A, _U, _O, _P}),
    Perm.WRITE_TASKS: frozenset({_A, _O}),
    Perm.READ_APPROVALS: frozenset({_A, _U, _O, _P, _C, _H}),
    Perm.APPROVE: frozenset({_P}),
    Perm.READ_DECISIONS: frozenset({_A, _U, _P}),
    Perm.APPEND_DECISIONS: frozenset({_C, _H}),
    # Asking the server to run the gate on its own copy: it reads nothing the caller writes.
    Perm.EVALUATE: frozenset({_A, _U, _P, _C}),
    Perm.READ_METRICS: frozenset({_A, _U}),
    # The release gate (docs/release.md): builds and signatures are recorded by the build
    # service (`ci`) or an admin, never by an agent; promotion needs a person (`approver` in
    # the release's group, or `admin`); re-verifying is open to auditors as well.
    Perm.RECORD_ARTIFACTS: frozenset({_A, _C}),
    Perm.VERIFY_RELEASES: frozenset({_A, _C, _U}),
    Perm.PROMOTE_RELEASES: frozenset({_A, _P}),
    Perm.READ_RELEASES: frozenset({_A, _U, _P, _C}),
    # Enforcement points check task tokens; only the hook's own identity records pushes (a
    # record of a push is what makes agent work *witnessed*: no other token may write one).
    Perm.INTROSPECT: frozenset({_A, _C, _H}),
    Perm.RECORD_PUSHES: frozenset({_H}),
}
#: Roles that act for a person; service tokens (no human) may hold only the others.
HUMAN_ROLES = frozenset({_A, _P, _O})
#: Roles only a service holds (never a person's token, never beside a person's roles).
SERVICE_ONLY_ROLES = frozenset({_H})


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a token, its roles, and the human it belongs to (if any)."""

    token_id: str
    token_name: str
    token_sha256: str
    roles: frozenset[Role]
    human_id: str | None = None
    email: str | None = None
    #: the service identity an admin bound a service token to (`ci@example.com`,
    #: `buildkite:release`): who the caller is when it records a build or a signature
    identity: str | None = None
    #: the person holds this token themselves (self-issued, or claimed with their own SSH
    #: key): what a person's decisions (approving, promoting) require
    held: bool = False

    @property
    def provenance(self) -> str:
        """Who built or signed, as the release gate names it: the token's bound identity, else
        a person's e-mail, else `service:<token name>`. Always the authenticated caller."""
        return self.identity or self.email or self.actor

    @property
    def actor(self) -> str:
        """How the ledger names this caller."""
        if self.human_id is not None:
            return f"human:{self.human_id}"
        return f"service:{self.token_name}"

    def can(self, perm: Perm) -> bool:
        return bool(self.roles & PERMISSIONS[perm])

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            need = ", ".join(sorted(PERMISSIONS[perm]))
            raise ForbiddenError(f"this token's roles cannot {perm.value} (needs one of: {need})")


def new_token() -> str:
    body = base64.b32encode(secrets.token_bytes(32)).decode().rstrip("=").lower()
    return PREFIX + body + _checksum(body)


def _checksum(body: str) -> str:
    crc = zlib.crc32(body.encode()).to_bytes(4, "big")
    return base64.b32encode(crc).decode().rstrip("=").lower()


def well_formed(token: str) -> bool:
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        return False
    rest = token[len(PREFIX) :]
    if not set(rest) <= _ALPHABET:
        return False
    body, check = rest[:_BODY], rest[_BODY:]
    return hmac.compare_digest(_checksum(body), check)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer(header: str | None) -> str:
    """The token from an `Authorization: Bearer so_...` header, checked for shape only."""
    if not header:
        raise UnauthenticatedError("missing Authorization: Bearer <token> header")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise UnauthenticatedError("use Authorization: Bearer <token>")
    token = value.strip()
    if not well_formed(token):
        raise UnauthenticatedError(
            "malformed token (expected so_ followed by 59 base32 characters)"
        )
    return token
