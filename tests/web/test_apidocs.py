"""/docs and /redoc in a real browser that may reach only the server: both render the API's own
OpenAPI document from the package's vendored assets, with no request to another host and no
Content-Security-Policy violation."""

from __future__ import annotations

from typing import Any

from serverkit import ThreadServer


def _offline_page(browser: Any, url: str) -> tuple[Any, Any, list[str], list[str]]:
    """A page that can reach only `url`'s origin; returns it, its context, the requests refused
    and the console errors (a CSP violation is reported there)."""
    ctx = browser.new_context()
    refused: list[str] = []
    errors: list[str] = []
    origin = url.split("/", 3)[:3]

    def route(r: Any) -> None:
        if r.request.url.split("/", 3)[:3] == origin:
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, ctx, refused, errors


def _wait_for_text(page: Any, selector: str, text: str) -> None:
    """Until an element matching `selector` shows `text` (the bundles render after load)."""
    page.wait_for_function(
        "([sel, text]) => [...document.querySelectorAll(sel)]"
        ".some(e => e.innerText.includes(text))",
        arg=[selector, text],
        timeout=60_000,
    )


def test_swagger_ui_renders_offline(browser: Any, live: ThreadServer) -> None:
    page, ctx, refused, errors = _offline_page(browser, live.url)
    try:
        page.goto(f"{live.url}/docs")
        _wait_for_text(page, ".swagger-ui .info .title", "signoff control plane")
        _wait_for_text(page, ".opblock-summary-path", "/readyz")
    finally:
        ctx.close()
    assert refused == [] and errors == []


def test_redoc_renders_offline(browser: Any, live: ThreadServer) -> None:
    page, ctx, refused, errors = _offline_page(browser, live.url)
    try:
        page.goto(f"{live.url}/redoc")
        _wait_for_text(page, "h1", "signoff control plane")
        _wait_for_text(page, "body", "/readyz")
    finally:
        ctx.close()
    assert refused == []
    # ReDoc's sidebar badge points at an image on Redocly's CDN; the page's policy blocks it
    # before any request is made (so `refused` stays empty). Nothing else may be blocked.
    badge = "Loading the image 'https://cdn.redoc.ly/redoc/logo-mini.svg' violates"
    assert [e for e in errors if not e.startswith(badge)] == []
