"""The attestation bundle: JSON Lines of DSSE envelopes (the in-toto `.intoto.jsonl` convention).

`signoff release verify --attest-out` writes two lines: the SLSA VSA statement first, then the
detailed signoff review statement. Both share the same subjects and are signed by the same key,
and the review names the SHA-256 of the VSA statement's exact signed bytes (`summary`), so lines
of two runs cannot be mixed. `bundle_problems` holds a verified bundle to that shape: exactly one
VSA and one review, bound to each other, the same subjects and time, both predicates' results
agreeing, and the VSA keeping the SLSA VSA v1 field rules.
"""

from __future__ import annotations

import hashlib
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
from signoff.attest.statement import (
    REVIEW_TYPE,
    VSA_TYPE,
    parse_statement,
    payload_bytes,
    vsa_problems,
)


def write_bundle(statements: Sequence[Mapping[str, Any]], key: PrivateKey) -> str:
    return "".join(dumps(sign_envelope(payload_bytes(s), key)) + "\n" for s in statements)


def summary_ref(vsa: Mapping[str, Any]) -> dict[str, Any]:
    """What the review statement says about the VSA it goes with: the digest of its bytes."""
    digest = hashlib.sha256(payload_bytes(vsa)).hexdigest()
    return {"predicateType": VSA_TYPE, "digest": {"sha256": digest}}


@dataclass(frozen=True, slots=True)
class Verified:
    line: int
    predicate_type: str
    statement: dict[str, Any]
    keyids: tuple[str, ...]
    payload_sha256: str  # of the exact bytes the envelope signed

    @property
    def result(self) -> str | None:
        """PASSED/FAILED for a VSA or a review, None for other predicates."""
        key = {VSA_TYPE: "verificationResult", REVIEW_TYPE: "result"}.get(self.predicate_type)
        if key is None:
            return None
        value = self.statement["predicate"].get(key)
        return value if isinstance(value, str) else "?"


def bundle_problems(found: Sequence[Verified]) -> list[str]:
    """Why a bundle of verified statements does not attest one release run (empty: it does)."""
    vsas = [v for v in found if v.predicate_type == VSA_TYPE]
    reviews = [v for v in found if v.predicate_type == REVIEW_TYPE]
    out = [f"line {v.line}: unexpected predicate type {v.predicate_type}" for v in found
           if v.predicate_type not in (VSA_TYPE, REVIEW_TYPE)]  # fmt: skip
    if len(vsas) != 1 or len(reviews) != 1:
        out.append(
            f"a bundle holds exactly one VSA and one review statement "
            f"(found {len(vsas)} VSA, {len(reviews)} review)"
        )
        return out
    vsa, review = vsas[0], reviews[0]
    out += [f"line {vsa.line}: {p}" for p in vsa_problems(vsa.statement["predicate"])]
    summary = review.statement["predicate"].get("summary")
    bound = isinstance(summary, Mapping) and summary.get("digest") == {"sha256": vsa.payload_sha256}
    if not bound:
        out.append(f"line {review.line}: the review is not bound to this bundle's VSA")
    if _subjects(vsa) != _subjects(review):
        out.append("the VSA and the review name different subjects")
    if vsa.statement["predicate"].get("timeVerified") != review.statement["predicate"].get(
        "timeVerified"
    ):
        out.append("the VSA and the review were made at different times")
    for v in (vsa, review):
        if v.result != "PASSED":
            out.append(f"line {v.line}: the verification result is {v.result}")
    return out


def _subjects(v: Verified) -> list[str]:
    return sorted(json.dumps(s, sort_keys=True) for s in v.statement["subject"])


def verify_bundle(text: str, keys: Sequence[PublicKey]) -> list[Verified]:
    """Every line's signature and statement; any bad line fails the whole bundle."""
    out: list[Verified] = []
    lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if not lines:
        raise AttestationError("the attestation file is empty")
    for n, line in lines:
        try:
            env = json.loads(line)
        except (ValueError, RecursionError):
            raise AttestationError(f"line {n}: not JSON") from None
        try:
            opened = open_envelope(env, keys)
            if opened.payload_type != PAYLOAD_TYPE:
                raise AttestationError(f"payloadType {opened.payload_type!r} is not {PAYLOAD_TYPE}")
            doc = parse_statement(opened.payload)
        except AttestationError as exc:
            raise AttestationError(f"line {n}: {exc}") from None
        digest = hashlib.sha256(opened.payload).hexdigest()
        out.append(Verified(n, doc["predicateType"], doc, opened.keyids, digest))
    return out
