"""A service token's bound identity (who it is when it records a build or a signature), whether
a person holds their token themselves, and the challenges to claim one with an SSH key.

Revision ID: e0002
Revises: e0001
Create Date: 2025-01-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e0002"
down_revision = "e0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("server_api_tokens") as batch:
        batch.add_column(sa.Column("identity", sa.Text))
        batch.add_column(sa.Column("held", sa.Text))
    op.create_table(
        "server_token_claims",
        sa.Column("nonce_sha256", sa.Text, primary_key=True),
        sa.Column("token_id", sa.Text, sa.ForeignKey("server_api_tokens.id"), nullable=False),
        sa.Column("expires", sa.Text, nullable=False),
        sa.Column("used", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("server_token_claims")
    with op.batch_alter_table("server_api_tokens") as batch:
        batch.drop_column("held")
        batch.drop_column("identity")
