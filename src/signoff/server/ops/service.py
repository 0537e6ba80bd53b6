"""Health, readiness, and the ledger's public key and checkpoints (no authentication: they are
what an auditor needs to verify evidence offline, and they hold no secret)."""

from __future__ import annotations

import base64

from signoff.server import migrations
from signoff.server.common import Page, decode_cursor, page
from signoff.server.context import Context
from signoff.server.errors import ServiceError
from signoff.server.ops.schemas import CheckpointOut, PublicKey, Ready


class NotReadyError(ServiceError):
    status = 503
    code = "not_ready"


def ready(ctx: Context) -> Ready:
    if not ctx.db.ping():
        raise NotReadyError("database unreachable")
    if not migrations.at_head(ctx.db.engine):
        raise NotReadyError("database schema is not at the server's migration head")
    try:
        size = ctx.recorder.size()
    except Exception as exc:
        raise NotReadyError(f"ledger unavailable: {type(exc).__name__}") from None
    # the kind of database only: this answers anyone, so no host, path, user or database name
    return Ready(
        status="ready", database="sqlite" if ctx.db.is_sqlite else "postgresql", ledger_size=size
    )


def public_key(ctx: Context) -> PublicKey:
    signer = ctx.recorder.ledger.signer
    return PublicKey(origin=ctx.recorder.ledger.origin, verifier_key=str(signer.verifier))


def checkpoints(ctx: Context, limit: int, cursor: str | None) -> Page[CheckpointOut]:
    """Newest first."""
    before = decode_cursor(cursor, 1)
    with ctx.recorder.ledger.store.snapshot() as snap:
        cps = snap.checkpoints()
    rows = [c for c in reversed(cps) if before is None or c.id < int(before[0])][: limit + 1]
    kept, nxt = page(rows, limit, lambda c: [c.id])
    items = [
        CheckpointOut(
            id=c.id,
            size=c.size,
            root=base64.b64encode(c.root).decode(),
            note=c.note,
            created=c.created,
        )
        for c in kept
    ]
    return Page[CheckpointOut](items=items, next_cursor=nxt)
