"""Times as people read them: "5 min ago" / "in 2 h", with the exact UTC time on hover and the
machine-readable value in `<time datetime>` (what a screen reader or a script can use)."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup


def _parse(value: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def relative(t: dt.datetime, now: dt.datetime) -> str:
    s = (now - t).total_seconds()
    ahead, s = s < 0, abs(s)
    if s < 45:
        return "just now" if not ahead else "in a moment"
    for size, unit in ((86400 * 365, "y"), (86400, "d"), (3600, "h"), (60, "min")):
        if s >= size * 0.95:
            n = round(s / size)
            return f"in {n} {unit}" if ahead else f"{n} {unit} ago"
    return "just now"  # pragma: no cover - the loop always returns for s >= 45


def when(value: object, now: dt.datetime | None = None) -> Markup:
    """A `<time>` element for an ISO 8601 stamp; anything else is shown as it is (escaped)."""
    if value is None or value == "":
        return Markup("—")
    t = _parse(str(value))
    if t is None:
        return Markup("{}").format(value)
    exact = t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if len(str(value)) == 10:  # a date alone (review_by, expires): no clock time to show
        return Markup('<time datetime="{}">{}</time>').format(value, value)
    rel = relative(t, now or dt.datetime.now(dt.UTC))
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        t.astimezone(dt.UTC).isoformat(), exact, rel
    )
