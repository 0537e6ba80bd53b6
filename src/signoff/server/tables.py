"""The server's tables (SQLAlchemy Core). The migration in `migrations/versions` creates them;
`tests/server/test_migrations.py` checks the two agree.

Times are RFC 3339 UTC strings with microseconds (they sort as text and read the same in SQLite
and PostgreSQL). Mutable rows carry a `version` column that every update compares and bumps.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

Text = sa.Text
Int = sa.Integer


def _t(name: str, *cols: sa.Column[object] | sa.Constraint | sa.Index) -> sa.Table:
    return sa.Table(name, metadata, *cols)


humans = _t(
    "server_humans",
    sa.Column("id", Text, primary_key=True),
    sa.Column("email", Text, nullable=False, unique=True),
    sa.Column("name", Text, nullable=False),
    sa.Column("status", Text, nullable=False),  # active | suspended
    sa.Column("created", Text, nullable=False),
    sa.Column("updated", Text, nullable=False),
    sa.Column("version", Int, nullable=False),
)

human_keys = _t(
    "server_human_keys",
    sa.Column("fingerprint", Text, primary_key=True),
    sa.Column("human_id", Text, sa.ForeignKey("server_humans.id"), nullable=False, index=True),
    sa.Column("public_key", Text, nullable=False),
    sa.Column("created", Text, nullable=False),
)

groups = _t(
    "server_groups",
    sa.Column("name", Text, primary_key=True),
    sa.Column("description", Text, nullable=False),
    sa.Column("created", Text, nullable=False),
    sa.Column("version", Int, nullable=False),
)

group_members = _t(
    "server_group_members",
    sa.Column("group_name", Text, sa.ForeignKey("server_groups.name"), primary_key=True),
    sa.Column("human_id", Text, sa.ForeignKey("server_humans.id"), primary_key=True),
)

agents = _t(
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

api_tokens = _t(
    "server_api_tokens",
    sa.Column("id", Text, primary_key=True),
    sa.Column("sha256", Text, nullable=False, unique=True),  # of the whole token; never the token
    sa.Column("name", Text, nullable=False),
    sa.Column("human_id", Text, sa.ForeignKey("server_humans.id"), index=True),  # None: service
    sa.Column("roles", Text, nullable=False),  # comma-separated, sorted
    sa.Column("created", Text, nullable=False),
    sa.Column("created_by", Text, nullable=False),
    sa.Column("expires", Text, nullable=False),
    sa.Column("revoked", Text),
    # the service identity the token acts as for provenance (migration e0002)
    sa.Column("identity", Text),
    # when the person it belongs to showed they hold it: issued by themselves, or claimed with
    # their own SSH key (a new secret only they saw); null: issued for them by someone else
    sa.Column("held", Text),
)

#: Single-use challenges for claiming a token with one's own SSH key (migration e0002).
token_claims = _t(
    "server_token_claims",
    sa.Column("nonce_sha256", Text, primary_key=True),
    sa.Column("token_id", Text, sa.ForeignKey("server_api_tokens.id"), nullable=False),
    sa.Column("expires", Text, nullable=False),
    sa.Column("used", Text),
)

repos = _t(
    "server_repos",
    sa.Column("name", Text, primary_key=True),
    sa.Column("path", Text, nullable=False),
    sa.Column("root_commit", Text, nullable=False),
    sa.Column("created", Text, nullable=False),
)

policy_versions = _t(
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

tasks = _t(
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

approvals = _t(
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
    # the whole change the approver was shown (the server's evaluation), sha256 hex; null for
    # approvals recorded before evaluations existed (migration e0001)
    sa.Column("changeset_digest", Text),
    sa.Column("comment", Text, nullable=False),
    sa.Column("reason", Text, nullable=False),
    sa.Column("time", Text, nullable=False),
    sa.Column("ledger_seq", sa.BigInteger),
)

approval_digests = _t(
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

#: Decision records *posted* by CI (`signoff check --server`): asserted. They name a change
#: (base, head) for the server to evaluate and are kept as sent; nothing an approver is shown
#: or an approval binds comes from them (see `evaluations`).
decisions = _t(
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

#: Decisions the server computed itself: the gate run on its registered copy of the repository
#: (`signoff.server.evaluations`): witnessed. What the inbox shows and what an approval binds.
evaluations = _t(
    "server_evaluations",
    sa.Column("id", Text, primary_key=True),
    sa.Column("repo", Text, sa.ForeignKey("server_repos.name"), nullable=False),
    sa.Column("base", Text, nullable=False),
    sa.Column("head", Text, nullable=False),
    sa.Column("target_branch", Text, nullable=False),  # "" when none was named
    sa.Column("verdict", Text, nullable=False),
    sa.Column("changeset_digest", Text, nullable=False),  # sha256 hex
    sa.Column("policy_digest", Text, nullable=False),  # sha256 hex
    sa.Column("classes", Text, nullable=False),  # JSON {class: sha256 hex}
    sa.Column("record", Text, nullable=False),  # the decision record, canonical JSON
    sa.Column("record_sha256", Text, nullable=False),  # of the record without its time
    sa.Column("requested_by", Text, nullable=False),  # who asked (or what triggered it)
    sa.Column("created", Text, nullable=False),
    sa.Column("ledger_seq", sa.BigInteger),
    sa.Index("ix_server_evaluations_change", "repo", "base", "target_branch", "created"),
    sa.Index("ix_server_evaluations_head", "repo", "head"),
)
