"""Decision posts share commits under load: every post stored once, with its own event."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from serverteam import Team

from signoff.errors import StoreError
from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger
from signoff.server.context import Context
from signoff.server.ledgering import _Job


def decision(i: int) -> dict[str, Any]:
    return {
        "decision": "allow",
        "evaluated_at": "2025-01-01T00:00:00+00:00",
        "range": {"base": f"{i:040x}", "head": f"{i + 1:040x}", "merge_base": f"{i:040x}"},
        "policy": {"source": "x", "protected": True},
        "digests": {},
        "files": [],
        "commits": [],
    }


def test_concurrent_decision_posts_each_get_their_own_event(team: Team) -> None:
    api = team.api("ci")
    with ThreadPoolExecutor(12) as pool:
        receipts = list(pool.map(lambda i: api.post("/v1/repos/demo/decisions", decision(i)),
                                 range(36)))  # fmt: skip
    assert {r.status_code for r in receipts} == {201}, receipts[0].text
    seqs = [r.json()["ledger_seq"] for r in receipts]
    assert len(set(seqs)) == 36
    ledger: Ledger = team.server.ctx.recorder.ledger
    for r, event in zip(receipts, ledger.events(seqs), strict=True):
        assert event.type is EventType.DECISION_MADE
        assert event.subjects["decision"] == r.json()["id"]
        assert event.subjects["commit"] == r.json()["head"]
    stored = team.api("auditor").get("/v1/repos/demo/decisions", params={"limit": 100}).json()
    assert sorted(d["ledger_seq"] for d in stored["items"]) == sorted(seqs)
    assert ledger.verify().ok


def _draft(i: int) -> EventDraft:
    return EventDraft(EventType.DECISION_MADE, "ci", {"decision": f"dec-{i}"}, {"i": i})


@pytest.fixture
def probe(any_team: Team) -> Context:
    """The live server's context (SQLite, and PostgreSQL, where a failed statement aborts the
    transaction until a savepoint is rolled back) with a scratch table the jobs write to."""
    ctx: Context = any_team.server.ctx
    with ctx.db.write() as conn:
        conn.execute(sa.text("CREATE TABLE probe (name TEXT PRIMARY KEY, seq INTEGER)"))
    return ctx


def _rows(ctx: Context) -> list[tuple[str, int]]:
    with ctx.db.read() as conn:
        return [(r[0], r[1]) for r in conn.execute(sa.text("SELECT name, seq FROM probe"))]


def _jobs(ctx: Context, names: list[str]) -> list[_Job[int]]:
    def job(name: str) -> _Job[int]:
        def prepare(conn: sa.Connection) -> EventDraft:
            if name == "bad":
                raise LookupError("no such repository")
            if name == "dup":  # fails in the database, after the others' statements ran
                conn.execute(sa.text("INSERT INTO probe VALUES ('x', NULL), ('x', NULL)"))
            conn.execute(sa.text("INSERT INTO probe VALUES (:n, NULL)"), {"n": name})
            return _draft(len(name))

        def finish(conn: sa.Connection, seq: int) -> int:
            if name == "late":
                raise LookupError("cannot store it")
            conn.execute(
                sa.text("UPDATE probe SET seq = :s WHERE name = :n"), {"s": seq, "n": name}
            )
            return seq

        return _Job(prepare, finish)

    return [job(n) for n in names]


def test_one_callers_error_stays_with_that_caller(probe: Context) -> None:
    ctx = probe
    size = ctx.recorder.ledger.size()
    jobs = _jobs(ctx, ["a", "bad", "c"])
    ctx.recorder._group._commit(ctx.db, jobs)
    with pytest.raises(LookupError):
        jobs[1].outcome()
    assert [jobs[0].outcome(), jobs[2].outcome()] == [size, size + 1]
    assert sorted(_rows(ctx)) == [("a", size), ("c", size + 1)]  # "bad" left nothing behind
    assert ctx.recorder.ledger.size() == size + 2


def test_a_failure_in_the_database_or_in_finish_stays_with_its_caller(probe: Context) -> None:
    ctx = probe
    size = ctx.recorder.ledger.size()
    jobs = _jobs(ctx, ["a", "dup", "late", "d"])
    ctx.recorder._group._commit(ctx.db, jobs)
    with pytest.raises(sa.exc.IntegrityError):
        jobs[1].outcome()
    with pytest.raises(LookupError, match="cannot store it"):
        jobs[2].outcome()
    assert [jobs[0].outcome(), jobs[3].outcome()] == [size, size + 2]
    # "late" got its event (events come first: the log over-reports, never under-reports)
    # what "late" prepared stays; what it failed to finish does not
    assert sorted(_rows(ctx)) == [("a", size), ("d", size + 2), ("late", None)]
    assert ctx.recorder.ledger.size() == size + 3


def test_a_group_that_succeeds_takes_two_savepoints_whatever_its_size(probe: Context) -> None:
    """The common case costs no statement per caller beyond the caller's own."""
    ctx = probe
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split()[0].upper())

    sa.event.listen(ctx.db.engine, "before_cursor_execute", count)
    try:
        jobs = _jobs(ctx, [f"n{i}" for i in range(8)])
        ctx.recorder._group._commit(ctx.db, jobs)
    finally:
        sa.event.remove(ctx.db.engine, "before_cursor_execute", count)
    assert len({job.outcome() for job in jobs}) == 8
    assert seen.count("SAVEPOINT") == 2
    assert seen.count("INSERT") == 8 and seen.count("UPDATE") == 8


def test_a_failed_ledger_append_fails_every_caller_and_writes_no_state(
    probe: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = probe
    size = ctx.recorder.ledger.size()

    def refuse(drafts: object) -> object:
        raise StoreError("cannot append to the ledger: disk full")

    monkeypatch.setattr(ctx.recorder.ledger, "append_many", refuse)
    jobs = _jobs(ctx, ["a", "b"])
    ctx.recorder._group._commit(ctx.db, jobs)
    for job in jobs:
        with pytest.raises(StoreError, match="disk full"):
            job.outcome()
    monkeypatch.undo()
    assert _rows(ctx) == []  # the server transaction rolled back with the append
    assert ctx.recorder.ledger.size() == size


def test_callers_arriving_during_a_group_are_led_by_the_next(
    probe: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one group commits, later callers queue; one of them leads their group."""
    ctx = probe
    release = threading.Event()
    entered = threading.Event()
    original = ctx.recorder.ledger.append_many
    calls: list[int] = []

    def slow(drafts: Any) -> Any:
        calls.append(len(drafts))
        if len(calls) == 1:
            entered.set()
            assert release.wait(30)
        return original(drafts)

    monkeypatch.setattr(ctx.recorder.ledger, "append_many", slow)

    def post(name: str) -> int:
        job = _jobs(ctx, [name])[0]
        return ctx.recorder.write_grouped(ctx.db, job.prepare, job.finish)

    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(post, "first")
        assert entered.wait(30)
        rest = [pool.submit(post, f"n{i}") for i in range(5)]
        while len(ctx.recorder._group._queue) < 5:  # all five queued behind the first
            threading.Event().wait(0.01)
        release.set()
        seqs = [first.result(30), *(f.result(30) for f in rest)]
    assert calls == [1, 5]  # two groups: the first alone, then the five together
    assert len(set(seqs)) == 6
    assert sorted(s for _, s in _rows(ctx)) == sorted(seqs)


def _lost(*_: object) -> None:
    """What psycopg raises through SQLAlchemy when the database goes away mid-transaction."""
    raise sa.exc.OperationalError(
        "INSERT", {}, Exception("consuming input failed: server closed the connection")
    )


def test_a_driver_error_in_one_callers_write_is_a_503_not_a_500(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lost connection or a full disk inside a grouped write is an outage (503, retry), as
    it is everywhere else; it was a 500 (the soak test, bench/soak.py, found it)."""
    from signoff.server.decisions import repository

    monkeypatch.setattr(repository, "insert", _lost)
    r = team.api("ci").post("/v1/repos/demo/decisions", decision(1))
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "unavailable"
    assert r.headers["Retry-After"] == "1"
    monkeypatch.undo()
    assert team.api("ci").post("/v1/repos/demo/decisions", decision(2)).status_code == 201


def test_driver_errors_reach_callers_as_store_errors_and_integrity_errors_stay(
    probe: Context,
) -> None:
    ctx = probe
    jobs = _jobs(ctx, ["a", "b"])
    jobs[0].prepare = _lost

    def duplicate(conn: sa.Connection, seq: int) -> int:
        raise sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    jobs[1].finish = duplicate
    ctx.recorder._group._commit(ctx.db, jobs)
    with pytest.raises(StoreError, match="database write failed: consuming input failed"):
        jobs[0].outcome()
    with pytest.raises(sa.exc.IntegrityError):  # still a 409 conflict
        jobs[1].outcome()


def test_a_connection_lost_before_the_append_appends_nothing(probe: Context) -> None:
    """Once the server's connection is gone no state can commit, so no event is appended for
    the group (an event with no state is allowed, but only where it cannot be avoided: a commit
    that fails after the append)."""
    ctx = probe
    size = ctx.recorder.ledger.size()
    jobs = _jobs(ctx, ["a", "b", "c"])

    def lose(conn: sa.Connection) -> EventDraft:
        conn.invalidate()  # what SQLAlchemy does on a disconnect error
        _lost()
        raise AssertionError("unreachable")

    jobs[1].prepare = lose
    ctx.recorder._group._commit(ctx.db, jobs)
    for job in jobs:
        with pytest.raises(StoreError):
            job.outcome()
    assert ctx.recorder.ledger.size() == size
    assert _rows(ctx) == []
