"""Routes of the token broker (thin: parsing and auth here, rules in the services)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request

from signoff.server.broker import exchange, service
from signoff.server.broker.schemas import (
    Challenge,
    ChallengeIn,
    ExchangeIn,
    IntrospectIn,
    Introspection,
    PushIn,
    PushOut,
    Revoked,
    RevokeIn,
    TokenIssued,
    TrustPolicyOut,
    WitnessedOut,
)
from signoff.server.broker.state import Broker, BrokerConfig, key_dir
from signoff.server.common import ID_PATTERN, SHA_PATTERN
from signoff.server.context import Context
from signoff.server.deps import Caller, Ctx, client_address
from signoff.server.errors import NotFoundError
from signoff.server.responses import AUTHED, errors

router = APIRouter(prefix="/v1", tags=["broker"])
TaskId = Annotated[str, Path(pattern=r"^task-[0-9]{14}-[0-9a-f]{16}$")]
AgentId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
_PUBLIC = errors(400, 401, 403, 404, 409, 413, 422, 429, 503)


def get_broker(request: Request) -> Broker:
    """One broker per app: made on first use from the settings' data dir and the environment."""
    state = request.app.state
    broker = getattr(state, "broker", None)
    if broker is None:
        ctx = state.ctx
        config = getattr(state, "broker_config", None) or BrokerConfig.from_env()
        broker = state.broker = Broker(config, key_dir(ctx.settings.data_dir))
    assert isinstance(broker, Broker)
    return broker


Brk = Annotated[Broker, Depends(get_broker)]


@router.get("/jwks")
def jwks(broker: Brk) -> dict[str, Any]:
    """The broker's token-verification keys (public, unauthenticated): active and retired."""
    return broker.keys.jwks()


@router.post("/pop/challenge", responses=_PUBLIC)
def pop_challenge(ctx: Ctx, broker: Brk, body: ChallengeIn, request: Request) -> Challenge:
    """A single-use nonce (2 minutes) for an agent to sign with its registered Ed25519 key."""
    with _counted(ctx, request):
        return exchange.challenge(ctx, broker, body)


@router.post("/tasks/{task_id}/token", responses=_PUBLIC)
def exchange_token(
    ctx: Ctx, broker: Brk, task_id: TaskId, body: ExchangeIn, request: Request
) -> TokenIssued:
    """Exchange a workload proof (OIDC token or PoP signature) for a task token (shown once)."""
    with _counted(ctx, request):
        return exchange.exchange(ctx, broker, task_id, body)


@contextmanager
def _counted(ctx: Context, request: Request) -> Iterator[None]:
    """Unauthenticated routes: an address whose attempts keep failing is refused (429)."""
    address = client_address(request)
    ctx.throttle.check(address, "refused token requests")
    try:
        yield
    except (exchange.RefusedError, NotFoundError):
        ctx.throttle.fail(address)
        raise


@router.post("/tokens/introspect", responses=AUTHED)
def introspect(ctx: Ctx, broker: Brk, who: Caller, body: IntrospectIn) -> Introspection:
    """RFC 7662 introspection for enforcement points (hook, ci or admin token)."""
    return service.introspect(ctx, broker, body.token, who)


@router.post("/tokens/revoke", responses=AUTHED)
def revoke(ctx: Ctx, who: Caller, body: RevokeIn) -> Revoked:
    """Revoke by token, jti, task or agent (admin, or the task's requester)."""
    return service.revoke(ctx, who, body)


@router.post("/pushes", responses=AUTHED, status_code=201)
def pushes(ctx: Ctx, who: Caller, body: PushIn) -> PushOut:
    """The hook reports a push (its own `hook` token only): accepted commits become witnessed
    work of the token's task."""
    return service.witness(ctx, who, body)


@router.get("/witnessed", responses=AUTHED)
def witnessed(
    ctx: Ctx,
    who: Caller,
    repo: Annotated[str, Query(pattern=ID_PATTERN)],
    commit: Annotated[list[str], Query(max_length=1000)],
) -> list[WitnessedOut]:
    """Which of these commits were pushed through the hook with a task token."""
    import re

    bad = [c for c in commit if not re.fullmatch(SHA_PATTERN, c)]
    if bad:
        from signoff.server.errors import InvalidInputError

        raise InvalidInputError(f"not a commit id: {bad[0][:80]!r}", field="commit")
    return service.witnessed(ctx, who, repo, commit)


@router.put("/agents/{agent_id}/trust-policy", responses=AUTHED)
def put_trust_policy(
    ctx: Ctx, broker: Brk, who: Caller, agent_id: AgentId, body: Annotated[dict[str, Any], Body()]
) -> TrustPolicyOut:
    """Set the OIDC trust policy that proves this agent (admin)."""
    return service.put_trust_policy(ctx, broker, who, agent_id, body)


@router.get("/agents/{agent_id}/trust-policy", responses=AUTHED)
def get_trust_policy(ctx: Ctx, who: Caller, agent_id: AgentId) -> TrustPolicyOut:
    return service.get_trust_policy(ctx, who, agent_id)
