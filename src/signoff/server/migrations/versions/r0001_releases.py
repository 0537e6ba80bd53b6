"""Release reports: the release gate's results on the control plane.

Revision ID: r0001
Revises: w0001
Create Date: 2025-01-04

Frozen here as created (not imported from `signoff.server.releases.tables`, which may change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = "w0001"
branch_labels = None
depends_on = None

T = sa.Text


def upgrade() -> None:
    op.create_table(
        "release_reports",
        sa.Column("id", T, primary_key=True),
        sa.Column("repo", T, nullable=False),
        sa.Column("result", T, nullable=False),
        sa.Column("from_ref", T),
        sa.Column("to_ref", T, nullable=False),
        sa.Column("tag", T),
        sa.Column("base", T, nullable=False),
        sa.Column("head", T, nullable=False),
        sa.Column("release_group", T, nullable=False),
        sa.Column("report", T, nullable=False),
        sa.Column("notes", T, nullable=False),
        sa.Column("attestation", T),
        sa.Column("promotions", T, nullable=False),
        sa.Column("verified_by", T, nullable=False),
        sa.Column("created", T, nullable=False),
        sa.Column("ledger_seq", sa.BigInteger),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_release_reports_repo", "release_reports", ["repo", "created"])


def downgrade() -> None:
    op.drop_index("ix_release_reports_repo", table_name="release_reports")
    op.drop_table("release_reports")
