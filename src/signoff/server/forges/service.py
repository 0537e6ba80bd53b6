"""One GitHub delivery, end to end: verify, refuse or accept (recorded either way), evaluate.

RefusedError, each answered with its own status and recorded as `forge.refused`:
- a bad or missing signature (401): checked before anything in the body is read;
- a delivery id seen before (409): a replay, even with a valid signature;
- a repository or installation this server was not configured for (403).
Refusals come from whoever can reach the endpoint, so their ledger events are rate limited: at
most one per reason a minute in each server process, carrying how many were refused since (all
are logged).
Accepted deliveries are recorded as `forge.event`, each evaluation as `check.reported`; one
that could not be acted on (GitHub's API failed) as `forge.failed`, answered 502 and forgotten,
so GitHub's redelivery of it is acted on.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import sqlalchemy as sa

from signoff.errors import Error, StoreError
from signoff.ledger.events import EventType
from signoff.server.common import stamp
from signoff.server.context import Context
from signoff.server.errors import ServiceError
from signoff.server.forges.config import GitHubApp, RepoLink, load_app
from signoff.server.forges.evaluate import evaluate
from signoff.server.forges.tables import deliveries, pulls
from signoff.server.forges.webhook import (
    EVENTS,
    Delivery,
    RefusedError,
    Target,
    delivery_id,
    parse,
    verify_signature,
)

log = logging.getLogger("signoff.server.forges")
WINDOW = 60.0


class _Throttle:
    """Per reason: the first refusal in a window is recorded, the rest are counted into it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last: dict[str, float] = {}
        self.suppressed: dict[str, int] = {}

    def admit(self, reason: str) -> int | None:
        """None: only count it; else how many were suppressed before this one."""
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(reason, -WINDOW) < WINDOW:
                self.suppressed[reason] = self.suppressed.get(reason, 0) + 1
                return None
            self.last[reason] = now
            return self.suppressed.pop(reason, 0)


#: one throttle per ledger recorder (per server in this process)
_THROTTLES: weakref.WeakKeyDictionary[Any, _Throttle] = weakref.WeakKeyDictionary()
_THROTTLES_LOCK = threading.Lock()


def _throttle(ctx: Context) -> _Throttle:
    with _THROTTLES_LOCK:
        found = _THROTTLES.get(ctx.recorder)
        if found is None:
            found = _THROTTLES[ctx.recorder] = _Throttle()
        return found


class WebhookError(ServiceError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status = status


@cache
def _app(path: str) -> GitHubApp:
    return load_app(Path(path))


def app_of(ctx: Context) -> GitHubApp:
    path = ctx.settings.github_app
    if not path:
        raise WebhookError(404, "not_configured", "GitHub App mode is not configured")
    try:
        return _app(path)
    except Error as exc:
        raise WebhookError(503, "misconfigured", str(exc)) from None


def _refuse(
    ctx: Context, exc: RefusedError, delivery: str, event: str, full_name: str = ""
) -> NoReturn:
    log.warning("github delivery %s refused: %s: %s", delivery or "?", exc.reason, exc)
    suppressed = _throttle(ctx).admit(exc.reason)
    if suppressed is not None:
        ctx.recorder.record(
            EventType.FORGE_REFUSED,
            "github-webhook",
            {"delivery": delivery} if delivery else {},
            {
                "forge": "github",
                "reason": exc.reason,
                "message": str(exc)[:300],
                "event": event[:64],
                "repository": full_name[:200],
                "refused_since_last_event": suppressed,
            },
            ("actor", "payload.reason"),
        )
    raise WebhookError(exc.status, exc.reason, str(exc))


def receive(ctx: Context, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """Handle one delivery; refusals raise `ServiceError` after being recorded."""
    app = app_of(ctx)
    event = headers.get("x-github-event", "")
    raw_id = headers.get("x-github-delivery", "")
    try:
        verify_signature(app.webhook_secret, body, headers.get("x-hub-signature-256"))
        delivery = delivery_id(raw_id)
        d = parse(delivery, event, body) if event in EVENTS else None
    except RefusedError as exc:
        _refuse(ctx, exc, raw_id if raw_id.isascii() else "", event)
    if d is None:  # ping, installation...: signed, nothing to evaluate
        _seen(ctx, app, delivery, event, None)
        return {"delivery": delivery, "event": event, "evaluated": []}
    link = app.link(d.full_name)
    try:
        if link is None:
            raise RefusedError(403, "unknown-repository", f"{d.full_name} is not configured here")
        if d.installation != link.installation:
            raise RefusedError(403, "unknown-installation", "installation not configured for it")
    except RefusedError as exc:
        _refuse(ctx, exc, delivery, event, d.full_name)
    assert link is not None
    _seen(ctx, app, delivery, event, d)
    try:
        evaluated = _act(ctx, app, link, d)
    except Error as exc:
        _forget(ctx, delivery, event, exc)
        if isinstance(exc, (ServiceError, StoreError)):
            raise
        message = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise WebhookError(502, "forge-unavailable", message) from None
    return {"delivery": delivery, "event": event, "evaluated": evaluated}


def _forget(ctx: Context, delivery: str, event: str, exc: Exception) -> None:
    """A delivery that could not be acted on (GitHub's API failed, say) is forgotten, so that
    GitHub's redelivery (the same id) is acted on rather than refused as a replay. What was
    reported before the failure stands; acting again redoes it from the server's own state."""
    log.warning("github delivery %s not acted on: %s", delivery, exc)
    with ctx.db.write() as conn:
        conn.execute(deliveries.delete().where(deliveries.c.delivery == delivery))
    ctx.recorder.record(
        EventType.FORGE_FAILED,
        "github-webhook",
        {"delivery": delivery},
        {
            "forge": "github",
            "event": event[:64],
            "reason": "forge-unavailable",
            "message": (str(exc).splitlines() or [type(exc).__name__])[0][:300],
        },
        ("actor", "subjects.delivery", "payload.reason"),
    )


def _seen(ctx: Context, app: GitHubApp, delivery: str, event: str, d: Delivery | None) -> None:
    """Insert the delivery id (a replay fails here) and record the event."""
    try:
        with ctx.db.write() as conn:
            conn.execute(
                deliveries.insert().values(delivery=delivery, event=event, received=stamp())
            )
    except sa.exc.IntegrityError:
        _refuse(ctx, RefusedError(409, "replayed", "delivery already received"), delivery, event)
    ctx.recorder.record(
        EventType.FORGE_EVENT,
        "github-webhook",
        {"delivery": delivery},
        {
            "forge": "github",
            "event": event[:64],
            "action": d.action[:64] if d else "",
            "repository": d.full_name if d else "",
            "installation": d.installation if d else None,
            "pulls": [t.number for t in d.targets] if d else [],
        },
        ("actor", "subjects.delivery", "payload.event"),
    )


def _act(ctx: Context, app: GitHubApp, link: RepoLink, d: Delivery) -> list[dict[str, Any]]:
    key = pulls.c.full_name == link.full_name
    targets = list(d.targets)
    with ctx.db.write() as conn:
        for n in d.closed:
            conn.execute(pulls.update().where(key & (pulls.c.number == n)).values(open=False))
        if d.pushed is not None:  # the base moved (policy too, maybe): redo its pull requests
            branch, tip = d.pushed
            rows = conn.execute(
                pulls.select().where(key & pulls.c.open & (pulls.c.base_ref == branch))
            ).mappings()
            targets += [
                Target(int(r["number"]), tip, branch, r["head_sha"], r["url"]) for r in rows
            ]
    return [{"pull": t.number, "verdict": evaluate(ctx, app, link, t)} for t in targets]


def reevaluate(ctx: Context, repo: str, digests: Mapping[str, str]) -> list[dict[str, Any]]:
    """After an approval in the console or API: redo the open pull requests of `repo` whose last
    decision had any of `digests` (class -> bare hex). Quietly nothing without App mode."""
    if not ctx.settings.github_app:
        return []
    app = app_of(ctx)
    wanted = set(digests.values())
    with ctx.db.read() as conn:
        rows = list(
            conn.execute(pulls.select().where((pulls.c.repo == repo) & pulls.c.open)).mappings()
        )
    done = []
    for r in rows:
        link = app.link(r["full_name"])
        if link is None or not wanted & set(json.loads(r["digests"]).values()):
            continue
        t = Target(int(r["number"]), r["base_sha"], r["base_ref"], r["head_sha"], r["url"])
        try:
            verdict = evaluate(ctx, app, link, t)
        except Error as exc:  # the approval stands; the check run is redone on the next event
            log.warning("re-evaluating %s#%s failed: %s", r["full_name"], r["number"], exc)
            continue
        done.append({"pull": t.number, "verdict": verdict})
    return done
