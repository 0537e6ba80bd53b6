"""The same ledger on PostgreSQL: several processes appending give one log, no gaps, no forks."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from signoff.ledger import merkle
from signoff.ledger.events import EventDraft
from signoff.ledger.service import Ledger

pytestmark = pytest.mark.postgres


def test_append_prove_verify(pg_url: str, tmp_path: Path, draft: Callable[..., EventDraft]) -> None:
    with Ledger(pg_url, key_path=tmp_path / "k", checkpoint_every=7) as lg:
        lg.append_many([draft(i) for i in range(20)])
        lg.append(draft(20))
        assert lg.verify().ok and lg.size() == 21
        p = lg.prove_inclusion(13)
        merkle.verify_inclusion(13, 21, p.leaf_hash, p.path, p.root)
        c = lg.prove_consistency(7, 21)
        merkle.verify_consistency(7, 21, c.old_root, c.new_root, c.path)
        engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "UPDATE ledger_events SET leaf = convert_to(replace(convert_from("
                        "leaf, 'UTF8'), 'allow', 'deny!'), 'UTF8') WHERE seq = 9"
                    )
                )
        finally:
            engine.dispose()
        result = lg.verify()
        assert not result.ok and result.first_bad_seq == 9


def test_two_processes_one_log(
    pg_url: str, tmp_path: Path, appender: Callable[..., subprocess.Popen[str]]
) -> None:
    key = tmp_path / "pg.key"
    kids = [appender(pg_url, key, 60, tag) for tag in ("a", "b")]  # both race to migrate, too
    acked: list[int] = []
    for kid in kids:
        out, err = kid.communicate(timeout=120)
        assert kid.returncode == 0, err
        acked += [int(x) for x in out.split()]
    with Ledger(pg_url, key_path=key) as lg:
        size = lg.size()
        assert sorted(acked) == list(range(size))  # every ack unique, no gaps
        actors = {e.actor for e in lg.events(list(range(size)))}
        assert actors == {"agent:a", "agent:b"}
        result = lg.verify()
        assert result.ok, result.problem
        assert result.checkpoints >= 2


def test_verify_fast_path_and_cached_edge(
    pg_url: str, tmp_path: Path, draft: Callable[..., EventDraft], monkeypatch: pytest.MonkeyPatch
) -> None:
    """string_agg chunks verify a clean log without the row-by-row pass; two appenders alternate."""
    from signoff.ledger import verify as service

    a = Ledger(pg_url, key_path=tmp_path / "k", checkpoint_every=6)
    b = Ledger(pg_url, key_path=tmp_path / "k", checkpoint_every=6)
    try:
        for i in range(9):
            (a if i % 2 else b).append_many([draft(i * 3 + j) for j in range(i % 3 + 1)])

        def boom(*args: object, **kwargs: object) -> None:
            raise AssertionError("slow path taken")

        with monkeypatch.context() as m:
            m.setattr(service, "CHUNK", 4)
            m.setattr(service, "check_rows", boom)
            result = a.verify()
            assert result.ok and result.size == 18, result.problem
        engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE ledger_events SET nodes = '' WHERE seq = 15"))
        finally:
            engine.dispose()
        monkeypatch.setattr(service, "CHUNK", 4)
        result = a.verify()
        assert not result.ok and result.first_bad_seq == 14 and "14..15" in result.problem
    finally:
        a.close()
        b.close()
