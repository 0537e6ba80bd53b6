"""The server's tables: humans, keys, groups, agents, API tokens, repos, policy versions, tasks,
approvals, decisions.

Revision ID: s0001
Revises:
Create Date: 2025-01-01

A frozen copy of `signoff.server.tables` as this revision created it (later revisions change
tables with their own operations); `tests/server/test_ops.py` checks the migrated schema
matches `tables.metadata`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    Text = sa.Text  # noqa: N806 (names as in tables.py)
    Int = sa.Integer  # noqa: N806

    def _t(name: str, *cols: sa.Column[object] | sa.Constraint | sa.Index) -> sa.Table:
        return sa.Table(name, metadata, *cols)

    _t(
        "server_humans",
        sa.Column("id", Text, primary_key=True),
        sa.Column("email", Text, nullable=False, unique=True),
        sa.Column("name", Text, nullable=False),
        sa.Column("status", Text, nullable=False),  # active | suspended
        sa.Column("created", Text, nullable=False),
        sa.Column("updated", Text, nullable=False),
        sa.Column("version", Int, nullable=False),
    )

    _t(
        "server_human_keys",
        sa.Column("fingerprint", Text, primary_key=True),
        sa.Column("human_id", Text, sa.ForeignKey("server_humans.id"), nullable=False, index=True),
        sa.Column("public_key", Text, nullable=False),
        sa.Column("created", Text, nullable=False),
    )

    _t(
        "server_groups",
        sa.Column("name", Text, primary_key=True),
        sa.Column("description", Text, nullable=False),
        sa.Column("created", Text, nullable=False),
        sa.Column("version", Int, nullable=False),
    )

    _t(
        "server_group_members",
        sa.Column("group_name", Text, sa.ForeignKey("server_groups.name"), primary_key=True),
        sa.Column("human_id", Text, sa.ForeignKey("server_humans.id"), primary_key=True),
    )

    _t(
        "server_agents",
        sa.Column("id", Text, primary_key=True),
        sa.Column("name", Text, nullable=False),
        sa.Column("kind", Text, nullable=False),
        sa.Column("owner", Text, nullable=False),
        sa.Column("purpose", Text, nullable=False),
        sa.Column("mode", Text, nullable=False),
        sa.Column("status", Text, nullable=False),  # active | suspended | retired
        sa.Column("review_by", Text),
        sa.Column("expires", Text),
        sa.Column("scope", Text, nullable=False),  # JSON {repos, branches, paths, actions}
        sa.Column("matchers", Text, nullable=False),  # JSON, as in agents.yml `match`
        sa.Column("max_token_ttl", Int, nullable=False),
        sa.Column("created", Text, nullable=False),
        sa.Column("updated", Text, nullable=False),
        sa.Column("version", Int, nullable=False),
    )

    _t(
        "server_api_tokens",
        sa.Column("id", Text, primary_key=True),
        sa.Column(
            "sha256", Text, nullable=False, unique=True
        ),  # of the whole token; never the token
        sa.Column("name", Text, nullable=False),
        sa.Column("human_id", Text, sa.ForeignKey("server_humans.id"), index=True),  # None: service
        sa.Column("roles", Text, nullable=False),  # comma-separated, sorted
        sa.Column("created", Text, nullable=False),
        sa.Column("created_by", Text, nullable=False),
        sa.Column("expires", Text, nullable=False),
        sa.Column("revoked", Text),
    )

    _t(
        "server_repos",
        sa.Column("name", Text, primary_key=True),
        sa.Column("path", Text, nullable=False),
        sa.Column("root_commit", Text, nullable=False),
        sa.Column("created", Text, nullable=False),
    )

    _t(
        "server_policy_versions",
        sa.Column("repo", Text, sa.ForeignKey("server_repos.name"), primary_key=True),
        sa.Column("kind", Text, primary_key=True),  # policy | registry
        sa.Column("version", Int, primary_key=True),
        sa.Column("digest", Text, nullable=False),
        sa.Column("text", Text, nullable=False),
        sa.Column("created", Text, nullable=False),
        sa.Column("created_by", Text, nullable=False),
        sa.Column("ledger_seq", sa.BigInteger),
    )

    _t(
        "server_tasks",
        sa.Column("id", Text, primary_key=True),
        sa.Column("requester", Text, sa.ForeignKey("server_humans.id"), nullable=False),
        sa.Column("agent", Text, sa.ForeignKey("server_agents.id"), nullable=False, index=True),
        sa.Column("repo", Text, sa.ForeignKey("server_repos.name"), nullable=False),
        sa.Column("base_commit", Text, nullable=False),
        sa.Column("intent_sha256", Text, nullable=False),
        sa.Column("intent_text", Text),
        sa.Column("intent_text_until", Text),  # retention: the text is purged after this time
        sa.Column("branch_prefix", Text, nullable=False),
        sa.Column("allowed_paths", Text, nullable=False),  # JSON list
        sa.Column("denied_paths", Text, nullable=False),  # JSON list
        sa.Column("actions", Text, nullable=False),  # JSON list
        sa.Column("policy_digest", Text, nullable=False),
        sa.Column("ttl_seconds", Int, nullable=False),
        sa.Column("created", Text, nullable=False),
        sa.Column("expires", Text, nullable=False),
        sa.Column("state", Text, nullable=False),  # open | closed | revoked (expired: computed)
        sa.Column("updated", Text, nullable=False),
        sa.Column("version", Int, nullable=False),
        sa.Column("ledger_seq", sa.BigInteger),
    )

    _t(
        "server_approvals",
        sa.Column("id", Text, primary_key=True),
        sa.Column("repo", Text, sa.ForeignKey("server_repos.name"), nullable=False),
        sa.Column("repository", Text, nullable=False),  # root commit, as in signed records
        sa.Column("decision", Text, nullable=False),  # approve | veto | override
        sa.Column("approver", Text, nullable=False),  # the human's e-mail (policy principal)
        sa.Column("human_id", Text, sa.ForeignKey("server_humans.id"), nullable=False),
        sa.Column("base", Text, nullable=False),
        sa.Column("head", Text, nullable=False),
        sa.Column("policy_digest", Text, nullable=False),
        sa.Column("digests", Text, nullable=False),  # JSON {class: sha256 hex}
        sa.Column("comment", Text, nullable=False),
        sa.Column("reason", Text, nullable=False),
        sa.Column("time", Text, nullable=False),
        sa.Column("ledger_seq", sa.BigInteger),
    )

    _t(
        "server_approval_digests",
        sa.Column("approval_id", Text, sa.ForeignKey("server_approvals.id"), primary_key=True),
        sa.Column("file_class", Text, primary_key=True),
        sa.Column("repo", Text, nullable=False),
        sa.Column("digest", Text, nullable=False),
        sa.Column("approver", Text, nullable=False),
        sa.Column("decision", Text, nullable=False),
        sa.Column("time", Text, nullable=False),
        sa.UniqueConstraint("repo", "digest", "approver", "decision", "time"),
        sa.Index("ix_server_approval_digests_lookup", "repo", "digest"),
    )

    _t(
        "server_decisions",
        sa.Column("id", Text, primary_key=True),
        sa.Column("repo", Text, sa.ForeignKey("server_repos.name"), nullable=False),
        sa.Column("base", Text, nullable=False),
        sa.Column("head", Text, nullable=False),
        sa.Column("verdict", Text, nullable=False),
        sa.Column("record", Text, nullable=False),  # the posted decision record, canonical JSON
        sa.Column("posted_by", Text, nullable=False),
        sa.Column("created", Text, nullable=False),
        sa.Column("ledger_seq", sa.BigInteger),
        sa.Index("ix_server_decisions_repo", "repo", "created"),
    )
    return metadata


def upgrade() -> None:
    _metadata().create_all(op.get_bind())


def downgrade() -> None:
    _metadata().drop_all(op.get_bind())
