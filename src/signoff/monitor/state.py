"""Dedup state for one-shot CLI runs (`signoff monitor --state FILE`): a small JSON file.

The server keeps the same information in its `monitor_alerts` table. The file is rewritten
atomically (write, fsync, rename), so a crash never leaves half a state that would re-send every
alert.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from signoff.errors import Error
from signoff.monitor.alerts import Alert, stamp

VERSION = 1


class StateError(Error):
    """The state file is unreadable or not ours."""


def load_state(path: Path) -> tuple[dict[str, Alert], dict[str, dict[str, Any]]]:
    """(alerts by id, delivery records by id); empty when the file does not exist yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, {}
    except OSError as exc:
        raise StateError(f"cannot read monitor state {path}: {exc.strerror}") from None
    try:
        doc = json.loads(raw)
        if doc.get("version") != VERSION:
            raise ValueError("unsupported version")
        alerts = {a["id"]: Alert.from_json(a) for a in doc["alerts"]}
        delivery = {str(k): dict(v) for k, v in doc.get("delivery", {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StateError(f"monitor state {path} is not valid: {exc}") from None
    return alerts, delivery


def save_state(
    path: Path, alerts: Sequence[Alert], delivery: Mapping[str, Mapping[str, Any]]
) -> None:
    ids = {a.id for a in alerts}
    doc = {
        "version": VERSION,
        "alerts": [a.to_json() for a in alerts],
        "delivery": {k: dict(v) for k, v in delivery.items() if k in ids},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".monitor-state-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def acknowledge(path: Path, alert_id: str, by: str, comment: str, now: dt.datetime) -> Alert:
    """Mark a known alert acknowledged by a person; an unknown id is an error."""
    if not by.strip():
        raise StateError("an acknowledgement names the person: --by PERSON")
    alerts, delivery = load_state(path)
    if alert_id not in alerts:
        raise StateError(f"no current alert {alert_id} in {path}")
    acked = replace(alerts[alert_id], acked_by=by, acked_at=stamp(now), ack_comment=comment)
    alerts[alert_id] = acked
    save_state(path, list(alerts.values()), delivery)
    return acked
