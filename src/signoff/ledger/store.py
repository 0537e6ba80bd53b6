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

import hashlib
import operator
import sqlite3
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple, Protocol, overload

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine

from signoff.errors import StoreError
from signoff.ledger import merkle
from signoff.ledger.checkpoint import Checkpoint
from signoff.ledger.events import EventDraft, now_rfc3339
from signoff.ledger.keys import sqlite_path
from signoff.redact import redact_url

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
SEQ_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""BIGINT in PostgreSQL; INTEGER in SQLite, where that makes ``seq`` the rowid (no extra index)."""

events_t = sa.Table(
    "ledger_events",
    md,
    sa.Column("seq", SEQ_TYPE, primary_key=True, autoincrement=False),
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
Packed = tuple[int, bytes, bytes, bytes]
"""(row count, 0x00 || leaf of each row joined by 0xff, leaf hashes, nodes), in seq order."""


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root: bytes
    note: str
    created: str


class Appended(NamedTuple):
    """An acknowledged event: committed durably before this is returned."""

    seq: int
    leaf_hash: bytes
    time: str


class Snapshot(Protocol):
    """A consistent read-only view of the ledger."""

    def size(self) -> int: ...
    def checkpoints(self) -> list[StoredCheckpoint]: ...
    def scan(self, start: int = 0, batch: int = 20_000) -> Generator[list[Row], None, None]: ...
    def seq_range(self) -> tuple[int | None, int | None]: ...
    def packed(self, start: int, end: int) -> Packed: ...
    def read_hashes(self, coords: Sequence[merkle.Coord]) -> dict[merkle.Coord, bytes]: ...
    def leaves(self, seqs: Sequence[int]) -> dict[int, bytes]: ...
    def recent(self, limit: int, type_: str | None) -> list[tuple[int, bytes]]: ...


class LedgerStore(Protocol):
    """What the service needs from storage; appends are atomic, durable and serialised."""

    url: str
    origin: str

    def append(self, drafts: Sequence[EventDraft]) -> Sequence[Appended]: ...
    def add_checkpoint(self, sign: Callable[[Checkpoint], str]) -> StoredCheckpoint: ...
    def snapshot(self) -> AbstractContextManager[Snapshot]: ...
    def close(self) -> None: ...


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
    """Turn driver exceptions into one-line StoreErrors; they never leave this module."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise StoreError(f"{what}: {detail[0] if detail else type(exc).__name__}") from exc


class SqlStore:
    """SQLite (WAL, synchronous=FULL, BEGIN IMMEDIATE) or PostgreSQL (row lock on the head).

    SQLite appends run on one driver connection kept open for the store's life, and the tree's
    right edge stays cached between appends: inside ``BEGIN IMMEDIATE`` (which excludes every
    other writer) one read of the head row and the last leaf hash tells whether anyone else
    appended since; only then is the edge read again.
    """

    def __init__(self, url: str, origin: str | None = None) -> None:
        self.url = url
        sa_url = engine_url(url)
        self.is_sqlite = sa_url.startswith("sqlite")
        self._lock = threading.Lock()
        self._raw: sqlite3.Connection | None = None
        self._tree: merkle.CompactRange | None = None  # cached right edge (SQLite appends)
        self._tail = b""  # the leaf hash of the last event under the cached edge
        with db_errors(f"cannot open ledger {redact_url(url)}"):
            if self.is_sqlite:
                path = Path(sa_url[len("sqlite:///") :])
                path.parent.mkdir(parents=True, exist_ok=True)
                self.engine = sa.create_engine(
                    sa_url, connect_args={"timeout": 60, "check_same_thread": False}
                )  # a snapshot's connection is handed to verify's reader thread
                sa_event.listen(self.engine, "connect", _sqlite_connect)
                sa_event.listen(self.engine, "begin", _sqlite_begin)
            else:
                self.engine = sa.create_engine(sa_url, pool_pre_ping=True)
        try:
            with db_errors(f"cannot open ledger {redact_url(url)}"):
                _migrate(self.engine, self.is_sqlite)
                self.origin = self._init_origin(origin)
            if self.is_sqlite:
                try:
                    self._raw = sqlite3.connect(
                        path, timeout=60, isolation_level=None, check_same_thread=False
                    )
                    _sqlite_connect(self._raw, None)
                except sqlite3.Error as exc:
                    raise StoreError(f"cannot open ledger {redact_url(url)}: {exc}") from None
        except BaseException:
            self.close()
            raise

    def _init_origin(self, wanted: str | None) -> str:
        from signoff.ledger.keys import DEFAULT_ORIGIN

        with self.engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises first opens
            if not self.is_sqlite:  # two processes creating one log must not both insert it
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            stored = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "origin"))
            value = stored.scalar()
            if value is None:
                value = wanted or DEFAULT_ORIGIN
                conn.execute(meta_t.insert().values(key="origin", value=value))
        if wanted is not None and wanted != value:
            raise StoreError(f"this ledger's origin is {value!r}, not {wanted!r}")
        return str(value)

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        self._tree = None
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

    def append(self, drafts: Sequence[EventDraft]) -> Sequence[Appended]:
        """Append drafts as consecutive events in one transaction; return after commit."""
        if not drafts:
            return []
        with self._lock:
            if self._raw is not None:
                return self._sqlite_append(self._raw, drafts)
            with db_errors("cannot append to the ledger"), self.engine.begin() as conn:
                size = self._lock_head(conn)
                coords = merkle.CompactRange.coords(size)
                edge = _SqlSnapshot(conn).read_hashes(coords)
                if len(edge) != len(coords):
                    raise StoreError("stored tree is missing a subtree of its right edge")
                tree = merkle.CompactRange(size, [edge[c] for c in coords])
                cols, done = _extend(tree, drafts)
                conn.execute(
                    events_t.insert(),
                    [dict(zip(("seq", "type", "leaf", "leaf_hash", "nodes"), r, strict=True))
                     for r in zip(*cols, strict=True)],
                )  # fmt: skip
                conn.execute(head_t.update().where(head_t.c.id == 1).values(size=tree.size))
            return done

    def _sqlite_append(self, raw: sqlite3.Connection, drafts: Sequence[EventDraft]) -> Acks:
        """BEGIN IMMEDIATE, check the head, insert every row at once, move the head, COMMIT."""
        try:
            raw.execute("BEGIN IMMEDIATE")
            try:
                head = raw.execute(_HEAD_SQL).fetchone()
                if head is None:
                    raise StoreError("ledger head row is missing: the database was tampered with")
                size, tail = int(head[0]), head[1] or b""
                tree = self._tree
                if tree is None or tree.size != size or self._tail != tail:
                    self._tree = None
                    tree = _sqlite_edge(raw, size)
                cols, done = _extend(tree, drafts)
                _sqlite_insert(raw, cols)
                raw.execute("UPDATE ledger_head SET size = ? WHERE id = 1", (tree.size,))
                raw.execute("COMMIT")
            except BaseException:
                self._tree = None  # the edge may have moved past what was stored
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"cannot append to the ledger: {exc}") from None
        self._tree, self._tail = tree, done.last_hash
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


_HEAD_SQL = (
    "SELECT h.size, e.leaf_hash FROM ledger_head h "
    "LEFT JOIN ledger_events e ON e.seq = h.size - 1 WHERE h.id = 1"
)
_INSERT_ROWS = 500
"""Rows per INSERT statement: 2,500 parameters, far below SQLite's limit of 32,766."""

Columns = tuple[range, list[str], list[bytes], list[bytes], list[bytes]]
"""One append's rows by column: seq, type, leaf, leaf_hash, nodes."""


@cache
def _insert_sql(rows: int) -> str:
    """One multi-row INSERT: a single statement step per chunk instead of one per row."""
    values = ",".join(["(?,?,?,?,?)"] * rows)  # only placeholders: no value enters the SQL
    return f"INSERT INTO ledger_events (seq, type, leaf, leaf_hash, nodes) VALUES {values}"  # noqa: S608


def _sqlite_insert(raw: sqlite3.Connection, cols: Columns) -> None:
    """Insert the rows ``cols`` holds, interleaving the columns into each statement's params.

    Blobs go in as ``bytearray``: the sqlite3 module binds that type directly, while ``bytes``
    first goes through its adapter lookup, which costs several times the copy.
    """
    seqs, types, *blobs = cols
    for start in range(0, len(seqs), _INSERT_ROWS):
        end = min(start + _INSERT_ROWS, len(seqs))
        params: list[object] = [None] * (5 * (end - start))
        params[0::5] = seqs[start:end]
        params[1::5] = types[start:end]
        for k, col in enumerate(blobs, 2):
            params[k::5] = map(bytearray, col[start:end])
        raw.execute(_insert_sql(end - start), params)


def _extend(tree: merkle.CompactRange, drafts: Sequence[EventDraft]) -> tuple[Columns, Acks]:
    """Place drafts after ``tree``: their rows (seq, type, leaf, leaf_hash, nodes) and acks.

    The hot loop of an append. Leaves are filled in as by :meth:`EventDraft.at` by C-level
    ``map``s; ``tree`` grows in place, each row keeping the subtree hashes its leaf completes
    (tested against :meth:`EventDraft.at` and :meth:`merkle.CompactRange.append`).
    """
    time = now_rfc3339()
    time_json = b'"%s"' % time.encode()  # RFC 8785 of a string of digits, "-", ":", ".", T, Z
    seqs = range(tree.size, tree.size + len(drafts))
    leaves = list(map(bytes.__mod__, map(_template_of, drafts), zip(seqs, repeat(time_json))))
    sha = hashlib.sha256
    hashes = [sha(b"\x00" + leaf).digest() for leaf in leaves]
    nodes = tree.extend(hashes)
    cols = (seqs, list(map(_type_of, drafts)), leaves, hashes, nodes)
    return cols, Acks(seqs.start, hashes, time)


_template_of = operator.attrgetter("_template")
_type_of = operator.attrgetter("_type")


class Acks(Sequence[Appended]):
    """The acknowledgements of one append, made into :class:`Appended` only when looked at."""

    __slots__ = ("_first", "_hashes", "_time")

    def __init__(self, first: int, hashes: list[bytes], time: str) -> None:
        self._first, self._hashes, self._time = first, hashes, time

    @property
    def last_hash(self) -> bytes:
        return self._hashes[-1]

    def __len__(self) -> int:
        return len(self._hashes)

    @overload
    def __getitem__(self, i: int) -> Appended: ...
    @overload
    def __getitem__(self, i: slice) -> list[Appended]: ...
    def __getitem__(self, i: int | slice) -> Appended | list[Appended]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        j = range(len(self._hashes))[i]  # IndexError and negative indices as for a list
        return Appended(self._first + j, self._hashes[j], self._time)

    def __repr__(self) -> str:
        return repr(list(self))


def _sqlite_edge(raw: sqlite3.Connection, size: int) -> merkle.CompactRange:
    """Read the right edge of the stored tree of ``size`` leaves: O(log n) rows by key."""
    coords = merkle.CompactRange.coords(size)
    want = [((i + 1) << lvl) - 1 for lvl, i in coords]
    marks = ",".join("?" * len(want))
    got = {
        s: (h, n)
        for s, h, n in raw.execute(
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
    return merkle.CompactRange(size, edge)


# group_concat appends rows in the order the scan visits them: a rowid range scan, in seq order.
# Were it ever otherwise the recomputed hashes would not match, and verification would fall back
# to the ordered row-by-row scan: never pass wrongly.
_PACKED_SQLITE = (
    "SELECT count(*), CAST(X'00' || group_concat(leaf, X'FF00') AS BLOB), "
    "CAST(group_concat(leaf_hash, '') AS BLOB), CAST(group_concat(nodes, '') AS BLOB) "
    "FROM ledger_events WHERE seq >= ? AND seq < ?"
)
_PACKED_PG = sa.text(
    "SELECT count(*), decode('00', 'hex') || string_agg(leaf, decode('ff00', 'hex') ORDER BY seq), "
    "string_agg(leaf_hash, ''::bytea ORDER BY seq), string_agg(nodes, ''::bytea ORDER BY seq) "
    "FROM ledger_events WHERE seq >= :a AND seq < :b"
)


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

    def seq_range(self) -> tuple[int | None, int | None]:
        """The smallest and largest stored seq (None when there are no rows), by index."""
        lo = self.conn.exec_driver_sql("SELECT min(seq) FROM ledger_events").scalar()
        hi = self.conn.exec_driver_sql("SELECT max(seq) FROM ledger_events").scalar()
        return lo, hi

    def packed(self, start: int, end: int) -> Packed:
        """Rows ``start <= seq < end`` folded by the database into four values, in seq order.

        (row count, ``0x00 || leaf`` of every row joined by 0xff, the leaf hashes concatenated,
        the nodes concatenated). Verification hashes the leaves straight out of the joined
        bytes, so a million rows cost a few dozen round trips rather than a million Python
        tuples, and each piece is already the RFC 6962 leaf-hash input. Canonical JSON is UTF-8,
        which never holds a 0xff byte, so splitting recovers each leaf; a leaf that does
        (tampered) breaks the count and sends the caller to :meth:`scan`.
        """
        if self.conn.dialect.name == "sqlite":
            cur = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                row = cur.execute(_PACKED_SQLITE, (start, end)).fetchone()
            finally:
                cur.close()
        else:
            row = tuple(self.conn.execute(_PACKED_PG, {"a": start, "b": end}).one())
        n, leaves, hashes, nodes = row
        return int(n), bytes(leaves or b""), bytes(hashes or b""), bytes(nodes or b"")

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


def open_store(url: str, origin: str | None = None) -> SqlStore:
    return SqlStore(url, origin)
