"""Routes for API tokens and `whoami`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from signoff.server.common import Page
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.responses import AUTHED
from signoff.server.tokens import claim, service
from signoff.server.tokens.schemas import (
    ClaimChallenge,
    ClaimIn,
    TokenCreated,
    TokenIn,
    TokenOut,
    WhoAmI,
)

router = APIRouter(prefix="/v1", responses=AUTHED, tags=["tokens"])
TokenId = Annotated[str, Path(pattern=r"^tok-[0-9]{14}-[0-9a-f]{16}$")]


@router.post("/tokens", status_code=201)
def issue(ctx: Ctx, who: Caller, body: TokenIn) -> TokenCreated:
    """Issue an API token (admin). The secret is in this response only."""
    return service.issue(ctx, who, body)


@router.get("/tokens")
def list_tokens(
    ctx: Ctx, who: Caller, limit: Limit = DEFAULT, cursor: Cursor = None
) -> Page[TokenOut]:
    return service.list_tokens(ctx, who, limit, cursor)


@router.delete("/tokens/{token_id}")
def revoke(ctx: Ctx, who: Caller, token_id: TokenId) -> TokenOut:
    """Revoke a token (admin, or its owner: the revoke-on-leak path)."""
    return service.revoke(ctx, who, token_id)


@router.post("/tokens/claim/challenge")
def claim_challenge(ctx: Ctx, who: Caller) -> ClaimChallenge:
    """A single-use nonce for claiming the calling token with your own SSH key."""
    return claim.challenge(ctx, who)


@router.post("/tokens/claim")
def claim_token(ctx: Ctx, who: Caller, body: ClaimIn) -> TokenCreated:
    """Claim the calling token: a signature by one of your registered SSH keys over the
    challenge; answers a new secret (shown once) and ends the old one."""
    return claim.claim(ctx, who, body)


@router.get("/whoami")
def whoami(who: Caller) -> WhoAmI:
    return service.whoami(who)
