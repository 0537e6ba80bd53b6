"""The web console (`/ui`): approvals, agents, tasks, ledger and releases in a browser.

Server-rendered pages over the same services, roles and ledger as the HTTP API; sign-in with
an API token (`session.py`), CSRF checks on every form (`csrf.py`), a strict
Content-Security-Policy (`security.py`). See docs/console.md.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from signoff.web.security import SecurityHeaders


def install(app: FastAPI) -> None:
    """Add the console's routes, its static files and its response headers to `app`."""
    from signoff.web.routes import router

    app.include_router(router)
    static = resources.files("signoff.web").joinpath("static")
    app.mount("/ui/static", StaticFiles(directory=str(static)), name="ui-static")
    app.add_middleware(SecurityHeaders)
