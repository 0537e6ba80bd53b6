"""Where the ledger lives and the Ed25519 key that signs its checkpoints.

The private key is a PKCS#8 PEM file created on first use with mode 0600. It is kept apart from
the database on purpose: someone who can rewrite the database cannot forge checkpoints without it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from signoff.errors import StoreError

DEFAULT_ORIGIN = "signoff.local/ledger"


def data_dir() -> Path:
    """``$SIGNOFF_DATA_DIR``, else ``~/.local/share/signoff``."""
    env = os.environ.get("SIGNOFF_DATA_DIR")
    return Path(env) if env else Path.home() / ".local" / "share" / "signoff"


def default_url() -> str:
    """``$SIGNOFF_LEDGER_URL``, else an SQLite file in the data directory."""
    return os.environ.get("SIGNOFF_LEDGER_URL") or f"sqlite:///{data_dir() / 'ledger.db'}"


def sqlite_path(url: str) -> Path | None:
    """The database file for an SQLite URL or plain path; None for a server URL."""
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") :])
    if "://" in url:
        return None
    return Path(url)


def default_key_path(url: str) -> Path:
    """``$SIGNOFF_LEDGER_KEY``, else ``<db file>.key`` beside an SQLite file, else the data dir."""
    env = os.environ.get("SIGNOFF_LEDGER_KEY")
    if env:
        return Path(env)
    db = sqlite_path(url)
    if db is not None and str(db) != ":memory:":
        return db.with_name(db.name + ".key")
    return data_dir() / "ledger.key"


def load_or_create_key(path: Path, *, create: bool = True) -> Ed25519PrivateKey:
    """Load the signing key, creating it (0600, never overwriting) when absent and allowed."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not create:
            raise StoreError(f"ledger signing key {path} does not exist") from None
        return _create(path)
    except OSError as exc:
        raise StoreError(f"cannot read ledger signing key {path}: {exc.strerror}") from None
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise StoreError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise StoreError(f"{path} is not an Ed25519 private key")
    return key


def _create(path: Path) -> Ed25519PrivateKey:
    """Write the key to a private temp file, then link it in place: readers never see half a key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process won the race: use its key
            return load_or_create_key(path, create=False)
        finally:
            tmp.unlink()
    except OSError as exc:
        raise StoreError(f"cannot create ledger signing key {path}: {exc.strerror}") from None
    return key
