"""The server's files are its own: directories 0700, database and key files 0600.

The SQLite files hold every identity, token digest and approval, and the ledger key signs the
log's checkpoints, so nobody else on the machine may read them. The data directory and the
directories of the SQLite files and the ledger key are created 0700; a SQLite file is created
0600 before the driver opens it (SQLite gives its `-wal` and `-shm` files the same mode), and one
found readable by others is narrowed to 0600 with a warning. PostgreSQL's files are the
database server's business.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from signoff.server.db import engine_url

log = logging.getLogger("signoff.server.files")


def private_dir(path: Path) -> None:
    """Create `path` (and parents) 0700; an existing directory is left as its owner set it."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is masked by the umask


def private_file(path: Path) -> None:
    """Create `path` empty 0600 if missing; narrow it to 0600 if others may read it."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("%s was readable by others (mode %o): narrowing it to 0600", path, mode)
            path.chmod(0o600)
        return
    os.close(fd)


def secure(data_dir: Path, database_url: str, ledger_url: str, ledger_key: Path) -> None:
    """Before the server opens anything: its directory, SQLite files and key's directory."""
    private_dir(data_dir)
    for url in (database_url, ledger_url):
        sa_url = engine_url(url)
        if sa_url.startswith("sqlite:///"):
            private_file(Path(sa_url[len("sqlite:///") :]))
    private_dir(ledger_key.parent)
    if ledger_key.exists():
        private_file(ledger_key)
