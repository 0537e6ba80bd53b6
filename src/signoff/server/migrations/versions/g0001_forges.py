"""App mode: deliveries seen and pull requests followed.

Revision ID: g0001
Revises: m0002
Create Date: 2025-01-20

Frozen here as created (not imported from `signoff.server.forges.tables`, which may change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "g0001"
down_revision = "m0002"
branch_labels = None
depends_on = None

T, N = sa.Text, sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "server_forge_deliveries",
        sa.Column("delivery", T, primary_key=True),
        sa.Column("event", T, nullable=False),
        sa.Column("received", T, nullable=False),
    )
    op.create_table(
        "server_forge_pulls",
        sa.Column("full_name", T, primary_key=True),
        sa.Column("number", N, primary_key=True),
        sa.Column("repo", T, nullable=False),
        sa.Column("base_sha", T, nullable=False),
        sa.Column("base_ref", T, nullable=False),
        sa.Column("head_sha", T, nullable=False),
        sa.Column("url", T, nullable=False),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("digests", T, nullable=False),
        sa.Column("check_head", T, nullable=False),
        sa.Column("check_run", N),
        sa.Column("updated", T, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("server_forge_pulls")
    op.drop_table("server_forge_deliveries")
