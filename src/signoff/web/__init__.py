"""The web console (`/ui`): approvals, agents, tasks, ledger and releases in a browser.

Server-rendered pages over the same services, roles and ledger as the HTTP API; sign-in with
the organisation's OpenID Connect provider (`oidc.py`) or an API token (`session.py`), CSRF
checks on every form (`csrf.py`), a strict Content-Security-Policy (`security.py`). See
docs/console.md.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from signoff.web.security import SecurityHeaders


def install(app: FastAPI) -> None:
    """Add the console's routes, its static files and its response headers to `app`.

    OpenID Connect sign-in is on when `SIGNOFF_OIDC_ISSUER` is set (`app.state.oidc`)."""
    import os

    from signoff.web.oidc import OidcConfig
    from signoff.web.routes import router
    from signoff.web.signin import router as signin

    app.state.oidc = OidcConfig.from_env(os.environ)
    # Static files first: the console's router ends with a catch-all /ui/{path} (an HTML 404).
    static = resources.files("signoff.web").joinpath("static")
    app.mount("/ui/static", StaticFiles(directory=str(static)), name="ui-static")
    app.include_router(signin)
    app.include_router(router)
    app.add_api_route("/", _to_console, include_in_schema=False)
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    app.add_middleware(SecurityHeaders)


def _to_console() -> RedirectResponse:
    """`/` is the console (the API lives under /v1, its description at /docs)."""
    return RedirectResponse("/ui/", status_code=307)


def _favicon() -> RedirectResponse:
    return RedirectResponse("/ui/static/favicon.svg", status_code=301)
