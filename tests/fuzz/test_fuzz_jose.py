"""Fuzzing the JOSE tokens the server verifies: task tokens, OIDC workload tokens, ID tokens.

A bearer token is whatever a caller sends. Verification must answer with the claims or its own
error (`BrokerError`, `OidcError`), never another exception; and a token the fuzzer writes (any
header, any claims, signed with its own key, `none`, HMAC keyed with our public key, or a real
token changed anywhere) never authenticates as anything but what was signed. Claims signed by a
trusted issuer are fuzzed too: what verification accepts must keep every check it promises.
Bounded as `tests/fuzz` requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from fuzzing import budget
from hypothesis import example, given
from hypothesis import strategies as st
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey

from signoff.broker.errors import BrokerError
from signoff.broker.jose import TYP, TaskClaims, mint, verify_task_token
from signoff.broker.keys import KeyRing
from signoff.broker.oidc import JwksCache, TrustPolicy, verify_oidc
from signoff.broker.scope import Grant
from signoff.web.oidc import LEEWAY, OidcConfig, OidcError, _id_token

NOW = 1_800_000_000
GRANT = Grant("widget", "agent/", (), ("src/**",), (), (), ("push-branch",))
CLAIMS = TaskClaims(
    iss="signoff", aud="signoff-git", sub="agent:bot", exp=NOW + 600, iat=NOW, nbf=NOW,
    jti="j" * 32, task="task-1", scope=GRANT, base="a" * 40, policy="sha256:" + "b" * 64,
    intent="sha256:" + "c" * 64,
)  # fmt: skip
RINGS = [KeyRing(None, "Ed25519"), KeyRing(None, "ES256")]
KEYS = {kid: vk for ring in RINGS for kid, vk in ring.verify_keys(NOW).items()}
TOKENS = [mint(CLAIMS, k.kid, k.alg, k.key) for k in (r.signing_key() for r in RINGS)]
ATTACKER = OKPKey.generate_key("Ed25519", private=True)
KID = next(iter(KEYS))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=8),
    st.sampled_from(
        [*KEYS, "Ed25519", "ES256", "EdDSA", "none", "HS256", "RS256", "signoff-task+jwt",
         "signoff", "signoff-git", "agent:bot", "\ud800", ""]
    ),
)  # fmt: skip
_JSON = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "alg": _LEAF, "kid": _LEAF, "typ": _LEAF, "jwk": _JSON, "jku": _LEAF, "crit": _JSON,
        "x5t": _LEAF, "b64": st.booleans(), "zip": _LEAF,
    },
)  # fmt: skip
PAYLOADS = st.one_of(
    _JSON,
    st.dictionaries(st.sampled_from(sorted(CLAIMS.to_json())), _JSON, max_size=4).map(
        lambda d: {**CLAIMS.to_json(), **d}
    ),
)


def _segment(value: Any) -> st.SearchStrategy[str]:
    raw = json.dumps(value).encode("utf-8", "surrogatepass")
    return st.sampled_from([_b64(raw), _b64(raw) + "=", base64.b64encode(raw).decode()])


@st.composite
def forged(draw: st.DrawFn) -> str:
    """A token the fuzzer made: any header and payload; no signature, its own, or HMAC."""
    header, payload = draw(HEADERS), draw(PAYLOADS)
    h, p = draw(_segment(header)), draw(_segment(payload))
    how = draw(st.sampled_from(["none", "random", "attacker", "hmac", "copied"]))
    if how == "attacker":
        # Our key's id and algorithm, and the right type: only the key itself is the attacker's.
        hdr = {"alg": "Ed25519", "kid": draw(st.sampled_from(sorted(KEYS))), "typ": TYP}
        raw = json.dumps(payload).encode("utf-8", "surrogatepass")
        try:
            return jws.serialize_compact({**header, **hdr}, raw, ATTACKER, algorithms=["Ed25519"])
        except (JoseError, ValueError, TypeError):  # joserfc refused the header
            how = "random"
    if how == "hmac":
        secret = json.dumps(next(iter(KEYS.values())).key.as_dict(private=False)).encode()
        sig = hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest()
        return f"{h}.{p}.{_b64(sig)}"
    if how == "copied":
        return f"{h}.{p}.{TOKENS[0].rsplit('.', 1)[1]}"
    return f"{h}.{p}.{_b64(draw(st.binary(max_size=70))) if how == 'random' else ''}"


@st.composite
def changed(draw: st.DrawFn) -> str:
    out = draw(st.sampled_from(TOKENS))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(out)))
        new = draw(
            st.one_of(st.sampled_from(["", ".", "A", "-", "_", "=", "+"]), st.text(max_size=2))
        )
        out = out[:i] + new + out[i + draw(st.integers(0, 2)) :]
    return out


def _task(token: str) -> TaskClaims | None:
    try:
        return verify_task_token(token, KEYS, issuer="signoff", audience="signoff-git", now=NOW)
    except BrokerError as err:
        assert err.code and "Traceback" not in str(err)
        return None


@budget(200)
@given(st.one_of(st.text(max_size=300), forged()))
@example(_b64(b"[" * 5000) + ".e30.")
@example(f"{_b64(json.dumps({'alg': 'Ed25519', 'kid': KID}).encode())}.{_b64(b'[' * 5000)}.x")
def test_a_forged_task_token_never_authenticates(token: str) -> None:
    assert _task(token) is None


@budget(200)
@given(changed())
def test_a_changed_task_token_never_authenticates_other_claims(token: str) -> None:
    got = _task(token)
    assert got is None or got == CLAIMS


# -- OIDC workload tokens (a CI provider's JWT against an agent's trust policy) -------------

ISSUER = ECKey.generate_key("P-256", private=True)
_ISS_JWK = {**ISSUER.as_dict(private=False), "kid": "k1", "alg": "ES256", "use": "sig"}
POLICY = TrustPolicy.parse(
    {
        "issuer": "https://ci.example", "audience": "signoff",
        "jwks_url": "https://ci.example/.well-known/jwks",
        "claims": {"repository_id": "123", "ref": {"glob": "refs/heads/*"},
                   "event_name": {"one_of": ["push", "schedule"]}},
    }
)  # fmt: skip
WORKLOAD = {
    "iss": "https://ci.example", "aud": "signoff", "exp": NOW + 300, "iat": NOW - 10,
    "nbf": NOW - 10, "jti": "w1", "repository_id": "123", "ref": "refs/heads/main",
    "event_name": "push",
}  # fmt: skip


def _cache() -> JwksCache:
    return JwksCache(lambda url: json.dumps({"keys": [_ISS_JWK]}).encode())


def _signed(claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    raw = json.dumps(claims).encode("utf-8", "surrogatepass")
    hdr = {"alg": "ES256", "kid": "k1", **(header or {})}
    return jws.serialize_compact(hdr, raw, ISSUER, algorithms=["ES256"])


def _workload(token: str) -> dict[str, Any] | None:
    try:
        return verify_oidc(token, POLICY, _cache(), NOW)
    except BrokerError as err:
        assert err.code
        return None


@budget(150)
@given(st.one_of(st.text(max_size=200), forged(), changed()))
def test_a_forged_workload_token_never_authenticates(token: str) -> None:
    assert _workload(token) is None


@budget(120)
@given(st.dictionaries(st.sampled_from(sorted(WORKLOAD)), _JSON, max_size=3), st.booleans())
@example({"aud": ["x", "signoff"]}, False)
@example({"repository_id": 123}, False)
@example({"ref": "refs/heads/a/b"}, False)
def test_what_a_workload_token_is_accepted_with_keeps_the_policy(
    changes: dict[str, Any], drop: bool
) -> None:
    claims = {**WORKLOAD, **changes}
    if drop and changes:
        del claims[next(iter(changes))]
    got = _workload(_signed(claims))
    if got is None:
        return
    assert got["iss"] == "https://ci.example"
    assert got["aud"] == "signoff" or (isinstance(got["aud"], list) and "signoff" in got["aud"])
    assert str(got["repository_id"]) == "123" and got["event_name"] in ("push", "schedule")
    assert got["ref"].startswith("refs/heads/") and "/" not in got["ref"][11:]
    assert isinstance(got["jti"], str) and got["jti"]
    for k in ("exp", "iat", "nbf"):
        assert type(got[k]) is int
    assert got["exp"] > NOW - 30 and got["nbf"] <= NOW + 30 and NOW - 3600 <= got["iat"] <= NOW + 30


# -- ID tokens of the console's sign-in (OpenID Connect) ----------------------------------

PROVIDER = ECKey.generate_key("P-256", private=True)
CONFIG = OidcConfig(
    issuer="https://idp.example", client_id="signoff-console", client_secret="", roles={},
    _meta={
        "doc": {"jwks_uri": "http://127.0.0.1:9/jwks"},  # a refresh fails fast on loopback
        "jwks": KeySet([PROVIDER]),
        "until": float("inf"),
    },
)  # fmt: skip
NONCE = "n-0123456789"


def _id_claims() -> dict[str, Any]:
    t = int(time.time())
    return {"iss": "https://idp.example", "aud": "signoff-console", "exp": t + 300, "iat": t,
            "nonce": NONCE, "email": "a@example.com", "email_verified": True}  # fmt: skip


def _id(token: str) -> dict[str, Any] | None:
    try:
        return _id_token(CONFIG, token, NONCE)
    except OidcError as err:
        assert "Traceback" not in str(err)
        return None


# Each refused token makes the sign-in refetch the provider's keys (a failed loopback request,
# ~0.1 s): a smaller budget.
@budget(20)
@given(st.one_of(st.text(max_size=200), forged()))
@example(f"{_b64(json.dumps({'alg': 'ES256', 'crit': None}).encode())}.e30.AAAA")
def test_a_forged_id_token_never_signs_in(token: str) -> None:
    assert _id(token) is None


_ID_KEYS = ["iss", "aud", "exp", "iat", "nonce", "azp", "email"]


@budget(100)
@given(st.dictionaries(st.sampled_from(_ID_KEYS), _JSON, max_size=3))
@example({"aud": 5})
@example({"aud": {"signoff-console": 1}})
@example({"aud": ["signoff-console", "other"], "azp": None})
@example({"iat": False})  # found by `make fuzz`: a boolean passed for an integer
def test_what_an_id_token_is_accepted_with_keeps_every_check(changes: dict[str, Any]) -> None:
    claims = {**_id_claims(), **changes}
    raw = json.dumps(claims).encode("utf-8", "surrogatepass")
    token = jws.serialize_compact({"alg": "ES256"}, raw, PROVIDER, algorithms=["ES256"])
    got = _id(token)
    if got is None:
        return
    t = time.time()
    aud = got["aud"]
    assert aud == "signoff-console" or (
        isinstance(aud, list)
        and "signoff-console" in aud
        and (len(aud) == 1 or got.get("azp") == "signoff-console")
    )
    assert got["iss"] == "https://idp.example" and got["nonce"] == NONCE
    assert type(got["exp"]) is int and got["exp"] + LEEWAY > t
    assert type(got["iat"]) is int and got["iat"] - LEEWAY < t
