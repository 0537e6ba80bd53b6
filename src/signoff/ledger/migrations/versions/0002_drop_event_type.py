"""Drop ledger_events.type: the type lives only inside the leaf, which every check covers.

A second copy in its own column was never verified against the leaf, so a tampered column could
put an event into (or hide it from) a filtered listing while `ledger verify` said ok.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_events") as batch:
        batch.drop_column("type")


def downgrade() -> None:
    with op.batch_alter_table("ledger_events") as batch:
        batch.add_column(sa.Column("type", sa.String(64), nullable=False, server_default=""))
