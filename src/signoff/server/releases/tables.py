"""Stored release reports (own metadata; created by migration `r0001`).

One row per `POST /v1/repos/{repo}/releases/verify`: the `signoff.release/v1` report exactly as
the gate produced it, the DSSE bundle signed with the ledger key, and the promotions recorded
for it. The ledger events (`release.verified`, `release.promoted`) are the durable record; the
row is what the API and the web console read.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
T = sa.Text

reports = sa.Table(
    "release_reports",
    metadata,
    sa.Column("id", T, primary_key=True),
    sa.Column("repo", T, nullable=False),  # a registered repository's name
    sa.Column("result", T, nullable=False),  # PASSED | FAILED
    sa.Column("from_ref", T),
    sa.Column("to_ref", T, nullable=False),
    sa.Column("tag", T),
    sa.Column("base", T, nullable=False),
    sa.Column("head", T, nullable=False),
    sa.Column("release_group", T, nullable=False),  # policy.release.from at --from
    sa.Column("report", T, nullable=False),  # signoff.release/v1, canonical JSON
    sa.Column("notes", T, nullable=False),  # JSON list: the server's own warnings
    sa.Column("attestation", T),  # JSON Lines of DSSE envelopes, or None
    sa.Column("promotions", T, nullable=False),  # JSON list of {digest, name, by, seq, time}
    sa.Column("verified_by", T, nullable=False),
    sa.Column("created", T, nullable=False),
    sa.Column("ledger_seq", sa.BigInteger),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_release_reports_repo", "repo", "created"),
)
