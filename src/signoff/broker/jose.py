"""Task tokens: compact JWS minted and verified with joserfc, configured strictly.

Verification never lets the token choose anything (RFC 8725 §2.1, §3.1):

- the header may carry only `alg`, `kid` and `typ` (an OIDC issuer's may add `x5t`); `jwk`,
  `jku`, `x5u`, `x5c` and `crit` are refused outright, so no key is ever taken from a token;
- `kid` must name a key in OUR key set, and that key has one fixed algorithm: `Ed25519`
  (RFC 9864's name for EdDSA over Ed25519; joserfc deprecates the bare `EdDSA`) or `ES256`; the
  header's `alg` must equal it, so `none` and HS256-keyed-with-a-public-key fail before any
  cryptography runs, and joserfc is still told the one algorithm it may use;
- every claim is required, of its exact type, and compared exactly: `iss`, `aud` (one string,
  never a list), `sub`, `exp`, `iat`, `nbf`, `jti`, `task`, `scope`, `base`, `policy`, `intent`;
  unknown claims are refused too (we mint exactly these);
- clock skew allowed: `LEEWAY` = 30 s, on `exp`, `nbf` and `iat` alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["TaskClaims", "VerifyKey", "mint", "verify_compact", "verify_task_token"]

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from signoff.broker.claims import TaskClaims
from signoff.broker.errors import BrokerError
from signoff.broker.scope import Grant

LEEWAY = 30
MAX_TOKEN_BYTES = 8192
TYP = "signoff-task+jwt"
#: A token living longer than this is refused even if its signature is ours.
MAX_LIFETIME = 24 * 3600
_FORBIDDEN_HEADERS = ("jwk", "jku", "x5u", "x5c", "crit")
_TASK_CLAIMS = frozenset(
    {"iss", "aud", "sub", "exp", "iat", "nbf", "jti", "task", "scope", "base", "policy", "intent"}
)

AnyKey = OKPKey | ECKey | RSAKey


@dataclass(frozen=True, slots=True)
class VerifyKey:
    """A public key we trust, with the one algorithm it may be used with."""

    kid: str
    alg: str
    key: AnyKey


def _b64(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise BrokerError("token is not a compact JWS", code="malformed") from None


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BrokerError(f"token {what} is not JSON", code="malformed") from None
    if not isinstance(value, dict):
        raise BrokerError(f"token {what} is not a JSON object", code="malformed")
    return value


def peek_kid(token: str) -> str:
    """The header's `kid` before verification (to pick a JWKS); "" when there is none."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > MAX_TOKEN_BYTES:
        return ""
    try:
        kid = _json_object(_b64(parts[0]), "header").get("kid")
    except BrokerError:
        return ""
    return kid if isinstance(kid, str) else ""


def verify_compact(
    token: str,
    keys: Mapping[str, VerifyKey],
    *,
    typ: str | None,
    extra_headers: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Check the header and the signature; return the (unchecked) claims."""
    if len(token) > MAX_TOKEN_BYTES:
        raise BrokerError("token is too large", code="malformed")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise BrokerError("token is not a compact JWS (three segments)", code="malformed")
    header = _json_object(_b64(parts[0]), "header")
    bad = [h for h in _FORBIDDEN_HEADERS if h in header]
    if bad:
        raise BrokerError(
            f"token header carries `{bad[0]}`: keys are never taken from a token", code="bad_header"
        )
    unknown = sorted(set(header) - {"alg", "kid", "typ"} - extra_headers)
    if unknown:
        raise BrokerError(f"token header has unexpected `{unknown[0]}`", code="bad_header")
    if typ is not None and header.get("typ") != typ:
        raise BrokerError(f"token type is not {typ}", code="bad_header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise BrokerError("token header names no key (`kid`)", code="unknown_kid")
    vk = keys.get(kid)
    if vk is None:
        raise BrokerError(f"token is signed by unknown key {kid[:16]!r}", code="unknown_kid")
    if header.get("alg") != vk.alg:
        raise BrokerError(
            f"token algorithm {str(header.get('alg'))[:16]!r} is not {vk.alg}, the one "
            "algorithm of its key",
            code="bad_header",
        )
    try:
        obj = jws.deserialize_compact(token, vk.key, algorithms=[vk.alg])
    except JoseError:
        raise BrokerError("token signature does not verify", code="bad_signature") from None
    return _json_object(obj.payload, "payload")


def check_times(claims: Mapping[str, Any], now: int, leeway: int = LEEWAY) -> None:
    """`exp`, `nbf`, `iat` present as integers and in range (with `leeway` seconds of skew)."""
    for k in ("exp", "iat", "nbf"):
        v = claims.get(k)
        if not isinstance(v, int) or isinstance(v, bool):
            raise BrokerError(f"claim `{k}` is missing or not an integer", code="bad_claims")
    if claims["exp"] <= now - leeway:
        raise BrokerError("token has expired", code="expired")
    if claims["nbf"] > now + leeway:
        raise BrokerError("token is not valid yet (nbf)", code="not_yet_valid")
    if claims["iat"] > now + leeway:
        raise BrokerError("token was issued in the future (iat)", code="not_yet_valid")
    if claims["exp"] - claims["iat"] > MAX_LIFETIME:
        raise BrokerError("token lifetime is over the maximum", code="bad_claims")


def mint(claims: TaskClaims, kid: str, alg: str, private_key: OKPKey | ECKey) -> str:
    header = {"alg": alg, "kid": kid, "typ": TYP}
    payload = json.dumps(claims.to_json(), separators=(",", ":"), sort_keys=True).encode()
    return jws.serialize_compact(header, payload, private_key, algorithms=[alg])


def verify_task_token(
    token: str,
    keys: Mapping[str, VerifyKey],
    *,
    issuer: str,
    audience: str,
    now: int,
    leeway: int = LEEWAY,
) -> TaskClaims:
    """A task token's claims, or a BrokerError saying exactly which check failed."""
    c = verify_compact(token, keys, typ=TYP)
    missing = sorted(_TASK_CLAIMS - set(c))
    if missing:
        raise BrokerError(f"token lacks claim `{missing[0]}`", code="bad_claims")
    extra = sorted(set(c) - _TASK_CLAIMS)
    if extra:
        raise BrokerError(f"token has unexpected claim `{extra[0]}`", code="bad_claims")
    for k in ("iss", "aud", "sub", "jti", "task", "base", "policy", "intent"):
        if not isinstance(c[k], str) or not c[k]:
            raise BrokerError(f"claim `{k}` must be a non-empty string", code="bad_claims")
    if c["iss"] != issuer:
        raise BrokerError("token issuer is not this broker", code="wrong_issuer")
    if c["aud"] != audience:
        raise BrokerError(f"token audience is not {audience}", code="wrong_audience")
    if not c["sub"].startswith("agent:"):
        raise BrokerError("token subject is not an agent", code="bad_claims")
    check_times(c, now, leeway)
    return TaskClaims(
        iss=c["iss"],
        aud=c["aud"],
        sub=c["sub"],
        exp=c["exp"],
        iat=c["iat"],
        nbf=c["nbf"],
        jti=c["jti"],
        task=c["task"],
        scope=Grant.from_json(c["scope"]),
        base=c["base"],
        policy=c["policy"],
        intent=c["intent"],
    )
