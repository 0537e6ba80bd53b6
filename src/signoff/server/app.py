"""`create_api(settings)`: the HTTP API application, its error handlers and its middleware.

Every error leaves as ``{"error": {"code", "message", "field"}}``: domain errors with their own
status; schema violations as 422 (invalid JSON as 400); unknown routes as 404; an unreachable
database as 503; anything else as 500 with the request id (and a logged traceback).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from signoff import __version__
from signoff.errors import Error, StoreError
from signoff.server import migrations
from signoff.server.alerts.job import install as install_monitor
from signoff.server.apidocs import install as install_docs
from signoff.server.context import Context
from signoff.server.db import Database
from signoff.server.errors import ServiceError
from signoff.server.ledgering import Recorder
from signoff.server.middleware import Metrics, Observe
from signoff.server.principals import PrincipalCache
from signoff.server.settings import Settings
from signoff.server.throttle import FailureThrottle, TooManyRequestsError

log = logging.getLogger("signoff.server")


def open_context(settings: Settings) -> Context:
    """Database (migrated to head) and ledger, as every replica opens them."""
    from signoff.ledger.service import Ledger
    from signoff.server.files import secure

    secure(settings.data_dir, settings.database_url, settings.ledger_url, settings.ledger_key)
    db = Database(settings.database_url, pool_size=settings.pool_size)
    try:
        migrations.run(db.engine)
        ledger = Ledger(settings.ledger_url, key_path=settings.ledger_key)
    except BaseException:
        db.close()
        raise
    return Context(
        settings=settings,
        db=db,
        recorder=Recorder(ledger),
        principals=PrincipalCache(settings.auth_cache_seconds),
        throttle=FailureThrottle(settings.throttle_failures),
    )


def create_api(settings: Settings, ctx: Context | None = None) -> FastAPI:
    """The HTTP API alone: routes, error handlers and the monitor job, over one context.

    `signoff.app.create_app` mounts the console on it and adds the outermost middleware."""
    ctx = ctx or open_context(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.recorder.ledger.close()
        ctx.db.close()

    app = FastAPI(
        title="signoff control plane",
        version=__version__,
        description="Identities, tasks, approvals, policies and decisions for AI agents in "
        "build and release pipelines. Every write is recorded in the ledger.",
        lifespan=lifespan,
        docs_url=None,  # served from the package by signoff.server.apidocs, not from a CDN
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.metrics = Metrics()
    _routes(app)
    _handlers(app)
    install_docs(app)  # /docs and /redoc with vendored assets
    install_monitor(app)  # periodic monitor job + alert gauges on /metrics
    return app


def observe(app: FastAPI, settings: Settings) -> None:
    """Request ids, body limits, metrics and access logs: the outermost middleware, so it
    must be added after everything else."""
    app.add_middleware(Observe, max_body=settings.max_body_bytes, metrics=app.state.metrics)


def _routes(app: FastAPI) -> None:
    from signoff.server.alerts.endpoints import router as alerts
    from signoff.server.approvals.endpoints import router as approvals
    from signoff.server.broker.endpoints import router as broker
    from signoff.server.decisions.endpoints import router as decisions
    from signoff.server.evaluations.endpoints import router as evaluations
    from signoff.server.forges.endpoints import router as forges
    from signoff.server.identity.endpoints import router as identity
    from signoff.server.ops.endpoints import router as ops
    from signoff.server.releases.endpoints import router as releases
    from signoff.server.repos.endpoints import router as repos
    from signoff.server.tasks.endpoints import router as tasks
    from signoff.server.tokens.endpoints import router as tokens

    for r in (ops, tokens, identity, repos, tasks, approvals, decisions, evaluations, broker,
              alerts):  # fmt: skip
        app.include_router(r)
    app.include_router(releases)
    app.include_router(forges)


def _body(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "field": field}}, status_code=status
    )


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        resp = JSONResponse(exc.body(), status_code=exc.status)
        if exc.status == 401:
            resp.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, TooManyRequestsError):
            resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errs: list[Any] = list(exc.errors())
        first = errs[0] if errs else {}
        if first.get("type") == "json_invalid":
            return _body(400, "invalid_json", "request body is not valid JSON", "body")
        loc = [str(p) for p in first.get("loc", ())]
        field = ".".join(loc[1:] if loc[:1] == ["body"] else loc) or None
        msg = str(first.get("msg", "invalid input"))
        more = f" (and {len(errs) - 1} more)" if len(errs) > 1 else ""
        return _body(422, "invalid", f"{field or 'request'}: {msg}{more}", field)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "bad_request"
        )
        resp = _body(exc.status_code, code, str(exc.detail))
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        log.error("store error: %s", exc)
        resp = _body(503, "unavailable", "database or ledger unavailable; retry later")
        resp.headers["Retry-After"] = "1"  # an outage of the database; see docs/server.md
        return resp

    @app.exception_handler(sa.exc.IntegrityError)
    async def integrity(_: Request, exc: sa.exc.IntegrityError) -> JSONResponse:
        return _body(409, "conflict", "conflicts with an existing record; read it and retry")

    @app.exception_handler(Error)
    async def signoff_error(_: Request, exc: Error) -> JSONResponse:
        return _body(422, "invalid", str(exc).splitlines()[0][:500])

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        rid = getattr(request.state, "request_id", "")
        log.exception("unhandled error", extra={"fields": {"request_id": rid}})
        return _body(500, "internal", f"internal error (request id {rid})")
