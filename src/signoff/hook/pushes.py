"""How the hook reports a push to the control plane (`POST /v1/pushes`) and tells the pusher."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from signoff.broker.enforce import RefUpdate
from signoff.broker.errors import BrokerError
from signoff.errors import Error
from signoff.hook.backend import Backend


def say(out: TextIO, lines: list[str]) -> None:
    for line in lines:
        print(line, file=out)


def line_of(exc: Error) -> str:
    return exc.message if isinstance(exc, BrokerError) else str(exc).splitlines()[0]


def push_record(
    repo_name: str,
    updates: list[RefUpdate],
    outcome: str,
    reasons: list[str],
    env: Mapping[str, str],
    *,
    digest: str | None = None,
    commits: list[str] | None = None,
    jti: object = None,
    code: str | None = None,
    pusher: str | None = None,
) -> dict[str, Any]:
    """The push as the control plane records it (`POST /v1/pushes`)."""
    return {
        "repo": repo_name,
        "outcome": outcome,
        "token_sha256": digest,
        "jti": jti if isinstance(jti, str) else None,
        "refs": [{"ref": u.ref, "old": u.old, "new": u.new} for u in updates],
        "commits": commits or [],
        "reasons": [r[:1000] for r in reasons[:50]],
        "pusher": pusher or env.get("REMOTE_USER") or None,
        "code": code,
    }


def report(backend: Backend, push: dict[str, Any], out: TextIO) -> bool:
    try:
        backend.report(push)
    except BrokerError as exc:
        say(out, [f"signoff: warning: {exc.message}"])
        return False
    return True
