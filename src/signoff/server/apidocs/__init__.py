"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), served entirely from
the package: the scripts and styles are vendored under `static/` (versions, licences and digests
in `static/VENDORED.md`), so the pages work offline and load nothing from a CDN.

The pages carry their own Content-Security-Policy: scripts only from this origin (the start-up
code is a file, not inline), no other hosts at all. The bundles inject inline styles and ReDoc
runs its search in a worker built from a blob, which the policy allows and nothing more.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

PREFIX = "/docs/static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# Relative URLs, so the pages also work under a path prefix set by a proxy.
SWAGGER = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - API (Swagger UI)</title>
<link rel="stylesheet" href="docs/static/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/static/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/static/swagger-ui-bundle.js"></script>
<script src="docs/static/swagger-init.js"></script>
</body>
</html>
"""
REDOC = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - API (ReDoc)</title>
<link rel="icon" type="image/png" href="docs/static/favicon-32x32.png">
</head>
<body>
<redoc spec-url="openapi.json"></redoc>
<script src="docs/static/redoc.standalone.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve `/docs`, `/redoc` and their assets (create the app with docs_url=None)."""
    static = resources.files("signoff.server.apidocs").joinpath("static")
    app.mount(PREFIX, StaticFiles(directory=str(static)), name="docs-static")
    title = app.title.replace("&", "&amp;").replace("<", "&lt;")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(SWAGGER.format(title=title), headers=HEADERS)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(REDOC.format(title=title), headers=HEADERS)
