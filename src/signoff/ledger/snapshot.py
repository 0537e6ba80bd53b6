"""Reading the ledger inside one read transaction (`SqlStore.snapshot()`).

Reads a caller sees (`leaves`, `recent`, `scan(end=size)`) cover only the log's positions,
0 <= seq < size: a row stored anywhere else is no event of this log, and `ledger verify` reports
it. Verification alone reads everything (`seq_range`, `scan` without an end).

SQLite reads run on the driver connection itself (SQLAlchemy's per-row machinery costs more than
the query); PostgreSQL reads go through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from signoff.errors import StoreError
from signoff.ledger import merkle
from signoff.ledger.events import Event, EventType

Row = tuple[int, bytes, bytes, bytes]
"""(seq, leaf bytes, leaf hash, node hashes completed by this leaf)."""
Packed = tuple[int, int, bytes, bytes, bytes]
"""(row count, rows whose hashes have the wrong length, the leaves joined by separators, leaf
hashes, nodes), in seq order."""


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root: bytes
    note: str
    created: str


def epoch(rfc3339: str) -> float:
    """Seconds since the epoch of a time the ledger wrote (0.0 if it cannot be read)."""
    try:
        return datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
    except ValueError:
        return 0.0


# group_concat appends rows in the order the scan visits them: a rowid range scan, in seq order.
# Were it ever otherwise the recomputed hashes would not match, and verification would fall back
# to the ordered row-by-row scan: never pass wrongly.
_PACKED_SQLITE = (
    "SELECT count(*), sum(length(leaf_hash) != 32 OR length(nodes) % 32 != 0 "
    "OR (1 << min(length(nodes) / 32 + 1, 62)) - 1 != (seq | (seq + 1)) - (seq & (seq + 1))), "
    "CAST(group_concat(leaf, X'FF00') AS BLOB), "
    "CAST(group_concat(leaf_hash, '') AS BLOB), CAST(group_concat(nodes, '') AS BLOB) "
    "FROM ledger_events WHERE seq >= ? AND seq < ?"
)  # (a | b) - (a & b) is a XOR b, which SQLite lacks
_PACKED_PG = (
    "SELECT count(*), sum(CASE WHEN length(leaf_hash) <> 32 OR length(nodes) %% 32 <> 0 "
    "OR (1::bigint << least(length(nodes) / 32 + 1, 62)) - 1 <> (seq # (seq + 1)) "
    "THEN 1 ELSE 0 END), "
    "string_agg(leaf, decode('ff00', 'hex') ORDER BY seq), "
    "string_agg(leaf_hash, ''::bytea ORDER BY seq), string_agg(nodes, ''::bytea ORDER BY seq) "
    "FROM ledger_events WHERE seq >= %(a)s AND seq < %(b)s"
)
_CHECKPOINT_COLS = "SELECT id, size, root, note, created FROM ledger_checkpoints"


def _checkpoint(row: Sequence[Any]) -> StoredCheckpoint:
    i, size, root, note, created = row
    return StoredCheckpoint(int(i), int(size), bytes(root), str(note), str(created))


class SqlSnapshot:
    """One consistent read-only view of the ledger."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._sqlite = conn.dialect.name == "sqlite"

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        """Rows of a plain SQL statement (qmark parameters in SQLite, pyformat in PostgreSQL)."""
        if self._sqlite:
            cur = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                rows: list[Any] = cur.execute(sql, params).fetchall()
            finally:
                cur.close()
            return rows
        return [tuple(r) for r in self.conn.exec_driver_sql(sql, params)]

    def size(self) -> int:
        rows = self._rows("SELECT size FROM ledger_head WHERE id = 1")
        if not rows:
            raise StoreError("ledger head row is missing: the database was tampered with")
        return int(rows[0][0])

    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, smallest tree first (verification checks them all)."""
        rows = self._rows(f"{_CHECKPOINT_COLS} ORDER BY size, id")
        return [_checkpoint(row) for row in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The most recently stored checkpoint: one row by primary key, however many exist."""
        rows = self._rows(f"{_CHECKPOINT_COLS} ORDER BY id DESC LIMIT 1")
        return _checkpoint(rows[0]) if rows else None

    def scan(
        self, start: int = 0, end: int | None = None, batch: int = 20_000
    ) -> Generator[list[Row], None, None]:
        """Rows from ``start`` (to ``end``, when given) in seq order, in batches."""
        q = f"SELECT seq, leaf, leaf_hash, nodes FROM ledger_events WHERE seq >= {int(start)}"  # noqa: S608
        if end is not None:
            q += f" AND seq < {int(end)}"
        q += " ORDER BY seq"
        if self._sqlite:  # the driver's tuples directly: 2x faster
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
        [(lo, hi)] = self._rows("SELECT min(seq), max(seq) FROM ledger_events")
        return lo, hi

    def packed(self, start: int, end: int) -> Packed:
        """Rows ``start <= seq < end`` folded by the database into five values, in seq order.

        (row count, the rows whose leaf hash is not 32 bytes or whose nodes are not the 32
        bytes per level that the row's seq completes, every leaf joined, the leaf hashes
        concatenated, the nodes concatenated). With the lengths checked row by row, the
        concatenations compared as wholes check every row's own hashes: none can move into a
        neighbour. Each leaf after the first is preceded by ``0xff 0x00``, so splitting at 0xff
        (and putting 0x00 before the first) recovers each leaf as ``0x00 || leaf``, the RFC
        6962 leaf-hash input: a million rows cost a few dozen round trips rather than a million
        Python tuples. Canonical JSON is UTF-8, which never holds a 0xff byte; a leaf that does
        (tampered) breaks the count and sends the caller to the row-by-row check. (Putting the
        0x00 before the first leaf in SQL, ``X'00' || group_concat(...)``, costs SQLite more
        than the whole split.)
        """
        if self._sqlite:
            [row] = self._rows(_PACKED_SQLITE, (start, end))
        else:
            [row] = self._rows(_PACKED_PG, {"a": start, "b": end})
        n, misfits, leaves, hashes, nodes = row
        return (int(n), int(misfits or 0), bytes(leaves or b""), bytes(hashes or b""),
                bytes(nodes or b""))  # fmt: skip

    def read_hashes(self, coords: Sequence[merkle.Coord]) -> dict[merkle.Coord, bytes]:
        """The stored hash of each complete subtree asked for, in one query by primary key."""
        out: dict[merkle.Coord, bytes] = {}
        if not coords:
            return out
        want = sorted({((i + 1) << lvl) - 1 for lvl, i in coords})
        if self._sqlite:
            marks = ",".join("?" * len(want))
            sql = f"SELECT seq, leaf_hash, nodes FROM ledger_events WHERE seq IN ({marks})"  # noqa: S608
            rows = self._rows(sql, want)
        else:
            sql = "SELECT seq, leaf_hash, nodes FROM ledger_events WHERE seq = ANY(%(w)s)"
            rows = self._rows(sql, {"w": want})
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
        """The stored bytes of each asked-for event inside the log (0 <= seq < size)."""
        size = self.size()
        wanted = sorted({s for s in seqs if 0 <= s < size})
        if not wanted:
            return {}
        out: dict[int, bytes] = {}
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            if self._sqlite:
                marks = ",".join("?" * len(part))
                sql = f"SELECT seq, leaf FROM ledger_events WHERE seq IN ({marks})"  # noqa: S608
                rows = self._rows(sql, part)
            else:
                rows = self._rows("SELECT seq, leaf FROM ledger_events WHERE seq = ANY(%(w)s)",
                                  {"w": part})  # fmt: skip
            out.update((int(s), bytes(leaf)) for s, leaf in rows)
        return out

    def recent(self, limit: int, type_: EventType | None) -> list[Event]:
        """The newest ``limit`` events (of ``type_``, read from each event itself), oldest first."""
        found: list[Event] = []
        top = self.size()
        while top > 0 and len(found) < limit:
            start = max(0, top - max(limit, 1000))
            rows = self._rows(
                f"SELECT seq, leaf FROM ledger_events WHERE seq >= {start} AND seq < {top} "  # noqa: S608
                "ORDER BY seq DESC"
            )
            for _, leaf in rows:
                e = Event.from_bytes(bytes(leaf))
                if type_ is None or e.type is type_:
                    found.append(e)
                    if len(found) == limit:
                        break
            top = start
        return found[::-1]
