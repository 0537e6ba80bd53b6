"""Database URLs as they may be shown: credentials hidden, wherever they sit in the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

#: Query parameters that carry a secret (libpq's `password`, `sslpassword`, tokens, keys).
_SECRET = re.compile(r"pass|secret|token|key", re.IGNORECASE)


def redact_url(url: str) -> str:
    """`url` with the password of `user:password@` and the value of any secret-looking query
    parameter replaced by `***`, for messages and logs (never for answers to the network)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        creds, host = netloc.rsplit("@", 1)
        user, sep, _ = creds.partition(":")
        if sep:
            netloc = f"{user}:***@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = "&".join(f"{k}={'***' if _SECRET.search(k) else v}" for k, v in pairs)
    if netloc == parts.netloc and query == parts.query:
        return url
    rebuilt = f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    return rebuilt + (f"#{parts.fragment}" if parts.fragment else "")
