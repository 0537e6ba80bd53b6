"""Text and JSON output of a monitor run (`--format text|json`, JSON schema `v1`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from signoff.monitor.alerts import Alert


def to_json(alerts: Sequence[Alert], resolved: Sequence[Alert] = (), **extra: Any) -> str:
    doc = {
        "schema": "signoff.monitor/v1",
        "alerts": [a.to_json() for a in alerts],
        "resolved": [a.id for a in resolved],
        **extra,
    }
    return json.dumps(doc, indent=2, sort_keys=True)


def to_text(alerts: Sequence[Alert], resolved: Sequence[Alert] = ()) -> str:
    if not alerts:
        lines = ["no alerts"]
    else:
        lines = []
        for a in alerts:
            ack = f" (acknowledged by {a.acked_by})" if a.acked_by else ""
            lines.append(f"{a.severity.value.upper():8} {a.rule}  {a.id}{ack}")
            lines.append(f"  {a.message}")
            lines.append(f"  action: {a.action}")
            refs = [f"ledger #{s}" for s in a.evidence.ledger_seqs[:8]]
            refs += [c[:12] for c in a.evidence.commits[:8]]
            if refs:
                lines.append(f"  evidence: {', '.join(refs)}")
    for r in resolved:
        lines.append(f"resolved {r.rule}  {r.id}  ({r.subject})")
    return "\n".join(lines)
