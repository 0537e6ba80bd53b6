"""The monitor's alert store.

Revision ID: m0001
Revises: b0001
Create Date: 2025-01-03

Frozen here as created (not imported from `signoff.server.alerts.tables`, which may change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "m0001"
down_revision = "b0001"
branch_labels = None
depends_on = None

T = sa.Text


def upgrade() -> None:
    op.create_table(
        "monitor_alerts",
        sa.Column("id", T, primary_key=True),
        sa.Column("rule", T, nullable=False),
        sa.Column("severity", T, nullable=False),
        sa.Column("body", T, nullable=False),
        sa.Column("first_seen", T, nullable=False),
        sa.Column("last_seen", T, nullable=False),
        sa.Column("acked_by", T),
        sa.Column("acked_at", T),
        sa.Column("ack_comment", T),
        sa.Column("delivery", T),
    )


def downgrade() -> None:
    op.drop_table("monitor_alerts")
