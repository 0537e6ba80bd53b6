"""Ledger storage: one Protocol, one SQLAlchemy Core implementation for SQLite and PostgreSQL.

Tables (see migrations/versions/0001_initial.py):
    ledger_meta         key/value: the log's origin
    ledger_head         one row: the tree size; the lock that serialises appenders
    ledger_events       seq, type, leaf (the canonical event bytes), leaf_hash, nodes
    ledger_checkpoints  every signed checkpoint note with its size and root

Each event row also holds the complete subtree hashes that its leaf completes (levels 1..k, where
k is the number of trailing one bits of seq), so subtree (level, i) lives in row
``((i + 1) << level) - 1``. Extending the tree reads the O(log n) right edge; any proof reads
O(log n) rows by primary key; verification gets every stored node in the same stream as the leaves.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine

from signoff.errors import StoreError
from signoff.ledger import merkle
from signoff.ledger.checkpoint import Checkpoint
from signoff.ledger.events import EventDraft, now_rfc3339
from signoff.ledger.keys import sqlite_path

HEAD_REVISION = "0001"
VERSION_TABLE = "ledger_alembic_version"
_PG_LOCK_KEY = 0x5167_4C65_6467  # pg_advisory_xact_lock key for migrations ("SgLedg")

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
events_t = sa.Table(
    "ledger_events",
    md,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(64), nullable=False),
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

Row = tuple[int, bytes, bytes, bytes]
"""(seq, leaf bytes, leaf hash, node hashes completed by this leaf)."""


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root: bytes
    note: str
    created: str


@dataclass(frozen=True)
class Appended:
    """An acknowledged event: committed durably before this is returned."""

    seq: int
    leaf_hash: bytes
    time: str


class Snapshot(Protocol):
    """A consistent read-only view of the ledger."""

    def size(self) -> int: ...
    def checkpoints(self) -> list[StoredCheckpoint]: ...
    def scan(self, start: int = 0, batch: int = 20_000) -> Generator[list[Row], None, None]: ...
    def read_hashes(self, coords: Sequence[merkle.Coord]) -> dict[merkle.Coord, bytes]: ...
    def leaves(self, seqs: Sequence[int]) -> dict[int, bytes]: ...
    def recent(self, limit: int, type_: str | None) -> list[tuple[int, bytes]]: ...


class LedgerStore(Protocol):
    """What the service needs from storage; appends are atomic, durable and serialised."""

    url: str
    origin: str

    def append(self, drafts: Sequence[EventDraft]) -> list[Appended]: ...
    def add_checkpoint(self, sign: Callable[[Checkpoint], str]) -> StoredCheckpoint: ...
    def snapshot(self) -> AbstractContextManager[Snapshot]: ...
    def close(self) -> None: ...


def engine_url(url: str) -> str:
    """Map a ledger URL or plain path to an SQLAlchemy URL (psycopg 3 for PostgreSQL)."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    path = sqlite_path(url)
    if path is None:
        raise StoreError(
            f"unsupported ledger URL {url!r}: use sqlite:///PATH, a path or postgresql://"
        )
    return f"sqlite:///{path}"


@contextmanager
def db_errors(what: str) -> Iterator[None]:
    """Turn driver exceptions into one-line StoreErrors; they never leave this module."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise StoreError(f"{what}: {detail[0] if detail else type(exc).__name__}") from exc


class SqlStore:
    """SQLite (WAL, synchronous=FULL, BEGIN IMMEDIATE) or PostgreSQL (row lock on the head)."""

    def __init__(self, url: str, origin: str | None = None) -> None:
        self.url = url
        sa_url = engine_url(url)
        self.is_sqlite = sa_url.startswith("sqlite")
        self._lock = threading.Lock()
        with db_errors(f"cannot open ledger {_redact(url)}"):
            if self.is_sqlite:
                path = Path(sa_url[len("sqlite:///") :])
                path.parent.mkdir(parents=True, exist_ok=True)
                self.engine = sa.create_engine(sa_url, connect_args={"timeout": 60})
                sa_event.listen(self.engine, "connect", _sqlite_connect)
                sa_event.listen(self.engine, "begin", _sqlite_begin)
            else:
                self.engine = sa.create_engine(sa_url, pool_pre_ping=True)
        try:
            with db_errors(f"cannot open ledger {_redact(url)}"):
                _migrate(self.engine, self.is_sqlite)
                self.origin = self._init_origin(origin)
        except BaseException:
            self.engine.dispose()
            raise

    def _init_origin(self, wanted: str | None) -> str:
        from signoff.ledger.keys import DEFAULT_ORIGIN

        with self.engine.begin() as conn:
            stored = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "origin"))
            value = stored.scalar()
            if value is None:
                value = wanted or DEFAULT_ORIGIN
                conn.execute(meta_t.insert().values(key="origin", value=value))
        if wanted is not None and wanted != value:
            raise StoreError(f"this ledger's origin is {value!r}, not {wanted!r}")
        return str(value)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _lock_head(self, conn: Connection) -> int:
        q = sa.select(head_t.c.size).where(head_t.c.id == 1)
        if not self.is_sqlite:  # SQLite's BEGIN IMMEDIATE already holds the write lock
            q = q.with_for_update()
        size = conn.execute(q).scalar()
        if size is None:
            raise StoreError("ledger head row is missing: the database was tampered with")
        return int(size)

    def append(self, drafts: Sequence[EventDraft]) -> list[Appended]:
        """Append drafts as consecutive events in one transaction; return after commit."""
        if not drafts:
            return []
        with self._lock, db_errors("cannot append to the ledger"), self.engine.begin() as conn:
            if self.is_sqlite:
                return _sqlite_append(conn, drafts)
            size = self._lock_head(conn)
            edge = _SqlSnapshot(conn).read_hashes(merkle.CompactRange.coords(size))
            tree = merkle.CompactRange(size, [edge[c] for c in merkle.CompactRange.coords(size)])
            time = now_rfc3339()
            rows: list[dict[str, Any]] = []
            done: list[Appended] = []
            for seq, draft in enumerate(drafts, start=size):
                leaf = draft.at(seq, time)
                lh = merkle.leaf_hash(leaf)
                nodes = b"".join(tree.append(lh))
                rows.append(
                    {"seq": seq, "type": draft.type.value, "leaf": leaf, "leaf_hash": lh,
                     "nodes": nodes}
                )  # fmt: skip
                done.append(Appended(seq, lh, time))
            conn.execute(events_t.insert(), rows)
            conn.execute(head_t.update().where(head_t.c.id == 1).values(size=tree.size))
        return done

    def add_checkpoint(self, sign: Callable[[Checkpoint], str]) -> StoredCheckpoint:
        """Sign the current tree head and store it; reuse the latest if the tree has not grown."""
        with self._lock, db_errors("cannot write a checkpoint"), self.engine.begin() as conn:
            size = self._lock_head(conn)
            snap = _SqlSnapshot(conn)
            last = snap.checkpoints()
            if last and last[-1].size == size:
                return last[-1]
            cp = Checkpoint(self.origin, size, merkle.root_at(size, snap.read_hashes))
            note, created = sign(cp), now_rfc3339()
            ins = checkpoints_t.insert().values(size=size, root=cp.root, note=note, created=created)
            new_id = conn.execute(ins).inserted_primary_key
            return StoredCheckpoint(int(new_id[0]) if new_id else 0, size, cp.root, note, created)

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """A read transaction: a deferred one in SQLite, REPEATABLE READ in PostgreSQL."""
        with db_errors("cannot read the ledger"), self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(ledger_read=True)
            else:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield _SqlSnapshot(conn)


class _SqlSnapshot:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def size(self) -> int:
        size = self.conn.execute(sa.select(head_t.c.size).where(head_t.c.id == 1)).scalar()
        if size is None:
            raise StoreError("ledger head row is missing: the database was tampered with")
        return int(size)

    def checkpoints(self) -> list[StoredCheckpoint]:
        c = checkpoints_t.c
        q = sa.select(c.id, c.size, c.root, c.note, c.created).order_by(c.size, c.id)
        return [StoredCheckpoint(int(i), int(s), bytes(r), n, t) for i, s, r, n, t in
                self.conn.execute(q)]  # fmt: skip

    def scan(self, start: int = 0, batch: int = 20_000) -> Generator[list[Row], None, None]:
        """Every event row from ``start`` in seq order, in batches, without ORM overhead."""
        q = (
            "SELECT seq, leaf, leaf_hash, nodes FROM ledger_events WHERE seq >= "  # noqa: S608
            f"{int(start)} ORDER BY seq"
        )
        if self.conn.dialect.name == "sqlite":  # the driver's tuples directly: 2x faster
            cur = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cur.execute(q)
                while rows := cur.fetchmany(batch):
                    yield rows
            finally:
                cur.close()
            return
        result = self.conn.execution_options(yield_per=batch).exec_driver_sql(q)
        try:
            for part in result.partitions(batch):
                yield [tuple(r) for r in part]
        finally:
            result.close()  # a server-side cursor in PostgreSQL; close it even when abandoned

    def read_hashes(self, coords: Sequence[merkle.Coord]) -> dict[merkle.Coord, bytes]:
        out: dict[merkle.Coord, bytes] = {}
        if not coords:
            return out
        c = events_t.c
        want = sorted({((i + 1) << lvl) - 1 for lvl, i in coords})
        rows = self.conn.execute(
            sa.select(c.seq, c.leaf_hash, c.nodes).where(c.seq.in_(want))
        ).all()
        found = {int(s): (bytes(h), bytes(n)) for s, h, n in rows}
        for lvl, i in coords:
            got = found.get(((i + 1) << lvl) - 1)
            if got is None:
                continue
            h = got[0] if lvl == 0 else got[1][(lvl - 1) * 32 : lvl * 32]
            if len(h) == 32:
                out[(lvl, i)] = h
        return out

    def leaves(self, seqs: Sequence[int]) -> dict[int, bytes]:
        c = events_t.c
        rows = self.conn.execute(sa.select(c.seq, c.leaf).where(c.seq.in_(list(seqs)))).all()
        return {int(s): bytes(leaf) for s, leaf in rows}

    def recent(self, limit: int, type_: str | None) -> list[tuple[int, bytes]]:
        c = events_t.c
        q = sa.select(c.seq, c.leaf).order_by(c.seq.desc()).limit(limit)
        if type_:
            q = q.where(c.type == type_)
        return [(int(s), bytes(leaf)) for s, leaf in reversed(self.conn.execute(q).all())]


def _sqlite_append(conn: Connection, drafts: Sequence[EventDraft]) -> list[Appended]:
    """The SQLite append on the driver's cursor: same statements, no SQL compilation per call.

    BEGIN IMMEDIATE (from the engine's begin hook) already holds the write lock.
    """
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        row = cur.execute("SELECT size FROM ledger_head WHERE id = 1").fetchone()
        if row is None:
            raise StoreError("ledger head row is missing: the database was tampered with")
        size = int(row[0])
        coords = merkle.CompactRange.coords(size)
        want = [((i + 1) << lvl) - 1 for lvl, i in coords]
        marks = ",".join("?" * len(want))
        got = {
            s: (h, n)
            for s, h, n in cur.execute(
                f"SELECT seq, leaf_hash, nodes FROM ledger_events WHERE seq IN ({marks})",  # noqa: S608
                want,
            )
        }
        edge = []
        for (lvl, _), seq in zip(coords, want, strict=True):
            h, n = got.get(seq, (b"", b""))
            h = h if lvl == 0 else n[(lvl - 1) * 32 : lvl * 32]
            if len(h) != 32:
                raise StoreError(f"stored tree is missing the subtree ending at seq {seq}")
            edge.append(h)
        tree = merkle.CompactRange(size, edge)
        time = now_rfc3339()
        rows = []
        done = []
        for seq, draft in enumerate(drafts, start=size):
            leaf = draft.at(seq, time)
            lh = merkle.leaf_hash(leaf)
            rows.append((seq, draft.type.value, leaf, lh, b"".join(tree.append(lh))))
            done.append(Appended(seq, lh, time))
        cur.executemany(
            "INSERT INTO ledger_events (seq, type, leaf, leaf_hash, nodes) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        cur.execute("UPDATE ledger_head SET size = ? WHERE id = 1", (tree.size,))
    except sqlite3.Error as exc:
        raise StoreError(f"cannot append to the ledger: {exc}") from None
    finally:
        cur.close()
    return done


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    """Driver autocommit so we issue BEGIN ourselves; WAL with fsync on every commit."""
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """Writers take the lock at BEGIN, so two appenders can never read the same head."""
    read = conn.get_execution_options().get("ledger_read", False)
    conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")


def _migrate(engine: Engine, is_sqlite: bool) -> None:
    """Bring the schema to HEAD_REVISION with Alembic, once, even with racing processes."""
    if _current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises; PostgreSQL: a lock
        if not is_sqlite:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(VERSION_TABLE):
            return None
        return conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar()  # noqa: S608


def _redact(url: str) -> str:
    """Hide a password in a URL before it reaches a message."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def open_store(url: str, origin: str | None = None) -> SqlStore:
    return SqlStore(url, origin)
