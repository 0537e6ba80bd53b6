"""A service token's bound identity (who it is when it records a build or a signature).

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


def downgrade() -> None:
    with op.batch_alter_table("server_api_tokens") as batch:
        batch.drop_column("identity")
