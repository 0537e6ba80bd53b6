"""OIDC workload tokens against trust policies, with a JWKS served on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from joserfc.jwk import ECKey
from oidcfake import FakeIssuer

from signoff.broker.errors import BrokerError
from signoff.broker.oidc import JwksCache, TrustPolicy, https_fetcher, verify_oidc


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    iss = FakeIssuer()
    yield iss
    iss.stop()


def _policy(issuer: FakeIssuer, **claims: object) -> TrustPolicy:
    return TrustPolicy.parse(issuer.policy(**claims), allow_insecure_loopback=True)


def _verify(issuer: FakeIssuer, token: str, policy: TrustPolicy | None = None,
            cache: JwksCache | None = None) -> dict[str, object]:  # fmt: skip
    cache = cache or JwksCache(https_fetcher(), min_refresh=60)
    return verify_oidc(token, policy or _policy(issuer), cache, int(time.time()))


def _code(issuer: FakeIssuer, token: str, policy: TrustPolicy | None = None) -> str:
    with pytest.raises(BrokerError) as e:
        _verify(issuer, token, policy)
    return e.value.code


def test_matching_token_is_accepted(issuer: FakeIssuer) -> None:
    assert _verify(issuer, issuer.token())["repository_id"] == "123456"


def test_wrong_audience(issuer: FakeIssuer) -> None:
    assert _code(issuer, issuer.token(aud="https://github.com/acme")) == "wrong_audience"


def test_wrong_issuer(issuer: FakeIssuer) -> None:
    assert _code(issuer, issuer.token(iss=issuer.url + "/evil")) == "wrong_issuer"


def test_expired_and_not_yet_valid(issuer: FakeIssuer) -> None:
    now = int(time.time())
    assert _code(issuer, issuer.token(exp=now - 60, iat=now - 360)) == "expired"
    assert _code(issuer, issuer.token(nbf=now + 300, iat=now)) == "not_yet_valid"


def test_claim_mismatch_and_missing_claim(issuer: FakeIssuer) -> None:
    assert _code(issuer, issuer.token(repository_id="999")) == "untrusted"
    assert _code(issuer, issuer.token(repository_owner_id=None)) == "untrusted"
    assert _code(issuer, issuer.token(event_name="pull_request_target")) == "untrusted"


def test_globs_are_anchored_and_never_substrings(issuer: FakeIssuer) -> None:
    wf = "acme/widget/.github/workflows/x.yml@refs/heads/main"
    assert _code(issuer, issuer.token(job_workflow_ref="evil/" + wf)) == "untrusted"
    assert _code(issuer, issuer.token(job_workflow_ref=wf + "-attacker")) == "untrusted"
    nested = "acme/widget/.github/workflows/sub/x.yml@refs/heads/main"
    assert _code(issuer, issuer.token(job_workflow_ref=nested)) == "untrusted"  # * never crosses /
    p = _policy(issuer, ref="main|develop")  # a regex-looking value is just a literal
    assert _code(issuer, issuer.token(ref="main"), p) == "untrusted"


def test_non_string_claims_fail(issuer: FakeIssuer) -> None:
    assert _code(issuer, issuer.token(repository_id=["123456"])) == "untrusted"
    assert _verify(issuer, issuer.token(repository_id=123456))  # an integer id is its decimal


def test_jku_and_jwk_headers_are_refused(issuer: FakeIssuer) -> None:
    evil = ECKey.generate_key("P-256", private=True)
    from joserfc import jws

    reg = jws.JWSRegistry(algorithms=["ES256"], strict_check_header=False)
    for header in ({"jku": "http://127.0.0.1:1/jwks"}, {"jwk": dict(evil.as_dict(private=False))}):
        t = jws.serialize_compact(
            {"alg": "ES256", "kid": evil.thumbprint(), **header},
            b'{"iss":"x"}', evil, algorithms=["ES256"], registry=reg,
        )  # fmt: skip
        assert _code(issuer, t) in ("bad_header", "unknown_kid")


def test_unknown_kid_refetches_once_then_refuses(issuer: FakeIssuer) -> None:
    cache = JwksCache(https_fetcher(), min_refresh=60)
    policy = _policy(issuer)
    _verify(issuer, issuer.token(), policy, cache)
    assert issuer.fetches == 1
    _verify(issuer, issuer.token(), policy, cache)
    assert issuer.fetches == 1  # cached: known kid
    stranger = ECKey.generate_key("P-256", private=True)
    for _ in range(3):
        with pytest.raises(BrokerError) as e:
            _verify(issuer, issuer.token(key=stranger), policy, cache)
        assert e.value.code == "unknown_kid"
    assert issuer.fetches == 1  # refreshed a moment ago: no refetch storm
    fast = JwksCache(https_fetcher(), min_refresh=0)
    _verify(issuer, issuer.token(), policy, fast)
    issuer.rotate()
    _verify(issuer, issuer.token(), policy, fast)  # new kid: one refresh finds it
    assert issuer.fetches == 3


def test_algorithm_is_fixed_by_the_key(issuer: FakeIssuer) -> None:
    t = issuer.token()
    h, p, s = t.split(".")
    import base64
    import json

    header = json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))
    header["alg"] = "RS256"
    h2 = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    assert _code(issuer, f"{h2}.{p}.{s}") == "bad_header"


@pytest.mark.parametrize(
    "doc",
    [
        {"issuer": "http://127.0.0.1:1", "audience": "signoff", "jwks_url": "http://127.0.0.1:1/j",
         "claims": {"repository_id": "1"}},
        {"issuer": "https://iss", "audience": "", "jwks_url": "https://iss/j",
         "claims": {"repository_id": "1"}},
        {"issuer": "https://iss", "audience": "signoff", "jwks_url": "https://iss/j"},
        {"issuer": "https://iss", "audience": "signoff", "jwks_url": "https://iss/j",
         "claims": {"ref": {"regex": "refs/.*"}}},
        {"issuer": "https://iss", "audience": "signoff", "jwks_url": "https://iss/j",
         "claims": {"ref": {"glob": "**"}}},
        {"issuer": "https://user@iss", "audience": "signoff", "jwks_url": "https://iss/j",
         "claims": {"ref": "x"}},
    ],
)  # fmt: skip
def test_unsafe_trust_policies_are_refused(doc: dict[str, object]) -> None:
    with pytest.raises(BrokerError):
        TrustPolicy.parse(doc)


def test_pinned_jwks_file(issuer: FakeIssuer, tmp_path: object) -> None:
    import json
    from pathlib import Path

    f = Path(str(tmp_path)) / "jwks.json"
    f.write_text(json.dumps(issuer.jwks()))
    doc = issuer.policy()
    del doc["jwks_url"]
    doc["jwks_file"] = str(f)
    policy = TrustPolicy.parse(doc, allow_insecure_loopback=True)
    before = issuer.fetches
    assert _verify(issuer, issuer.token(), policy)
    assert issuer.fetches == before
