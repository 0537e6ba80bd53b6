"""The attestation bundle: JSON Lines of DSSE envelopes (the in-toto `.intoto.jsonl` convention).

`signoff release verify --attest-out` writes two lines: the SLSA VSA statement first, then the
detailed signoff review statement. Both share the same subjects and are signed by the same key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from signoff.attest.dsse import (
    PAYLOAD_TYPE,
    AttestationError,
    PrivateKey,
    PublicKey,
    dumps,
    open_envelope,
    sign_envelope,
)
from signoff.attest.statement import VSA_TYPE, parse_statement, payload_bytes


def write_bundle(statements: Sequence[Mapping[str, Any]], key: PrivateKey) -> str:
    return "".join(dumps(sign_envelope(payload_bytes(s), key)) + "\n" for s in statements)


@dataclass(frozen=True, slots=True)
class Verified:
    line: int
    predicate_type: str
    statement: dict[str, Any]
    keyids: tuple[str, ...]

    @property
    def result(self) -> str | None:
        """PASSED/FAILED for a VSA, None for other predicates."""
        if self.predicate_type != VSA_TYPE:
            return None
        value = self.statement["predicate"].get("verificationResult")
        return value if isinstance(value, str) else "?"


def verify_bundle(text: str, keys: Sequence[PublicKey]) -> list[Verified]:
    """Every line's signature and statement; any bad line fails the whole bundle."""
    out: list[Verified] = []
    lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if not lines:
        raise AttestationError("the attestation file is empty")
    for n, line in lines:
        try:
            env = json.loads(line)
        except ValueError:
            raise AttestationError(f"line {n}: not JSON") from None
        try:
            opened = open_envelope(env, keys)
            if opened.payload_type != PAYLOAD_TYPE:
                raise AttestationError(f"payloadType {opened.payload_type!r} is not {PAYLOAD_TYPE}")
            doc = parse_statement(opened.payload)
        except AttestationError as exc:
            raise AttestationError(f"line {n}: {exc}") from None
        out.append(Verified(n, doc["predicateType"], doc, opened.keyids))
    return out
