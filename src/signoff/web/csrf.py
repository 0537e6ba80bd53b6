"""CSRF protection for every form the console accepts.

Three independent checks, so that one browser quirk never leaves a form open: the session
cookie is `SameSite=Strict`; every POST must carry the session's synchronizer token (a hidden
field, compared in constant time); and the request must come from this origin (`Origin` equal
to the server's own, else `Sec-Fetch-Site: same-origin`; a POST with neither is refused).
Sign-in has no session yet, so it gets the origin check only.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from starlette.requests import Request

from signoff.server.errors import ForbiddenError

FIELD = "csrf"


class CsrfError(ForbiddenError):
    code = "csrf"


def same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":  # "null": an opaque origin, decided below
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != own:
            raise CsrfError("this form was sent from another site; reload the page and retry")
        return
    site = request.headers.get("sec-fetch-site")
    if site != "same-origin":
        raise CsrfError("this request does not say it comes from this site; reload and retry")


def check(request: Request, form: Mapping[str, str], expected: str) -> None:
    """Refuse (403) a POST without this session's token or from another origin."""
    same_origin(request)
    sent = form.get(FIELD, "")
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError("the form's security token is missing or stale; reload the page")
