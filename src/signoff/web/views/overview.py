"""The overview: counts and small charts from the ledger's recent events.

Agent changes per class per day come from `decision.made` records (files the gate did not
simply allow); approval latency is the time from the first decision on a head commit to each
approval of it; denials are `deny` decisions; overrides are `approval.overridden` events. The
window is the log's tail (`RECENT` events), which is what a glance needs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from signoff.ledger.events import EventType
from signoff.server.auth import Perm, Principal
from signoff.server.common import parse_stamp
from signoff.server.context import Context
from signoff.server.errors import ForbiddenError
from signoff.server.identity import service as identity
from signoff.web.views.charts import bars

RECENT = 5000
DAYS = 14


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    per_class: dict[str, int]
    changes_chart: Markup
    latency_chart: Markup
    denials_chart: Markup
    overrides_chart: Markup
    median_latency_minutes: float | None


def build(ctx: Context, who: Principal) -> Overview:
    if not who.can(Perm.READ_DECISIONS):
        raise ForbiddenError("the overview needs a role that reads decisions")
    events = ctx.recorder.ledger.recent(RECENT)
    days = [(dt.date.today() - dt.timedelta(days=i)).isoformat() for i in range(DAYS - 1, -1, -1)]
    changes: Counter[str] = Counter()
    per_class: Counter[str] = Counter()
    denials: Counter[str] = Counter()
    overrides: Counter[str] = Counter()
    first_seen: dict[str, dt.datetime] = {}
    latency: defaultdict[str, list[float]] = defaultdict(list)
    for e in events:
        day = e.time[:10]
        if e.type is EventType.DECISION_MADE:
            classes = {str(f.get("class")) for f in e.payload.get("files", [])
                       if f.get("decision") != "allow"}  # fmt: skip
            per_class.update(classes)
            changes[day] += len(classes)
            denials[day] += e.payload.get("decision") == "deny"
            first_seen.setdefault(e.subjects.get("commit", ""), parse_stamp(e.time))
        elif e.type is EventType.APPROVAL_GIVEN:
            start = first_seen.get(e.subjects.get("commit", ""))
            if start is not None:
                latency[day].append((parse_stamp(e.time) - start).total_seconds() / 60)
        elif e.type is EventType.APPROVAL_OVERRIDDEN:
            overrides[day] += 1
    all_lat = sorted(x for v in latency.values() for x in v)
    agents = identity.list_agents(ctx, who, 200, None).items if who.can(Perm.READ_IDENTITY) else []
    return Overview(
        counts={
            "agents": len(agents),
            "active agents": sum(a.lifecycle == "active" for a in agents),
            "ledger events": ctx.recorder.size(),
            "decisions (recent)": sum(e.type is EventType.DECISION_MADE for e in events),
        },
        per_class=dict(per_class.most_common()),
        changes_chart=bars("Agent changes per day (classes needing review)",
                           [(d, changes[d]) for d in days]),
        latency_chart=bars("Median approval latency per day, minutes",
                           [(d, _median(latency[d])) for d in days], " min"),
        denials_chart=bars("Denials per day", [(d, denials[d]) for d in days]),
        overrides_chart=bars("Overrides per day", [(d, overrides[d]) for d in days]),
        median_latency_minutes=_median(all_lat) if all_lat else None,
    )  # fmt: skip


def _median(xs: list[float]) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
