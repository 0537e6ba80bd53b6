"""Reading the ledger as a person does: filtered pages of events, one event's inclusion proof,
the latest signed checkpoint, and evidence bundles for chosen events.

Readers of decisions (admin, auditor, approver) may read events: they hold digests, never
secrets. Filtering by actor or subject is a scan of the log, like `Ledger.find`; by type alone
it uses the type index.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from signoff.ledger.events import Event, EventType
from signoff.ledger.service import InclusionProof
from signoff.ledger.snapshot import StoredCheckpoint
from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.errors import InvalidInputError, NotFoundError

MAX_BUNDLE = 200


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    next_before: int | None


def _type(value: str | None) -> EventType | None:
    if not value:
        return None
    try:
        return EventType(value)
    except ValueError:
        raise InvalidInputError(f"unknown event type {value!r}", field="type") from None


def list_events(
    ctx: Context,
    who: Principal,
    *,
    type_: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> EventPage:
    """Newest first; `subject` is a value or `key=value`; `before` is a seq (exclusive)."""
    who.require(Perm.READ_DECISIONS)
    kind = _type(type_)
    ledger = ctx.recorder.ledger
    top = ledger.size() if before is None else min(before, ledger.size())
    if actor is None and subject is None:
        # the type index, newest first; ask for enough to cover `before`
        recent = ledger.recent(limit + 1 + (ledger.size() - top), kind)
        hits = [e for e in reversed(recent) if e.seq < top][: limit + 1]
    else:
        hits = _scan(ctx, kind, actor, subject, top, limit + 1)
    nxt = hits[limit - 1].seq if len(hits) > limit else None
    return EventPage(hits[:limit], nxt)


def _scan(
    ctx: Context, kind: EventType | None, actor: str | None, subject: str | None, top: int, n: int
) -> list[Event]:
    key, _, value = subject.rpartition("=") if subject and "=" in subject else ("", "", subject)
    found: list[Event] = []
    with ctx.recorder.ledger.store.snapshot() as snap, closing(snap.scan(0, top)) as batches:
        for batch in batches:
            for seq, leaf, _, _ in batch:
                if seq >= top:
                    break
                e = Event.from_bytes(leaf)
                if kind is not None and e.type is not kind:
                    continue
                if actor is not None and e.actor != actor:
                    continue
                if value is not None and (
                    e.subjects.get(key) != value if key else value not in e.subjects.values()
                ):
                    continue
                found.append(e)
    return list(reversed(found))[:n]


def latest_checkpoint(ctx: Context) -> StoredCheckpoint | None:
    return ctx.recorder.ledger.latest_checkpoint()


def inclusion(ctx: Context, who: Principal, seq: int) -> tuple[Event, InclusionProof, bool]:
    """The event, its proof against the latest checkpoint (or, when that checkpoint does not
    cover it yet, against the current tree head), and whether a signed checkpoint covers it."""
    who.require(Perm.READ_DECISIONS)
    ledger = ctx.recorder.ledger
    if not 0 <= seq < ledger.size():
        raise NotFoundError(f"no event with seq {seq}")
    cp = latest_checkpoint(ctx)
    covered = cp is not None and cp.size > seq
    proof = ledger.prove_inclusion(seq, cp.size if covered and cp else None)
    return ledger.events([seq])[0], proof, covered


def bundle(ctx: Context, who: Principal, seqs: Sequence[int]) -> dict[str, Any]:
    """An offline-verifiable evidence bundle (`signoff ledger verify-bundle`) for `seqs`."""
    who.require(Perm.READ_DECISIONS)
    chosen = sorted(set(seqs))
    if not chosen:
        raise InvalidInputError("choose at least one event", field="seq")
    if len(chosen) > MAX_BUNDLE:
        raise InvalidInputError(f"at most {MAX_BUNDLE} events per bundle", field="seq")
    if chosen[0] < 0 or chosen[-1] >= ctx.recorder.ledger.size():
        raise NotFoundError("no such event")
    return ctx.recorder.ledger.export(chosen)
