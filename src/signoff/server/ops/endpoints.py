"""Operational routes: health, readiness, metrics, the benchmark no-op, ledger public material."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from signoff.server.auth import Perm
from signoff.server.common import Page
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.ops import service
from signoff.server.ops.schemas import CheckpointOut, Health, Noop, PublicKey, Ready
from signoff.server.responses import AUTHED, errors

router = APIRouter(tags=["ops"])


@router.get("/healthz", responses=errors(503))
def healthz() -> Health:
    """The process is up (no database access)."""
    return Health(status="ok")


@router.get("/readyz", responses=errors(503))
def readyz(ctx: Ctx) -> Ready:
    """The database is reachable, its schema at head, and the ledger readable."""
    return service.ready(ctx)


@router.get(
    "/metrics",
    responses={
        **AUTHED,
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Prometheus text format",
        },
    },
    response_class=Response,
)
def metrics(request: Request, who: Caller) -> Response:
    """Prometheus metrics (admin or auditor token; give Prometheus an auditor token)."""
    who.require(Perm.READ_METRICS)
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/noop", responses=AUTHED)
def noop(who: Caller) -> Noop:
    """Authenticated no-op on the full stack (middleware, auth, JSON): a benchmark baseline."""
    return Noop(ok=True)


@router.get("/v1/ledger/public-key", responses=errors(503))
def public_key(ctx: Ctx) -> PublicKey:
    """The ledger's checkpoint verifier key (no authentication)."""
    return service.public_key(ctx)


@router.get("/v1/ledger/checkpoints", responses=errors(422, 503))
def checkpoints(ctx: Ctx, limit: Limit = DEFAULT, cursor: Cursor = None) -> Page[CheckpointOut]:
    """Signed checkpoints, newest first (no authentication)."""
    return service.checkpoints(ctx, limit, cursor)
