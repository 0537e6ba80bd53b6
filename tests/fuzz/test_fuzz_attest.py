"""Fuzzing DSSE envelopes and in-toto statements on the attestation verify path.

An attestation file reaches `signoff attest verify` from wherever a release came from: each
line must verify or fail with `AttestationError`, never another exception, and an envelope
changed anywhere (payload, type, signature, a key's hint) never verifies as anything but the
statement that was signed. Bounded as `tests/fuzz` requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fuzzing import budget
from hypothesis import example, given
from hypothesis import strategies as st

from signoff.attest.bundle import Verified, bundle_problems, verify_bundle
from signoff.attest.dsse import (
    PAYLOAD_TYPE,
    AttestationError,
    PublicKey,
    open_envelope,
    sign_envelope,
)
from signoff.attest.statement import REVIEW_TYPE, VSA_TYPE, parse_statement, payload_bytes

ED = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
P256 = ec.derive_private_key(7, ec.SECP256R1())
KEYS: list[PublicKey] = [ED.public_key(), P256.public_key()]
STATEMENT: dict[str, Any] = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "w.tgz", "digest": {"sha256": "a" * 64}}],
    "predicateType": VSA_TYPE,
    "predicate": {"verificationResult": "PASSED"},
}
PAYLOAD = payload_bytes(STATEMENT)
ENVELOPES = [sign_envelope(PAYLOAD, ED), sign_envelope(PAYLOAD, P256)]
LINES = [json.dumps(e, sort_keys=True) for e in ENVELOPES]

_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=10),
    st.sampled_from(
        [PAYLOAD_TYPE, "\ud800", "", "=", "-_", "é", base64.b64encode(PAYLOAD).decode(),
         ENVELOPES[0]["signatures"][0]["sig"], ENVELOPES[1]["signatures"][0]["sig"]]
    ),
)  # fmt: skip
_JSON = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["payload", "payloadType", "signatures", "sig", "keyid", "x"]),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=15,
)


@budget(200)
@given(st.one_of(_JSON, _JSON.map(lambda s: {**ENVELOPES[0], "signatures": s})))
@example({**ENVELOPES[0], "payloadType": "\ud800"})
@example({**ENVELOPES[0], "signatures": [{"sig": "é-"}]})
def test_envelopes_open_or_attestation_error(envelope: Any) -> None:
    try:
        opened = open_envelope(envelope, KEYS)
    except AttestationError as err:
        assert "Traceback" not in str(err)
        return
    # Only the genuine payload carries a genuine signature.
    assert opened.payload == PAYLOAD and opened.payload_type == PAYLOAD_TYPE


@st.composite
def _mutated(draw: st.DrawFn, text: str) -> str:
    out = text
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(out)))
        new = draw(
            st.one_of(
                st.sampled_from(["", "A", "=", "-", "_", "\\ud800", "[", "1"]), st.text(max_size=2)
            )
        )
        out = out[:i] + new + out[i + draw(st.integers(0, 2)) :]
    return out


def _verify(text: str) -> list[Verified] | None:
    try:
        return verify_bundle(text, KEYS)
    except AttestationError as err:
        assert str(err).startswith(("line ", "the attestation file is empty"))
        return None


@budget(200)
@given(st.sampled_from(LINES).flatmap(_mutated))
@example(LINES[0].replace('"payloadType": "', '"payloadType": "\\ud800', 1))
@example("[" * 100_000)
def test_a_changed_envelope_never_verifies_another_statement(line: str) -> None:
    got = _verify(line)
    if got is not None:
        assert [v.statement for v in got] == [STATEMENT]


@budget(100)
@given(st.one_of(st.binary(max_size=200), _JSON.map(lambda d: json.dumps(d).encode())))
@example(b'{"_type": "https://in-toto.io/Statement/v1", "subject": [' + b"[" * 5000 + b"]")
def test_statements_parse_or_attestation_error(payload: bytes) -> None:
    try:
        doc = parse_statement(payload)
    except AttestationError:
        return
    assert doc["subject"] and isinstance(doc["predicate"], dict)


_PREDICATE = st.dictionaries(
    st.sampled_from(
        [
            "verifier",
            "timeVerified",
            "resourceUri",
            "policy",
            "inputAttestations",
            "verificationResult",
            "verifiedLevels",
            "result",
            "summary",
        ]
    ),
    st.one_of(
        _JSON,
        st.sampled_from(
            ["PASSED", "FAILED", ["FAILED"], ["SLSA_BUILD_LEVEL_1"], ["SLSA_X_LEVEL_9"]]
        ),
    ),
    max_size=7,
)


@budget(50)
@given(st.lists(st.tuples(st.sampled_from([VSA_TYPE, REVIEW_TYPE, "x"]), _PREDICATE), max_size=3))
def test_bundle_problems_judge_any_verified_statements(items: list[tuple[str, Any]]) -> None:
    found = [
        Verified(n, t, {**STATEMENT, "predicateType": t, "predicate": p}, ("k",), "0" * 64)
        for n, (t, p) in enumerate(items, 1)
    ]
    problems = bundle_problems(found)
    assert all(problems)
    # A bundle of anything but one bound VSA and one review always has a problem.
    if sorted(v.predicate_type for v in found) != sorted([VSA_TYPE, REVIEW_TYPE]):
        assert problems


def test_the_genuine_lines_verify() -> None:
    """The fuzzed properties start from envelopes that do verify (else they prove nothing)."""
    for line in LINES:
        got = _verify(line)
        assert got is not None and got[0].statement == STATEMENT
