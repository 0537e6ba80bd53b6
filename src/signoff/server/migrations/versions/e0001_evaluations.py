"""Decisions the server computes itself (witnessed), and the change-set digest an approval binds.

Revision ID: e0001
Revises: g0002
Create Date: 2025-01-08

Frozen here as created (not imported from `signoff.server.tables`, which may change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e0001"
down_revision = "g0002"
branch_labels = None
depends_on = None

T = sa.Text


def upgrade() -> None:
    op.create_table(
        "server_evaluations",
        sa.Column("id", T, primary_key=True),
        sa.Column("repo", T, sa.ForeignKey("server_repos.name"), nullable=False),
        sa.Column("base", T, nullable=False),
        sa.Column("head", T, nullable=False),
        sa.Column("target_branch", T, nullable=False),
        sa.Column("verdict", T, nullable=False),
        sa.Column("changeset_digest", T, nullable=False),
        sa.Column("policy_digest", T, nullable=False),
        sa.Column("classes", T, nullable=False),
        sa.Column("record", T, nullable=False),
        sa.Column("record_sha256", T, nullable=False),
        sa.Column("requested_by", T, nullable=False),
        sa.Column("created", T, nullable=False),
        sa.Column("ledger_seq", sa.BigInteger),
    )
    op.create_index(
        "ix_server_evaluations_change",
        "server_evaluations",
        ["repo", "base", "target_branch", "created"],
    )
    op.create_index("ix_server_evaluations_head", "server_evaluations", ["repo", "head"])
    with op.batch_alter_table("server_approvals") as batch:
        batch.add_column(sa.Column("changeset_digest", T))


def downgrade() -> None:
    with op.batch_alter_table("server_approvals") as batch:
        batch.drop_column("changeset_digest")
    op.drop_index("ix_server_evaluations_head", table_name="server_evaluations")
    op.drop_index("ix_server_evaluations_change", table_name="server_evaluations")
    op.drop_table("server_evaluations")
