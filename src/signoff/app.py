"""The control plane as `signoff serve` runs it: the HTTP API with the web console mounted.

Composed here, above both, so that neither `signoff.server` (the API) nor `signoff.web` (the
console, built on the API's services) assembles the other.
"""

from __future__ import annotations

from fastapi import FastAPI

from signoff.server.app import create_api, observe
from signoff.server.context import Context
from signoff.server.settings import Settings
from signoff.web import install as install_web


def create_app(settings: Settings, ctx: Context | None = None) -> FastAPI:
    """The API, the console under /ui, and the outermost middleware."""
    app = create_api(settings, ctx)
    install_web(app)
    observe(app, settings)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (several workers): settings from the environment."""
    from signoff.server.middleware import configure_logging
    from signoff.server.settings import load

    settings = load()
    configure_logging(settings.log_level)
    return create_app(settings)
