"""Which evaluation of a pull request may report: the one that started last.

Evaluations of one pull request can overlap (a review and a re-requested check suite arrive
together, or in two server processes). Each takes a ticket from the database when it starts,
before it reads anything; when it is ready to report it may do so only while no later evaluation
has started, since a later one read newer reviews and records (a veto given between the two must
not be overwritten by the earlier, approving result). The check and the report run under a lock
per pull request in this process, so an evaluation that starts while an older one is reporting
reports after it. Across processes the older one's report can still cross the newer one's only
within one check-run request, which is started after the newer one has finished deciding.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from signoff.server.context import Context
from signoff.server.forges.tables import evaluations

#: striped locks: bounded memory whatever the number of pull requests followed
_LOCKS = tuple(threading.Lock() for _ in range(64))


def _key(full_name: str, number: int) -> sa.ColumnElement[bool]:
    return (evaluations.c.full_name == full_name) & (evaluations.c.number == number)


def take(ctx: Context, full_name: str, number: int) -> int:
    """This evaluation's ticket: one more than the last one started for the pull request."""
    key = _key(full_name, number)
    bump = evaluations.update().where(key).values(started=evaluations.c.started + 1)
    for _ in range(2):  # a concurrent first insert: the retry finds the row and bumps it
        try:
            with ctx.db.write() as conn:
                if conn.execute(bump).rowcount == 0:
                    conn.execute(
                        evaluations.insert().values(full_name=full_name, number=number, started=1)
                    )
                return int(conn.execute(sa.select(evaluations.c.started).where(key)).scalar_one())
        except sa.exc.IntegrityError:
            continue
    raise RuntimeError(f"no evaluation ticket for {full_name}#{number}")


@contextmanager
def turn(ctx: Context, full_name: str, number: int, ticket: int) -> Iterator[bool]:
    """Yields whether the evaluation holding `ticket` is still the latest (it may report)."""
    with _LOCKS[zlib.crc32(f"{full_name}#{number}".encode()) % len(_LOCKS)]:
        with ctx.db.read() as conn:
            latest = conn.execute(
                sa.select(evaluations.c.started).where(_key(full_name, number))
            ).scalar_one()
        yield int(latest) <= ticket
