"""The server's database: SQLAlchemy 2 Core over SQLite (WAL, busy timeout) or PostgreSQL
(psycopg 3). Services get a `Connection` inside a transaction from `Database.write()` or
`Database.read()`; repositories run parametrised SQL on it and nothing else.

SQLite write transactions start with ``BEGIN IMMEDIATE``, so two writers never read the same
state and then both write (the SQLite form of a row lock); PostgreSQL uses ``SELECT ... FOR
UPDATE`` and version columns (see the repositories).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine

from signoff.errors import StoreError

#: anyio's default thread limiter, which runs FastAPI's sync routes.
_REQUEST_THREADS = 40


def engine_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = url
        sa_url = engine_url(url)
        self.is_sqlite = sa_url.startswith("sqlite")
        self._write_lock: AbstractContextManager[object] = (
            threading.Lock() if self.is_sqlite else nullcontext()
        )
        if self.is_sqlite:
            path = Path(sa_url[len("sqlite:///") :])
            path.parent.mkdir(parents=True, exist_ok=True)
            # Keep a connection per request thread (the server runs sync routes on a pool of
            # 40 threads): overflow connections are closed on return, and reopening one runs
            # the connect PRAGMAs (journal_mode takes a lock) on every request under load.
            self.engine: Engine = sa.create_engine(
                sa_url,
                connect_args={"timeout": 30, "check_same_thread": False},
                pool_size=max(pool_size, _REQUEST_THREADS),
                max_overflow=pool_size,
            )
            sa_event.listen(self.engine, "connect", _sqlite_connect)
            sa_event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = sa.create_engine(
                sa_url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed on success and rolled back on any exception.

        SQLite has one writer per file; this process's writers queue on a lock (fair and
        immediate) instead of SQLite's sleeping busy handler. Other processes still wait
        on BEGIN IMMEDIATE with the busy timeout."""
        with self._write_lock, _errors("database write failed"), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with _errors("database read failed"), self.engine.connect() as conn:
            conn = conn.execution_options(server_read=True)
            with conn.begin():
                yield conn

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def _errors(what: str) -> Iterator[None]:
    """Driver errors become one-line StoreErrors (503); integrity errors pass to the caller."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise store_error(exc, what) from exc


def store_error(exc: Exception, what: str = "database write failed") -> Exception:
    """What a caller is given for `exc`: a driver error (a lost connection, a full disk, a
    transaction the driver must roll back first) as a one-line StoreError, which the API answers
    with 503; an integrity error (409) and anything else that is not the driver's, unchanged."""
    if isinstance(exc, sa.exc.IntegrityError) or not isinstance(exc, sa.exc.SQLAlchemyError):
        return exc
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    wrapped = StoreError(f"{what}: {detail[0] if detail else type(exc).__name__}")
    wrapped.__cause__ = exc
    return wrapped


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL: a commit survives a crash of the process, not of the OS. The ledger (its own
    # file, synchronous=FULL) is appended before the state commits, so the durable record
    # never misses a write; see docs/server.md "Consistency".
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    read = conn.get_execution_options().get("server_read", False)
    conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")
