"""The monitor's latest signals (served on /metrics).

Revision ID: m0002
Revises: r0001
Create Date: 2025-01-06

Frozen here as created (not imported from `signoff.server.alerts.tables`, which may change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "m0002"
down_revision = "r0001"
branch_labels = None
depends_on = None

T = sa.Text


def upgrade() -> None:
    op.create_table(
        "monitor_signals",
        sa.Column("id", T, primary_key=True),
        sa.Column("computed_at", T, nullable=False),
        sa.Column("body", T, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("monitor_signals")
