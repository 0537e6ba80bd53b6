"""The console's session store (own metadata; created by migration `w0001`).

A session row is keyed by the SHA-256 of the random session id: the cookie's value is never
stored, so a copy of the database cannot be replayed as a browser session. The row keeps the API
token's id (never the token), which is re-checked on every request.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
T = sa.Text

sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_sha256", T, primary_key=True),
    sa.Column("token_id", T, nullable=False, index=True),
    # token | oidc: a session; oidc-login: a sign-in under way at the identity provider (no
    # caller yet: `csrf` then holds its state, nonce and PKCE verifier, for ten minutes)
    sa.Column("provider", T, nullable=False),
    sa.Column("csrf", T, nullable=False),  # the synchronizer token for this session's forms
    sa.Column("created", T, nullable=False),
    sa.Column("expires", T, nullable=False),
    sa.Column("revoked", T),
)
