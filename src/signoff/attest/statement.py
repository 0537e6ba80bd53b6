"""in-toto Statement v1 and the SLSA Verification Summary Attestation predicate.

Statement (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md): `_type`,
`subject[]` (each a ResourceDescriptor that must carry a `digest`), `predicateType`, `predicate`.
VSA v1 (https://slsa.dev/spec/v1.0/verification_summary): `verifier.id`, `timeVerified`,
`resourceUri`, `policy` (with a `uri`), `inputAttestations[]` (each with a `digest`),
`verificationResult` (PASSED|FAILED), `verifiedLevels[]`: the highest level verified per track,
or `["FAILED"]` when policy verification failed; at most one level per track; custom levels must
not start with `SLSA_`. `vsa_problems` holds a predicate to those rules. Consumers must ignore
unknown fields; we write none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from signoff.attest.dsse import AttestationError

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
VSA_TYPE = "https://slsa.dev/verification_summary/v1"
REVIEW_TYPE = "https://signoff.dev/release-review/v1"
#: Custom VSA levels must not start with SLSA_ (VSA spec, verifiedLevels).
PASSED_LEVEL = "SIGNOFF_AGENT_REVIEW_LEVEL_1"
#: What verifiedLevels holds when policy verification failed (VSA spec, SlsaResult).
FAILED_LEVEL = "FAILED"
SLSA_LEVELS = frozenset(f"SLSA_BUILD_LEVEL_{n}" for n in range(4))


def statement(
    subjects: Sequence[Mapping[str, Any]], predicate_type: str, predicate: Mapping[str, Any]
) -> dict[str, Any]:
    doc = {
        "_type": STATEMENT_TYPE,
        "subject": [dict(s) for s in subjects],
        "predicateType": predicate_type,
        "predicate": dict(predicate),
    }
    check_statement(doc)
    return doc


def payload_bytes(doc: Mapping[str, Any]) -> bytes:
    """The exact bytes signed: sorted keys, compact, UTF-8."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_statement(doc: Any) -> None:
    """Refuse anything that is not a well-formed Statement v1."""
    if not isinstance(doc, dict):
        raise AttestationError("the payload is not a JSON object")
    if doc.get("_type") != STATEMENT_TYPE:
        raise AttestationError(f"not an in-toto Statement v1 (_type {doc.get('_type')!r})")
    subjects = doc.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise AttestationError("a statement needs at least one subject")
    for i, s in enumerate(subjects):
        digest = s.get("digest") if isinstance(s, dict) else None
        if not isinstance(digest, dict) or not digest:
            raise AttestationError(f"subject[{i}] has no digest")
        if not all(isinstance(k, str) and isinstance(v, str) and v for k, v in digest.items()):
            raise AttestationError(f"subject[{i}].digest must map algorithms to hex strings")
    ptype = doc.get("predicateType")
    if not isinstance(ptype, str) or not ptype:
        raise AttestationError("predicateType is required")
    if not isinstance(doc.get("predicate"), dict):
        raise AttestationError("predicate must be an object")


def parse_statement(payload: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(payload)
    except (ValueError, RecursionError):
        raise AttestationError("the payload is not JSON") from None
    check_statement(doc)
    assert isinstance(doc, dict)
    return doc


def vsa_predicate(
    *,
    verifier_id: str,
    time_verified: str,
    resource_uri: str,
    policy_uri: str,
    policy_digest: str,
    input_attestations: Sequence[Mapping[str, Any]],
    passed: bool,
) -> dict[str, Any]:
    return {
        "verifier": {"id": verifier_id},
        "timeVerified": time_verified,
        "resourceUri": resource_uri,
        "policy": {"uri": policy_uri, "digest": {"sha256": policy_digest}},
        "inputAttestations": [dict(x) for x in input_attestations],
        "verificationResult": "PASSED" if passed else "FAILED",
        "verifiedLevels": [PASSED_LEVEL] if passed else [FAILED_LEVEL],
    }


def vsa_problems(pred: Mapping[str, Any]) -> list[str]:
    """Where a VSA v1 predicate breaks the spec's field rules (empty: it keeps them all)."""
    out: list[str] = []
    verifier = pred.get("verifier")
    if not isinstance(verifier, Mapping) or not _text(verifier.get("id")):
        out.append("verifier.id is required")
    for name in ("timeVerified", "resourceUri"):
        if not _text(pred.get(name)):
            out.append(f"{name} is required")
    policy = pred.get("policy")
    if not isinstance(policy, Mapping) or not _text(policy.get("uri")):
        out.append("policy.uri is required")
    inputs = pred.get("inputAttestations", [])
    if not isinstance(inputs, list) or not all(
        isinstance(x, Mapping) and isinstance(x.get("digest"), Mapping) and x["digest"]
        for x in inputs
    ):
        out.append("every inputAttestations entry needs a digest")
    result, levels = pred.get("verificationResult"), pred.get("verifiedLevels")
    if result not in ("PASSED", "FAILED"):
        out.append(f"verificationResult must be PASSED or FAILED, not {result!r}")
    if not isinstance(levels, list) or not levels or not all(_text(x) for x in levels):
        out.append("verifiedLevels must be a non-empty array of strings")
        return out
    if result == "FAILED" and levels != [FAILED_LEVEL]:
        out.append('a FAILED verification must have verifiedLevels ["FAILED"]')
    if result == "PASSED":
        if FAILED_LEVEL in levels:
            out.append("a PASSED verification cannot list the FAILED level")
        tracks = [x.rsplit("_LEVEL_", 1)[0] for x in levels]
        if len(set(tracks)) != len(tracks):
            out.append("verifiedLevels lists more than one level of a track")
        custom = [x for x in levels if x.startswith("SLSA_") and x not in SLSA_LEVELS]
        if custom:
            out.append(f"custom levels must not start with SLSA_ ({', '.join(custom)})")
    return out


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)
