"""Deliver alerts to a webhook: one JSON POST per alert, with a Slack-compatible `text` field.

The body is the alert's JSON (`signoff.monitor.alerts.Alert.to_json`) plus ``"text"`` and
``"schema": "signoff.alert/v1"``, so a Slack incoming webhook shows the text and any other receiver
reads the fields. A 2xx answer is delivered; connection errors, timeouts, 429 and 5xx are retried
with exponential backoff up to `retries` times; other 4xx are not retried (the receiver said the
request is wrong, sending it again cannot help).
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


def _check_url(url: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise Error(f"webhook URL must be http(s)://, got {url!r}")


def deliver(
    url: str,
    alert: Alert,
    *,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST one alert; never raises for a receiver problem (the result says what happened)."""
    _check_url(url)
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
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                status = int(resp.status)
                return Delivery(True, attempt, status)
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                return Delivery(False, attempt, status, error)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            status, error = None, f"cannot reach receiver: {reason}"
        if attempt <= retries:
            sleep(backoff * 2 ** (attempt - 1))
    return Delivery(False, retries + 1, status, error)
