"""The approval record (schema `signoff.approval/v1`) and its canonical bytes.

The signature covers the canonical bytes (JSON, sorted keys, compact separators, UTF-8), and the
record id is their SHA-256, so a record is named by exactly what was signed. Parsing is strict:
unknown or missing fields, wrong types, or bytes that are not canonical are refused, because a
record that can be read two ways can be approved one way and counted another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SCHEMA = "signoff.approval/v1"

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
_FIELDS = frozenset(
    {
        "schema",
        "repository",
        "decision",
        "approver",
        "digests",
        "policy_digest",
        "base",
        "head",
        "classes",
        "comment",
        "reason",
        "time",
    }
)
MAX_TEXT = 4000


class Kind(StrEnum):
    APPROVE = "approve"
    VETO = "veto"
    OVERRIDE = "override"


class RecordError(ValueError):
    """A record that is not a valid `signoff.approval/v1` document (the message says why)."""


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    repository: str  # root commit SHA reachable from the base: which repository this is for
    decision: Kind
    approver: str  # principal the signer claims to be; must be the one ssh-keygen finds
    digests: Mapping[str, str]  # class -> content digest
    policy_digest: str
    base: str
    head: str
    classes: tuple[str, ...]
    comment: str
    reason: str  # required for overrides, empty otherwise
    time: str  # RFC 3339 UTC, signed: orders one person's decisions

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "repository": self.repository,
            "decision": self.decision.value,
            "approver": self.approver,
            "digests": dict(sorted(self.digests.items())),
            "policy_digest": self.policy_digest,
            "base": self.base,
            "head": self.head,
            "classes": list(self.classes),
            "comment": self.comment,
            "reason": self.reason,
            "time": self.time,
        }

    def canonical(self) -> bytes:
        return canonical_bytes(self.to_json())


def canonical_bytes(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_id(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def now_rfc3339() -> str:
    """UTC with microseconds, so one person's quick approve-after-veto still orders."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_record(
    *,
    repository: str,
    decision: Kind,
    approver: str,
    digests: Mapping[str, str],
    policy_digest: str,
    base: str,
    head: str,
    comment: str = "",
    reason: str = "",
    time: str | None = None,
) -> ApprovalRecord:
    """Build a record and validate it exactly as a reader would."""
    rec = ApprovalRecord(
        repository=repository,
        decision=decision,
        approver=approver.strip().lower(),
        digests=dict(sorted(digests.items())),
        policy_digest=policy_digest,
        base=base,
        head=head,
        classes=tuple(sorted(digests)),
        comment=comment,
        reason=reason,
        time=time or now_rfc3339(),
    )
    try:
        raw = rec.canonical()
    except UnicodeEncodeError:
        raise RecordError("comment or reason is not valid UTF-8") from None
    return parse_record(raw)


def parse_record(raw: bytes) -> ApprovalRecord:
    """Strictly parse canonical record bytes; raise `RecordError` with a short reason."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"not JSON ({exc.__class__.__name__})") from None
    if not isinstance(doc, dict):
        raise RecordError("not a JSON object")
    if doc.get("schema") != SCHEMA:
        raise RecordError(f"schema is not {SCHEMA}")
    keys = set(doc)
    if keys != _FIELDS:
        extra, missing = sorted(keys - _FIELDS), sorted(_FIELDS - keys)
        raise RecordError(
            "; ".join(
                ([f"unknown field(s) {', '.join(extra)}"] if extra else [])
                + ([f"missing field(s) {', '.join(missing)}"] if missing else [])
            )
        )
    try:
        kind = Kind(_str(doc, "decision"))
    except ValueError:
        raise RecordError("decision: expected approve, veto or override") from None
    digests = doc["digests"]
    if not isinstance(digests, dict) or not digests:
        raise RecordError("digests: expected a non-empty object")
    for cls, value in digests.items():
        if not isinstance(value, str) or not _HEX64.match(value):
            raise RecordError(f"digests.{cls}: expected a SHA-256 hex digest")
    classes = doc["classes"]
    if not isinstance(classes, list) or classes != sorted(digests):
        raise RecordError("classes: must list exactly the classes in digests, sorted")
    rec = ApprovalRecord(
        repository=_match(doc, "repository", _SHA),
        decision=kind,
        approver=_str(doc, "approver"),
        digests={str(k): str(v) for k, v in digests.items()},
        policy_digest=_match(doc, "policy_digest", _HEX64),
        base=_match(doc, "base", _SHA),
        head=_match(doc, "head", _SHA),
        classes=tuple(classes),
        comment=_str(doc, "comment", empty=True),
        reason=_str(doc, "reason", empty=True),
        time=_match(doc, "time", _TIME),
    )
    if not rec.approver or rec.approver != rec.approver.strip().lower():
        raise RecordError("approver: expected a lower-case principal")
    if kind is Kind.OVERRIDE and not rec.reason.strip():
        raise RecordError("reason: an override needs a reason")
    if kind is not Kind.OVERRIDE and rec.reason:
        raise RecordError("reason: only overrides carry a reason")
    try:
        canonical = rec.canonical()
    except UnicodeEncodeError:  # a lone surrogate written as a JSON escape
        raise RecordError("a field is not valid Unicode text") from None
    if canonical != raw:
        raise RecordError("not in canonical form")
    return rec


def _str(doc: Mapping[str, Any], key: str, *, empty: bool = False) -> str:
    value = doc[key]
    if not isinstance(value, str) or (not empty and not value):
        raise RecordError(f"{key}: expected a{'' if empty else ' non-empty'} string")
    if len(value) > MAX_TEXT:
        raise RecordError(f"{key}: longer than {MAX_TEXT} characters")
    return value


def _match(doc: Mapping[str, Any], key: str, pattern: re.Pattern[str]) -> str:
    value = _str(doc, key)
    if not pattern.fullmatch(value):  # `match` and `$` would allow a trailing newline
        raise RecordError(f"{key}: malformed value")
    return value
