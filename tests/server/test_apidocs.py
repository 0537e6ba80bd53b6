"""/docs and /redoc: served from the package (vendored Swagger UI and ReDoc, checked against the
digests recorded beside them), under their own Content-Security-Policy, and rendering the API's
own OpenAPI document in a real browser (tests/web/test_apidocs.py)."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import httpx
import pytest
from serverkit import ThreadServer

STATIC = Path(str(resources.files("signoff.server.apidocs").joinpath("static")))


def test_vendored_files_match_their_recorded_digests() -> None:
    table = (STATIC / "VENDORED.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", table, re.M)
    assert {name for name, _ in rows} == {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "favicon-32x32.png",
        "redoc.standalone.js",
    }
    for name, digest in rows:
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
    for licence in ("LICENSE.swagger-ui-dist", "NOTICE.swagger-ui-dist", "LICENSE.redoc"):
        assert (STATIC / licence).stat().st_size > 0


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_pages_load_only_their_own_files(live: ThreadServer, page: str) -> None:
    r = httpx.get(live.url + page, timeout=30)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "default-src 'none'" in csp
    refs = re.findall(r'(?:src|href|spec-url)="([^"]+)"', r.text)
    assert refs and all("//" not in ref and not ref.startswith("/") for ref in refs), refs
    assert "<script>" not in r.text  # no inline script: the policy would block it
    for ref in refs:
        asset = httpx.get(f"{live.url}/{ref}", timeout=30)
        assert asset.status_code == 200, ref


def test_old_cdn_pages_are_gone(live: ThreadServer) -> None:
    for page in ("/docs", "/redoc"):
        text = httpx.get(live.url + page, timeout=30).text
        assert "cdn.jsdelivr.net" not in text and "fonts.googleapis.com" not in text
