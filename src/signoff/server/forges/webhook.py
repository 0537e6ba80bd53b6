"""A GitHub webhook delivery: its signature and what it asks to evaluate. Pure.

The signature is HMAC-SHA256 of the raw body with the App's webhook secret, compared in constant
time. Nothing in a payload is trusted before the signature verifies, and even then only what
GitHub itself writes there (repository, installation, pull request number, base and head) is
read; the server decides from its own clone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any, NamedTuple

EVENTS = ("pull_request", "pull_request_review", "push", "check_suite")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_DELIVERY = re.compile(r"^[0-9A-Za-z-]{1,64}$")


class RefusedError(Exception):
    """A delivery not to act on: `reason` is a short code, `message` says why."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason = status, reason


class Target(NamedTuple):
    """One pull request to evaluate (or, for a push, a branch whose pull requests to redo)."""

    number: int
    base_sha: str
    base_ref: str
    head_sha: str
    url: str


class Delivery(NamedTuple):
    delivery: str
    event: str
    action: str
    full_name: str
    installation: int | None
    targets: tuple[Target, ...]
    pushed: tuple[str, str] | None  # push: (branch, new tip); its pull requests are redone
    closed: tuple[int, ...]  # pull requests closed by this event


def verify_signature(secret: bytes, body: bytes, header: str | None) -> None:
    if not header or not header.startswith("sha256="):
        raise RefusedError(401, "bad-signature", "missing X-Hub-Signature-256")
    want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want.encode(), header.encode("utf-8", "replace")):
        raise RefusedError(401, "bad-signature", "X-Hub-Signature-256 does not match the body")


def delivery_id(header: str | None) -> str:
    if not header or not _DELIVERY.match(header):
        raise RefusedError(400, "bad-delivery", "missing or malformed X-GitHub-Delivery")
    return header


def parse(delivery: str, event: str, body: bytes) -> Delivery:
    """What a verified delivery asks for; a payload GitHub would never send is refused."""
    try:
        doc = json.loads(body)
        full_name = str(doc["repository"]["full_name"])
        inst = doc.get("installation")
        installation = int(inst["id"]) if isinstance(inst, dict) else None
        action = str(doc.get("action") or "")
        targets, closed, pushed = _targets(event, action, doc)
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
        raise RefusedError(
            400, "bad-payload", f"not a {event} payload ({type(exc).__name__})"
        ) from None
    return Delivery(delivery, event, action, full_name, installation, targets, pushed, closed)


def _pull(pr: Any, url: str = "") -> Target:
    t = Target(
        number=int(pr["number"]),
        base_sha=str(pr["base"]["sha"]),
        base_ref=str(pr["base"]["ref"]),
        head_sha=str(pr["head"]["sha"]),
        url=str(pr.get("html_url") or url),
    )
    if not (_SHA.match(t.base_sha) and _SHA.match(t.head_sha)):
        raise ValueError("base or head is not a commit id")
    return t


def _targets(
    event: str, action: str, doc: Any
) -> tuple[tuple[Target, ...], tuple[int, ...], tuple[str, str] | None]:
    if event == "pull_request":
        if action == "closed":
            return (), (int(doc["pull_request"]["number"]),), None
        if action in ("opened", "reopened", "synchronize", "edited", "ready_for_review"):
            return (_pull(doc["pull_request"]),), (), None
        return (), (), None
    if event == "pull_request_review":
        return (_pull(doc["pull_request"]),), (), None
    if event == "check_suite" and action in ("requested", "rerequested"):
        return tuple(_pull(p) for p in doc["check_suite"]["pull_requests"]), (), None
    if event == "push":
        ref, after = str(doc["ref"]), str(doc["after"])
        if not ref.startswith("refs/heads/") or not _SHA.match(after) or after == "0" * 40:
            return (), (), None  # a tag, or a deleted branch: no base to judge against
        return (), (), (ref.removeprefix("refs/heads/"), after)
    return (), (), None
