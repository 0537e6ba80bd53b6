"""The rule registry refuses duplicate idents, and every ident is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.monitor.rules import REGISTRY, build_registry

DOCS = Path(__file__).parents[2] / "docs" / "monitoring.md"


def test_duplicate_ident_is_refused() -> None:
    with pytest.raises(ValueError, match="duplicate alert rule ident"):
        build_registry(REGISTRY[:1], REGISTRY[:1])


def test_every_rule_has_a_docs_section() -> None:
    text = DOCS.read_text()
    missing = [r.ident for r in REGISTRY if f"### `{r.ident}`" not in text]
    assert not missing
