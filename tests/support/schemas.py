"""Validate a real output against the JSON Schema document it claims (docs/schemas/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def schema(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return doc


def validate(doc: Any, name: str) -> None:
    """Raise `jsonschema.ValidationError` unless `doc` matches docs/schemas/NAME (references to
    the other files there resolve locally; nothing is fetched)."""
    resources = [(p.name, Resource.from_contents(schema(p.name))) for p in SCHEMAS.glob("*.json")]
    registry: Registry[Any] = Registry().with_resources(resources)
    jsonschema.Draft202012Validator(schema(name), registry=registry).validate(doc)
