"""Tampering the earlier checks missed, on SQLite and PostgreSQL (issue items 2 and 3).

- a forged row stored at a negative seq was never verified yet was listed as a log event;
- the `type` column was never checked against the event (now the type lives only in the leaf);
- `ledger verify` of a path that does not exist created an empty log and said ok;
- a non-UTF-8 trusted checkpoint was a traceback; signed notes were read more laxly than
  c2sp.org/signed-note allows.
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pg import fresh_database

from signoff.ledger import schema
from signoff.ledger.checkpoint import Checkpoint, CheckpointError, Signer, open_checkpoint
from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.keys import load_or_create_key
from signoff.ledger.service import Ledger

Cli = Callable[[list[str]], tuple[int, str, str]]
FORGED = EventDraft(EventType.APPROVAL_GIVEN, "alice@example.com", {"commit": "f" * 40}, {})


def sql_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    with fresh_database("signoff_tamper") as url:
        yield url


def execute(url: str, sql: str, **params: object) -> None:
    engine = sa.create_engine(sql_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql), params)
    finally:
        engine.dispose()


def filled(url: str, key: Path, n: int = 12) -> Ledger:
    lg = Ledger(url, key_path=key, checkpoint_every=5)
    lg.append_many([EventDraft(EventType.DECISION_MADE, "signoff-gate", {"i": str(i)}, {})
                    for i in range(n)])  # fmt: skip
    return lg


def test_a_row_at_a_negative_seq_is_caught_and_never_listed(backend: str, tmp_path: Path) -> None:
    with filled(backend, tmp_path / "k") as lg:
        leaf = FORGED.at(-1, "2026-01-01T00:00:00.000000Z")
        execute(
            backend,
            "INSERT INTO ledger_events (seq, leaf, leaf_hash, nodes) VALUES (-1, :l, :h, :n)",
            l=leaf, h=b"\0" * 32, n=b"",
        )  # fmt: skip
        assert [e.type for e in lg.recent(50)] == [EventType.DECISION_MADE] * 12
        assert lg.recent(50, EventType.APPROVAL_GIVEN) == []
        assert lg.find(f"commit={'f' * 40}") == []
        with pytest.raises(Exception, match="no event with seq -1"):
            lg.events([-1])
        result = lg.verify()
        assert not result.ok and result.first_bad_seq == -1
        assert "outside the log" in result.problem


def test_rows_beyond_the_head_are_not_listed(backend: str, tmp_path: Path) -> None:
    with filled(backend, tmp_path / "k") as lg:
        leaf = FORGED.at(12, "2026-01-01T00:00:00.000000Z")
        execute(
            backend,
            "INSERT INTO ledger_events (seq, leaf, leaf_hash, nodes) VALUES (12, :l, :h, :n)",
            l=leaf, h=b"\0" * 32, n=b"",
        )  # fmt: skip
        assert lg.recent(50, EventType.APPROVAL_GIVEN) == []
        assert lg.size() == 12 and len(lg.recent(50)) == 12
        assert not lg.verify().ok


def test_the_event_type_is_read_from_the_event_itself(backend: str, tmp_path: Path) -> None:
    with filled(backend, tmp_path / "k") as lg:
        lg.append(FORGED)
        engine = sa.create_engine(sql_url(backend))
        try:
            cols = {c["name"] for c in sa.inspect(engine).get_columns("ledger_events")}
        finally:
            engine.dispose()
        assert cols == {"seq", "leaf", "leaf_hash", "nodes"}  # no copy that could disagree
        [approval] = lg.recent(50, EventType.APPROVAL_GIVEN)
        assert approval.seq == 12
        assert [e.seq for e in lg.recent(3, EventType.DECISION_MADE)] == [9, 10, 11]


def test_a_ledger_of_the_first_schema_is_upgraded_and_still_verifies(
    backend: str, tmp_path: Path
) -> None:
    source = Ledger(f"sqlite:///{tmp_path / 'src.db'}", key_path=tmp_path / "k")
    source.append_many([EventDraft(EventType.TASK_REQUESTED, "a", {"i": str(i)}, {})
                        for i in range(9)])  # fmt: skip
    source.checkpoint()
    src = sqlite3.connect(tmp_path / "src.db")
    rows = src.execute("SELECT seq, leaf, leaf_hash, nodes FROM ledger_events").fetchall()
    cps = src.execute("SELECT size, root, note, created FROM ledger_checkpoints").fetchall()
    src.close()
    source.close()
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(schema.__file__).parent / "migrations"))
    engine = sa.create_engine(sql_url(backend))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            conn.execute(
                sa.text("INSERT INTO ledger_meta VALUES ('origin', 'signoff.local/ledger')")
            )
            old_row = "INSERT INTO ledger_events VALUES (:s, :t, :l, :h, :n)"  # with `type`
            for seq, leaf, lh, nodes in rows:
                values = {"s": seq, "t": "task.requested", "l": leaf, "h": lh, "n": nodes}
                conn.execute(sa.text(old_row), values)
            cp_row = (
                "INSERT INTO ledger_checkpoints (size, root, note, created) VALUES (:s, :r, :n, :c)"
            )
            for size, root, note, created in cps:
                conn.execute(sa.text(cp_row), {"s": size, "r": root, "n": note, "c": created})
            conn.execute(sa.text("UPDATE ledger_head SET size = 9"))
    finally:
        engine.dispose()
    with Ledger(backend, key_path=tmp_path / "k") as lg:
        result = lg.verify()
        assert result.ok and result.size == 9 and result.checkpoints == 1, result.problem
        assert len(lg.recent(20, EventType.TASK_REQUESTED)) == 9


def test_reading_a_ledger_that_is_not_there_creates_nothing(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "ledger.db"
    for argv in (["verify"], ["show"], ["prove", "0"], ["checkpoint"], ["public-key"]):
        code, out, err = cli(["ledger", *argv, "--ledger", f"sqlite:///{missing}"])
        assert code == 2 and f"no ledger at {missing}" in err and not out, argv
        assert len(err.strip().splitlines()) == 1
    assert not missing.exists() and not missing.parent.exists()
    assert not (tmp_path / "typo" / "ledger.key").exists()


@pytest.mark.postgres
def test_reading_an_empty_postgres_database_is_refused(cli: Cli) -> None:
    with fresh_database("signoff_empty") as url:
        code, _, err = cli(["ledger", "verify", "--ledger", url])
        assert code == 2 and "no ledger in" in err
        engine = sa.create_engine(sql_url(url))
        try:
            assert not sa.inspect(engine).has_table("ledger_events")
        finally:
            engine.dispose()


def test_a_trusted_checkpoint_that_is_not_utf8_is_one_line(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    assert (
        cli(["ledger", "append", "--ledger", url, "--type", "config.changed", "--actor", "a"])[0]
        == 0
    )
    bad = tmp_path / "note.bin"
    bad.write_bytes(b"signoff.local/ledger\n1\n\xff\xfe\n")
    code, _, err = cli(["ledger", "verify", "--ledger", url, "--trusted-checkpoint", str(bad)])
    assert code == 2 and "not UTF-8 at byte 23" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.fixture
def signer(tmp_path: Path) -> Signer:
    return Signer("example.com/log", load_or_create_key(tmp_path / "note.key"))


def note_for(signer: Signer) -> str:
    return Checkpoint("example.com/log", 3, b"\x01" * 32).sign(signer)


def test_a_good_note_opens(signer: Signer) -> None:
    assert open_checkpoint(note_for(signer), signer.verifier).size == 3


def _sig_line(name: str, raw: bytes) -> str:
    return f"\u2014 {name} {base64.b64encode(raw).decode()}\n"


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda n, s: n.replace("\n3\n", "\r\n3\n", 1), "control character U\\+000D"),
        (lambda n, s: n.replace("example.com/log\n", "example.com/log\t\n", 1), "U\\+0009"),
        (lambda n, s: n + _sig_line(s.name, s.verifier.key_id + b"\0" * 64), "bad signature"),
        (lambda n, s: n + _sig_line("x\u00a0y", b"12345"), "malformed signature line"),
        (
            lambda n, s: n + "".join(_sig_line(f"k{i}", b"12345") for i in range(100)),
            "more than 100 signatures",
        ),
        (lambda n, s: n + _sig_line("other", b"1234"), "too short"),
        (lambda n, s: n.replace(" ", "  ", 1), "malformed signature line"),
    ],
)
def test_signed_note_rules(signer: Signer, mutate: object, error: str) -> None:
    note = mutate(note_for(signer), signer)  # type: ignore[operator]
    with pytest.raises(CheckpointError, match=error):
        open_checkpoint(note, signer.verifier)


def test_a_failing_known_signature_rejects_the_note_even_beside_a_good_one(signer: Signer) -> None:
    note = note_for(signer)
    forged = note + _sig_line(signer.name, signer.verifier.key_id + b"\x07" * 64)
    with pytest.raises(CheckpointError, match=r"bad signature by key example\.com/log"):
        open_checkpoint(forged, signer.verifier)
    # a signature by another key (same name, other id) is ignored, as the spec requires
    other = note + _sig_line(signer.name, b"\xde\xad\xbe\xef" + b"\x07" * 64)
    assert open_checkpoint(other, signer.verifier).size == 3


def test_checkpoint_extension_lines_must_not_be_empty(signer: Signer) -> None:
    body = "example.com/log\n3\n" + base64.b64encode(b"\x01" * 32).decode() + "\next\n"
    assert open_checkpoint(signer.sign(body), signer.verifier).size == 3
    with pytest.raises(CheckpointError, match="extension lines"):
        Checkpoint.parse_body(body.replace("\next\n", "\n\next\n"))


def test_checkpoints_are_signed_in_the_append_and_read_nothing_stored(
    tmp_path: Path,
) -> None:
    """O(1) checkpoints: the append that makes one due signs it in its own transaction, from the
    tree it just grew; no stored checkpoint is read to write the next one."""
    with Ledger(f"sqlite:///{tmp_path / 'l.db'}", key_path=tmp_path / "k",
                checkpoint_every=5, checkpoint_seconds=0) as lg:  # fmt: skip
        statements: list[str] = []
        assert lg.store._raw is not None
        lg.store._raw.set_trace_callback(statements.append)
        for i in range(12):
            lg.append_many([EventDraft(EventType.CONFIG_CHANGED, "a", {"i": str(i)}, {})] * 2)
        lg.store._raw.set_trace_callback(None)
        with lg.store.snapshot() as snap:
            sizes = [cp.size for cp in snap.checkpoints()]
        assert sizes == [6, 10, 16, 20]  # the appends that crossed a multiple of 5
        reads = [s for s in statements if "ledger_checkpoints" in s and not s.startswith("INSERT")]
        assert reads == []
        commits = [s for s in statements if s == "COMMIT"]
        assert len(commits) == 12  # one transaction per append, checkpoint included
        assert lg.verify().ok


def test_an_append_whose_checkpoint_cannot_be_signed_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("x")
    url = f"sqlite:///{tmp_path / 'l.db'}"
    draft = EventDraft(EventType.CONFIG_CHANGED, "a", {}, {})
    with Ledger(url, key_path=tmp_path / "not-a-dir" / "k", checkpoint_every=3,
                checkpoint_seconds=0) as lg:  # fmt: skip
        lg.append_many([draft] * 2)  # no checkpoint due yet: no key needed
        with pytest.raises(Exception, match="key"):
            lg.append_many([draft] * 2)  # due at 3: the key cannot be created
        assert lg.size() == 2
    with Ledger(url, key_path=tmp_path / "k", checkpoint_every=3, checkpoint_seconds=0) as lg:
        lg.append_many([draft] * 2)
        assert lg.size() == 4 and lg.verify().ok


def shift(url: str, column: str, seq: int, by: int) -> None:
    """Move ``by`` bytes of ``column`` from row ``seq + 1`` to the end of row ``seq``: the
    column's bytes over all rows, joined in seq order, stay exactly the same."""
    engine = sa.create_engine(sql_url(url))
    try:
        with engine.begin() as conn:
            q = sa.text(f"SELECT {column} FROM ledger_events WHERE seq = :s")
            a, b = (bytes(conn.execute(q, {"s": s}).scalar_one()) for s in (seq, seq + 1))
            if by < 0:  # move the tail of row seq to the front of row seq + 1
                a, b = a[:by], a[by:] + b
            else:
                a, b = a + b[:by], b[by:]
            update = sa.text(f"UPDATE ledger_events SET {column} = :v WHERE seq = :s")
            conn.execute(update, [{"v": a, "s": seq}, {"v": b, "s": seq + 1}])
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("column", "seq", "by", "bad_seq", "problem"),
    [
        # seq 1's level-1 node (leaves 0..1) moved into seq 2's empty nodes
        ("nodes", 1, -32, 0, "seq 0..1: stored subtree hash (level 1) does not match"),
        # one byte of seq 4's leaf hash moved onto seq 3's
        ("leaf_hash", 3, 1, 3, "seq 3: event bytes do not match the stored leaf hash"),
    ],
)
def test_stored_hashes_shifted_between_rows_are_caught(
    backend: str, tmp_path: Path, column: str, seq: int, by: int, bad_seq: int, problem: str
) -> None:
    """Proofs read each row's own hashes, so a row's borders matter, not only the bytes."""
    with filled(backend, tmp_path / "k") as lg:
        shift(backend, column, seq, by)
        result = lg.verify()
        assert not result.ok
        assert (result.first_bad_seq, result.problem) == (bad_seq, problem)
