"""DSSE + in-toto v1 attestations, checked with securesystemslib and in-toto-attestation."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from google.protobuf import json_format
from in_toto_attestation.predicates.vsa.v1 import vsa_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey  # type: ignore[attr-defined]  # re-exported, no __all__

from signoff.attest.dsse import AttestationError, keyid, open_envelope, pae, sign_envelope
from signoff.attest.statement import REVIEW_TYPE, VSA_TYPE

from .conftest import World
from .test_release_e2e import agent_lockfile_release

Make = Callable[..., World]


def write_key(path: Path, key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


def public_pem(path: Path, key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return path


def test_pae_matches_the_spec_example() -> None:
    assert pae("application/vnd.in-toto+json", b'{"a":1}') == (
        b'DSSEv1 28 application/vnd.in-toto+json 7 {"a":1}'
    )


@pytest.mark.parametrize("curve", ["ed25519", "p256"])
def test_envelope_verifies_with_securesystemslib(curve: str) -> None:
    key = (
        Ed25519PrivateKey.generate()
        if curve == "ed25519"
        else ec.generate_private_key(ec.SECP256R1())
    )
    env = sign_envelope(b'{"x":1}', key)
    ssl_key = SSlibKey.from_crypto(key.public_key(), keyid=keyid(key.public_key()))
    envelope = Envelope.from_dict(copy.deepcopy(env))  # from_dict consumes its input
    accepted = envelope.verify([ssl_key], 1)
    assert list(accepted) == [keyid(key.public_key())]
    assert open_envelope(env, [key.public_key()]).payload == b'{"x":1}'
    with pytest.raises(AttestationError, match="no trusted key"):
        open_envelope(env, [Ed25519PrivateKey.generate().public_key()])


def release_bundle(
    w: World, tmp: Path, key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey
) -> tuple[Path, Path, Path]:
    agent_lockfile_release(w)
    art = w.artifact("app-1.4.0.tgz", b"release bytes")
    head = w.repo.head()
    assert (
        w.record("artifact built", art, "--identity", "ci@example.com", "--commit", head).code == 0
    )
    assert w.record("artifact signed", art, "--identity", "signer@example.com").code == 0
    priv = write_key(tmp / "attest.pem", key)
    out = tmp / "release.intoto.jsonl"
    code, doc = w.verify("--artifact", str(art), "--attest-out", str(out), "--key", str(priv))
    assert code == 0, doc["failures"]
    return out, public_pem(tmp / "attest.pub", key), art


def test_release_attestation_is_valid_in_toto(world: Make, tmp_path: Path) -> None:
    w = world()
    key = Ed25519PrivateKey.generate()
    out, pub, art = release_bundle(w, tmp_path, key)
    lines = out.read_text().splitlines()
    assert len(lines) == 2
    ssl_key = SSlibKey.from_crypto(key.public_key(), keyid=keyid(key.public_key()))
    statements = []
    for line in lines:
        env = Envelope.from_dict(json.loads(line))
        assert env.payload_type == "application/vnd.in-toto+json"
        env.verify([ssl_key], 1)
        doc = json.loads(env.payload)
        stmt = Statement.copy_from_pb(json_format.ParseDict(doc, Statement([], "", {}).pb))
        stmt.validate()
        statements.append(doc)
    vsa, review = statements
    assert vsa["predicateType"] == VSA_TYPE and review["predicateType"] == REVIEW_TYPE
    # Every field name must be one the VSA proto knows. The 0.9.3 proto types verifiedLevels as
    # one string while the SLSA VSA v1.0 spec (and slsa-verifier) use an array, so that one field
    # is handed to the proto as a string.
    pred = {**vsa["predicate"], "verifiedLevels": ",".join(vsa["predicate"]["verifiedLevels"])}
    parsed = json_format.ParseDict(pred, vsa_pb2.VerificationSummary())
    assert parsed.verification_result == "PASSED" and len(parsed.input_attestations) == 2
    assert vsa["predicate"]["verificationResult"] == "PASSED"
    assert vsa["subject"][0]["name"] == "app-1.4.0.tgz"
    assert len(vsa["predicate"]["inputAttestations"]) == 2  # the built and signed events
    [change] = [c for c in review["predicate"]["changes"] if c["path"] == "package-lock.json"]
    assert change["class"] == "lockfile" and change["attribution"] == ["agent"]
    groups = {a["group"]: a["approvers"] for a in review["predicate"]["approvals"]}
    assert groups == {
        "maintainers": ["alice@example.com"],
        "release-managers": ["carol@example.com"],
    }
    # signoff's own verifier agrees, and checks the artifact is a subject
    r = w.cli("attest", "verify", str(out), "--key", str(pub), "--artifact", str(art))
    assert r.code == 0, r.out + r.err
    assert "attestation VERIFIED" in r.out and "result=PASSED" in r.out


def test_tampered_attestation_and_wrong_key_fail(world: Make, tmp_path: Path) -> None:
    w = world()
    key = ec.generate_private_key(ec.SECP256R1())
    out, pub, _ = release_bundle(w, tmp_path, key)
    first, second = out.read_text().splitlines()
    env = json.loads(first)
    doc = json.loads(base64.b64decode(env["payload"]))
    doc["predicate"]["verificationResult"] = "FAILED"
    env["payload"] = base64.b64encode(json.dumps(doc).encode()).decode()
    bad = tmp_path / "tampered.jsonl"
    bad.write_text(json.dumps(env) + "\n" + second + "\n")
    r = w.cli("attest", "verify", str(bad), "--key", str(pub))
    assert r.code == 1 and "INVALID" in r.err and "line 1" in r.err
    other = public_pem(tmp_path / "other.pub", Ed25519PrivateKey.generate())
    r = w.cli("attest", "verify", str(out), "--key", str(other))
    assert r.code == 1 and "no trusted key" in r.err
    r = w.cli("attest", "verify", str(out), "--key", str(pub), "--artifact", str(bad))
    assert r.code == 1 and "is not a subject" in r.out


def test_failed_release_attests_failed(world: Make, tmp_path: Path) -> None:
    w = world()
    w.repo.write("package-lock.json", "{}\n")
    from gitrepo import COPILOT

    w.repo.commit("unreviewed", author=COPILOT)
    priv = write_key(tmp_path / "k.pem", Ed25519PrivateKey.generate())
    out = tmp_path / "a.jsonl"
    code, _ = w.verify("--attest-out", str(out), "--key", str(priv))
    assert code == 1
    r = w.cli("attest", "verify", str(out), "--key", str(priv))
    assert r.code == 1 and "result=FAILED" in r.out and "attestation FAILED" in r.out
    vsa = json.loads(base64.b64decode(json.loads(out.read_text().splitlines()[0])["payload"]))
    assert vsa["subject"][0]["digest"] == {"gitCommit": w.repo.head()}
