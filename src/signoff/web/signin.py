"""Sign-in and sign-out pages: the organisation's identity provider (OpenID Connect, `oidc.py`)
for people, an API token for automation and break-glass (`session.TokenLogin`).

Either way the result is the same server-side session (`session.py`); only the way in differs.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from signoff.server.auth import Principal
from signoff.server.deps import client_address
from signoff.server.errors import ServiceError, UnauthenticatedError
from signoff.server.tokens.service import revoke_sign_in
from signoff.web import csrf, oidc
from signoff.web.pages import Form, Page, PageRoute, ctx_of, get_form, render
from signoff.web.session import (
    COOKIE,
    COOKIE_PATH,
    LIFETIME,
    TokenLogin,
    end_session,
    open_session,
)

router = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)
TOKEN = TokenLogin()
CALLBACK = "/ui/login/oidc/callback"


def _oidc(request: Request) -> oidc.OidcConfig | None:
    cfg = getattr(request.app.state, "oidc", None)
    return cfg if isinstance(cfg, oidc.OidcConfig) else None


def _next(request: Request) -> str:
    target = request.query_params.get("next", "/ui/inbox")
    ok = target.startswith("/ui/") and "//" not in target and "\\" not in target
    return target if ok else "/ui/inbox"


def _form(request: Request, error: str | None = None, status: int = 200) -> Response:
    return render(
        request, "login.html", None, status=status, error=error, next=_next(request),
        oidc=_oidc(request) is not None,
    )  # fmt: skip


def _signed_in(request: Request, who: Principal, provider: str, target: str) -> Response:
    raw, _ = open_session(ctx_of(request), who, provider)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(
        COOKIE,
        raw,
        max_age=int(LIFETIME.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )
    return resp


@router.get("/login")
def login_form(request: Request) -> Response:
    return _form(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Sign in with an API token (automation, break-glass)."""
    csrf.same_origin(request)
    form = await get_form(request)
    ctx = ctx_of(request)
    try:
        try:
            who = TOKEN.sign_in(ctx, form)
        except UnauthenticatedError:  # only failures are judged, as for a bearer token
            address = client_address(request)
            ctx.throttle.check(address, "failed sign-ins")
            ctx.throttle.fail(address)
            raise
    except ServiceError as exc:
        return _form(request, "Sign-in refused: " + exc.message, 429 if exc.status == 429 else 401)
    return _signed_in(request, who, TOKEN.name, _next(request))


@router.get("/login/oidc")
def oidc_begin(request: Request) -> Response:
    """Send the browser to the identity provider (authorization code flow with PKCE)."""
    cfg = _oidc(request)
    if cfg is None:
        return _form(request, "This server has no identity provider configured.", 404)
    redirect_uri = cfg.redirect_url or str(request.base_url).rstrip("/") + CALLBACK
    try:
        url, raw = oidc.begin(ctx_of(request), cfg, redirect_uri, _next(request))
    except ServiceError as exc:
        return _form(request, "Sign-in refused: " + exc.message, 502)
    resp = RedirectResponse(url, status_code=303)
    # Lax, not Strict: the provider sends the browser back here with a top-level GET.
    secure = request.url.scheme == "https"
    resp.set_cookie(oidc.COOKIE, raw, max_age=oidc.PENDING_TTL, path=oidc.COOKIE_PATH,
                    httponly=True, secure=secure, samesite="lax")  # fmt: skip
    return resp


@router.get("/login/oidc/callback")
def oidc_callback(request: Request) -> Response:
    cfg = _oidc(request)
    if cfg is None:
        return _form(request, "This server has no identity provider configured.", 404)
    params = {
        k: v for k, v in request.query_params.items() if k in ("code", "state", "error", "iss")
    }
    try:
        who, target = oidc.finish(ctx_of(request), cfg, request.cookies.get(oidc.COOKIE), params)
    except ServiceError as exc:
        resp = _form(request, "Sign-in refused: " + exc.message, 401)
    else:
        resp = _signed_in(request, who, "oidc", target)
    resp.delete_cookie(oidc.COOKIE, path=oidc.COOKIE_PATH, httponly=True, samesite="lax")
    return resp


@router.post("/logout")
def logout(viewer: Page, form: Form) -> Response:
    end_session(viewer.ctx, viewer.session)
    if viewer.session.provider == "oidc":  # the token issued for this sign-in ends with it
        revoke_sign_in(viewer.ctx, viewer.session.token_id)
    resp = RedirectResponse("/ui/login?notice=signed-out", status_code=303)
    resp.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    return resp
