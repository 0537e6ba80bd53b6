"""Alerts: the monitor's current alerts (`signoff.server.alerts.service`), most severe first,
and whether the viewer may acknowledge them."""

from __future__ import annotations

from dataclasses import dataclass

from signoff.monitor.alerts import Alert
from signoff.server.alerts import service
from signoff.server.auth import Principal
from signoff.server.context import Context

SHOWN = 12  # evidence items listed per alert; the rest is counted (the API gives them all)


@dataclass(frozen=True)
class AlertsView:
    alerts: list[Alert]
    open: int  # not acknowledged
    #: why the viewer cannot acknowledge (None: the forms are shown)
    cannot_ack: str | None


def build(ctx: Context, who: Principal) -> AlertsView:
    alerts = service.list_alerts(ctx, who)  # admin or auditor, else 403
    return AlertsView(
        alerts, sum(1 for a in alerts if not a.acknowledged), service.why_not_acknowledge(who)
    )
