"""Ledger events: what is recorded, validated at construction, and its canonical leaf bytes.

A leaf is the RFC 8785 (JCS) encoding of the whole event, including ``seq`` and ``time``, so the
Merkle tree commits to position and time as well as content. Secrets never enter the log: fields
named like tokens, prompts or passwords must hold a ``sha256:<hex>`` digest instead of a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import rfc8785

from signoff.errors import Error

SCHEMA_VERSION = 1
MAX_PAYLOAD_BYTES = 64 * 1024


class EventError(Error):
    """An event is malformed or would put a secret into the log."""


class EventType(StrEnum):
    """Every kind of event the ledger records; the value is what is stored."""

    TASK_REQUESTED = "task.requested"
    TOKEN_ISSUED = "token.issued"  # noqa: S105 (an event name, not a secret)
    TOKEN_REVOKED = "token.revoked"  # noqa: S105
    TOKEN_REFUSED = "token.refused"  # noqa: S105
    TASK_CLOSED = "task.closed"
    TASK_REVOKED = "task.revoked"
    PUSH_WITNESSED = "push.witnessed"
    PUSH_REFUSED = "push.refused"
    DECISION_MADE = "decision.made"
    #: the control plane ran the gate on its own copy of a repository (a witnessed decision)
    DECISION_EVALUATED = "decision.evaluated"
    APPROVAL_GIVEN = "approval.given"
    APPROVAL_VETOED = "approval.vetoed"
    APPROVAL_OVERRIDDEN = "approval.overridden"
    ARTIFACT_BUILT = "artifact.built"
    ARTIFACT_SIGNED = "artifact.signed"
    RELEASE_VERIFIED = "release.verified"
    RELEASE_PROMOTED = "release.promoted"
    RELEASE_REVOKED = "release.revoked"
    RELEASE_REQUALIFIED = "release.requalified"
    IDENTITY_REGISTERED = "identity.registered"
    IDENTITY_CHANGED = "identity.changed"
    IDENTITY_SUSPENDED = "identity.suspended"
    CONFIG_CHANGED = "config.changed"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    FORGE_EVENT = "forge.event"  # a code host's webhook delivery, accepted
    FORGE_REFUSED = "forge.refused"  # a delivery refused: bad signature, unknown installation...
    FORGE_FAILED = "forge.failed"  # an accepted delivery not acted on (the code host's API failed)
    CHECK_REPORTED = "check.reported"  # a check run the server reported on a code host


def parse_type(value: str) -> EventType:
    """An EventType from its stored value, or an EventError listing the known ones."""
    try:
        return EventType(value)
    except ValueError:
        known = ", ".join(t.value for t in EventType)
        raise EventError(f"unknown event type {value!r} (known: {known})") from None


DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
_SUBJECT_KEY_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_SUBJECT_VALUE_RE = re.compile(r"^[\x21-\x7e]{1,512}$")
_COMMIT_RE = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")
# A key that names a secret: `token`, `github_token`, `prompt`, `system-prompt`, `password`...
_SECRET_KEY_RE = re.compile(
    r"(^|[_.-])(token|prompt|secret|password|passwd|credential|credentials|private_key|api_key)$",
    re.IGNORECASE,
)
# Values that look like live credentials, whatever their key.
_SECRET_VALUE_RE = re.compile(
    r"^(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|xox[abpr]-|sk-|AKIA[0-9A-Z]{12})"
)
_ALWAYS_WITNESSED = ("seq", "time")


#: How deep a payload may nest: far beyond any event's, well within Python's recursion limit.
MAX_DEPTH = 200


def _check_json(value: Any, where: str, depth: int = 0) -> None:
    """Reject anything JSON cannot carry exactly and anything that looks like a secret."""
    if depth > MAX_DEPTH:
        raise EventError(f"{where[:60]}...: nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise EventError(f"{where}: keys must be strings")
            path = f"{where}.{k}"
            if _SECRET_KEY_RE.search(k) and not (isinstance(v, str) and DIGEST_RE.match(v)):
                raise EventError(
                    f"{path}: secrets are never stored; give a sha256:<hex> digest instead"
                )
            _check_json(v, path, depth + 1)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_json(v, f"{where}[{i}]", depth + 1)
    elif isinstance(value, str):
        if _SECRET_VALUE_RE.match(value):
            raise EventError(f"{where}: looks like a credential; store its sha256 digest instead")
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if abs(value) > 2**53:
            raise EventError(f"{where}: integer too large for JSON (RFC 8785 limits to 2**53)")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise EventError(f"{where}: NaN and infinity are not JSON")
    else:
        raise EventError(f"{where}: {type(value).__name__} is not a JSON value")


def _check_subject(key: str, value: object) -> None:
    if not _SUBJECT_KEY_RE.match(key):
        raise EventError(f"subject {key!r}: names are lower-case [a-z0-9_.-], at most 64 chars")
    if not isinstance(value, str) or not _SUBJECT_VALUE_RE.match(value):
        raise EventError(f"subject {key}: value must be 1-512 printable ASCII chars, no spaces")
    if key == "commit" and not _COMMIT_RE.match(value):
        raise EventError(f"subject commit: {value!r} is not a full hex commit id")
    if (key == "artifact" or "token" in key or "prompt" in key) and not DIGEST_RE.match(value):
        raise EventError(f"subject {key}: must be a sha256:<64 hex> digest")
    if _SECRET_VALUE_RE.match(value):
        raise EventError(f"subject {key}: looks like a credential; store its sha256 digest")


def _check_witnessed(path: str, subjects: Mapping[str, str], payload: Mapping[str, Any]) -> None:
    if path in _ALWAYS_WITNESSED:
        raise EventError(f"witnessed: {path} is always set by the ledger, do not list it")
    head, _, rest = path.partition(".")
    if head in ("actor", "type") and not rest:
        return
    if head == "subjects":
        if not rest or rest in subjects:
            return
    elif head == "payload":
        node: Any = payload
        for part in rest.split(".") if rest else ():
            if not isinstance(node, Mapping) or part not in node:
                break
            node = node[part]
        else:
            return
    raise EventError(f"witnessed: {path!r} names no field of this event")


def now_rfc3339() -> str:
    """UTC time with microseconds, the one format the ledger writes."""
    return datetime.now(UTC).isoformat(timespec="microseconds")[:-6] + "Z"  # drop "+00:00"


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event before the ledger gives it a sequence number and time; validated on creation.

    ``witnessed`` lists the fields signoff itself observed (``actor``, ``subjects.commit``,
    ``payload.decision``...); every other field is asserted by the caller. ``seq`` and ``time``
    are always witnessed by the ledger.
    """

    type: EventType
    actor: str
    subjects: Mapping[str, str] = field(default_factory=dict)
    payload: Mapping[str, Any] = field(default_factory=dict)
    witnessed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", parse_type(self.type))
        actor: object = self.actor  # callers may pass anything; validate at runtime
        if not isinstance(actor, str) or not 0 < len(actor) <= 256:
            raise EventError("actor must be a non-empty string of at most 256 chars")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in self.actor):
            raise EventError("actor must not contain control characters")
        subjects: object = self.subjects
        payload: object = self.payload
        if not isinstance(subjects, Mapping) or not isinstance(payload, Mapping):
            raise EventError("subjects and payload must be JSON objects")
        for k, v in self.subjects.items():
            _check_subject(k, v)
        _check_json(self.payload, "payload")
        for path in self.witnessed:
            _check_witnessed(path, self.subjects, self.payload)
        object.__setattr__(self, "subjects", dict(sorted(self.subjects.items())))
        object.__setattr__(self, "witnessed", tuple(sorted(set(self.witnessed))))
        parts = _encode_parts(self)
        if len(parts[1]) > MAX_PAYLOAD_BYTES:
            raise EventError(f"payload is over {MAX_PAYLOAD_BYTES} bytes; store a digest of it")
        # The leaf as a template around its seq and time: an append only fills in two values.
        a, p, s, t, w = (part.replace(b"%", b"%%") for part in parts)
        template = (
            b'{"actor":' + a + b',"payload":' + p + b',"seq":%d,"subjects":' + s
            + b',"time":%b,"type":' + t + b',"v":' + b"%d" % SCHEMA_VERSION + b',"witnessed":'
            + w + b"}"
        )  # fmt: skip
        object.__setattr__(self, "_template", template)
        object.__setattr__(self, "_type", self.type.value)

    _template: bytes = field(init=False, repr=False, compare=False, default=b"")
    """The leaf bytes with ``%d`` for the seq and ``%b`` for the encoded time (``%`` escaped)."""
    _type: str = field(init=False, repr=False, compare=False, default="")
    """The type as a plain ``str``, cheaper for a database driver to bind than the enum."""

    def at(self, seq: int, time: str) -> bytes:
        """The canonical leaf bytes once placed at ``seq`` and ``time``.

        Filled into a template pre-encoded in RFC 8785 key order (actor, payload, seq, subjects,
        time, type, v, witnessed), so the costly encoding happens outside the append lock.
        Equal to ``rfc8785.dumps`` of the whole event (tested).
        """
        return self._template % (seq, jcs(time))


_SAFE_INT = 2**53 - 1
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _plain(value: object) -> bool:
    """JSON where RFC 8785 and Python's sorted, compact encoder agree byte for byte: no floats,
    integers within IEEE 754's exact range, and keys without characters beyond U+FFFF (which
    UTF-16 order, RFC 8785's key order, sorts differently from code points)."""
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, int):
        return -_SAFE_INT <= value <= _SAFE_INT
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(
            isinstance(k, str) and (k.isascii() or max(map(ord, k)) <= 0xFFFF) and _plain(v)
            for k, v in value.items()
        )
    return False


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON. The common case (no floats) takes Python's C encoder, whose
    output is then identical (escapes, key order, UTF-8); anything else goes to `rfc8785`."""
    if _plain(value):
        try:
            return _JSON.encode(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let rfc8785 refuse it with its own message
    return rfc8785.dumps(value)


def _encode_parts(d: EventDraft) -> tuple[bytes, ...]:
    try:
        return tuple(
            jcs(v)
            for v in (d.actor, dict(d.payload), dict(d.subjects), str(d.type), list(d.witnessed))
        )
    except (rfc8785.CanonicalizationError, ValueError, TypeError) as exc:
        raise EventError(f"event cannot be canonicalised: {exc}") from None


@dataclass(frozen=True)
class Event:
    """A recorded event: a draft plus the sequence number and time the ledger gave it."""

    seq: int
    time: str
    type: EventType
    actor: str
    subjects: Mapping[str, str]
    payload: Mapping[str, Any]
    witnessed: tuple[str, ...]

    @property
    def draft(self) -> EventDraft:
        return EventDraft(self.type, self.actor, self.subjects, self.payload, self.witnessed)

    def canonical(self) -> bytes:
        """The leaf bytes: RFC 8785 JCS of the whole event."""
        return self.draft.at(self.seq, self.time)

    def to_json(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "payload": dict(self.payload),
            "seq": self.seq,
            "subjects": dict(self.subjects),
            "time": self.time,
            "type": self.type.value,
            "v": SCHEMA_VERSION,
            "witnessed": list(self.witnessed),
        }

    @classmethod
    def from_json(cls, obj: Any) -> Event:
        """Parse and validate the JSON form; anything unexpected is an EventError."""
        keys = {"actor", "payload", "seq", "subjects", "time", "type", "v", "witnessed"}
        if not isinstance(obj, dict) or set(obj) != keys:
            raise EventError("event must be an object with exactly the fields " + ", ".join(keys))
        if obj["v"] != SCHEMA_VERSION:
            raise EventError(f"unsupported event schema version {obj['v']!r}")
        seq, time, witnessed = obj["seq"], obj["time"], obj["witnessed"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise EventError("event seq must be a non-negative integer")
        if not isinstance(time, str) or not isinstance(witnessed, list):
            raise EventError("event time must be a string and witnessed a list")
        draft = EventDraft(
            obj["type"], obj["actor"], obj["subjects"], obj["payload"], tuple(witnessed)
        )
        return cls(seq, time, *_draft_fields(draft))

    @classmethod
    def from_bytes(cls, data: bytes) -> Event:
        try:
            obj = json.loads(data)
        except ValueError as exc:
            raise EventError(f"event bytes are not JSON: {exc}") from None
        return cls.from_json(obj)


def _draft_fields(
    d: EventDraft,
) -> tuple[EventType, str, Mapping[str, str], Mapping[str, Any], tuple[str, ...]]:
    return d.type, d.actor, d.subjects, d.payload, d.witnessed


def parse_subjects(items: Sequence[str]) -> dict[str, str]:
    """``K=V`` strings from the command line into a subjects mapping."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise EventError(f"subject {item!r} must look like KEY=VALUE")
        if key in out:
            raise EventError(f"subject {key} given twice")
        out[key] = value
    return out


def seq_marker(seq: int) -> bytes:
    """The bytes ending the top-level ``seq`` member, just before ``,"subjects":{``.

    Subject values are strings and the fields after them hold no objects, so the last
    ``,"subjects":{`` in a leaf is the top-level one; verification uses this to check a row's
    position against its content without parsing JSON.
    """
    return b'"seq":%d' % seq


SUBJECTS_KEY = b',"subjects":{'
