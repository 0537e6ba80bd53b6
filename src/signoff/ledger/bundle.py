"""Evidence bundles: chosen events, their inclusion proofs and one signed checkpoint, in one file.

Checked offline with nothing but the log's verifier key: each event is re-encoded with RFC 8785,
hashed as an RFC 6962 leaf, and its audit path must lead to the root of the signed checkpoint.

    {
      "schema": "signoff.ledger.bundle/v1",
      "format": "signoff-ledger-bundle/v1",
      "checkpoint": "<signed note text>",
      "entries": [{"event": {...}, "inclusion_path": ["<base64>", ...]}, ...]
    }
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from signoff.errors import Error
from signoff.ledger import merkle
from signoff.ledger.checkpoint import Checkpoint, CheckpointError, Verifier, open_checkpoint
from signoff.ledger.events import Event, EventError

FORMAT = "signoff-ledger-bundle/v1"  # what a reader checks (bundles older than SCHEMA have it)
SCHEMA = "signoff.ledger.bundle/v1"  # docs/schemas/ledger-bundle-v1.json
MAX_BUNDLE_BYTES = 64 * 1024 * 1024


class BundleError(Error):
    """A bundle is malformed or one of its proofs fails."""


def make_bundle(note: str, entries: Sequence[tuple[Event, Sequence[bytes]]]) -> dict[str, Any]:
    """The JSON object for a bundle; the caller proves each event against ``note``'s tree size."""
    return {
        "schema": SCHEMA,
        "format": FORMAT,
        "checkpoint": note,
        "entries": [
            {
                "event": event.to_json(),
                "inclusion_path": [base64.b64encode(h).decode() for h in path],
            }
            for event, path in entries
        ],
    }


def dumps(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def verify_bundle(
    data: str | bytes, verifier: Verifier, origin: str | None = None
) -> tuple[Checkpoint, list[Event]]:
    """Check a bundle offline; return its checkpoint and events, or raise BundleError.

    ``origin`` defaults to the verifier's key name, so a checkpoint of another log is refused.
    """
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("bundle is larger than 64 MiB")
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise BundleError(f"bundle is not JSON: {exc}") from None
    except RecursionError:
        raise BundleError("bundle is not JSON: nested too deeply") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise BundleError(f"not a {FORMAT} bundle")
    note, entries = obj.get("checkpoint"), obj.get("entries")
    if not isinstance(note, str) or not isinstance(entries, list):
        raise BundleError("bundle needs a checkpoint string and an entries list")
    try:
        cp = open_checkpoint(note, verifier, origin or verifier.name)
    except CheckpointError as exc:
        raise BundleError(f"bundle checkpoint: {exc}") from None
    events: list[Event] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("inclusion_path"), list):
            raise BundleError(f"entry {i}: needs an event and an inclusion_path list")
        try:
            event = Event.from_json(entry.get("event"))
            path = [base64.b64decode(p, validate=True) for p in entry["inclusion_path"]]
            leaf = merkle.leaf_hash(event.canonical())
            merkle.verify_inclusion(event.seq, cp.size, leaf, path, cp.root)
        except EventError as exc:
            raise BundleError(f"entry {i}: {exc}") from None
        except (binascii.Error, TypeError, ValueError) as exc:
            raise BundleError(f"entry {i} (seq {_seq(entry)}): {exc}") from None
        events.append(event)
    return cp, events


def _seq(entry: dict[str, Any]) -> Any:
    event = entry.get("event")
    return event.get("seq") if isinstance(event, dict) else None
