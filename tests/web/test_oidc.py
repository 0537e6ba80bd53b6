"""OpenID Connect sign-in against a real provider on loopback (the npm package `oidc-provider`,
pinned in tests/tools), driven in Chromium: the authorization code flow with PKCE, the person
mapped by verified e-mail, roles from the groups claim, and every refusal."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from serverkit import free_port
from serverteam import Team
from webkit import accessible, shot

from signoff.server.auth import Role
from signoff.server.errors import UnauthenticatedError
from signoff.web import oidc
from signoff.web.signin import CALLBACK
from tools import TOOLS, need

CLIENT, SECRET = "signoff-console", "test-only-client-secret"
ROLES = {"eng-maintainers": (Role.APPROVER,), "release-eng": (Role.APPROVER, Role.AUDITOR)}


@pytest.fixture
def idp(team: Team) -> Iterator[str]:
    """The provider, registered with this console as its client; returns its issuer."""
    script = need("../oidc_provider.mjs")
    port = free_port()
    proc = subprocess.Popen(
        ["node", str(script), str(port), CLIENT, SECRET, team.server.url + CALLBACK],
        cwd=TOOLS.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("ready "), line
        issuer = line.split()[1]
        team.server.app.state.oidc = oidc.OidcConfig(issuer, CLIENT, SECRET, ROLES)
        yield issuer
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


def sso(browser: Any, team: Team, login: str) -> Any:
    """Sign in through the provider's own login and consent pages; returns the page."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{team.server.url}/ui/login")
    accessible(page, nav=False)
    page.get_by_role("link", name="Continue with your organisation's sign-in").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if "/interaction/" in page.url:  # the provider asks for consent once
        page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/ui/.*"))
    return page


def sign_in_tokens(team: Team, human: str) -> list[Any]:
    from signoff.server.tables import api_tokens

    with team.server.ctx.db.read() as conn:
        q = sa.select(api_tokens).where(
            (api_tokens.c.human_id == human) & (api_tokens.c.name == "console-sign-in")
        )
        return list(conn.execute(q).mappings())


def test_sign_in_with_the_identity_provider(browser: Any, team: Team, idp: str) -> None:
    page = sso(browser, team, "alice")
    assert "/ui/inbox" in page.url
    header = page.locator("header").inner_text()
    assert "alice@example.com" in header and "approver" in header and "auditor" not in header
    shot(page, "oidc-signed-in")
    (tok,) = sign_in_tokens(team, "alice")
    assert tok["roles"] == "approver" and tok["revoked"] is None
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*notice=signed-out"))
    (tok,) = sign_in_tokens(team, "alice")
    assert tok["revoked"] is not None  # the sign-in's token ends with the session
    page.goto(f"{team.server.url}/ui/inbox")
    assert "/ui/login" in page.url
    page.context.close()


def test_roles_come_from_the_groups_claim(browser: Any, team: Team, idp: str) -> None:
    page = sso(browser, team, "carol")
    header = page.locator("header").inner_text()
    assert "carol@example.com" in header and "approver" in header and "auditor" in header
    page.context.close()


@pytest.mark.parametrize(
    ("login", "why"),
    [
        ("nogroup", "none of your groups gives a signoff role"),
        ("unverified", "did not vouch for an e-mail"),
        ("mallory", "mallory@example.com is not a registered person"),
    ],
)
def test_refused_sign_ins(browser: Any, team: Team, idp: str, login: str, why: str) -> None:
    page = sso(browser, team, login)
    assert why in page.locator("[role=alert]").inner_text()
    assert "/ui/login/oidc/callback" in page.url
    assert sign_in_tokens(team, "alice") == []
    page.context.close()


def test_a_callback_is_accepted_once(browser: Any, team: Team, idp: str) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if CALLBACK in r.url else None)
    page.goto(f"{team.server.url}/ui/login/oidc")
    page.locator("input[name=login]").fill("alice")
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if "/interaction/" in page.url:
        page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/ui/inbox.*"))
    page.goto(seen[0])  # the same code and state again: the pending sign-in is gone
    assert "Sign-in refused: no sign-in is under way" in page.locator("[role=alert]").inner_text()
    assert len(sign_in_tokens(team, "alice")) == 1
    ctx.close()


# -- the ID token's checks, one by one (a provider would not mint these bad tokens) ----------


def _cfg_with_key() -> tuple[oidc.OidcConfig, RSAKey]:
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    cfg = oidc.OidcConfig("https://idp.example", CLIENT, SECRET, ROLES)
    cfg._meta.update(doc={"jwks_uri": "unused"}, jwks=KeySet([key]), until=time.monotonic() + 60)
    return cfg, key


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({}, None),
        ({"iss": "https://evil.example"}, "another issuer"),
        ({"aud": "someone-else"}, "another audience"),
        ({"aud": [CLIENT, "other"]}, "another authorized party"),
        ({"exp": int(time.time()) - 3600}, "an expired token"),
        ({"nonce": "replayed"}, "another nonce"),
    ],
)
def test_id_token_checks(change: dict[str, Any], why: str | None) -> None:
    cfg, key = _cfg_with_key()
    t = int(time.time())
    claims = {"iss": cfg.issuer, "aud": CLIENT, "sub": "a", "iat": t, "exp": t + 300,
              "nonce": "n1", **change}  # fmt: skip
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
    if why is None:
        assert oidc._id_token(cfg, token, "n1")["sub"] == "a"
        return
    with pytest.raises(UnauthenticatedError, match=why):
        oidc._id_token(cfg, token, "n1")


def test_id_token_signed_by_another_key_or_unsigned_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg, key = _cfg_with_key()
    monkeypatch.setattr(oidc, "_get", lambda url: {"keys": [key.as_dict(private=False)]})
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    t = int(time.time())
    claims = {"iss": cfg.issuer, "aud": CLIENT, "iat": t, "exp": t + 300, "nonce": "n1"}
    forged = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, other)
    with pytest.raises(UnauthenticatedError, match="does not verify"):
        oidc._id_token(cfg, forged, "n1")
    head = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(UnauthenticatedError, match="does not verify"):
        oidc._id_token(cfg, f"{head}.{body}.", "n1")


def test_roles_map_is_checked() -> None:
    from signoff.errors import Error

    assert oidc.parse_roles("a=approver, b=auditor+agent-operator") == {
        "a": (Role.APPROVER,), "b": (Role.AUDITOR, Role.AGENT_OPERATOR)
    }  # fmt: skip
    for bad in ("a", "a=", "=approver", "a=root"):
        with pytest.raises(Error, match="SIGNOFF_OIDC_ROLES"):
            oidc.parse_roles(bad)
