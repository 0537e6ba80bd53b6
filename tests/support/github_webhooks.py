"""Real GitHub webhook payloads (from `@octokit/webhooks-examples`) adapted to a test's
repository, each validated against `@octokit/webhooks-schemas` before use, and signed as GitHub
signs them (`X-Hub-Signature-256: sha256=HMAC-SHA256(secret, body)`)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Callable
from functools import cache
from typing import Any

from github_double import FIXTURES
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

Edit = Callable[[dict[str, Any]], None]


@cache
def _schemas() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "webhook-schemas.json").read_text())
    return doc


@cache
def _examples() -> dict[str, list[dict[str, Any]]]:
    doc: dict[str, Any] = json.loads((FIXTURES / "webhook-examples.json").read_text())
    events: dict[str, list[dict[str, Any]]] = doc["events"]
    return events


def validate(event: str, payload: dict[str, Any]) -> None:
    """Raise if `payload` is not a valid `event` payload for its action."""
    doc = _schemas()
    action = payload.get("action")
    names = [f"{event}${action}", f"{event}$event", f"{event}_event"]
    name = next(n for n in names if n in doc["definitions"])
    registry: Registry[Any] = Registry().with_resource("urn:webhooks", DRAFT7.create_resource(doc))
    schema = {"$ref": f"urn:webhooks#/definitions/{name}"}
    Draft7Validator(schema, registry=registry).validate(payload)


def example(event: str, action: str | None = None, *, installation: bool = True) -> dict[str, Any]:
    """A copy of the first example of `event` (and `action`) with an installation when asked."""
    for item in _examples()[event]:
        if action is not None and item.get("action") != action:
            continue
        if installation and "installation" not in item:
            continue
        if event == "push" and not str(item.get("ref", "")).startswith("refs/heads/"):
            continue
        return copy.deepcopy(item)
    raise LookupError(f"no example payload for {event} {action or ''}")


def payload(event: str, action: str | None, edit: Edit, *, installation: bool = True) -> bytes:
    """A real example adapted by `edit`, validated against GitHub's schema, as JSON bytes."""
    doc = example(event, action, installation=installation)
    edit(doc)
    validate(event, doc)
    return json.dumps(doc).encode()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def with_repo(doc: dict[str, Any], full_name: str, installation_id: int | None = None) -> None:
    """Point a payload at `owner/name` (and an installation id)."""
    owner, name = full_name.split("/")
    doc["repository"].update(name=name, full_name=full_name)
    doc["repository"]["owner"]["login"] = owner
    if installation_id is not None:
        doc["installation"]["id"] = installation_id


def with_pull(
    pr: dict[str, Any], number: int, base: tuple[str, str], head: tuple[str, str]
) -> None:
    """Set a payload's pull request number, base (ref, sha) and head (ref, sha)."""
    pr["number"] = number
    for side, (ref, sha) in (("base", base), ("head", head)):
        pr[side].update(ref=ref, sha=sha)
