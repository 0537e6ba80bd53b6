"""The tamper-evident ledger: an RFC 6962 Merkle log of typed events with signed checkpoints.

The gate appends its decision with :func:`append_event`; everything else goes through
:class:`Ledger`. See docs/ledger.md. Names load lazily so that ``signoff.ledger.merkle`` and
``signoff.ledger.checkpoint`` stay free of any database import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from signoff.ledger.events import Event, EventDraft, EventError, EventType
    from signoff.ledger.service import Ledger, VerifyResult, append_event

__all__ = [
    "Event",
    "EventDraft",
    "EventError",
    "EventType",
    "Ledger",
    "VerifyResult",
    "append_event",
]

_WHERE = {
    "Event": "events",
    "EventDraft": "events",
    "EventError": "events",
    "EventType": "events",
    "Ledger": "service",
    "VerifyResult": "service",
    "append_event": "service",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'signoff.ledger' has no attribute {name!r}")
    return getattr(importlib.import_module(f"signoff.ledger.{_WHERE[name]}"), name)
