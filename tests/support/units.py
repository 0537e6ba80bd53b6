"""Builders for the unit tests (tests/unit/): plain values, no git, no database, no network."""

from __future__ import annotations

import datetime as dt

from policies import AGENTS, POLICY

from signoff.changes import MODE_FILE, NULL_SHA, FileChange, Status
from signoff.identity.agents import Registry, parse_registry
from signoff.policy.load import parse_policy
from signoff.policy.model import Policy

TODAY = dt.date(2026, 6, 1)


def policy(text: str = POLICY) -> Policy:
    return parse_policy(text.encode(), "policy.yml")


def registry(text: str = AGENTS) -> Registry:
    return parse_registry(text.encode(), "agents.yml")


def change(
    path: str,
    status: Status = Status.MODIFIED,
    *,
    old_path: str | None = None,
    old_mode: str = MODE_FILE,
    new_mode: str = MODE_FILE,
    old_blob: str = "1" * 40,
    new_blob: str = "2" * 40,
) -> FileChange:
    if status is Status.ADDED:
        old_mode, old_blob = "000000", NULL_SHA
    if status is Status.DELETED:
        new_mode, new_blob = "000000", NULL_SHA
    return FileChange(status, old_path or path, path, old_mode, new_mode, old_blob, new_blob)
