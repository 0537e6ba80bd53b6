"""The ledger's tables, how a URL becomes an engine, and migrations (SQLite and PostgreSQL).

Tables (migrations/versions/):
    ledger_meta         key/value: the log's origin
    ledger_head         one row: the tree size; the lock that serialises appenders
    ledger_events       seq, leaf (the canonical event bytes), leaf_hash, nodes
    ledger_checkpoints  every signed checkpoint note with its size and root

An event's type lives only inside its leaf bytes (0002 dropped the separate column): a copy
that nothing verifies could disagree with the event and mislead a filtered listing.

Each event row also holds the complete subtree hashes that its leaf completes (levels 1..k, where
k is the number of trailing one bits of seq), so subtree (level, i) lives in row
``((i + 1) << level) - 1``. Extending the tree reads the O(log n) right edge; any proof reads
O(log n) rows by primary key; verification gets every stored node in the same stream as the leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from signoff.errors import StoreError
from signoff.ledger.keys import sqlite_path

HEAD_REVISION = "0002"
VERSION_TABLE = "ledger_alembic_version"
PG_LOCK_KEY = 0x5167_4C65_6467  # pg_advisory_xact_lock key for migrations ("SgLedg")

md = sa.MetaData()
meta_t = sa.Table(
    "ledger_meta",
    md,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text),
)
head_t = sa.Table(
    "ledger_head",
    md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)
SEQ_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""BIGINT in PostgreSQL; INTEGER in SQLite, where that makes ``seq`` the rowid (no extra index)."""

events_t = sa.Table(
    "ledger_events",
    md,
    sa.Column("seq", SEQ_TYPE, primary_key=True, autoincrement=False),
    sa.Column("leaf", sa.LargeBinary, nullable=False),
    sa.Column("leaf_hash", sa.LargeBinary, nullable=False),
    sa.Column("nodes", sa.LargeBinary, nullable=False),
)
checkpoints_t = sa.Table(
    "ledger_checkpoints",
    md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("root", sa.LargeBinary, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created", sa.String(40), nullable=False),
)


def engine_url(url: str) -> str:
    """Map a ledger URL or plain path to an SQLAlchemy URL (psycopg 3 for PostgreSQL)."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            from signoff.extras import require

            require("server", "a PostgreSQL ledger")
            return "postgresql+psycopg://" + url[len(prefix) :]
    path = sqlite_path(url)
    if path is None:
        raise StoreError(
            f"unsupported ledger URL {url!r}: use sqlite:///PATH, a path or postgresql://"
        )
    return f"sqlite:///{path}"


@contextmanager
def db_errors(what: str) -> Iterator[None]:
    """Turn driver exceptions into one-line StoreErrors; they never leave the ledger package."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise StoreError(f"{what}: {detail[0] if detail else type(exc).__name__}") from exc


def sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    """Driver autocommit so we issue BEGIN ourselves; WAL with fsync on every commit."""
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def sqlite_begin(conn: Connection) -> None:
    """Writers take the lock at BEGIN, so two appenders can never read the same head."""
    read = conn.get_execution_options().get("ledger_read", False)
    conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")


def migrate(engine: Engine, is_sqlite: bool) -> None:
    """Bring the schema to HEAD_REVISION with Alembic, once, even with racing processes."""
    if current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises; PostgreSQL: a lock
        if not is_sqlite:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(VERSION_TABLE):
            return None
        return conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar()  # noqa: S608
