"""The alert store and the latest signals (own metadata; migrations `m0001`, `m0002`)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
T = sa.Text

alerts = sa.Table(
    "monitor_alerts",
    metadata,
    sa.Column("id", T, primary_key=True),  # rule + subject digest: the dedup key
    sa.Column("rule", T, nullable=False),
    sa.Column("severity", T, nullable=False),
    sa.Column("body", T, nullable=False),  # Alert.to_json(), canonical JSON
    sa.Column("first_seen", T, nullable=False),
    sa.Column("last_seen", T, nullable=False),
    sa.Column("acked_by", T),
    sa.Column("acked_at", T),
    sa.Column("ack_comment", T),
    sa.Column("delivery", T),  # JSON: last webhook delivery result
)

#: The signals of the latest monitor run (`signoff.monitor.signals`), one row (id "latest"),
#: served on `/metrics` by every replica (created by migration `m0002`).
signals = sa.Table(
    "monitor_signals",
    metadata,
    sa.Column("id", T, primary_key=True),
    sa.Column("computed_at", T, nullable=False),
    sa.Column("body", T, nullable=False),  # JSON: signals.to_json()
)
