"""Event encoding and validation; C2SP signed notes and checkpoints."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signoff.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    Signer,
    Verifier,
    key_id,
    open_checkpoint,
    open_note,
    public_bytes,
)
from signoff.ledger.events import Event, EventDraft, EventError, EventType

DIGEST = "sha256:" + "ab" * 32


def test_leaf_bytes_are_rfc8785_of_the_whole_event() -> None:
    d = EventDraft(
        EventType.TOKEN_ISSUED,
        "signoff",
        {"token": DIGEST, "task": "T-9", "artifact": DIGEST},
        {"ttl": 900, "scope": {"paths": ["src/**"], "ünïcode": "✓", "x": 1.5}, "token": DIGEST},
        ("payload.ttl", "subjects.task", "actor"),
    )
    event = Event(41, "2025-01-02T03:04:05.000006Z", *_fields(d))
    assert event.canonical() == rfc8785.dumps(event.to_json())
    assert Event.from_bytes(event.canonical()) == event
    assert event.witnessed == ("actor", "payload.ttl", "subjects.task")


def test_leaf_template_survives_percent_signs() -> None:
    """Leaves are filled into a %-template; a '%' anywhere in the event must come out intact."""
    d = EventDraft(
        EventType.DECISION_MADE,
        "agent:100%-%d%s%b",
        {"task": "T-%d%%"},
        {"note": "50% %b %s %%", "%d": ["%"]},
        ("actor",),
    )
    for seq in (0, 7, 2**40):
        event = Event(seq, "2025-01-02T03:04:05.000006Z", *_fields(d))
        assert event.canonical() == rfc8785.dumps(event.to_json())
        assert Event.from_bytes(event.canonical()) == event


def _fields(d: EventDraft) -> tuple[Any, ...]:
    return d.type, d.actor, d.subjects, d.payload, d.witnessed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "made.up"}, "unknown event type"),
        ({"actor": ""}, "actor"),
        ({"actor": "a\nb"}, "control"),
        ({"payload": {"token": "ghp_x"}}, "payload.token: secrets"),
        ({"payload": {"nested": {"system_prompt": "be evil"}}}, "system_prompt"),
        ({"payload": {"note": "ghp_0123456789abcdef"}}, "credential"),
        ({"payload": {"x": float("nan")}}, "NaN"),
        ({"payload": {"x": 2**60}}, "too large"),
        ({"payload": {"x": object()}}, "not a JSON value"),
        ({"subjects": {"commit": "abc"}}, "full hex commit"),
        ({"subjects": {"artifact": "deadbeef"}}, "sha256"),
        ({"subjects": {"token_sha256": "xyz"}}, "sha256"),
        ({"subjects": {"Bad Key": "x"}}, "lower-case"),
        ({"subjects": {"task": "has space"}}, "printable"),
        ({"witnessed": ("payload.missing",)}, "names no field"),
        ({"witnessed": ("seq",)}, "always set"),
        ({"payload": {"blob": "x" * 70_000}}, "over"),
    ],
)
def test_bad_events_are_refused(kwargs: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {
        "type": "decision.made",
        "actor": "agent:x",
        "subjects": {},
        "payload": {},
        "witnessed": (),
    }
    base.update(kwargs)
    with pytest.raises(EventError, match=message):
        EventDraft(**base)


def test_secret_keys_accept_digests() -> None:
    d = EventDraft(EventType.TASK_REQUESTED, "human:alice", {}, {"prompt": DIGEST})
    assert d.payload["prompt"] == DIGEST


def test_event_from_json_is_strict(draft: Callable[..., EventDraft]) -> None:
    good = Event(0, "t", *_fields(draft())).to_json()
    cases: list[Any] = [{**good, "extra": 1}, {**good, "seq": -1}, {**good, "v": 2}, [], "x"]
    for broken in cases:
        with pytest.raises(EventError):
            Event.from_json(broken)
    with pytest.raises(EventError):
        Event.from_bytes(b"{not json")


# -- checkpoints ---------------------------------------------------------------------------------


def signer(name: str = "example.com/log") -> Signer:
    seed = hashlib.sha256(name.encode()).digest()
    return Signer(name, Ed25519PrivateKey.from_private_bytes(seed))


def test_key_id_and_verifier_string() -> None:
    s = signer()
    pub = public_bytes(s.private_key.public_key())
    want = hashlib.sha256(b"example.com/log\n\x01" + pub).digest()[:4]
    assert key_id("example.com/log", pub) == want == s.verifier.key_id
    text = str(s.verifier)
    name, hexid, blob = text.split("+", 2)
    assert (name, hexid) == ("example.com/log", want.hex())
    assert base64.b64decode(blob) == b"\x01" + pub
    assert Verifier.parse(text) == s.verifier
    with pytest.raises(CheckpointError):
        Verifier.parse(f"{name}+00000000+{blob}")
    with pytest.raises(CheckpointError):
        Verifier.parse("nonsense")


def test_checkpoint_note_format_and_round_trip() -> None:
    s = signer()
    cp = Checkpoint("example.com/log", 12, b"\x11" * 32)
    note = cp.sign(s)
    body, sig = note.split("\n\n")
    root = base64.b64encode(b"\x11" * 32).decode()
    assert body == f"example.com/log\n12\n{root}"
    assert sig.startswith("\u2014 example.com/log ") and sig.endswith("\n")
    raw = base64.b64decode(sig.split(" ")[2])
    assert raw[:4] == s.verifier.key_id and len(raw) == 68
    assert open_checkpoint(note, s.verifier, "example.com/log") == cp


def test_checkpoint_rejections() -> None:
    s, other = signer(), signer("other.example/log")
    cp = Checkpoint("example.com/log", 12, b"\x11" * 32)
    note = cp.sign(s)
    with pytest.raises(CheckpointError, match="not signed by key"):
        open_checkpoint(note, other.verifier)
    with pytest.raises(CheckpointError, match="for log"):
        open_checkpoint(note, s.verifier, "other.example/log")
    tampered = note.replace("\n12\n", "\n13\n")
    with pytest.raises(CheckpointError, match="bad signature"):
        open_checkpoint(tampered, s.verifier)
    for broken in ("", "no signatures\n", note.replace("\u2014", "-"), note + "junk"):
        with pytest.raises(CheckpointError):
            open_note(broken, s.verifier)
    bad_body = s.sign("example.com/log\n012\nAAAA\n")
    with pytest.raises(CheckpointError):
        open_checkpoint(bad_body, s.verifier)


def test_unknown_cosignatures_are_ignored() -> None:
    s, witness = signer(), signer("witness.example")
    cp = Checkpoint("example.com/log", 3, b"\x22" * 32)
    note = cp.sign(s)
    cosig = witness.sign(cp.body()).split("\n\n")[1]
    both = note + cosig
    assert open_checkpoint(both, s.verifier) == cp
    assert open_checkpoint(both, witness.verifier) == cp
