"""Deliver alerts to a webhook: one JSON POST per alert, with a Slack-compatible `text` field.

The body is the alert's JSON (`signoff.monitor.alerts.Alert.to_json`) plus ``"text"`` and
``"schema": "signoff.alert/v1"``, so a Slack incoming webhook shows the text and any other receiver
reads the fields. A 2xx answer is delivered; connection errors, timeouts, 429 and 5xx are retried
with exponential backoff up to `retries` times; other 4xx are not retried (the receiver said the
request is wrong, sending it again cannot help).

The URL must be `https://`: alerts say what is wrong and where, and a plain-http receiver can be
read or impersonated on the way; `http://` is refused unless allowed explicitly (`allow_http`:
`--webhook-allow-http`, `SIGNOFF_MONITOR_WEBHOOK_ALLOW_HTTP=1`). Redirects are never followed:
a receiver that answers with one is reported as not delivered (it would send the alert, or a
GET in its place, wherever the redirect points).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from signoff import __version__
from signoff.errors import Error
from signoff.monitor.alerts import Alert

SCHEMA = "signoff.alert/v1"


def slack_escape(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(a: Alert) -> str:
    ev = a.evidence
    refs = [f"ledger #{s}" for s in ev.ledger_seqs[:10]] + [c[:12] for c in ev.commits[:10]]
    lines = [
        f"*[{a.severity.value.upper()}]* `{a.rule}`: {slack_escape(a.message)}",
        f"Suggested action: {slack_escape(a.action)}",
    ]
    if refs:
        lines.append("Evidence: " + ", ".join(refs))
    lines.append(f"Alert id: `{a.id}`")
    return "\n".join(lines)


def payload(a: Alert) -> dict[str, Any]:
    return {"schema": SCHEMA, **a.to_json(), "text": slack_text(a)}


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempts: int
    status: int | None
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "attempts": self.attempts,
            "status": self.status,
            "error": self.error,
        }


def check_url(url: str, *, allow_http: bool = False) -> None:
    """A clear error unless `url` is https:// (or http:// when allowed)."""
    if url.startswith("https://"):
        return
    if url.startswith("http://"):
        if allow_http:
            return
        raise Error(
            f"webhook URL {url!r} is plain http: alerts would travel unencrypted; use https://, "
            "or allow it explicitly (--webhook-allow-http, SIGNOFF_MONITOR_WEBHOOK_ALLOW_HTTP=1)"
        )
    raise Error(f"webhook URL must be https://, got {url!r}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:  # fmt: skip
        raise urllib.error.HTTPError(
            req.full_url, code, f"redirect to {newurl} not followed", headers, fp
        )


_OPENER = urllib.request.build_opener(_NoRedirect)


def deliver(
    url: str,
    alert: Alert,
    *,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    allow_http: bool = False,
) -> Delivery:
    """POST one alert; never raises for a receiver problem (the result says what happened).
    A URL that is not https:// (or allowed http://) is an `Error`."""
    check_url(url, allow_http=allow_http)
    body = json.dumps(payload(alert), sort_keys=True).encode()
    status: int | None = None
    error = ""
    for attempt in range(1, retries + 2):
        req = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": f"signoff/{__version__}"},
        )
        try:
            with _OPENER.open(req, timeout=timeout) as resp:
                status = int(resp.status)
                return Delivery(True, attempt, status)
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
            if 300 <= exc.code < 400:
                error = f"HTTP {exc.code}: the receiver redirects ({exc.reason}); not delivered"
            if exc.code < 500 and exc.code != 429:
                return Delivery(False, attempt, status, error)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            status, error = None, f"cannot reach receiver: {reason}"
        if attempt <= retries:
            sleep(backoff * 2 ** (attempt - 1))
    return Delivery(False, retries + 1, status, error)
