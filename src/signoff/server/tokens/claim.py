"""A person claims a token issued for them: they prove they hold their own SSH key, and the
server gives them a new secret that nobody else (not the admin who issued the old one) has seen.

Why: an admin issues tokens, so an admin could issue an `approver` token for someone else and
approve as them. A token issued for a person by someone else is therefore not *held* until that
person claims it: they sign a single-use challenge (5 minutes) with one of the SSH keys
registered to them (`ssh-keygen -Y sign -n signoff-token-claim`, or `signoff server claim`),
the server verifies the signature in-process (`signoff.identity.sshsig`), replaces the token's
secret (the old one stops working at once) and marks it held. Approving and promoting need a
held token. Every step is a ledger event the person and auditors see: the issuance
(`api-token-issued`, subject `human`) and the claim (`api-token-claimed`, with the key's
fingerprint). An admin who registers a key of their own to someone's name could still claim for
them: that is an `identity.changed` event naming the key's fingerprint, in the same log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from signoff.identity.sshkeys import parse_ssh_key
from signoff.identity.sshsig import SshSigError, verify
from signoff.ledger.events import EventType
from signoff.server.auth import Principal, new_token, token_sha256
from signoff.server.common import now, stamp
from signoff.server.context import Context
from signoff.server.errors import ConflictError, ForbiddenError, InvalidInputError
from signoff.server.tables import api_tokens, human_keys, token_claims
from signoff.server.tokens.schemas import ClaimChallenge, ClaimIn, TokenCreated

NAMESPACE = "signoff-token-claim"
TTL = dt.timedelta(minutes=5)


def message(token_id: str, nonce: str) -> bytes:
    """What the person signs: the namespace, the token's id and the nonce, one per line."""
    return f"{NAMESPACE}\n{token_id}\n{nonce}\n".encode()


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def challenge(ctx: Context, who: Principal) -> ClaimChallenge:
    """A nonce for the caller's own token (a person's token that is not held yet)."""
    _claimable(who)
    nonce = secrets.token_urlsafe(32)
    expires = now() + TTL
    with ctx.db.write() as conn:
        conn.execute(sa.delete(token_claims).where(token_claims.c.expires < stamp()))
        conn.execute(
            token_claims.insert().values(
                nonce_sha256=_digest(nonce), token_id=who.token_id, expires=stamp(expires)
            )
        )
    return ClaimChallenge(
        nonce=nonce,
        namespace=NAMESPACE,
        message=message(who.token_id, nonce).decode(),
        expires=stamp(expires),
    )


def claim(ctx: Context, who: Principal, body: ClaimIn) -> TokenCreated:
    """Verify the signature with the caller's registered keys, then rotate the secret."""
    from signoff.server.tokens.service import token_out

    _claimable(who)
    signed = message(who.token_id, body.nonce)
    try:
        verified = verify(body.signature.encode(), signed, NAMESPACE)
    except SshSigError as exc:
        raise InvalidInputError(f"not a valid signature: {exc}", field="signature") from None
    token = new_token()
    t = stamp()
    with ctx.db.write() as conn:
        keys = conn.execute(
            sa.select(human_keys.c.public_key, human_keys.c.fingerprint).where(
                human_keys.c.human_id == who.human_id
            )
        ).all()
        blobs = {(parse_ssh_key(k) or ("", b""))[1]: fp for k, fp in keys}
        if verified.key.blob not in blobs:
            raise ForbiddenError(
                f"the signing key {verified.key.fingerprint} is not registered to "
                f"{who.human_id}: sign with your own key",
                field="signature",
                code="not_your_key",
            )
        used = conn.execute(
            token_claims.update()
            .where(
                token_claims.c.nonce_sha256 == _digest(body.nonce),
                token_claims.c.token_id == who.token_id,
                token_claims.c.used.is_(None),
                token_claims.c.expires > t,
            )
            .values(used=t)
        )
        if used.rowcount != 1:
            raise ConflictError("the challenge is unknown, expired or used", field="nonce")
        rotated = conn.execute(
            api_tokens.update()
            .where(
                api_tokens.c.id == who.token_id,
                api_tokens.c.sha256 == who.token_sha256,
                api_tokens.c.revoked.is_(None),
            )
            .values(sha256=token_sha256(token), held=t)
        )
        if rotated.rowcount != 1:
            raise ConflictError("the token changed meanwhile (revoked or claimed)")
        ctx.recorder.record(
            EventType.CONFIG_CHANGED,
            who.actor,
            {"token_sha256": f"sha256:{token_sha256(token)}", "human": str(who.human_id)},
            {
                "change": "api-token-claimed",
                "token_id": who.token_id,
                "replaces": f"sha256:{who.token_sha256}",
                "key": blobs[verified.key.blob],
            },
            ("actor", "payload.key"),
        )
        row = conn.execute(sa.select(api_tokens).where(api_tokens.c.id == who.token_id))
        created = row.mappings().one()
    ctx.principals.clear()  # the old secret ends at once
    out = token_out(created, TokenCreated, token=token)
    assert isinstance(out, TokenCreated)
    return out


def _claimable(who: Principal) -> None:
    if who.human_id is None:
        raise ForbiddenError("a service token has no person to claim it")
    if who.held:
        raise ConflictError("this token is already held by its person; nothing to claim")
