"""What every console page shares: templates, the signed-in viewer, forms and error pages.

`PageRoute` is why handlers stay thin: it turns a missing session into a redirect to sign-in
and a domain error (`ServiceError`: wrong role, not found, conflict...) into an HTML page with
the same status and message the API would give, so no handler repeats that.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote

import jinja2
from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.errors import ServiceError, UnauthenticatedError
from signoff.web import csrf
from signoff.web.session import COOKIE, Session, load_session, principal
from signoff.web.timefmt import when

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("signoff.web", "templates"),
    autoescape=True,  # every template, whatever its name: nothing reaches HTML unescaped
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["when"] = when
#: (path under /ui, label, the permission that shows it: None for every signed-in role)
NAV: tuple[tuple[str, str, str | None], ...] = (
    ("overview", "Overview", None),
    ("inbox", "Inbox", None),
    ("agents", "Agents", None),
    ("tasks", "Tasks", None),
    ("ledger", "Ledger", None),
    ("releases", "Releases", None),
    ("alerts", "Alerts", Perm.READ_METRICS.value),  # who may list alerts: admin, auditor
)
#: Messages a redirect may ask a page to show, by code: never text taken from the URL.
NOTICES: dict[str, tuple[str, str]] = {
    "approved": ("ok", "Your approval was recorded."),
    "vetoed": ("ok", "Your veto was recorded."),
    "stale": (
        "error",
        "The content changed since you loaded this page; reload to review the new content. "
        "Nothing was recorded.",
    ),
    "no-class": ("error", "Tick at least one class to approve or veto. Nothing was recorded."),
    "revoked": ("ok", "Revoked."),
    "acknowledged": ("ok", "The alert is acknowledged; the acknowledgement is in the ledger."),
    "signed-out": ("ok", "You are signed out."),
}


class LoginRequiredError(Exception):
    """No live session: the route sends the browser to sign in."""


@dataclass(frozen=True)
class Viewer:
    ctx: Context
    who: Principal
    session: Session

    @property
    def label(self) -> str:
        return self.who.email or f"service token {self.who.token_name}"

    def can(self, perm: str) -> bool:
        return self.who.can(Perm(perm))


def ctx_of(request: Request) -> Context:
    ctx = request.app.state.ctx
    assert isinstance(ctx, Context)
    return ctx


def get_viewer(request: Request) -> Viewer:
    ctx = ctx_of(request)
    s = load_session(ctx, request.cookies.get(COOKIE))
    if s is None:
        raise LoginRequiredError
    try:
        who = principal(ctx, s)
    except UnauthenticatedError:
        raise LoginRequiredError from None
    return Viewer(ctx, who, s)


async def get_form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body (first value of each field)."""
    body = (await request.body()).decode("utf-8", "replace")
    out: dict[str, str] = {}
    for k, v in parse_qsl(body, keep_blank_values=True, max_num_fields=200):
        out.setdefault(k, v)
    return out


def checked_form(
    request: Request,
    viewer: Annotated[Viewer, Depends(get_viewer)],
    form: Annotated[dict[str, str], Depends(get_form)],
) -> dict[str, str]:
    """The form, after the CSRF checks (403 otherwise)."""
    csrf.check(request, form, viewer.session.csrf)
    return form


Page = Annotated[Viewer, Depends(get_viewer)]
Form = Annotated[dict[str, str], Depends(checked_form)]


def render(
    request: Request,
    template: str,
    viewer: Viewer | None,
    *,
    status: int = 200,
    current: str = "",
    **context: Any,
) -> HTMLResponse:
    notice = NOTICES.get(request.query_params.get("notice", ""))
    html = _ENV.get_template(template).render(
        viewer=viewer,
        csrf_token=viewer.session.csrf if viewer else "",
        nav=NAV,
        current=current,
        notice=notice,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def redirect(path: str, notice: str | None = None) -> RedirectResponse:
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}notice={notice}" if notice else path, status_code=303)


class PageRoute(APIRoute):
    """Route class of the console: sign-in redirects and HTML error pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequiredError:
                target = quote(request.url.path, safe="/")
                if request.method != "GET":
                    target = "/ui/"
                return RedirectResponse(f"/ui/login?next={target}", status_code=303)
            except ServiceError as exc:
                return _error(request, exc.status, exc.message)

        return page


def _error(request: Request, status: int, message: str) -> HTMLResponse:
    try:
        viewer: Viewer | None = get_viewer(request)
    except LoginRequiredError:
        viewer = None
    return render(request, "error.html", viewer, status=status, message=message, code=status)


def query(request: Request, names: tuple[str, ...]) -> Mapping[str, str]:
    """The named query parameters that are present and non-empty."""
    return {n: v for n in names if (v := request.query_params.get(n, "").strip())}
