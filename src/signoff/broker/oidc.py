"""OIDC workload tokens (GitHub Actions, GitLab CI, any issuer with a JWKS) and trust policies.

A trust policy belongs to one agent and says which workload tokens prove that agent, in the
style of octo-sts but without its regex footguns (octo-sts/app#1643, #901):

    issuer:   https://token.actions.githubusercontent.com    # exact
    audience: signoff                                        # exact; required
    jwks_url: https://token.actions.githubusercontent.com/.well-known/jwks   # or jwks_file
    claims:                                                  # at least one; all must hold
      repository_id: "123456"                                # exact string
      repository_owner_id: "7890"
      job_workflow_ref: {glob: "acme/widget/.github/workflows/agent.yml@refs/heads/*"}
      event_name: {one_of: [workflow_dispatch, schedule]}

A condition is an exact string, `{one_of: [...]}` (exact strings) or `{glob: ...}`, an anchored
glob where `*` and `?` never cross `/` and `**` crosses anything; nothing else is special. No
regular expressions and no substring tests exist. Claim values must be strings (an integer
becomes its decimal string, a boolean `true`/`false`); a missing claim or any other type fails.

Verification (research §2.2): header without `jku`/`jwk`/`x5u`/`x5c`/`crit`; `kid` resolved only
in the issuer's JWKS from the policy's own URL or pinned file; the key's algorithm fixed (RS256,
ES256 or Ed25519 by key type); exact `iss`; `aud` equal to the policy's (or a list containing
it); `exp`/`nbf`/`iat` with 30 s of skew and `iat` at most `MAX_AGE` old; a `jti` (the server
stores it: a workload token is single-use).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from signoff.broker.errors import BrokerError
from signoff.broker.jose import (
    LEEWAY,
    AnyKey,
    VerifyKey,
    check_times,
    peek_kid,
    verify_compact,
)

MAX_AGE = 3600
MAX_JWKS_BYTES = 256 * 1024
MIN_REFRESH_SECONDS = 60.0
_CLAIM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Anchored glob → regex (internal only): `**` any, `*`/`?` never `/`, all else literal."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)


@dataclass(frozen=True, slots=True)
class Condition:
    exact: tuple[str, ...] = ()
    glob: str | None = None
    _rx: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, name: str, raw: object) -> Condition:
        if isinstance(raw, str):
            return cls(exact=(raw,))
        if isinstance(raw, Mapping) and set(raw) == {"one_of"}:
            vals = raw["one_of"]
            if isinstance(vals, list) and vals and all(isinstance(v, str) for v in vals):
                return cls(exact=tuple(vals))
        if isinstance(raw, Mapping) and set(raw) == {"glob"} and isinstance(raw["glob"], str):
            g = raw["glob"]
            if not g or g.strip("*?/") == "":
                raise BrokerError(f"claims.{name}: glob {g!r} matches anything", code="untrusted")
            return cls(glob=g, _rx=_glob_regex(g))
        raise BrokerError(
            f"claims.{name}: use a string, {{one_of: [strings]}} or {{glob: string}}",
            code="untrusted",
        )

    def holds(self, value: object) -> bool:
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            return False
        if self.exact:
            return value in self.exact
        return self._rx is not None and self._rx.fullmatch(value) is not None

    def to_json(self) -> object:
        if self.glob is not None:
            return {"glob": self.glob}
        return self.exact[0] if len(self.exact) == 1 else {"one_of": list(self.exact)}


def _check_url(url: str, what: str, allow_insecure_loopback: bool) -> None:
    parts = urlsplit(url)
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")
    if parts.scheme != "https" and not (allow_insecure_loopback and loopback):
        raise BrokerError(f"{what} {url!r} must be https://", code="untrusted")
    if parts.username or parts.password or parts.fragment or not parts.hostname or ".." in url:
        raise BrokerError(f"{what} {url!r} is not a plain URL", code="untrusted")
    if len(url) > 255 or any(ord(c) < 0x21 for c in url):
        raise BrokerError(f"{what} is too long or has control characters", code="untrusted")


@dataclass(frozen=True, slots=True)
class TrustPolicy:
    issuer: str
    audience: str
    claims: Mapping[str, Condition]
    jwks_url: str | None = None
    jwks_file: str | None = None

    @classmethod
    def parse(cls, raw: object, *, allow_insecure_loopback: bool = False) -> TrustPolicy:
        """Validate a policy document; any doubt is a BrokerError (the policy is not stored)."""
        if not isinstance(raw, Mapping):
            raise BrokerError("a trust policy is an object", code="untrusted")
        allowed = {"issuer", "audience", "claims", "jwks_url", "jwks_file"}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise BrokerError(f"trust policy: unknown field {unknown[0]!r}", code="untrusted")
        iss, aud = raw.get("issuer"), raw.get("audience")
        if not isinstance(iss, str) or not isinstance(aud, str) or not aud.strip():
            raise BrokerError("trust policy needs an exact issuer and audience", code="untrusted")
        _check_url(iss, "issuer", allow_insecure_loopback)
        url, path = raw.get("jwks_url"), raw.get("jwks_file")
        if (url is None) == (path is None):
            raise BrokerError(
                "trust policy: give exactly one of jwks_url, jwks_file", code="untrusted"
            )
        if url is not None:
            if not isinstance(url, str):
                raise BrokerError("trust policy: jwks_url must be a string", code="untrusted")
            _check_url(url, "jwks_url", allow_insecure_loopback)
        if path is not None and (not isinstance(path, str) or not Path(path).is_absolute()):
            raise BrokerError("trust policy: jwks_file must be an absolute path", code="untrusted")
        claims_raw = raw.get("claims")
        if not isinstance(claims_raw, Mapping) or not claims_raw:
            raise BrokerError(
                "trust policy: name at least one claim condition (e.g. repository_id); "
                "issuer and audience alone would trust every workload of that issuer",
                code="untrusted",
            )
        claims = {}
        for name, cond in claims_raw.items():
            if not isinstance(name, str) or not _CLAIM_NAME.match(name):
                raise BrokerError(f"trust policy: bad claim name {name!r}", code="untrusted")
            if name in ("iss", "aud", "exp", "iat", "nbf", "jti"):
                raise BrokerError(f"trust policy: `{name}` is checked already", code="untrusted")
            claims[name] = Condition.parse(name, cond)
        return cls(iss, aud, claims, url, path)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"issuer": self.issuer, "audience": self.audience}
        out["jwks_url" if self.jwks_url else "jwks_file"] = self.jwks_url or self.jwks_file
        out["claims"] = {k: c.to_json() for k, c in sorted(self.claims.items())}
        return out


def parse_jwks(doc: object) -> dict[str, VerifyKey]:
    """A JWKS's keys, one algorithm each; keys without `kid` or of other types are skipped."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("keys"), list):
        raise BrokerError('JWKS is not {"keys": [...]}', code="unavailable")
    out: dict[str, VerifyKey] = {}
    for jwk in doc["keys"]:
        if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("use", "sig") != "sig":
            continue
        public = {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
        kty, crv = public.get("kty"), public.get("crv")
        try:
            key: AnyKey
            if kty == "RSA":
                key, alg = RSAKey.import_key(public), "RS256"
            elif kty == "EC" and crv == "P-256":
                key, alg = ECKey.import_key(public), "ES256"
            elif kty == "OKP" and crv == "Ed25519":
                key, alg = OKPKey.import_key(public), "Ed25519"
            else:
                continue
        except (JoseError, ValueError, TypeError):
            continue
        if public.get("alg", alg) != alg:
            continue  # a key declaring another algorithm is not used for this one
        out[jwk["kid"]] = VerifyKey(jwk["kid"], alg, key)
    return out


Fetch = Callable[[str], bytes]


class JwksCache:
    """JWKS per source, refreshed only for an unknown `kid`, at most once per `min_refresh`."""

    def __init__(self, fetch: Fetch, min_refresh: float = MIN_REFRESH_SECONDS) -> None:
        self._fetch = fetch
        self.min_refresh = min_refresh
        self._lock = threading.Lock()
        self._keys: dict[str, dict[str, VerifyKey]] = {}
        self._fetched: dict[str, float] = {}

    def keys_for(self, policy: TrustPolicy, kid: str) -> dict[str, VerifyKey]:
        source = policy.jwks_url or f"file:{policy.jwks_file}"
        with self._lock:
            keys = self._keys.get(source)
            last = self._fetched.get(source)
        if keys is not None and kid in keys:
            return keys
        if last is not None and time.monotonic() - last < self.min_refresh and keys is not None:
            return keys  # unknown kid, but we refreshed a moment ago: no refetch storm
        if policy.jwks_url:
            raw = self._fetch(policy.jwks_url)
        else:
            assert policy.jwks_file is not None
            try:
                raw = Path(policy.jwks_file).read_bytes()[: MAX_JWKS_BYTES + 1]
            except OSError as exc:
                raise BrokerError(
                    f"cannot read pinned JWKS: {exc.strerror}", code="unavailable"
                ) from None
        if len(raw) > MAX_JWKS_BYTES:
            raise BrokerError("JWKS is too large", code="unavailable")
        try:
            fresh = parse_jwks(json.loads(raw))
        except ValueError:
            raise BrokerError("JWKS is not JSON", code="unavailable") from None
        with self._lock:
            self._keys[source] = fresh
            self._fetched[source] = time.monotonic()
        return fresh


def verify_oidc(
    token: str, policy: TrustPolicy, cache: JwksCache, now: int, leeway: int = LEEWAY
) -> dict[str, Any]:
    """The verified claims of a workload token, or a BrokerError naming the failed check."""
    kid = peek_kid(token)
    keys = cache.keys_for(policy, kid) if kid else {}
    c = verify_compact(token, keys, typ=None, extra_headers=frozenset({"x5t"}))
    if c.get("iss") != policy.issuer:
        raise BrokerError("workload token issuer is not the trusted issuer", code="wrong_issuer")
    aud = c.get("aud")
    if not (aud == policy.audience or (isinstance(aud, list) and policy.audience in aud)):
        raise BrokerError(
            f"workload token audience is not {policy.audience}", code="wrong_audience"
        )
    check_times(c, now, leeway)
    if c["iat"] < now - MAX_AGE:
        raise BrokerError("workload token was issued too long ago", code="expired")
    if not isinstance(c.get("jti"), str) or not c["jti"]:
        raise BrokerError("workload token has no `jti` (needed for single use)", code="bad_claims")
    for name, cond in policy.claims.items():
        if name not in c:
            raise BrokerError(f"workload token lacks claim `{name}`", code="untrusted")
        if not cond.holds(c[name]):
            raise BrokerError(
                f"workload token claim `{name}` does not match the trust policy", code="untrusted"
            )
    return c


def https_fetcher(timeout: float = 5.0) -> Fetch:
    """Fetch a JWKS: no redirects, a size cap, one-line errors (the URL was checked already)."""
    import httpx

    def fetch(url: str) -> bytes:
        try:
            with (
                httpx.Client(timeout=timeout, follow_redirects=False) as client,
                client.stream("GET", url, headers={"Accept": "application/json"}) as resp,
            ):
                if resp.status_code != 200:
                    raise BrokerError(f"JWKS {url}: HTTP {resp.status_code}", code="unavailable")
                body = b""
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise BrokerError("JWKS is too large", code="unavailable")
                return body
        except httpx.HTTPError as exc:
            raise BrokerError(f"cannot fetch JWKS {url}: {exc}", code="unavailable") from None

    return fetch
