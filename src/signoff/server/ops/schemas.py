"""API models for health, readiness, the no-op and the ledger's public material."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from signoff.server.common import Out


class Health(Out):
    status: Literal["ok"]


class Ready(Out):
    status: Literal["ready"]
    database: Literal["sqlite", "postgresql"] = Field(
        description="The kind of database (never its URL, host or path)."
    )
    ledger_size: int


class Noop(Out):
    ok: Literal[True]


class PublicKey(Out):
    origin: str
    verifier_key: str = Field(description="`<origin>+<key id>+<base64 key>` (signed-note).")


class CheckpointOut(Out):
    id: int
    size: int
    root: str = Field(description="Base64 root hash.")
    note: str = Field(description="The C2SP signed checkpoint note.")
    created: str
