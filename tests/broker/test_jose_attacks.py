"""Task-token verification against every header and claim attack we know of."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from signoff.broker.errors import BrokerError
from signoff.broker.jose import TaskClaims, mint, verify_task_token
from signoff.broker.keys import KeyRing, generate
from signoff.broker.scope import Grant

NOW = 1_800_000_000
GRANT = Grant("widget", "agent/", (), ("src/**",), (), ("src/secret/**",), ("push-branch",))


def claims(**kw: object) -> TaskClaims:
    base = TaskClaims(
        iss="signoff", aud="signoff-git", sub="agent:bot", exp=NOW + 600, iat=NOW, nbf=NOW,
        jti="j" * 32, task="task-1", scope=GRANT, base="a" * 40, policy="sha256:" + "b" * 64,
        intent="sha256:" + "c" * 64,
    )  # fmt: skip
    return base._replace(**kw)  # type: ignore[arg-type]


@pytest.fixture(params=["Ed25519", "ES256"])
def ring(request: pytest.FixtureRequest) -> KeyRing:
    return KeyRing(None, request.param)


def tok(ring: KeyRing, c: TaskClaims | None = None) -> str:
    k = ring.signing_key()
    return mint(c or claims(), k.kid, k.alg, k.key)


def check(ring: KeyRing, token: str, now: int = NOW) -> TaskClaims:
    return verify_task_token(
        token, ring.verify_keys(now), issuer="signoff", audience="signoff-git", now=now
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def parts(token: str) -> tuple[dict[str, object], dict[str, object], str]:
    h, p, s = token.split(".")

    def pad(x: str) -> str:
        return x + "=" * (-len(x) % 4)

    return (
        json.loads(base64.urlsafe_b64decode(pad(h))),
        json.loads(base64.urlsafe_b64decode(pad(p))),
        s,
    )


def refused(ring: KeyRing, token: str, code: str, now: int = NOW) -> None:
    with pytest.raises(BrokerError) as e:
        check(ring, token, now)
    assert e.value.code == code, e.value.message


def test_valid_token_round_trips(ring: KeyRing) -> None:
    c = check(ring, tok(ring))
    assert c == claims() and c.agent == "bot"


def test_expired(ring: KeyRing) -> None:
    refused(ring, tok(ring), "expired", now=NOW + 600 + 31)


def test_expiry_within_skew_is_accepted(ring: KeyRing) -> None:
    check(ring, tok(ring), now=NOW + 600 + 29)


def test_not_yet_valid(ring: KeyRing) -> None:
    refused(ring, tok(ring, claims(nbf=NOW + 120, iat=NOW + 120, exp=NOW + 700)), "not_yet_valid")


def test_wrong_audience(ring: KeyRing) -> None:
    refused(ring, tok(ring, claims(aud="registry")), "wrong_audience")


def test_wrong_issuer(ring: KeyRing) -> None:
    refused(ring, tok(ring, claims(iss="signoff.evil")), "wrong_issuer")


def test_tampered_payload(ring: KeyRing) -> None:
    h, p, s = tok(ring).split(".")
    body = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    body["scope"]["paths_allow"] = ["**"]
    forged = ".".join([h, b64(json.dumps(body).encode()), s])
    refused(ring, forged, "bad_signature")


def test_tampered_signature(ring: KeyRing) -> None:
    h, p, s = tok(ring).split(".")
    sig = bytearray(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    sig[5] ^= 1
    refused(ring, ".".join([h, p, b64(bytes(sig))]), "bad_signature")


def test_alg_none(ring: KeyRing) -> None:
    header, payload, _ = parts(tok(ring))
    header["alg"] = "none"
    forged = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}."
    refused(ring, forged, "bad_header")  # empty signature segment
    refused(ring, forged + "AA", "bad_header")


def test_hs256_signed_with_the_public_key(ring: KeyRing) -> None:
    header, payload, _ = parts(tok(ring))
    header["alg"] = "HS256"
    pub = json.dumps(ring.jwks()["keys"][0]).encode()
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    for secret in (pub, ring.jwks()["keys"][0]["x"].encode()):
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        refused(ring, f"{signing_input}.{b64(mac)}", "bad_header")


def test_unknown_kid(ring: KeyRing) -> None:
    other = generate(ring.alg)
    refused(ring, mint(claims(), other.kid, other.alg, other.key), "unknown_kid")


@pytest.mark.parametrize("name", ["jku", "jwk", "x5u", "x5c", "crit"])
def test_key_carrying_headers_are_refused(ring: KeyRing, name: str) -> None:

    k = ring.signing_key()
    value = {
        "jwk": k.public(),
        "x5c": ["MIIB"],
        "crit": ["exp"],
    }.get(name, "https://evil.example/jwks")
    header: dict[str, object] = {"alg": k.alg, "kid": k.kid, "typ": "signoff-task+jwt", name: value}
    if name == "crit":
        header["exp"] = 1
    refused(ring, raw_token(ring, header, claims().to_json()), "bad_header")


def raw_token(ring: KeyRing, header: dict[str, object], body: dict[str, object]) -> str:
    """Sign any header with our real key, bypassing joserfc's own header checks."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    k = ring.signing_key()
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"
    priv = k.key.private_key
    if isinstance(priv, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(priv.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = priv.sign(signing_input.encode())  # type: ignore[union-attr]
    return f"{signing_input}.{b64(sig)}"


def test_raw_signing_helper_makes_valid_tokens(ring: KeyRing) -> None:
    k = ring.signing_key()
    check(ring, raw_token(ring, {"alg": k.alg, "kid": k.kid, "typ": "signoff-task+jwt"},
                          claims().to_json()))  # fmt: skip


def test_missing_and_extra_claims(ring: KeyRing) -> None:
    from joserfc import jws

    k = ring.signing_key()
    header = {"alg": k.alg, "kid": k.kid, "typ": "signoff-task+jwt"}
    for change in ({"drop": "intent"}, {"add": "admin"}):
        body = claims().to_json()
        if "drop" in change:
            del body[change["drop"]]
        else:
            body[change["add"]] = True
        t = jws.serialize_compact(header, json.dumps(body).encode(), k.key, algorithms=[k.alg])
        refused(ring, t, "bad_claims")


def test_audience_list_is_refused(ring: KeyRing) -> None:
    from joserfc import jws

    k = ring.signing_key()
    body = claims().to_json()
    body["aud"] = ["signoff-git", "other"]
    t = jws.serialize_compact(
        {"alg": k.alg, "kid": k.kid, "typ": "signoff-task+jwt"},
        json.dumps(body).encode(), k.key, algorithms=[k.alg],
    )  # fmt: skip
    refused(ring, t, "bad_claims")


def test_scope_claim_cannot_carry_never_agent_actions(ring: KeyRing) -> None:
    c = claims(scope=GRANT._replace(actions=("push-branch", "tag")))
    refused(ring, tok(ring, c), "bad_claims")


def test_rotation_keeps_old_tokens_valid_and_publishes_public_keys_only(tmp_path: object) -> None:
    from pathlib import Path

    d = Path(str(tmp_path)) / "keys"
    ring = KeyRing(d)
    old = tok(ring)
    new_key = ring.rotate(now=NOW)
    assert ring.signing_key().kid == new_key.kid
    check(ring, old)
    check(ring, tok(ring))
    assert all("d" not in k for k in ring.jwks(NOW)["keys"]) and len(ring.jwks(NOW)["keys"]) == 2
    assert all(oct(f.stat().st_mode)[-3:] == "600" for f in d.glob("*.json"))
    again = KeyRing(d)  # another replica reads the same files
    check(again, old)
    assert ring.prune(now=NOW + 10**6) and len(ring.jwks(NOW + 10**6)["keys"]) == 1
