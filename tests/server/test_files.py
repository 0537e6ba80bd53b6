"""The server's database and key files are created 0600 in a 0700 directory, whatever the
umask; files it finds readable by others are narrowed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from serverkit import make_settings

from signoff.server.app import open_context
from signoff.server.tokens.service import bootstrap


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask: files 0644, directories 0755
    try:
        settings = make_settings(tmp_path / "data")
        ctx = open_context(settings)
        bootstrap(ctx, "root", "root@example.com", "Root", 3600)  # writes: WAL files appear
        ctx.recorder.ledger.close()
        ctx.db.close()
    finally:
        os.umask(old)
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    files = [p for p in data.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"signoff.db", "ledger.db", "ledger.db.key"}
    for p in files:
        assert _mode(p) & 0o077 == 0, f"{p.name} is {_mode(p):o}"


def test_a_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "signoff.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    ctx = open_context(make_settings(data))
    ctx.recorder.ledger.close()
    ctx.db.close()
    assert _mode(db) == 0o600
