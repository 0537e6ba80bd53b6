"""The token broker's tables: issued task tokens, single-use workload proofs, trust policies,
witnessed commits.

Revision ID: b0001
Revises: s0001
Create Date: 2025-01-02

Frozen here as created (not imported from `signoff.server.broker.tables`, which may change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b0001"
down_revision = "s0001"
branch_labels = None
depends_on = None

T = sa.Text


def upgrade() -> None:
    op.create_table(
        "broker_tokens",
        sa.Column("jti", T, primary_key=True),
        sa.Column("sha256", T, nullable=False, unique=True),
        sa.Column("task", T, sa.ForeignKey("server_tasks.id"), nullable=False, index=True),
        sa.Column("agent", T, nullable=False, index=True),
        sa.Column("repo", T, nullable=False),
        sa.Column("kid", T, nullable=False),
        sa.Column("proof", T, nullable=False),
        sa.Column("issued", T, nullable=False),
        sa.Column("expires", T, nullable=False),
        sa.Column("revoked", T),
        sa.Column("revoked_by", T),
        sa.Column("last_used", T),
    )
    op.create_table(
        "broker_proofs",
        sa.Column("id", T, primary_key=True),
        sa.Column("agent", T, nullable=False),
        sa.Column("expires", T, nullable=False, index=True),
        sa.Column("used", T),
        sa.Column("task", T),
    )
    op.create_table(
        "broker_trust_policies",
        sa.Column("agent", T, sa.ForeignKey("server_agents.id"), primary_key=True),
        sa.Column("policy", T, nullable=False),
        sa.Column("updated", T, nullable=False),
        sa.Column("updated_by", T, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "broker_witnessed",
        sa.Column("commit_sha", T, primary_key=True),
        sa.Column("task", T, primary_key=True),
        sa.Column("repo", T, nullable=False, index=True),
        sa.Column("agent", T, nullable=False),
        sa.Column("jti", T, nullable=False),
        sa.Column("ref", T, nullable=False),
        sa.Column("time", T, nullable=False),
        sa.Column("ledger_seq", sa.BigInteger),
    )


def downgrade() -> None:
    for name in ("broker_witnessed", "broker_trust_policies", "broker_proofs", "broker_tokens"):
        op.drop_table(name)
