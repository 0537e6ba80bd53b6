"""Sign-in with the organisation's OpenID Connect provider: authorization code flow with PKCE.

Why joserfc and httpx rather than an OAuth framework: both are already signoff's dependencies
(joserfc verifies task tokens in the broker), and the security-critical part, verifying the ID
token's signature against the provider's published keys, is joserfc's. What remains is the
flow itself, kept small and explicit here so every check can be read in one place:

- the provider's metadata is discovered at ``{issuer}/.well-known/openid-configuration`` and
  its ``issuer`` must equal the configured one exactly;
- the browser goes to the provider with a fresh ``state``, ``nonce`` and PKCE ``S256``
  challenge; all three stay on the server (a pending row keyed by the SHA-256 of a random value
  in a short-lived cookie), never in the URL we are sent back to;
- the callback is accepted once: the row is deleted, ``state`` is compared in constant time,
  the code is exchanged with the verifier, and the ID token must be signed by a key in the
  provider's JWKS with an asymmetric algorithm, name the configured issuer, have the client id
  in its audience (and as ``azp`` when there are several), be unexpired and carry our nonce;
- the person is the registered, active human whose e-mail is the token's *verified* e-mail;
  their roles come only from the groups claim, through the configured map. A person whose
  groups map to no role is refused.

The session then holds a server-issued API token for that person (the sign-in's roles, the
session's lifetime, recorded in the ledger as `api-token-issued`), so every later request is
re-checked by exactly the code that checks a bearer token: suspension or revocation ends it.
Configuration: `SIGNOFF_OIDC_*` variables (docs/console.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import sqlalchemy as sa
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from signoff.server.auth import Principal, Role
from signoff.server.common import now, parse_stamp, stamp
from signoff.server.context import Context
from signoff.server.errors import UnauthenticatedError
from signoff.server.identity import repository as people
from signoff.server.tokens.service import authenticate_id, issue_for_sign_in
from signoff.web.session import LIFETIME
from signoff.web.tables import sessions

PENDING = "oidc-login"  # provider of a sessions row that is a sign-in under way, not a session
COOKIE = "signoff_oidc"
COOKIE_PATH = "/ui/login/oidc"
PENDING_TTL = 600  # seconds a person has to come back from the provider
LEEWAY = 60  # seconds of clock difference tolerated on exp / iat
_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_CACHE_SECONDS = 3600


class OidcError(UnauthenticatedError):
    code = "oidc"


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    #: provider group -> signoff roles it grants
    roles: Mapping[str, tuple[Role, ...]]
    groups_claim: str = "groups"
    scopes: str = "openid email groups"
    redirect_url: str = ""  # default: this server's /ui/login/oidc/callback as requested
    _meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcConfig | None:
        """`SIGNOFF_OIDC_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_ROLES` (``group=role[+role],
        ...``), and optional `_GROUPS_CLAIM`, `_SCOPES`, `_REDIRECT_URL`; None without an issuer."""
        issuer = env.get("SIGNOFF_OIDC_ISSUER", "").strip()
        if not issuer:
            return None
        from signoff.errors import Error

        client = env.get("SIGNOFF_OIDC_CLIENT_ID", "").strip()
        if not client:
            raise Error("SIGNOFF_OIDC_CLIENT_ID is required with SIGNOFF_OIDC_ISSUER")
        return cls(
            issuer=issuer.rstrip("/"),
            client_id=client,
            client_secret=env.get("SIGNOFF_OIDC_CLIENT_SECRET", ""),
            roles=parse_roles(env.get("SIGNOFF_OIDC_ROLES", "")),
            groups_claim=env.get("SIGNOFF_OIDC_GROUPS_CLAIM", "groups") or "groups",
            scopes=env.get("SIGNOFF_OIDC_SCOPES", "openid email groups") or "openid email",
            redirect_url=env.get("SIGNOFF_OIDC_REDIRECT_URL", ""),
        )


def parse_roles(text: str) -> dict[str, tuple[Role, ...]]:
    """``eng-maintainers=approver, auditors=auditor+agent-operator`` -> a map; bad input is a
    one-line error naming the entry."""
    from signoff.errors import Error

    out: dict[str, tuple[Role, ...]] = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        group, eq, roles = entry.partition("=")
        try:
            granted = tuple(Role(r.strip()) for r in roles.split("+") if r.strip())
        except ValueError:
            granted = ()
        if not eq or not group.strip() or not granted:
            raise Error(f"SIGNOFF_OIDC_ROLES: {entry!r} is not GROUP=ROLE[+ROLE] with known roles")
        out[group.strip()] = granted
    return out


# -- the provider's metadata and keys -----------------------------------------------------


def _get(url: str) -> Any:
    try:
        r = httpx.get(url, timeout=10, follow_redirects=False)
        r.raise_for_status()
        return r.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"the identity provider cannot be reached ({url}): {exc}") from None


def metadata(cfg: OidcConfig) -> dict[str, Any]:
    """Discovery document (cached an hour); its issuer must be exactly the configured one."""
    meta = cfg._meta
    if meta.get("until", 0) > time.monotonic():
        return meta
    doc = _get(f"{cfg.issuer}/.well-known/openid-configuration")
    if not isinstance(doc, dict) or doc.get("issuer") != cfg.issuer:
        raise OidcError("the identity provider's metadata names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not str(doc.get(key, "")).startswith(("https://", "http://")):
            raise OidcError(f"the identity provider's metadata has no {key}")
    meta.clear()
    meta.update(doc=doc, jwks=None, until=time.monotonic() + _CACHE_SECONDS)
    return meta


def _keys(cfg: OidcConfig, refresh: bool = False) -> KeySet:
    meta = metadata(cfg)
    if meta.get("jwks") is None or refresh:
        meta["jwks"] = KeySet.import_key_set(_get(meta["doc"]["jwks_uri"]))
    keys: KeySet = meta["jwks"]
    return keys


# -- the flow -------------------------------------------------------------------------------


def _sha(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def begin(ctx: Context, cfg: OidcConfig, redirect_uri: str, next_url: str) -> tuple[str, str]:
    """Start a sign-in: returns (the provider's URL to send the browser to, the cookie value)."""
    doc = metadata(cfg)["doc"]
    raw, state, nonce = (secrets.token_urlsafe(32) for _ in range(3))
    verifier = secrets.token_urlsafe(48)
    pending = {"state": state, "nonce": nonce, "verifier": verifier, "next": next_url,
               "redirect_uri": redirect_uri}  # fmt: skip
    t = now()
    with ctx.db.write() as conn:
        conn.execute(sessions.delete().where(sessions.c.expires < stamp(t)))
        conn.execute(
            sessions.insert().values(
                id_sha256=_sha(raw), token_id="", provider=PENDING, csrf=json.dumps(pending),
                created=stamp(t), expires=stamp(t + dt.timedelta(seconds=PENDING_TTL)),
            )
        )  # fmt: skip
    query = {
        "response_type": "code",
        "client_id": cfg.client_id,
        "redirect_uri": redirect_uri,
        "scope": cfg.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    return f"{doc['authorization_endpoint']}?{urlencode(query)}", raw


def _take_pending(ctx: Context, raw: str | None) -> dict[str, str]:
    """The sign-in this browser started, used up now (a callback is accepted once)."""
    if not raw or len(raw) > 100:
        raise OidcError("no sign-in is under way in this browser; start again")
    with ctx.db.write() as conn:
        where = (sessions.c.id_sha256 == _sha(raw)) & (sessions.c.provider == PENDING)
        row = conn.execute(sa.select(sessions).where(where)).mappings().first()
        conn.execute(sessions.delete().where(where))
    if row is None or parse_stamp(row["expires"]) <= now():
        raise OidcError("this sign-in has expired or was already used; start again")
    pending: dict[str, str] = json.loads(row["csrf"])
    return pending


def finish(
    ctx: Context, cfg: OidcConfig, raw: str | None, params: Mapping[str, str]
) -> tuple[Principal, str]:
    """Check the provider's answer and sign the person in: (the caller, where to go next)."""
    pending = _take_pending(ctx, raw)
    if "error" in params:
        raise OidcError(f"the identity provider refused: {params['error'][:100]}")
    if "iss" in params and params["iss"] != cfg.issuer:  # RFC 9207: answered by another provider
        raise OidcError("the answer names another issuer")
    if not hmac.compare_digest(params.get("state", "").encode(), pending["state"].encode()):
        raise OidcError("the sign-in's state does not match; start again")
    code = params.get("code", "")
    if not code:
        raise OidcError("the identity provider sent no authorization code")
    claims = _id_token(cfg, _exchange(cfg, code, pending), pending["nonce"])
    return _sign_in(ctx, cfg, claims), pending["next"]


def _exchange(cfg: OidcConfig, code: str, pending: Mapping[str, str]) -> str:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": pending["redirect_uri"],
        "code_verifier": pending["verifier"],
    }
    auth = None
    if cfg.client_secret:
        auth = httpx.BasicAuth(cfg.client_id, cfg.client_secret)
    else:
        form["client_id"] = cfg.client_id
    url = metadata(cfg)["doc"]["token_endpoint"]
    try:
        r = httpx.post(url, data=form, auth=auth, timeout=10, follow_redirects=False)
        body = r.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"the token exchange failed: {exc}") from None
    if r.status_code != 200 or not isinstance(body, dict) or not body.get("id_token"):
        raise OidcError(f"the token exchange was refused ({r.status_code})")
    return str(body["id_token"])


def _id_token(cfg: OidcConfig, token: str, nonce: str) -> dict[str, Any]:
    try:
        try:
            decoded = jwt.decode(token, _keys(cfg), algorithms=list(_ALGS))
        except JoseError:  # a key the provider rotated in since we cached its set
            decoded = jwt.decode(token, _keys(cfg, refresh=True), algorithms=list(_ALGS))
    except (JoseError, ValueError, TypeError, RecursionError) as exc:
        # joserfc raises TypeError on some malformed headers (`"crit": null`)
        raise OidcError(f"the ID token does not verify: {type(exc).__name__}") from None
    c = decoded.claims
    aud = c.get("aud")
    # `aud` is one string or an array of strings (OpenID Connect Core §2); anything else is
    # no audience at all, never the keys of an object.
    auds = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    t = time.time()
    checks = [
        (c.get("iss") == cfg.issuer, "another issuer"),
        (cfg.client_id in auds, "another audience"),
        (len(auds) == 1 or c.get("azp") == cfg.client_id, "another authorized party"),
        (_number(c.get("exp")) and c["exp"] + LEEWAY > t, "an expired token"),
        (_number(c.get("iat")) and c["iat"] - LEEWAY < t, "a token issued in the future"),
        (hmac.compare_digest(str(c.get("nonce", "")).encode(), nonce.encode()), "another nonce"),
    ]
    for ok, what in checks:
        if not ok:
            raise OidcError(f"the ID token is refused: {what}")
    return dict(c)


def _number(value: object) -> bool:
    """An integer claim (RFC 7519 NumericDate as signoff accepts it); a boolean is not one."""
    return isinstance(value, int) and not isinstance(value, bool)


def _sign_in(ctx: Context, cfg: OidcConfig, claims: Mapping[str, Any]) -> Principal:
    email = str(claims.get("email", "")).strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise OidcError("the identity provider did not vouch for an e-mail address")
    groups = claims.get(cfg.groups_claim, [])
    if not isinstance(groups, list):
        groups = []
    roles = sorted({r.value for g in groups if isinstance(g, str) for r in cfg.roles.get(g, ())})
    if not roles:
        raise OidcError(f"none of your groups gives a signoff role ({cfg.groups_claim} claim)")
    with ctx.db.read() as conn:
        human = people.human_by_email(conn, email)
    if human is None:
        raise OidcError(f"{email} is not a registered person on this server")
    if human["status"] != "active":
        raise OidcError(f"{email} is suspended")
    actor = f"oidc:{cfg.issuer}"
    token_id = issue_for_sign_in(ctx, human["id"], roles, int(LIFETIME.total_seconds()), actor)
    return authenticate_id(ctx, token_id)
