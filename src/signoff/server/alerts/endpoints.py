"""`GET /v1/alerts` and `GET /v1/reports/compliance` (admin, auditor), and
`POST /v1/alerts/{id}/ack` (a person)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from signoff.server.alerts import service
from signoff.server.common import Model, Text
from signoff.server.deps import Caller, Ctx
from signoff.server.responses import AUTHED, errors

router = APIRouter(tags=["alerts"])
AlertId = Annotated[str, Path(pattern=r"^al-[0-9a-f]{16}$")]


class AckIn(Model):
    comment: Annotated[Text, Field(max_length=2000)] = ""


@router.get("/v1/alerts", responses=AUTHED)
def list_alerts(ctx: Ctx, who: Caller) -> dict[str, Any]:
    """Current alerts, most severe first (schema `signoff.monitor/v1`)."""
    alerts = service.list_alerts(ctx, who)
    return {"schema": "signoff.monitor/v1", "alerts": [a.to_json() for a in alerts]}


@router.get("/v1/reports/compliance", responses=AUTHED)
def compliance_report(ctx: Ctx, who: Caller) -> dict[str, Any]:
    """The compliance report (`signoff.compliance/v1`) graded from the control plane's own
    view: its ledger, its registered repositories (admin, auditor)."""
    return service.compliance_report(ctx, who)


@router.post("/v1/alerts/{alert_id}/ack", responses={**AUTHED, **errors(404)})
def ack(ctx: Ctx, who: Caller, alert_id: AlertId, body: AckIn) -> dict[str, Any]:
    """Acknowledge an alert as the calling person (admin or auditor: who can list alerts)."""
    return service.acknowledge(ctx, who, alert_id, body.comment).to_json()
