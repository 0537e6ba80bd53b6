"""What every HTTP client of signoff's shares: a urllib opener that refuses redirects.

signoff's clients send a bearer or private token with each request. urllib follows redirects by
default and copies the request's headers to the new address, which would hand the token to
whatever host a redirect names; an API answering 3xx is an error for these clients anyway.
"""

from __future__ import annotations

import urllib.request
from typing import Any


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Answers a redirect as the HTTP error it is, instead of following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def opener() -> urllib.request.OpenerDirector:
    """An opener that never follows a redirect (proxies from the environment still apply)."""
    return urllib.request.build_opener(NoRedirect)
