"""in-toto Statement v1 and the SLSA Verification Summary Attestation predicate.

Statement (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md): `_type`,
`subject[]` (each a ResourceDescriptor that must carry a `digest`), `predicateType`, `predicate`.
VSA v1 (https://slsa.dev/spec/v1.0/verification_summary): `verifier.id`, `timeVerified`,
`resourceUri`, `policy{uri, digest}`, `inputAttestations[]`, `verificationResult`
(PASSED|FAILED), `verifiedLevels[]`. Consumers must ignore unknown fields; we write none.
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
    except ValueError:
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
        "verifiedLevels": [PASSED_LEVEL] if passed else [],
    }
