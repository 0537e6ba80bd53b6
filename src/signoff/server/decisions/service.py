"""Decision records posted by CI: stored, and appended to the ledger as `decision.made`.

Only `ci` tokens append, and the git-server hook on the control plane's host (`who=None`: it
opens the database itself; actor `signoff:hook`). The server witnesses who posted (the actor);
the record's content is *asserted* by the poster (anyone who can edit the workflow holding a
`ci` token can write it), so it is kept as sent, marked `payload.evidence = "asserted"`, and
never used to show a change to an approver or to bind an approval: for that the server
evaluates the change itself (`signoff.server.evaluations`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from signoff.ledger.events import EventDraft, EventError, EventType
from signoff.server import jsoncol
from signoff.server.auth import Perm, Principal
from signoff.server.common import Page, decode_cursor, new_id, page, stamp
from signoff.server.context import Context
from signoff.server.decisions import repository as repo
from signoff.server.decisions.schemas import DecisionIn, DecisionOut, DecisionReceipt
from signoff.server.errors import InvalidInputError, TooLargeError
from signoff.server.repos.service import load as load_repo
from signoff.server.repos.service import load_in


def _out(r: Mapping[str, Any] | RowMapping) -> DecisionOut:
    return DecisionOut(
        id=r["id"],
        repo=r["repo"],
        base=r["base"],
        head=r["head"],
        decision=r["verdict"],
        posted_by=r["posted_by"],
        created=r["created"],
        ledger_seq=r["ledger_seq"],
        record=_record(r["record"]),
    )


def _record(text: str) -> dict[str, Any]:
    """The stored record; one that cannot be read (written by hand, say) is reported as such,
    so one bad row never breaks a listing."""
    try:
        value = jsoncol.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict):
        return value
    return {"unreadable": "the stored record is not a JSON object"}


def append(ctx: Context, who: Principal | None, name: str, body: DecisionIn) -> DecisionReceipt:
    if who is not None:
        who.require(Perm.APPEND_DECISIONS)
    actor = who.actor if who is not None else "signoff:hook"
    record = body.model_dump(exclude_none=True, by_alias=True)
    row = {
        "id": new_id("dec"),
        "repo": name,
        "base": body.range.base,
        "head": body.range.head,
        "verdict": body.decision,
        "record": jsoncol.dumps(record),
        "posted_by": actor,
        "created": stamp(),
    }
    subjects = {
        "commit": body.range.head,
        "base": body.range.base,
        "repo": name,
        "decision": row["id"],
    }
    try:
        # Canonicalise and check the event before taking the single-writer lock.
        draft = EventDraft(
            EventType.DECISION_MADE,
            actor,
            subjects,
            {**record, "evidence": "asserted", "repo": name},
            ("actor",),
        )
    except EventError as exc:
        if "over" in str(exc) and "bytes" in str(exc):
            raise TooLargeError(str(exc)) from None
        raise InvalidInputError(str(exc)) from None

    def prepare(conn: Connection) -> EventDraft:
        load_in(conn, name)
        return draft

    def finish(conn: Connection, seq: int) -> int:
        repo.insert(conn, {**row, "ledger_seq": seq})
        return seq

    # CI posts decisions in bursts: concurrent posts share one commit and one ledger append.
    seq = ctx.recorder.write_grouped(ctx.db, prepare, finish)
    return DecisionReceipt(
        id=row["id"],
        repo=name,
        base=row["base"],
        head=row["head"],
        decision=row["verdict"],
        posted_by=row["posted_by"],
        created=row["created"],
        ledger_seq=seq,
    )


def find(
    ctx: Context, who: Principal, name: str, head: str | None, limit: int, cursor: str | None
) -> Page[DecisionOut]:
    who.require(Perm.READ_DECISIONS)
    load_repo(ctx, name)
    before = decode_cursor(cursor, 2)
    with ctx.db.read() as conn:
        rows = repo.find(
            conn, name, head, (str(before[0]), str(before[1])) if before else None, limit
        )
    kept, nxt = page(list(rows), limit, lambda r: [r["created"], r["id"]])
    return Page[DecisionOut](items=[_out(r) for r in kept], next_cursor=nxt)
