"""The error body every route documents, so the OpenAPI schema matches what the server sends."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    message: str
    field: str | None


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    error: ErrorDetail


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Malformed request (invalid JSON)",
        401: "Missing, malformed, unknown, expired or revoked token",
        403: "The token's roles or the caller's duties do not allow this",
        404: "Not found",
        409: "ConflictError: duplicate, stale version or state already changed",
        413: "Request body too large",
        422: "Invalid input",
        429: "Too many failed attempts from this address (see Retry-After)",
        502: "A service the server depends on (the code host's API) failed; retry later",
        503: "Database or ledger unavailable",
    }
    return {c: {"model": ErrorBody, "description": text[c]} for c in codes}


#: What any authenticated route may answer besides success.
AUTHED = errors(400, 401, 403, 404, 409, 413, 422, 429, 503)
