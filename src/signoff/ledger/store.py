"""Ledger storage: durable, serialised appends on SQLite or PostgreSQL (SQLAlchemy Core).

An append places its events after the head, extends the Merkle tree, and, when the checkpoint
policy says one is due, signs the new tree head and stores the checkpoint in the same
transaction: one commit, one fsync, and no stored checkpoint is ever read to write the next one.
Reads go through `signoff.ledger.snapshot`; the tables are in `signoff.ledger.schema`.
"""

from __future__ import annotations

import hashlib
import operator
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import NamedTuple, overload

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection

from signoff.errors import StoreError
from signoff.ledger import merkle
from signoff.ledger.checkpoint import Checkpoint
from signoff.ledger.events import EventDraft, now_rfc3339
from signoff.ledger.schema import (
    PG_LOCK_KEY,
    checkpoints_t,
    current_revision,
    db_errors,
    engine_url,
    events_t,
    head_t,
    meta_t,
    migrate,
    sqlite_begin,
    sqlite_connect,
)
from signoff.ledger.snapshot import SqlSnapshot, StoredCheckpoint, epoch
from signoff.redact import redact_url


class Appended(NamedTuple):
    """An acknowledged event: committed durably before this is returned."""

    seq: int
    leaf_hash: bytes
    time: str


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """When an append also signs a checkpoint: every `every` events, or `seconds` after the last."""

    every: int
    seconds: float
    sign: Callable[[Checkpoint], str]

    def due(self, old_size: int, new_size: int, since_last: Callable[[], float]) -> bool:
        if self.every > 0 and new_size // self.every > old_size // self.every:
            return True
        return self.seconds > 0 and since_last() >= self.seconds


class SqlStore:
    """SQLite (WAL, synchronous=FULL, BEGIN IMMEDIATE) or PostgreSQL (row lock on the head).

    SQLite appends run on one driver connection kept open for the store's life, and the tree's
    right edge stays cached between appends: inside ``BEGIN IMMEDIATE`` (which excludes every
    other writer) one read of the head row and the last leaf hash tells whether anyone else
    appended since; only then is the edge read again.
    """

    def __init__(self, url: str, origin: str | None = None, *, create: bool = True) -> None:
        self.url = url
        sa_url = engine_url(url)
        self.is_sqlite = sa_url.startswith("sqlite")
        self._lock = threading.Lock()
        self._raw: sqlite3.Connection | None = None
        self._tree: merkle.CompactRange | None = None  # cached right edge (SQLite appends)
        self._tail = b""  # the leaf hash of the last event under the cached edge
        self._last_checkpoint: float | None = None  # epoch seconds, read once when needed
        path = Path(sa_url[len("sqlite:///") :]) if self.is_sqlite else None
        if path is not None and not create and not path.is_file():
            raise StoreError(f"no ledger at {path}")
        with db_errors(f"cannot open ledger {redact_url(url)}"):
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.engine = sa.create_engine(
                    sa_url, connect_args={"timeout": 60, "check_same_thread": False}
                )  # a snapshot's connection is handed to verify's reader thread
                sa_event.listen(self.engine, "connect", sqlite_connect)
                sa_event.listen(self.engine, "begin", sqlite_begin)
            else:
                self.engine = sa.create_engine(sa_url, pool_pre_ping=True)
        try:
            with db_errors(f"cannot open ledger {redact_url(url)}"):
                if not create and current_revision(self.engine) is None:
                    raise StoreError(f"no ledger in {redact_url(url)}")
                migrate(self.engine, self.is_sqlite)
                self.origin = self._init_origin(origin)
            if path is not None:
                self._raw = _raw_sqlite(path, url)
        except BaseException:
            self.close()
            raise

    def _init_origin(self, wanted: str | None) -> str:
        from signoff.ledger.keys import DEFAULT_ORIGIN

        with self.engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises first opens
            if not self.is_sqlite:  # two processes creating one log must not both insert it
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
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

    def append(
        self, drafts: Sequence[EventDraft], checkpoints: CheckpointPolicy | None = None
    ) -> Acks:
        """Append drafts as consecutive events in one transaction; return after commit."""
        if not drafts:
            return Acks(0, [], "")
        with self._lock:
            if self._raw is not None:
                return self._sqlite_append(self._raw, drafts, checkpoints)
            with db_errors("cannot append to the ledger"), self.engine.begin() as conn:
                size = self._lock_head(conn)
                coords = merkle.CompactRange.coords(size)
                edge = SqlSnapshot(conn).read_hashes(coords)
                if len(edge) != len(coords):
                    raise StoreError("stored tree is missing a subtree of its right edge")
                tree = merkle.CompactRange(size, [edge[c] for c in coords])
                cols, done = _extend(tree, drafts)
                conn.execute(
                    events_t.insert(),
                    [dict(zip(("seq", "leaf", "leaf_hash", "nodes"), r, strict=True))
                     for r in zip(*cols, strict=True)],
                )  # fmt: skip
                conn.execute(head_t.update().where(head_t.c.id == 1).values(size=tree.size))
                row = self._due(checkpoints, size, tree, lambda: _latest_time(conn))
                if row is not None:
                    conn.execute(
                        checkpoints_t.insert().values(dict(zip(_CP_COLS, row, strict=True)))
                    )
            self._checkpointed(row)
            return done

    def _sqlite_append(
        self,
        raw: sqlite3.Connection,
        drafts: Sequence[EventDraft],
        checkpoints: CheckpointPolicy | None,
    ) -> Acks:
        """BEGIN IMMEDIATE, check the head, insert every row at once, move the head, maybe sign
        a checkpoint, COMMIT."""
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
                row = self._due(checkpoints, size, tree, lambda: _latest_time_raw(raw))
                if row is not None:
                    raw.execute(_INSERT_CP, row)
                raw.execute("COMMIT")
            except BaseException:
                self._tree = None  # the edge may have moved past what was stored
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"cannot append to the ledger: {exc}") from None
        self._tree, self._tail = tree, done.last_hash
        self._checkpointed(row)
        return done

    def _due(
        self,
        policy: CheckpointPolicy | None,
        old_size: int,
        tree: merkle.CompactRange,
        latest: Callable[[], str | None],
    ) -> tuple[int, bytes, str, str] | None:
        """The checkpoint row to store with this append, if the policy says one is due."""
        if policy is None:
            return None

        def since_last() -> float:
            if self._last_checkpoint is None:
                created = latest()
                self._last_checkpoint = epoch(created) if created else 0.0
            return time.time() - self._last_checkpoint

        if not policy.due(old_size, tree.size, since_last):
            return None
        cp = Checkpoint(self.origin, tree.size, tree.root())
        return (tree.size, cp.root, policy.sign(cp), now_rfc3339())

    def _checkpointed(self, row: tuple[int, bytes, str, str] | None) -> None:
        if row is not None:
            self._last_checkpoint = time.time()

    def add_checkpoint(self, sign: Callable[[Checkpoint], str]) -> StoredCheckpoint:
        """Sign the current tree head and store it; reuse the latest if the tree has not grown."""
        with self._lock, db_errors("cannot write a checkpoint"), self.engine.begin() as conn:
            size = self._lock_head(conn)
            snap = SqlSnapshot(conn)
            last = snap.latest_checkpoint()
            if last is not None and last.size == size:
                return last
            cp = Checkpoint(self.origin, size, merkle.root_at(size, snap.read_hashes))
            note, created = sign(cp), now_rfc3339()
            ins = checkpoints_t.insert().values(size=size, root=cp.root, note=note, created=created)
            new_id = conn.execute(ins).inserted_primary_key
        self._last_checkpoint = time.time()
        return StoredCheckpoint(int(new_id[0]) if new_id else 0, size, cp.root, note, created)

    @contextmanager
    def snapshot(self) -> Iterator[SqlSnapshot]:
        """A read transaction: a deferred one in SQLite, REPEATABLE READ in PostgreSQL."""
        with db_errors("cannot read the ledger"), self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(ledger_read=True)
            else:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield SqlSnapshot(conn)


def _raw_sqlite(path: Path, url: str) -> sqlite3.Connection:
    try:
        raw = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open ledger {redact_url(url)}: {exc}") from None
    sqlite_connect(raw, None)
    return raw


_HEAD_SQL = (
    "SELECT h.size, e.leaf_hash FROM ledger_head h "
    "LEFT JOIN ledger_events e ON e.seq = h.size - 1 WHERE h.id = 1"
)
_CP_COLS = ("size", "root", "note", "created")
_INSERT_CP = "INSERT INTO ledger_checkpoints (size, root, note, created) VALUES (?, ?, ?, ?)"
_LATEST_CP = "SELECT created FROM ledger_checkpoints ORDER BY id DESC LIMIT 1"
_INSERT_ROWS = 500
"""Rows per INSERT statement: 2,000 parameters, far below SQLite's limit of 32,766."""

Columns = tuple[range, list[bytes], list[bytes], list[bytes]]
"""One append's rows by column: seq, leaf, leaf_hash, nodes."""


def _latest_time(conn: Connection) -> str | None:
    value = conn.exec_driver_sql(_LATEST_CP).scalar()
    return str(value) if value is not None else None


def _latest_time_raw(raw: sqlite3.Connection) -> str | None:
    row = raw.execute(_LATEST_CP).fetchone()
    return str(row[0]) if row else None


@cache
def _insert_sql(rows: int) -> str:
    """One multi-row INSERT: a single statement step per chunk instead of one per row."""
    values = ",".join(["(?,?,?,?)"] * rows)  # only placeholders: no value enters the SQL
    return f"INSERT INTO ledger_events (seq, leaf, leaf_hash, nodes) VALUES {values}"  # noqa: S608


def _sqlite_insert(raw: sqlite3.Connection, cols: Columns) -> None:
    """Insert the rows ``cols`` holds, interleaving the columns into each statement's params.

    Blobs go in as ``bytearray``: the sqlite3 module binds that type directly, while ``bytes``
    first goes through its adapter lookup, which costs several times the copy.
    """
    seqs, *blobs = cols
    for start in range(0, len(seqs), _INSERT_ROWS):
        end = min(start + _INSERT_ROWS, len(seqs))
        params: list[object] = [None] * (4 * (end - start))
        params[0::4] = seqs[start:end]
        for k, col in enumerate(blobs, 1):
            params[k::4] = map(bytearray, col[start:end])
        raw.execute(_insert_sql(end - start), params)


def _extend(tree: merkle.CompactRange, drafts: Sequence[EventDraft]) -> tuple[Columns, Acks]:
    """Place drafts after ``tree``: their rows (seq, leaf, leaf_hash, nodes) and acks.

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
    return (seqs, leaves, hashes, nodes), Acks(seqs.start, hashes, time)


_template_of = operator.attrgetter("_template")


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
