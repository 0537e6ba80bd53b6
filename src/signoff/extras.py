"""Optional parts of signoff and the one line that says how to get one that is missing.

`pip install signoff` brings the gate, approvals, explain, policy, the ledger's SQLite file mode
and the release gate. The control plane (`signoff serve`, the console, a PostgreSQL database or
ledger, the hook's local backend) needs the `server` extra. What needs that extra is reached
through two doors, the `signoff.server` package (the console, `signoff.web`, is only reached
through it) and a PostgreSQL ledger URL, and each door calls `require` first, so a missing extra
is one line and exit code 2, never an `ImportError` traceback from deep inside.
"""

from __future__ import annotations

import importlib.util

from signoff.errors import Error

#: Top-level modules each extra provides (what `pyproject.toml` lists under that extra).
EXTRAS: dict[str, tuple[str, ...]] = {
    "server": (
        "fastapi",
        "uvicorn",
        "pydantic",
        "prometheus_client",
        "httpx",
        "jinja2",
        "psycopg",
    ),
    # signoff on GitHub: `signoff github action` and App mode (signoff.github.api is its door)
    "github": ("githubkit", "hishel", "jwt"),
}


class MissingExtraError(Error):
    """An optional part of signoff is used without the packages it needs."""


def missing(extra: str) -> list[str]:
    """The modules of `extra` that cannot be found."""
    return [name for name in EXTRAS[extra] if not _importable(name)]


def require(extra: str, what: str) -> None:
    """Raise `MissingExtraError` (one line naming the extra to install) unless `extra` is there."""
    absent = missing(extra)
    if absent:
        raise MissingExtraError(
            f"{what} needs the '{extra}' extra ({', '.join(absent)} not installed): "
            f"pip install 'signoff[{extra}]' (from a checkout: pip install '.[{extra}]')"
        )


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # a finder that knows the module refuses it (e.g. a blocked import)
        return False
