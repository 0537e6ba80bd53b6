"""The web console's sessions.

Revision ID: w0001
Revises: m0001
Create Date: 2025-01-04

Frozen here as created (not imported from `signoff.web.tables`, which may change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0001"
down_revision = "m0001"
branch_labels = None
depends_on = None

T = sa.Text


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_sha256", T, primary_key=True),
        sa.Column("token_id", T, nullable=False, index=True),
        sa.Column("provider", T, nullable=False),
        sa.Column("csrf", T, nullable=False),
        sa.Column("created", T, nullable=False),
        sa.Column("expires", T, nullable=False),
        sa.Column("revoked", T),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
