"""What App mode keeps: every delivery id seen (a replay is refused), the pull requests it
follows (their base, head, content digests and check run), so a push to a base branch or an
approval given in the console redoes the right ones, and how many evaluations of each have
started (only the latest may report: signoff.server.forges.order)."""

from __future__ import annotations

import sqlalchemy as sa

from signoff.server.tables import metadata

Text, Int = sa.Text, sa.BigInteger

deliveries = sa.Table(
    "server_forge_deliveries",
    metadata,
    sa.Column("delivery", Text, primary_key=True),
    sa.Column("event", Text, nullable=False),
    sa.Column("received", Text, nullable=False),
)

pulls = sa.Table(
    "server_forge_pulls",
    metadata,
    sa.Column("full_name", Text, primary_key=True),
    sa.Column("number", Int, primary_key=True),
    sa.Column("repo", Text, nullable=False),
    sa.Column("base_sha", Text, nullable=False),
    sa.Column("base_ref", Text, nullable=False),
    sa.Column("head_sha", Text, nullable=False),
    sa.Column("url", Text, nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("digests", Text, nullable=False),  # JSON {class: digest} of the last decision
    sa.Column("check_head", Text, nullable=False),  # the head the check run is on
    sa.Column("check_run", Int),
    sa.Column("updated", Text, nullable=False),
)

evaluations = sa.Table(
    "server_forge_evaluations",
    metadata,
    sa.Column("full_name", Text, primary_key=True),
    sa.Column("number", Int, primary_key=True),
    sa.Column("started", Int, nullable=False),  # tickets handed out so far
)
