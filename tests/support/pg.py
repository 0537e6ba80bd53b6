"""Throwaway PostgreSQL databases for tests: one per test, dropped afterwards.

The server is named by `SIGNOFF_TEST_PG_URL`; without it PostgreSQL tests skip, unless
`SIGNOFF_REQUIRE_PG=1` (CI), which turns the skip into a failure."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def admin_url() -> str:
    url = os.environ.get("SIGNOFF_TEST_PG_URL")
    if not url:
        if os.environ.get("SIGNOFF_REQUIRE_PG") == "1":
            pytest.fail("SIGNOFF_REQUIRE_PG=1 but SIGNOFF_TEST_PG_URL is not set")
        pytest.skip("set SIGNOFF_TEST_PG_URL to run PostgreSQL tests")
    return url


@contextmanager
def fresh_database(prefix: str = "signoff_test") -> Iterator[str]:
    """Create a uniquely named database and yield its URL; drop it (forcibly) at the end."""
    import psycopg

    admin = admin_url()
    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base, _, _ = admin.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
