"""The Node tools the tests run (tests/tools/package.json, installed pinned by `make test`).

Without them a test skips, unless SIGNOFF_REQUIRE_BROWSER=1 (CI), which makes it fail: the
accessibility, OIDC and SARIF-schema checks must never pass by being skipped there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools" / "node_modules"


def need(relative: str) -> Path:
    """The path of an installed tool file, or skip (fail in CI) when it is missing."""
    path = TOOLS / relative
    if path.exists() and shutil.which("node"):
        return path
    msg = f"{path} is missing: run `make test` (it installs tests/tools with npm ci)"
    if os.environ.get("SIGNOFF_REQUIRE_BROWSER") == "1":
        pytest.fail(msg + "; SIGNOFF_REQUIRE_BROWSER=1")
    pytest.skip(msg)


def sarif_schema() -> Path:
    """The SARIF 2.1.0 schema (the OASIS "rtm.5" release), as @microsoft/jest-sarif ships it."""
    return need("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json")
