"""One pure-ASGI middleware: request id, body size limit, Prometheus metrics, JSON access log.

Written against ASGI directly (not `BaseHTTPMiddleware`) because it wraps every request,
including the benchmark's no-op. The access log names the token only by the first 12 hex digits
of its SHA-256 (set by the auth dependency), never the token; it logs the path, not the query.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_RID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("signoff.server.access")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "signoff_http_requests_total",
            "HTTP requests by route template, method and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "signoff_http_request_duration_seconds",
            "HTTP request latency by route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )


def _too_large_body(rid: str, limit: int) -> bytes:
    return json.dumps(
        {
            "error": {
                "code": "too_large",
                "field": None,
                "message": f"request body over {limit} bytes",
            }
        }
    ).encode()


class Observe:
    def __init__(self, app: ASGIApp, *, max_body: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body = max_body
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = ""
        for k, v in scope["headers"]:
            if k == b"x-request-id":
                candidate = v.decode("latin-1")
                rid = candidate if _RID.match(candidate) else ""
            elif k == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    declared = 0
                if declared > self.max_body:
                    await self._reject(scope, send, rid or uuid.uuid4().hex, start)
                    return
        rid = rid or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        status = [500]
        seen = [0]
        limit = self.max_body

        async def counted() -> Message:
            msg = await receive()
            if msg["type"] == "http.request":
                seen[0] += len(msg.get("body", b""))
                if seen[0] > limit:
                    raise HTTPException(413, f"request body over {limit} bytes")
            return msg

        async def sending(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                status[0] = msg["status"]
                msg["headers"] = [*msg.get("headers", []), (b"x-request-id", rid.encode())]
            await send(msg)

        try:
            await self.app(scope, counted, sending)
        finally:
            self._observe(scope, state, rid, status[0], start)

    async def _reject(self, scope: Scope, send: Send, rid: str, start: float) -> None:
        body = _too_large_body(rid, self.max_body)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", rid.encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        self._observe(scope, scope.setdefault("state", {}), rid, 413, start)

    def _observe(
        self, scope: Scope, state: dict[str, Any], rid: str, status: int, start: float
    ) -> None:
        elapsed = time.perf_counter() - start
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"]
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(elapsed)
        if log.isEnabledFor(logging.INFO):
            log.info(
                "request",
                extra={
                    "fields": {
                        "request_id": rid,
                        "method": method,
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                        "token_sha256_prefix": state.get("token_sha256_prefix"),
                        "client": (scope.get("client") or ("", 0))[0],
                    }
                },
            )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        doc.update(getattr(record, "fields", {}))
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)


def configure_logging(level: str) -> None:
    import time as _time

    JsonFormatter.converter = _time.gmtime
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("signoff.server")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
