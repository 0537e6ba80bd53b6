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
from schemas import validate
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey  # type: ignore[attr-defined]  # re-exported, no __all__

from signoff.attest.dsse import AttestationError, keyid, open_envelope, pae, sign_envelope
from signoff.attest.statement import REVIEW_TYPE, VSA_TYPE, vsa_problems

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
    r = w.cli("attest", "verify", str(out), "--key", str(pub), "--artifact", str(art),
              "--format", "json")  # fmt: skip
    assert r.code == 0, r.err
    validate(r.json(), "attest-verify-v1.json")
    assert r.json()["valid"] is True and len(r.json()["statements"]) == 2


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
    # as JSON: the same failures, each in the document its schema describes
    for args in (
        [str(bad), "--key", str(pub)],
        [str(out), "--key", str(pub), "--artifact", str(bad)],
    ):
        r = w.cli("attest", "verify", *args, "--format", "json")
        assert r.code == 1, r.err
        validate(r.json(), "attest-verify-v1.json")
        assert r.json()["valid"] is False and r.json()["problems"]


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


def failed_bundle(w: World, tmp: Path, priv: Path, art: Path) -> Path:
    """A FAILED release of the same artifact: an unreviewed agent change on top."""
    w.repo.write("package-lock.json", '{"lockfileVersion": 3, "packages": {"x": {}}}\n')
    from gitrepo import COPILOT

    w.repo.commit("unreviewed", author=COPILOT)
    out = tmp / "failed.jsonl"
    code, _ = w.verify("--artifact", str(art), "--attest-out", str(out), "--key", str(priv))
    assert code == 1
    return out


def test_a_bundle_is_one_run_and_every_line_must_pass(world: Make, tmp_path: Path) -> None:
    """Deleting the VSA line, or mixing lines of two runs, never verifies."""
    w = world()
    key = Ed25519PrivateKey.generate()
    passed, pub, art = release_bundle(w, tmp_path, key)
    failed = failed_bundle(w, tmp_path, tmp_path / "attest.pem", art)
    p_vsa, p_review = passed.read_text().splitlines()
    f_vsa, f_review = failed.read_text().splitlines()

    def check(*lines: str) -> tuple[int, str]:
        f = tmp_path / "mixed.jsonl"
        f.write_text("".join(line + "\n" for line in lines))
        r = w.cli("attest", "verify", str(f), "--key", str(pub), "--artifact", str(art))
        return r.code, r.out + r.err

    assert check(p_vsa, p_review)[0] == 0
    code, out = check(f_review)  # the VSA line deleted: the review alone says FAILED
    assert code == 1 and "exactly one VSA and one review" in out
    code, out = check(p_vsa, f_review)  # PASSED summary, FAILED details
    assert code == 1 and "not bound to this bundle's VSA" in out and "result is FAILED" in out
    code, out = check(f_vsa, p_review)
    assert code == 1 and "not bound" in out
    code, out = check(p_vsa, p_review, p_vsa)
    assert code == 1 and "found 2 VSA" in out
    code, out = check(p_review, p_vsa)  # order does not matter, binding does
    assert code == 0, out


def test_failed_vsa_keeps_the_slsa_field_rules(world: Make, tmp_path: Path) -> None:
    w = world()
    key = Ed25519PrivateKey.generate()
    _, _, art = release_bundle(w, tmp_path, key)
    failed = failed_bundle(w, tmp_path, tmp_path / "attest.pem", art)
    vsa = json.loads(base64.b64decode(json.loads(failed.read_text().splitlines()[0])["payload"]))
    pred = vsa["predicate"]
    assert pred["verificationResult"] == "FAILED" and pred["verifiedLevels"] == ["FAILED"]
    assert vsa_problems(pred) == []
    proto = {**pred, "verifiedLevels": ",".join(pred["verifiedLevels"])}  # 0.9.3 proto: a string
    parsed = json_format.ParseDict(proto, vsa_pb2.VerificationSummary())
    assert parsed.verification_result == "FAILED"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"verifiedLevels": []}, "non-empty array"),
        ({"verificationResult": "FAILED"}, 'verifiedLevels ["FAILED"]'),
        ({"verificationResult": "PASSED", "verifiedLevels": ["FAILED"]}, "cannot list the FAILED"),
        ({"verificationResult": "MAYBE"}, "PASSED or FAILED"),
        ({"verifiedLevels": ["SLSA_BUILD_LEVEL_2", "SLSA_BUILD_LEVEL_3"]}, "more than one level"),
        ({"verifiedLevels": ["SLSA_SOMETHING_1"]}, "must not start with SLSA_"),
        ({"policy": {"digest": {"sha256": "ab"}}}, "policy.uri"),
        ({"verifier": {}}, "verifier.id"),
        ({"timeVerified": ""}, "timeVerified"),
        ({"inputAttestations": [{"uri": "x"}]}, "needs a digest"),
    ],
)
def test_vsa_field_rules(change: dict[str, object], problem: str) -> None:
    good = {
        "verifier": {"id": "https://signoff.dev/release-verify@0"},
        "timeVerified": "2026-01-01T00:00:00Z",
        "resourceUri": "git+https://example.com/r@v1",
        "policy": {"uri": "git+https://example.com/r@abc#.signoff/policy.yml"},
        "inputAttestations": [{"uri": "ledger:seq/1", "digest": {"sha256": "ab"}}],
        "verificationResult": "PASSED",
        "verifiedLevels": ["SIGNOFF_AGENT_REVIEW_LEVEL_1", "SLSA_BUILD_LEVEL_3"],
    }
    assert vsa_problems(good) == []
    assert any(problem in p for p in vsa_problems({**good, **change}))


def test_the_readme_release_lines_verify_with_the_ledgers_own_key(
    world: Make, tmp_path: Path
) -> None:
    """README: `release verify ... --ledger L --attest-out B` signs with the ledger's key, and
    `signoff ledger public-key --ledger L > ledger.pub` is the key `attest verify` takes."""
    w = world()
    agent_lockfile_release(w)
    art = w.artifact("app-1.4.0.tgz", b"release bytes")
    head = w.repo.head()
    assert (
        w.record("artifact built", art, "--identity", "ci@example.com", "--commit", head).code == 0
    )
    assert w.record("artifact signed", art, "--identity", "signer@example.com").code == 0
    out = tmp_path / "release.intoto.jsonl"
    code, doc = w.verify("--artifact", str(art), "--attest-out", str(out))
    assert code == 0, doc["failures"]
    shown = w.cli("ledger", "public-key", "--ledger", w.ledger)
    assert shown.code == 0, shown.err
    pub = tmp_path / "ledger.pub"
    pub.write_text(shown.out)
    r = w.cli("attest", "verify", str(out), "--key", str(pub))
    assert r.code == 0 and "attestation VERIFIED" in r.out, r.out + r.err
    r = w.cli("trace", "--commit", head, "--ledger", w.ledger)
    assert r.code == 0 and head[:12] in r.out, r.out + r.err
