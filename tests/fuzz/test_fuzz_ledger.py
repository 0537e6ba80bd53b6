"""Fuzzing the ledger's signed notes (C2SP signed-note and tlog-checkpoint) and evidence bundles.

A checkpoint or a bundle reaches `signoff ledger verify-bundle` and the monitor from anywhere,
and its verifier key is public, so an attacker can write a signature line with the right key
name and key id. Each parser must answer with its result or its own error (`CheckpointError`,
`BundleError`), never another exception; and a note or bundle changed anywhere never verifies
as anything but what was signed. Bounded as `tests/fuzz` requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fuzzing import budget
from hypothesis import example, given
from hypothesis import strategies as st

from signoff.ledger import merkle
from signoff.ledger.bundle import BundleError, dumps, make_bundle, verify_bundle
from signoff.ledger.checkpoint import Checkpoint, CheckpointError, Signer, Verifier, open_note
from signoff.ledger.events import Event, EventType

ORIGIN = "example.com/log"
SIGNER = Signer(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
VERIFIER = SIGNER.verifier
_KEY_ID = base64.b64encode(VERIFIER.key_id).decode()

T0, T1 = "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:01.000000Z"
EVENTS = [
    Event(0, T0, EventType.DECISION_MADE, "gate", {"commit": "a" * 40}, {"verdict": "deny"}, ()),
    Event(1, T1, EventType.APPROVAL_GIVEN, "alice@example.com", {}, {"n": 1}, ()),
]
_LEAVES = [merkle.leaf_hash(e.canonical()) for e in EVENTS]
_ROOT = merkle.root_of(_LEAVES)
CHECKPOINT = Checkpoint(ORIGIN, len(EVENTS), _ROOT)
NOTE = CHECKPOINT.sign(SIGNER)
BUNDLE = dumps(make_bundle(NOTE, [(EVENTS[0], [_LEAVES[1]]), (EVENTS[1], [_LEAVES[0]])]))


def _sig_line(blob: bytes) -> str:
    return f"\u2014 {ORIGIN} {base64.b64encode(blob).decode()}"


_NOTE_TOKENS = st.sampled_from(
    [
        ORIGIN, "\n", "\n\n", " ", "+", "\u2014 ", "2", base64.b64encode(_ROOT).decode(), "0",
        _KEY_ID, "=", "x", "\t", "\r", "\x00", "\ud800", "é", "\u2028", "AAAA",
        _sig_line(VERIFIER.key_id + b"\0" * 64), _sig_line(VERIFIER.key_id + b"\0"),
        _sig_line(b"\0" * 68),
    ]
)  # fmt: skip
NOTES = st.one_of(st.text(max_size=200), st.lists(_NOTE_TOKENS, max_size=25).map("".join))


@st.composite
def _mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with a few characters replaced, inserted or removed."""
    out = text
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(out)))
        new = draw(
            st.one_of(
                st.sampled_from(["", "\n", " ", "0", "A", "+", "\ud800"]), st.text(max_size=2)
            )
        )
        cut = draw(st.integers(0, 2))
        out = out[:i] + new + out[i + cut :]
    return out


def _open(note: str) -> Checkpoint | None:
    try:
        return Checkpoint.parse_body(open_note(note, VERIFIER))
    except CheckpointError as err:
        assert "Traceback" not in str(err)
        return None


@budget(200)
@given(NOTES)
@example(f"{ORIGIN}\n2\n\ud800\n\n" + _sig_line(VERIFIER.key_id + b"\0" * 64) + "\n")
@example(f"\ud800\n\n{_sig_line(VERIFIER.key_id + b'x' * 64)}\n")
def test_notes_give_checkpoints_or_checkpoint_error(note: str) -> None:
    assert _open(note) is None  # nothing the fuzzer writes carries our signature


@budget(200)
@given(_mutated(NOTE))
@example("\ud800" + NOTE)
def test_a_changed_checkpoint_never_verifies_as_another(note: str) -> None:
    got = _open(note)
    assert got is None or got == CHECKPOINT


@budget(100)
@given(st.text(max_size=120))
@example(f"{ORIGIN}+{VERIFIER.key_id.hex()}+\ud800")
@example(f"a\ud800+00000000+{base64.b64encode(bytes(33)).decode()}")
def test_verifier_keys_parse_or_checkpoint_error(text: str) -> None:
    try:
        v = Verifier.parse(text)
    except CheckpointError:
        return
    assert len(v.public_key) == 32


_JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=8),
    st.sampled_from([NOTE, base64.b64encode(_ROOT).decode(), "decision.made", "\ud800"]),
)  # fmt: skip
_JSON = st.recursive(
    _JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "format",
                    "checkpoint",
                    "entries",
                    "event",
                    "inclusion_path",
                    "seq",
                    "v",
                    "type",
                    "actor",
                    "subjects",
                    "payload",
                    "time",
                    "witnessed",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


def _verify(text: str | bytes) -> tuple[Checkpoint, list[Event]] | None:
    try:
        return verify_bundle(text, VERIFIER)
    except BundleError as err:
        assert "Traceback" not in str(err)
        return None


@budget(200)
@given(
    st.one_of(
        st.binary(max_size=200),
        _JSON.map(lambda d: json.dumps(d)),
        _JSON.map(
            lambda d: json.dumps(
                {"format": "signoff-ledger-bundle/v1", "checkpoint": NOTE, "entries": d}
            )
        ),
    )
)
@example('{"format": "signoff-ledger-bundle/v1", "checkpoint": "' + "[" * 50 + '"}')
@example("[" * 100_000)
@example(
    json.dumps({"format": "signoff-ledger-bundle/v1", "entries": [],
                "checkpoint": f"{ORIGIN}\n\ud800\n\n{_sig_line(VERIFIER.key_id + b'x' * 64)}\n"})
)  # fmt: skip
def test_bundles_verify_or_bundle_error(data: str | bytes) -> None:
    got = _verify(data)
    if got is not None:
        cp, events = got
        assert cp == CHECKPOINT
        assert all(e in EVENTS for e in events)


def _deep_entry(depth: int) -> str:
    """A bundle entry whose event payload nests `depth` lists (Python's JSON limit is ~1000)."""
    event = {**EVENTS[0].to_json(), "payload": {"x": "@"}}
    text = json.dumps({"event": event, "inclusion_path": []})
    return text.replace('"@"', "[" * depth + "]" * depth)


@budget(200)
@given(_mutated(BUNDLE))
@example(BUNDLE.replace(ORIGIN, "\ud800" + ORIGIN, 1))
@example(BUNDLE.replace('"entries": [', '"entries": [' + _deep_entry(900) + ",", 1))
@example(BUNDLE.replace('"entries": [', '"entries": [' + _deep_entry(5000) + ",", 1))
def test_a_changed_bundle_never_verifies_other_events(text: str) -> None:
    got = _verify(text)
    if got is not None:
        assert got[0] == CHECKPOINT
        assert all(e in EVENTS for e in got[1])


def test_the_genuine_note_and_bundle_verify() -> None:
    """The fuzzed properties start from inputs that do verify (else they prove nothing)."""
    assert _open(NOTE) == CHECKPOINT
    assert _verify(BUNDLE) == (CHECKPOINT, EVENTS)
