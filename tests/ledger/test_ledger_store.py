"""The ledger on a real SQLite file: append, proofs from storage, and every tamper case."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from signoff.errors import StoreError
from signoff.ledger import merkle
from signoff.ledger.events import Event, EventDraft, seq_marker
from signoff.ledger.service import Ledger, append_event

Draft = Callable[..., EventDraft]
Factory = Callable[..., Ledger]


@pytest.fixture
def filled(make_ledger: Factory, draft: Draft) -> Ledger:
    """30 events with a checkpoint every 10."""
    lg = make_ledger(checkpoint_every=10, checkpoint_seconds=0)
    lg.append_many([draft(i) for i in range(5)])
    for i in range(5, 30):
        lg.append(draft(i))
    return lg


def db(lg: Ledger) -> sqlite3.Connection:
    path = lg.url[len("sqlite:///") :]
    return sqlite3.connect(path, isolation_level=None)


@pytest.fixture
def raw(filled: Ledger) -> Iterator[sqlite3.Connection]:
    conn = db(filled)
    yield conn
    conn.close()


def leaf(conn: sqlite3.Connection, seq: int) -> bytes:
    row = conn.execute("SELECT leaf FROM ledger_events WHERE seq = ?", (seq,)).fetchone()
    return bytes(row[0])


def test_append_verify_and_stored_proofs(filled: Ledger) -> None:
    result = filled.verify()
    assert result.ok and result.size == 30 and result.checkpoints == 3
    hashes = [merkle.leaf_hash(e.canonical()) for e in filled.events(list(range(30)))]
    for size in range(1, 31):
        root = merkle.root_of(hashes[:size])
        for seq in range(size):
            p = filled.prove_inclusion(seq, size)
            assert p.root == root and p.leaf_hash == hashes[seq]
            merkle.verify_inclusion(seq, size, p.leaf_hash, p.path, root)
        for old in range(0, size + 1):
            c = filled.prove_consistency(old, size)
            merkle.verify_consistency(old, size, c.old_root, c.new_root, c.path)
    with pytest.raises(StoreError):
        filled.prove_inclusion(30)
    with pytest.raises(StoreError):
        filled.prove_consistency(5, 31)


def test_append_event_for_the_gate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gate.db'}"
    key = tmp_path / "gate.key"
    seq, lh = append_event(
        url, "decision.made", "signoff", {"commit": "a" * 40}, {"decision": "deny"},
        ["payload.decision"], key_path=key,
    )  # fmt: skip
    assert (seq, len(lh)) == (0, 32)
    assert append_event(url, "decision.made", "signoff", {}, {}, key_path=key)[0] == 1
    assert key.stat().st_mode & 0o777 == 0o600
    with Ledger(url, key_path=key) as lg:
        assert lg.events([0])[0].payload == {"decision": "deny"}
        lg.checkpoint()
        assert lg.verify().ok


def test_origin_is_pinned(filled: Ledger, make_ledger: Factory) -> None:
    with pytest.raises(StoreError, match="origin"):
        make_ledger(filled.url, origin="elsewhere.example/log")


def test_bad_url_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        Ledger("mysql://nope", key_path=tmp_path / "k")
    with pytest.raises(StoreError):
        Ledger(f"sqlite:///{tmp_path}", key_path=tmp_path / "k")  # a directory


def verdict(lg: Ledger, **kwargs: object) -> tuple[int | None, str]:
    result = lg.verify(**kwargs)  # type: ignore[arg-type]
    assert not result.ok, "tampering went unnoticed"
    return result.first_bad_seq, result.problem


def test_modified_payload(filled: Ledger, raw: sqlite3.Connection) -> None:
    data = leaf(raw, 17).replace(b'"allow"', b'"deny!"')
    raw.execute("UPDATE ledger_events SET leaf = ? WHERE seq = 17", (data,))
    assert verdict(filled) == (17, "seq 17: event bytes do not match the stored leaf hash")


def test_modified_payload_with_its_leaf_hash(filled: Ledger, raw: sqlite3.Connection) -> None:
    data = leaf(raw, 17).replace(b'"allow"', b'"deny!"')
    raw.execute(
        "UPDATE ledger_events SET leaf = ?, leaf_hash = ? WHERE seq = 17",
        (data, merkle.leaf_hash(data)),
    )
    seq, problem = verdict(filled)
    assert seq == 16 and "16..17" in problem  # the smallest stored subtree holding seq 17


def test_rewritten_history_is_caught_by_checkpoints(
    filled: Ledger, raw: sqlite3.Connection
) -> None:
    """An attacker who recomputes every stored hash still cannot re-sign the checkpoint."""
    leaves = [leaf(raw, s) for s in range(30)]
    leaves[23] = leaves[23].replace(b'"allow"', b'"deny!"')
    tree = merkle.CompactRange()
    for s, data in enumerate(leaves):
        lh = merkle.leaf_hash(data)
        nodes = b"".join(tree.append(lh))
        raw.execute(
            "UPDATE ledger_events SET leaf = ?, leaf_hash = ?, nodes = ? WHERE seq = ?",
            (data, lh, nodes, s),
        )
    seq, problem = verdict(filled)
    assert seq == 20 and "checkpoint for size 30" in problem


def test_deleted_row(filled: Ledger, raw: sqlite3.Connection) -> None:
    raw.execute("DELETE FROM ledger_events WHERE seq = 12")
    assert verdict(filled)[0] == 12


def test_inserted_row_at_the_end(filled: Ledger, raw: sqlite3.Connection) -> None:
    raw.execute(
        "INSERT INTO ledger_events SELECT 30, leaf, leaf_hash, nodes "
        "FROM ledger_events WHERE seq = 4"
    )
    seq, problem = verdict(filled)
    assert seq == 30 and "inserted" in problem


def test_inserted_row_in_the_middle(filled: Ledger, raw: sqlite3.Connection) -> None:
    raw.execute("UPDATE ledger_events SET seq = -seq - 1 WHERE seq >= 8")
    raw.execute("UPDATE ledger_events SET seq = -seq WHERE seq < 0")  # old 8 is now 9
    raw.execute(
        "INSERT INTO ledger_events SELECT 8, leaf, leaf_hash, nodes "
        "FROM ledger_events WHERE seq = 3"
    )
    raw.execute("UPDATE ledger_head SET size = 31")
    assert verdict(filled)[0] == 8


def test_reordered_rows(filled: Ledger, raw: sqlite3.Connection) -> None:
    raw.execute("UPDATE ledger_events SET seq = -1 WHERE seq = 6")
    raw.execute("UPDATE ledger_events SET seq = 6 WHERE seq = 7")
    raw.execute("UPDATE ledger_events SET seq = 7 WHERE seq = -1")
    seq, problem = verdict(filled)
    assert seq == 6 and "another position" in problem


def test_truncated_tail(filled: Ledger, raw: sqlite3.Connection) -> None:
    raw.execute("DELETE FROM ledger_events WHERE seq >= 25")
    assert verdict(filled)[0] == 25
    raw.execute("UPDATE ledger_head SET size = 25")
    seq, problem = verdict(filled)
    assert seq == 25 and "truncated or rolled back" in problem


def test_truncation_with_checkpoints_gone_needs_a_trusted_checkpoint(
    filled: Ledger, raw: sqlite3.Connection
) -> None:
    trusted = filled.checkpoint().note
    raw.execute("DELETE FROM ledger_events WHERE seq >= 15")
    raw.execute("DELETE FROM ledger_checkpoints WHERE size > 10")
    raw.execute("UPDATE ledger_head SET size = 15")
    assert filled.verify().ok  # internally consistent...
    seq, problem = verdict(filled, trusted_note=trusted)  # ...but not what was published
    assert seq == 15 and "trusted checkpoint covers 30" in problem


def test_rollback_to_a_backup(filled: Ledger, draft: Draft, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    with db(filled) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    filled.append_many([draft(i) for i in range(30, 40)])
    trusted = filled.checkpoint().note
    path = Path(filled.url[len("sqlite:///") :])
    filled.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.copy(backup, path)
    with Ledger(filled.url, key_path=filled.key_path) as rolled:
        assert rolled.verify().ok
        assert verdict(rolled, trusted_note=trusted)[0] == 30
        # A fork: the rolled-back log grows past the trusted size with different events.
        rolled.append_many([draft(i, forked=True) for i in range(30, 45)])
        seq, problem = verdict(rolled, trusted_note=trusted)
        assert seq == 30 and "rewritten at or after seq 30" in problem


def test_checkpoint_with_bad_signature(filled: Ledger, raw: sqlite3.Connection) -> None:
    note = raw.execute("SELECT note FROM ledger_checkpoints WHERE size = 20").fetchone()[0]
    sig = note.rsplit(" ", 1)[1]
    forged = note.replace(sig, ("A" if sig[0] != "A" else "B") + sig[1:5] + "A" + sig[6:])
    raw.execute("UPDATE ledger_checkpoints SET note = ? WHERE size = 20", (forged,))
    seq, problem = verdict(filled)
    assert seq == 19 and "checkpoint" in problem


def test_checkpoint_for_another_log(
    filled: Ledger, make_ledger: Factory, draft: Draft, tmp_path: Path
) -> None:
    other = make_ledger(
        f"sqlite:///{tmp_path / 'other.db'}", key_path=tmp_path / "other.key",
        origin="other.example/log",
    )  # fmt: skip
    other.append(draft(0))
    foreign = other.checkpoint().note
    seq, problem = verdict(filled, trusted_note=foreign)
    assert seq == 0 and "not signed by key" in problem
    # Same key, different origin: still refused.
    same_key = make_ledger(
        f"sqlite:///{tmp_path / 'third.db'}", key_path=filled.key_path,
        origin="third.example/log",
    )  # fmt: skip
    same_key.append(draft(0))
    assert "trusted checkpoint" in verdict(filled, trusted_note=same_key.checkpoint().note)[1]


def test_leaf_bytes_carry_their_seq(filled: Ledger) -> None:
    for e in filled.events([0, 7, 29]):
        data = e.canonical()
        assert data.endswith(seq_marker(e.seq), 0, data.rfind(b',"subjects":{'))
        assert Event.from_bytes(data) == e


def test_kill_9_loses_no_acknowledged_event(
    tmp_path: Path, appender: Callable[..., subprocess.Popen[str]]
) -> None:
    url, key = f"sqlite:///{tmp_path / 'crash.db'}", tmp_path / "crash.key"
    child = appender(url, key, -1, "crash")
    assert child.stdout is not None and child.stderr is not None
    acked: list[int] = []
    for line in child.stdout:
        acked.append(int(line))
        if len(acked) >= 120:
            break
    os.kill(child.pid, signal.SIGKILL)
    out, _ = child.communicate()
    acked += [int(x) for x in out.split()]
    assert child.returncode == -signal.SIGKILL
    with Ledger(url, key_path=key) as lg:
        size = lg.size()
        assert size >= len(acked) and set(acked) <= set(range(size))
        assert lg.verify().ok
        lg.append_many([lg.events([0])[0].draft])  # the log still extends cleanly
        assert lg.verify().ok


def test_two_processes_append_to_one_sqlite_file(
    tmp_path: Path, appender: Callable[..., subprocess.Popen[str]]
) -> None:
    url, key = f"sqlite:///{tmp_path / 'shared.db'}", tmp_path / "shared.key"
    Ledger(url, key_path=key).close()
    kids = [appender(url, key, 40, tag) for tag in ("a", "b")]
    acked: list[int] = []
    for kid in kids:
        out, err = kid.communicate(timeout=60)
        assert kid.returncode == 0, err
        acked += [int(x) for x in out.split()]
    with Ledger(url, key_path=key) as lg:
        assert sorted(acked) == list(range(lg.size()))
        assert lg.verify().ok


# -- the fast paths: cached right edge on append, chunked read-ahead on verify ------------------


def test_seq_is_the_sqlite_rowid(filled: Ledger, raw: sqlite3.Connection) -> None:
    plan = raw.execute(
        "EXPLAIN QUERY PLAN SELECT leaf FROM ledger_events WHERE seq >= 3"
    ).fetchall()
    assert "INTEGER PRIMARY KEY" in str(plan)
    assert raw.execute("PRAGMA index_list(ledger_events)").fetchall() == []


def test_sqlite_append_connection_is_durable(filled: Ledger) -> None:
    conn = filled.store._raw
    assert conn is not None
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_appenders_sharing_a_file_reload_the_edge(make_ledger: Factory, draft: Draft) -> None:
    """Each Ledger caches the tree's right edge; the head row tells it when another wrote."""
    a = make_ledger(checkpoint_every=0, checkpoint_seconds=0)
    b = make_ledger(a.url, checkpoint_every=0, checkpoint_seconds=0)
    hashes = []
    for i in range(23):
        lg, n = (a, 1) if i % 3 else (b, i % 4 + 1)
        hashes += [d.leaf_hash for d in lg.append_many([draft(i * 10 + j) for j in range(n)])]
    assert a.size() == b.size() == len(hashes)
    a.checkpoint()
    result = b.verify()
    assert result.ok and result.root == merkle.root_of(hashes), result.problem


def test_a_rolled_back_and_regrown_log_is_noticed_by_the_cached_edge(
    make_ledger: Factory, draft: Draft
) -> None:
    """Same size after a rollback and regrowth, different events: the last leaf hash differs."""
    a = make_ledger(checkpoint_every=0, checkpoint_seconds=0)
    a.append_many([draft(i) for i in range(12)])
    with closing(db(a)) as conn:
        conn.execute("DELETE FROM ledger_events WHERE seq >= 5")
        conn.execute("UPDATE ledger_head SET size = 5")
    b = make_ledger(a.url, checkpoint_every=0, checkpoint_seconds=0)
    b.append_many([draft(i, other=True) for i in range(5, 12)])
    a.append_many([draft(i) for i in range(12, 19)])  # a's cached edge is for the old 12
    a.checkpoint()
    result = a.verify()
    assert result.ok and result.size == 19, result.problem


def test_clean_verify_never_takes_the_slow_path(
    filled: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    from signoff.ledger import verify as service

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("slow path taken")

    for chunk in (1, 2, 3, 7, 16_384):
        monkeypatch.setattr(service, "CHUNK", chunk)
        monkeypatch.setattr(service, "check_rows", boom)
        assert filled.verify().ok


@pytest.mark.parametrize("chunk", [3, 8])
def test_small_chunks_find_the_same_first_bad_seq(
    filled: Ledger, raw: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    from signoff.ledger import verify as service

    monkeypatch.setattr(service, "CHUNK", chunk)
    data = leaf(raw, 17).replace(b'"allow"', b'"deny!"')
    raw.execute("UPDATE ledger_events SET leaf = ? WHERE seq = 17", (data,))
    assert verdict(filled) == (17, "seq 17: event bytes do not match the stored leaf hash")
    raw.execute("DELETE FROM ledger_events WHERE seq = 12")
    assert verdict(filled)[0] == 12


def test_modified_node_alone(filled: Ledger, raw: sqlite3.Connection) -> None:
    """Proofs read stored nodes, so verify must check every one, not only the roots."""
    nodes = bytes(raw.execute("SELECT nodes FROM ledger_events WHERE seq = 27").fetchone()[0])
    raw.execute("UPDATE ledger_events SET nodes = ? WHERE seq = 27", (nodes[:32] + b"\0" * 32,))
    seq, problem = verdict(filled)
    assert seq == 24 and "24..27" in problem


def test_modified_leaf_hash_alone(filled: Ledger, raw: sqlite3.Connection) -> None:
    raw.execute("UPDATE ledger_events SET leaf_hash = zeroblob(32) WHERE seq = 28")
    assert verdict(filled) == (28, "seq 28: event bytes do not match the stored leaf hash")


@pytest.mark.parametrize("junk", [b"\xff", b"\x00", b"\xff\x00"])
def test_leaf_with_separator_bytes(filled: Ledger, raw: sqlite3.Connection, junk: bytes) -> None:
    """verify joins leaves with 0xff 0x00 in the database; a leaf holding those is still caught."""
    data = leaf(raw, 9) + junk
    raw.execute(
        "UPDATE ledger_events SET leaf = ?, leaf_hash = ? WHERE seq = 9",
        (data, merkle.leaf_hash(data)),
    )
    seq, problem = verdict(filled)
    assert seq == 8 and "8..9" in problem


@pytest.mark.parametrize("signed_tail", [True, False])
def test_reordered_rows_with_every_hash_recomputed(
    filled: Ledger, raw: sqlite3.Connection, signed_tail: bool
) -> None:
    """Beyond the last signed size only the seq inside each event pins its position."""
    if not signed_tail:
        raw.execute("DELETE FROM ledger_checkpoints WHERE size > 20")
    leaves = [leaf(raw, s) for s in range(30)]
    leaves[25], leaves[26] = leaves[26], leaves[25]
    tree = merkle.CompactRange()
    for s, data in enumerate(leaves):
        lh = merkle.leaf_hash(data)
        raw.execute(
            "UPDATE ledger_events SET leaf = ?, leaf_hash = ?, nodes = ? WHERE seq = ?",
            (data, lh, b"".join(tree.append(lh)), s),
        )
    seq, problem = verdict(filled)
    assert seq == 25 and "another position" in problem


def test_a_batch_spanning_several_insert_statements_is_stored_exactly(
    make_ledger: Factory, draft: Draft
) -> None:
    """SQLite inserts 500 rows per statement; a batch of 1,234 crosses two boundaries."""
    lg = make_ledger(checkpoint_every=0, checkpoint_seconds=0)
    lg.append_many([draft(i) for i in range(3)])
    drafts = [draft(i) for i in range(3, 1237)]
    done = lg.append_many(drafts)
    assert [a.seq for a in done] == list(range(3, 1237))
    with closing(db(lg)) as conn:
        rows = conn.execute(
            "SELECT seq, json_extract(leaf, '$.type'), leaf, leaf_hash, typeof(nodes) "
            "FROM ledger_events WHERE seq >= 3"
        ).fetchall()
    assert [r[0] for r in rows] == list(range(3, 1237))
    assert {r[1] for r in rows} == {d.type.value for d in drafts}
    assert [r[2] for r in rows] == [d.at(a.seq, a.time) for d, a in zip(drafts, done, strict=True)]
    assert [r[3] for r in rows] == [merkle.leaf_hash(r[2]) for r in rows]
    assert [r[3] for r in rows] == [a.leaf_hash for a in done]
    assert {r[4] for r in rows} == {"blob"}
    lg.checkpoint()
    result = lg.verify()
    assert result.ok and result.size == 1237, result.problem
