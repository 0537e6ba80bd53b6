"""Alembic migrations of the server schema; `run()` brings a database to head, once, even when
several replicas start at the same time (SQLite: BEGIN IMMEDIATE; PostgreSQL: advisory lock)."""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

VERSION_TABLE = "server_alembic_version"
_PG_LOCK_KEY = 0x5167_5365_7276  # pg_advisory_xact_lock key ("SgServ")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(VERSION_TABLE):
            return None
        return conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar()  # noqa: S608


@functools.cache
def head_revision() -> str:
    """The newest revision in `versions/` (one head: revisions form a line)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"server migrations have {len(heads)} heads: {heads}")
    return str(heads[0])


def at_head(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def run(engine: Engine) -> None:
    if at_head(engine):
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
