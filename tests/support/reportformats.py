"""The formats CI systems read, as schemas: GitLab Code Quality (JSON Schema written from GitLab's
documentation) and JUnit XML (an XSD); see tests/gitlab/data/README.md for where each came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import xmlschema

DATA = Path(__file__).resolve().parents[1] / "gitlab" / "data"
_CODEQUALITY = json.loads((DATA / "codequality.schema.json").read_text())
_JUNIT = xmlschema.XMLSchema(str(DATA / "junit.xsd"))


def codequality(text: str) -> list[dict[str, Any]]:
    """The parsed report, after checking it against GitLab's Code Quality format."""
    doc: list[dict[str, Any]] = json.loads(text)
    jsonschema.validate(doc, _CODEQUALITY)
    return doc


def junit(path: Path) -> dict[str, Any]:
    """The report as a dict (xmlschema's layout), after checking it against the JUnit XSD."""
    _JUNIT.validate(str(path))
    doc: dict[str, Any] = _JUNIT.to_dict(str(path))  # type: ignore[assignment]
    return doc
