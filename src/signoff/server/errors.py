"""Domain errors of the control plane: each carries its HTTP status and a stable code.

    signoff.errors.Error
    └── ServiceError            status, code, message, field
        ├── InvalidInputError        422 invalid   (a value the schema allows, the rules don't)
        ├── UnauthenticatedError     401 unauthenticated / token_expired / token_revoked
        ├── ForbiddenError           403 forbidden      (authenticated, wrong role or duty)
        ├── NotFoundError            404 not_found
        ├── ConflictError            409 conflict       (duplicate, stale version, state transition)
        └── TooLargeError            413 too_large

Services raise these and never import a web framework; `app.py` has the one handler that turns
them (and validation, routing and git/config errors) into ``{"error": {code, message, field}}``.
"""

from __future__ import annotations

from signoff.errors import Error


class ServiceError(Error):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def body(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class InvalidInputError(ServiceError):
    status = 422
    code = "invalid"


class UnauthenticatedError(ServiceError):
    status = 401
    code = "unauthenticated"


class ForbiddenError(ServiceError):
    status = 403
    code = "forbidden"


class NotFoundError(ServiceError):
    status = 404
    code = "not_found"


class ConflictError(ServiceError):
    status = 409
    code = "conflict"


class TooLargeError(ServiceError):
    status = 413
    code = "too_large"
