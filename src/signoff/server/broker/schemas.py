"""API models for the broker. Tokens appear in a response once (`TokenIssued`); requests that
carry a token carry it in the body, never in a URL."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from signoff.server.common import Id, Model, Out, Sha, Text

TaskId = Annotated[str, Field(pattern=r"^task-[0-9]{14}-[0-9a-f]{16}$")]
Jwt = Annotated[str, Field(min_length=10, max_length=8192)]


class PopProof(Model):
    nonce: Annotated[str, Field(pattern=r"^pop_[A-Za-z0-9_-]{43}$")]
    signature: Annotated[str, Field(min_length=80, max_length=128)]


class ExchangeIn(Model):
    oidc_token: Jwt | None = None
    pop: PopProof | None = None

    @model_validator(mode="after")
    def _one(self) -> ExchangeIn:
        if (self.oidc_token is None) == (self.pop is None):
            raise ValueError("give exactly one of oidc_token and pop")
        return self


class TokenIssued(Out):
    token: str = Field(description="The task token. Shown once; only its SHA-256 is stored.")
    expires_at: int
    jti: str
    task: str


class ChallengeIn(Model):
    agent: Id
    task: TaskId


class Challenge(Out):
    nonce: str
    expires_at: int
    audience: str
    message: str = Field(description="Sign exactly these bytes (UTF-8) with the agent's key.")


class IntrospectIn(Model):
    token: Jwt


class Introspection(Out):
    """RFC 7662 §2.2: `active`, then the token's claims when active (extensions prefixed)."""

    active: bool
    sub: str | None = None
    iss: str | None = None
    aud: str | None = None
    exp: int | None = None
    iat: int | None = None
    nbf: int | None = None
    jti: str | None = None
    scope: str | None = Field(
        default=None, description="Granted actions, space-separated (RFC 7662)."
    )
    token_type: str | None = None
    task: str | None = None
    agent: str | None = None
    base: str | None = None
    policy: str | None = None
    intent: str | None = None
    signoff_scope: dict[str, Any] | None = None
    reason: str | None = Field(default=None, description="Why inactive (signoff extension).")
    code: str | None = None


class RevokeIn(Model):
    token: Jwt | None = None
    jti: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")] | None = None
    task: TaskId | None = None
    agent: Id | None = None
    reason: Text = ""

    @model_validator(mode="after")
    def _one(self) -> RevokeIn:
        given = [x for x in (self.token, self.jti, self.task, self.agent) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of token, jti, task, agent")
        return self


class Revoked(Out):
    revoked: list[str] = Field(description="jti of every token revoked by this call.")
    task_state: str | None = None


class RefIn(Model):
    ref: Annotated[str, Field(min_length=1, max_length=1024)]
    old: Sha
    new: Sha


class PushIn(Model):
    """A push the hook decided on (the hook's own `hook` token): accepted pushes become
    witnessed commits."""

    repo: Id
    outcome: Literal["accepted", "refused"]
    token_sha256: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")] | None = None
    jti: Annotated[str, Field(max_length=64)] | None = None
    refs: list[RefIn] = Field(max_length=1000)
    commits: list[Sha] = Field(default_factory=list, max_length=100000)
    reasons: list[Annotated[str, Field(max_length=1000)]] = Field(
        default_factory=list, max_length=50
    )
    pusher: Annotated[str, Field(max_length=200)] | None = None
    code: Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")] | None = Field(
        default=None,
        description="Why a refused push was refused, in one word: `scope`, `gate`, `revoked`, "
        "`records`, `objects`, ... (stored as `payload.code` of `push.refused`).",
    )


class PushOut(Out):
    recorded: int
    ledger_seq: int | None


class WitnessedOut(Out):
    commit: str
    task: str
    agent: str
    ref: str
    time: str
    requester: str  # e-mail of the person who asked for the task


class TrustPolicyOut(Out):
    agent: str
    policy: dict[str, Any]
    updated: str
    updated_by: str
    version: int
