"""The broker's tables (own metadata; created by migration `b0001`).

Tokens are stored by `jti` with the SHA-256 of the token, never the token. Workload proofs (an
OIDC token's issuer + `jti`, a PoP nonce) are stored until they expire so each is usable once.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
Text = sa.Text

tokens = sa.Table(
    "broker_tokens",
    metadata,
    sa.Column("jti", Text, primary_key=True),
    sa.Column("sha256", Text, nullable=False, unique=True),
    sa.Column("task", Text, sa.ForeignKey("server_tasks.id"), nullable=False, index=True),
    sa.Column("agent", Text, nullable=False, index=True),
    sa.Column("repo", Text, nullable=False),
    sa.Column("kid", Text, nullable=False),
    sa.Column("proof", Text, nullable=False),  # oidc | pop
    sa.Column("issued", Text, nullable=False),
    sa.Column("expires", Text, nullable=False),
    sa.Column("revoked", Text),
    sa.Column("revoked_by", Text),
    sa.Column("last_used", Text),
)

proofs = sa.Table(
    "broker_proofs",
    metadata,
    sa.Column("id", Text, primary_key=True),  # sha256 of "oidc\n<iss>\n<jti>" or "pop\n<nonce>"
    sa.Column("agent", Text, nullable=False),
    sa.Column("expires", Text, nullable=False, index=True),
    sa.Column("used", Text),  # None: a PoP nonce handed out and not yet used
    sa.Column("task", Text),
)

trust_policies = sa.Table(
    "broker_trust_policies",
    metadata,
    sa.Column("agent", Text, sa.ForeignKey("server_agents.id"), primary_key=True),
    sa.Column("policy", Text, nullable=False),  # canonical JSON
    sa.Column("updated", Text, nullable=False),
    sa.Column("updated_by", Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

witnessed = sa.Table(
    "broker_witnessed",
    metadata,
    sa.Column("commit_sha", Text, primary_key=True),
    sa.Column("task", Text, primary_key=True),
    sa.Column("repo", Text, nullable=False, index=True),
    sa.Column("agent", Text, nullable=False),
    sa.Column("jti", Text, nullable=False),
    sa.Column("ref", Text, nullable=False),
    sa.Column("time", Text, nullable=False),
    sa.Column("ledger_seq", sa.BigInteger),
)
