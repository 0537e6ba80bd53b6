"""App mode: evaluations started per pull request (only the latest may report).

Revision ID: g0002
Revises: g0001
Create Date: 2025-01-21

Frozen here as created (not imported from `signoff.server.forges.tables`, which may change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "g0002"
down_revision = "g0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_forge_evaluations",
        sa.Column("full_name", sa.Text, primary_key=True),
        sa.Column("number", sa.BigInteger, primary_key=True),
        sa.Column("started", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("server_forge_evaluations")
