"""`POST /v1/forges/github/webhook`: GitHub's deliveries. No bearer token: the HMAC signature
with the App's webhook secret is the authentication (docs/github.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from signoff.server.deps import Ctx
from signoff.server.forges import service
from signoff.server.responses import errors

router = APIRouter(
    prefix="/v1/forges", tags=["forges"], responses=errors(400, 401, 403, 404, 409, 413, 502, 503)
)


class Evaluated(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pull: int
    verdict: str  # allow | overridden | needs-approval | deny | error | superseded


class DeliveryOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delivery: str
    event: str
    evaluated: list[Evaluated]


@router.post("/github/webhook")
async def github_webhook(ctx: Ctx, request: Request) -> DeliveryOut:
    """Verify and act on one delivery; the gate runs on the server's own clone (App mode)."""
    from starlette.concurrency import run_in_threadpool

    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    result = await run_in_threadpool(service.receive, ctx, headers, body)
    return DeliveryOut.model_validate(result)
