"""FastAPI dependencies: the service context and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from signoff.server.auth import Principal, bearer
from signoff.server.common import DEFAULT_LIMIT, MAX_LIMIT
from signoff.server.context import Context
from signoff.server.errors import UnauthenticatedError
from signoff.server.tokens.service import authenticate

_bearer = HTTPBearer(auto_error=False, description="An API token: `so_...`.")


async def get_ctx(request: Request) -> Context:  # async: no threadpool hop for a lookup
    ctx = request.app.state.ctx
    assert isinstance(ctx, Context)
    return ctx


def get_principal(
    request: Request,
    ctx: Annotated[Context, Depends(get_ctx)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    header = (
        f"{creds.scheme} {creds.credentials}" if creds else request.headers.get("authorization")
    )
    try:
        who = authenticate(ctx, bearer(header))
    except UnauthenticatedError:
        # Only failures are judged: a valid token is served whatever others sent from the
        # same address (a NAT, a CI runner), so nobody can lock a token holder out.
        address = client_address(request)
        ctx.throttle.check(address, "failed authentications")
        ctx.throttle.fail(address)
        raise
    request.state.token_sha256_prefix = who.token_sha256[:12]
    return who


def client_address(request: Request) -> str:
    """Whom failures are counted against: the peer address (a proxy in front should pass the
    client's own; see docs/server.md, "Throttling")."""
    return request.client.host if request.client else "unknown"


Ctx = Annotated[Context, Depends(get_ctx)]
Caller = Annotated[Principal, Depends(get_principal)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
]
DEFAULT = DEFAULT_LIMIT
