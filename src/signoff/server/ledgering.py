"""How a state change and its ledger event are written together.

The ledger (its own tables, its own transactions, possibly its own SQLite file) cannot join the
server's transaction. So every write runs as: open the server transaction, lock/check/write the
state, append the ledger event (which commits durably), then commit the server transaction. If
the append fails, the state change rolls back: there is never a write without its event. The
one window left, a server commit failing after the event was appended, leaves an event with no
state; the event names the id it was for, so an audit can see it was never applied. The log
over-reports, it never under-reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from signoff.errors import StoreError
from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger
from signoff.server.db import store_error

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from signoff.server.db import Database

T = TypeVar("T")
#: Events after which revoked work is looked for in verified releases.
_REVOCATIONS = (EventType.IDENTITY_SUSPENDED, EventType.TASK_REVOKED)


class Recorder:
    """The ledger as the services see it: append one event, get its seq."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._group = _GroupWriter(ledger)

    def record(
        self,
        type_: EventType,
        actor: str,
        subjects: Mapping[str, str],
        payload: Mapping[str, Any],
        witnessed: Sequence[str] = ("actor",),
    ) -> int:
        draft = EventDraft(type_, actor, dict(subjects), dict(payload), tuple(witnessed))
        seq = self.ledger.append(draft).seq
        if type_ in _REVOCATIONS:
            self.flag_revoked_releases()
        return seq

    def flag_revoked_releases(self) -> list[int]:
        """One `release.revoked` per verified release a revocation now reaches (the release
        core's rule, `signoff.release.revocation`); their seqs."""
        from signoff.release.revocation import flag_drafts

        size = self.ledger.size()
        events = sorted(self.ledger.recent(size), key=lambda e: e.seq) if size else []
        return [self.ledger.append(d).seq for d in flag_drafts(events)]

    def append(self, draft: EventDraft) -> tuple[int, str]:
        """Append a prepared draft (the release core builds its own): (seq, leaf hash hex)."""
        done = self.ledger.append(draft)
        return done.seq, done.leaf_hash.hex()

    def size(self) -> int:
        return self.ledger.size()

    def write_grouped(
        self,
        db: Database,
        prepare: Callable[[Connection], EventDraft],
        finish: Callable[[Connection, int], T] | None,
    ) -> T:
        """One write and its event, committed together with whatever else is waiting.

        `prepare` checks and writes in the server transaction and returns the event; `finish`
        writes what needs the event's seq and gives the result (None: the result is the seq).
        Concurrent callers share one server transaction and one durable ledger append (group
        commit): under load each write no longer waits for two fsyncs of its own. The group's
        `prepare`s run in one savepoint, and so do its `finish`es; if one fails, the others run
        again, each in a savepoint of its own (so neither may act outside the transaction),
        and the error is raised to its caller alone (an unknown repository, say). A failed
        ledger append or server commit is raised to every caller in the group. Events still
        come first, as in `record`: the log may over-report, never under-report.
        """
        return self._group.run(_Job(prepare, finish), db)

    def write_grouped_many(
        self,
        db: Database,
        prepare: Callable[[Connection], list[EventDraft]],
        finish: Callable[[Connection, list[int]], T],
    ) -> T:
        """`write_grouped` for a write with several events (a push of several commits) or none
        (`prepare` returns an empty list: `finish` gets no seqs)."""
        return self._group.run(_Job(prepare, finish, many=True), db)


class _Job(Generic[T]):
    """One caller's write: `prepare` gives its event (a list of them when `many`), `finish`
    gets the event's seq (the list of seqs when `many`)."""

    __slots__ = ("done", "error", "finish", "lead", "many", "prepare", "result")

    def __init__(
        self, prepare: Callable[[Connection], Any], finish: Callable[[Connection, Any], T] | None,
        *, many: bool = False,
    ) -> None:  # fmt: skip
        self.prepare, self.finish, self.many = prepare, finish, many
        self.result: T | None = None
        self.error: BaseException | None = None
        self.lead = False  # woken to lead the next group, not with an outcome
        self.done = threading.Event()

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return cast(T, self.result)  # set whenever error is None


class _GroupWriter:
    """Flat combining: the first caller to find no group running leads one for everyone
    queued, then hands the lead to the first caller that arrived meanwhile."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._mutex = threading.Lock()
        self._queue: list[_Job[Any]] = []
        self._busy = False

    def run(self, job: _Job[T], db: Database) -> T:
        with self._mutex:
            self._queue.append(job)
            follow, self._busy = self._busy, True
        if follow:
            job.done.wait()
            if not job.lead:
                return job.outcome()
        with self._mutex:
            group, self._queue = self._queue, []
        try:
            self._commit(db, group)
        finally:
            with self._mutex:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].done.set()
                else:
                    self._busy = False
            for other in group:
                if other is not job:
                    other.done.set()
        return job.outcome()

    def _commit(self, db: Database, group: list[_Job[Any]]) -> None:
        """Run a group in one transaction; every job leaves with a result or an error."""
        try:
            with db.write() as conn:
                ready = _each(conn, [(job, None) for job in group], _prepare)
                drafts = [d for _, mine in ready for d in mine]
                if conn.invalidated:  # the connection was lost: no state can commit now,
                    raise StoreError("database write failed: connection lost")  # so no event
                seqs = [a.seq for a in self._ledger.append_many(drafts)] if drafts else []
                at, finishing = 0, []
                for job, mine in ready:
                    got = seqs[at : at + len(mine)]
                    at += len(mine)
                    if job.finish is not None:
                        finishing.append((job, got))
                    else:
                        job.result = got if job.many else got[0]
                if finishing:
                    _each(conn, finishing, _finish)
        except BaseException as exc:
            for job in group:
                if job.error is None:
                    job.error = store_error(exc) if isinstance(exc, Exception) else exc
            if not isinstance(exc, Exception):
                raise


W = TypeVar("W")
R = TypeVar("R")


def _each(
    conn: Connection,
    work: Sequence[tuple[_Job[Any], W]],
    step: Callable[[Connection, tuple[_Job[Any], W]], R],
) -> list[R]:
    """`step` for every item of `work`, in one savepoint for all of them: the common case, and
    two statements whatever the group's size. If any item fails, that savepoint is rolled back
    and each item runs again in a savepoint of its own, so a failure stays with its caller
    (the job gets the error and drops out; the others' outcomes are those of the second run).
    """
    try:
        with conn.begin_nested():
            return [step(conn, item) for item in work]
    except Exception:  # noqa: S110 (each item is run again below and keeps its own error)
        pass
    done = []
    for item in work:
        try:
            with conn.begin_nested():
                done.append(step(conn, item))
        except Exception as exc:
            item[0].error = store_error(exc)
    return done


def _prepare(conn: Connection, item: tuple[_Job[Any], None]) -> tuple[_Job[Any], list[EventDraft]]:
    job = item[0]
    got = job.prepare(conn)
    return job, (list(got) if job.many else [got])


def _finish(conn: Connection, item: tuple[_Job[Any], list[int]]) -> None:
    job, seqs = item
    assert job.finish is not None  # jobs without one are not finished
    job.result = job.finish(conn, seqs if job.many else seqs[0])
