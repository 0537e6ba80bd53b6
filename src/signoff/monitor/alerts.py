"""The one alert model every rule returns, and the stable id that deduplicates it.

An alert's id is derived from its rule and subject only, never from its evidence or message: the
same problem seen on the next run is the same alert (its `last_seen` moves, its evidence may
grow), so a webhook fires once and an acknowledgement sticks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from signoff.errors import Error


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


def parse_severity(value: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise Error(
            f"unknown severity {value!r} (one of: {', '.join(s.value for s in Severity)})"
        ) from None


def alert_id(rule: str, subject: str) -> str:
    """``al-`` and 16 hex chars of SHA-256(rule, subject): stable across runs and replicas."""
    return "al-" + hashlib.sha256(f"{rule}\n{subject}".encode()).hexdigest()[:16]


def stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Evidence:
    """Where to look: ledger sequence numbers and commit SHAs (either may be empty)."""

    ledger_seqs: tuple[int, ...] = ()
    commits: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"ledger_seqs": list(self.ledger_seqs), "commits": list(self.commits)}


@dataclass(frozen=True)
class Alert:
    """One problem, as a person should see it; ``id`` is the dedup key (rule + subject)."""

    rule: str
    severity: Severity
    subject: str
    message: str
    action: str
    evidence: Evidence = Evidence()
    first_seen: str = ""
    last_seen: str = ""
    acked_by: str | None = None
    acked_at: str | None = None
    ack_comment: str = ""
    id: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.rule or not self.subject or not self.message:
            raise ValueError("an alert needs a rule, a subject and a message")
        object.__setattr__(self, "id", alert_id(self.rule, self.subject))

    @property
    def acknowledged(self) -> bool:
        return self.acked_by is not None

    def seen(self, first: str, last: str) -> Alert:
        return replace(self, first_seen=first, last_seen=last)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity.value,
            "subject": self.subject,
            "message": self.message,
            "suggested_action": self.action,
            "evidence": self.evidence.to_json(),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "acknowledged": (
                {"by": self.acked_by, "at": self.acked_at, "comment": self.ack_comment}
                if self.acked_by
                else None
            ),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Alert:
        ev = obj.get("evidence") or {}
        ack = obj.get("acknowledged") or {}
        return cls(
            rule=str(obj["rule"]),
            severity=parse_severity(str(obj["severity"])),
            subject=str(obj["subject"]),
            message=str(obj["message"]),
            action=str(obj.get("suggested_action", "")),
            evidence=Evidence(
                tuple(int(s) for s in ev.get("ledger_seqs", ())),
                tuple(str(c) for c in ev.get("commits", ())),
            ),
            first_seen=str(obj.get("first_seen", "")),
            last_seen=str(obj.get("last_seen", "")),
            acked_by=ack.get("by"),
            acked_at=ack.get("at"),
            ack_comment=str(ack.get("comment") or ""),
        )


def worst(alerts: Sequence[Alert]) -> Severity | None:
    return max((a.severity for a in alerts), key=lambda s: s.rank, default=None)


def ordered(alerts: Sequence[Alert]) -> list[Alert]:
    """Most severe first, then by rule and subject: a stable order for output and tests."""
    return sorted(alerts, key=lambda a: (-a.severity.rank, a.rule, a.subject))
