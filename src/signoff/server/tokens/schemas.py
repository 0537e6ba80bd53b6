"""API models for API tokens (the secret appears only in `TokenCreated`, once)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from signoff.server.common import Id, Model, Out

YEAR = 366 * 24 * 3600
ServiceIdentity = Annotated[str, Field(min_length=1, max_length=254, pattern=r"^[\x21-\x7e]+$")]
RoleName = Literal["admin", "approver", "auditor", "agent-operator", "ci", "hook"]


class TokenIn(Model):
    name: Id
    human: Id | None = Field(None, description="Owner; omit for a service token (ci, auditor).")
    roles: list[RoleName] = Field(min_length=1, max_length=5)
    ttl_seconds: int = Field(30 * 24 * 3600, ge=60, le=YEAR)
    identity: ServiceIdentity | None = Field(
        None,
        description="A service token's identity for provenance (`ci@example.com`, "
        "`buildkite:release`): the builder or signer it is when it records an artifact "
        "event. Service tokens with role ci only; never an agent identity.",
    )


class TokenOut(Out):
    id: str
    name: str
    human: str | None
    roles: list[str]
    created: str
    created_by: str
    expires: str
    revoked: str | None
    identity: str | None = None
    held: bool = Field(
        False,
        description="The person holds it themselves (self-issued or claimed with their SSH "
        "key); approving and promoting need this.",
    )
    sha256_prefix: str = Field(description="First 12 hex digits of the token's SHA-256.")


class TokenCreated(TokenOut):
    token: str = Field(description="The secret. Shown once; only its SHA-256 is stored.")


class WhoAmI(Out):
    token_id: str
    token_name: str
    roles: list[str]
    human: str | None
    email: str | None
    actor: str
    identity: str | None = None
    held: bool = False


class ClaimChallenge(Out):
    nonce: str
    namespace: str = Field(description="The SSHSIG namespace to sign in (`ssh-keygen -n`).")
    message: str = Field(description="Sign exactly these bytes (UTF-8) with your own SSH key.")
    expires: str


class ClaimIn(Model):
    nonce: Annotated[str, Field(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
    signature: Annotated[str, Field(min_length=50, max_length=65536)] = Field(
        description="The armored SSHSIG (`-----BEGIN SSH SIGNATURE-----` ...)."
    )
