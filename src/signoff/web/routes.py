"""The console's pages under `/ui`: thin handlers over the server's services.

Reads build a view model (`views/`) and render a template; writes are POST forms that pass the
CSRF checks (`pages.Form`), call the same service as the API endpoint, and redirect (303) back
with a notice code, so a reload never repeats a write.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from signoff.ledger.events import EventType
from signoff.server.alerts import service as alert_service
from signoff.server.approvals import service as approvals
from signoff.server.approvals.pending import current_head
from signoff.server.approvals.schemas import ApprovalIn
from signoff.server.broker import service as broker
from signoff.server.broker.schemas import RevokeIn
from signoff.server.errors import ConflictError, InvalidInputError
from signoff.server.ops import events
from signoff.server.releases import service as release_service
from signoff.web.pages import (
    Form,
    Page,
    PageRoute,
    query,
    redirect,
    render,
)
from signoff.web.views import agents, alerts, inbox, overview, releases, tasks
from signoff.web.views.diffview import mark

router = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)
AgentId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
TaskId = Annotated[str, Path(pattern=r"^task-[0-9]{14}-[0-9a-f]{16}$")]


@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return redirect("/ui/inbox")


# -- inbox -----------------------------------------------------------------------------------


@router.get("/inbox")
def inbox_page(request: Request, viewer: Page) -> Response:
    data = inbox.build(viewer.ctx, viewer.who)
    return render(
        request, "inbox.html", viewer, current="inbox", inbox=data, plain=inbox.plain, mark=mark
    )


@router.post("/inbox/decide")
def decide(viewer: Page, form: Form) -> Response:
    """Approve or veto what the page showed: the change-set digest and the class digests come
    back as hidden fields, and the approval service evaluates the change's current head again
    and refuses (409 stale_digest) if the server now computes other digests (a new push)."""
    shown_classes = [c for c in form.get("classes", "").split(",") if c]
    # Per class: only the classes ticked (every one is ticked when the page loads).
    classes = [c for c in shown_classes if form.get(f"class_{c}") == "on"]
    if not classes:
        return redirect("/ui/inbox", "no-class")
    shown = {c: form.get(f"digest_{c}", "") for c in classes}
    repo, base, branch = form.get("repo", ""), form.get("base", ""), form.get("branch", "")
    head = current_head(viewer.ctx, repo, base, branch) or form.get("head", "")
    try:
        body = ApprovalIn(
            base=base,
            head=head,
            target_branch=branch or None,
            changeset=form.get("changeset", ""),
            decision="veto" if form.get("decision") == "veto" else "approve",
            classes=classes,
            comment=form.get("comment", ""),
            reason="",
        )
    except ValidationError as exc:
        raise InvalidInputError(f"invalid form: {exc.errors()[0]['msg']}") from None
    try:
        approvals.create(viewer.ctx, viewer.who, repo, body, expected=shown)
    except ConflictError as exc:
        if exc.code != "stale_digest":
            raise
        return redirect("/ui/inbox", "stale")
    return redirect("/ui/inbox", "vetoed" if body.decision == "veto" else "approved")


# -- agents ----------------------------------------------------------------------------------


@router.get("/agents")
def agents_page(request: Request, viewer: Page) -> Response:
    rows = agents.inventory(viewer.ctx, viewer.who)
    extra = agents.in_repositories(viewer.ctx, viewer.who, {r.agent.id for r in rows})
    return render(request, "agents.html", viewer, current="agents", rows=rows, extra=extra)


@router.get("/agents/{agent_id}")
def agent_page(request: Request, viewer: Page, agent_id: AgentId) -> Response:
    agent, history = agents.history(viewer.ctx, viewer.who, agent_id)
    return render(request, "agent.html", viewer, current="agents", agent=agent, history=history)


# -- tasks -----------------------------------------------------------------------------------


@router.get("/tasks")
def tasks_page(request: Request, viewer: Page) -> Response:
    open_, recent = tasks.listing(viewer.ctx, viewer.who)
    return render(request, "tasks.html", viewer, current="tasks", open=open_, recent=recent)


@router.get("/tasks/{task_id}")
def task_page(request: Request, viewer: Page, task_id: TaskId) -> Response:
    d = tasks.detail(viewer.ctx, viewer.who, task_id)
    return render(request, "task.html", viewer, current="tasks", d=d)


@router.post("/tasks/{task_id}/revoke")
def revoke_task(viewer: Page, form: Form, task_id: TaskId) -> Response:
    """Revoke the task and every token it holds (the broker's revocation: `token.revoked`)."""
    jti = form.get("jti") or None
    reason = form.get("reason", "") or "revoked from the console"
    try:
        body = RevokeIn(jti=jti, reason=reason) if jti else RevokeIn(task=task_id, reason=reason)
    except ValidationError:
        raise InvalidInputError("not a token of this task", field="jti") from None
    broker.revoke(viewer.ctx, viewer.who, body)
    return redirect(f"/ui/tasks/{task_id}", "revoked")


# -- ledger ----------------------------------------------------------------------------------

_FILTERS = ("type", "actor", "subject", "before")


@router.get("/ledger")
def ledger_page(request: Request, viewer: Page) -> Response:
    f = query(request, _FILTERS)
    before = f.get("before", "")
    page = events.list_events(
        viewer.ctx,
        viewer.who,
        type_=f.get("type"),
        actor=f.get("actor"),
        subject=f.get("subject"),
        before=int(before) if before.isdigit() else None,
    )
    seq = request.query_params.get("seq", "")
    proof = events.inclusion(viewer.ctx, viewer.who, int(seq)) if seq.isdigit() else None
    return render(
        request, "ledger.html", viewer, current="ledger", page=page, filters=f, proof=proof,
        checkpoint=events.latest_checkpoint(viewer.ctx), types=[t.value for t in EventType],
        dumps=_pretty,
    )  # fmt: skip


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


@router.get("/ledger/bundle")
def ledger_bundle(request: Request, viewer: Page) -> Response:
    """Download an evidence bundle for the events ticked on the ledger page (a read: GET)."""
    seqs = [int(s) for s in request.query_params.getlist("seq") if s.isdigit()]
    data = events.bundle(viewer.ctx, viewer.who, seqs)
    return Response(
        json.dumps(data, indent=2, sort_keys=True) + "\n",
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="signoff-evidence.json"'},
    )


# -- releases --------------------------------------------------------------------------------

ReleaseId = Annotated[str, Path(pattern=r"^rel-[0-9]{14}-[0-9a-f]{16}$")]


@router.get("/releases")
def releases_page(request: Request, viewer: Page) -> Response:
    rows = releases.listing(viewer.ctx, viewer.who)
    return render(request, "releases.html", viewer, current="releases", rows=rows)


@router.get("/releases/{release_id}")
def release_page(request: Request, viewer: Page, release_id: ReleaseId) -> Response:
    v = releases.detail(viewer.ctx, viewer.who, release_id)
    return render(request, "release.html", viewer, current="releases", v=v, dumps=_pretty)


@router.get("/releases/{release_id}/attestation")
def release_attestation(viewer: Page, release_id: ReleaseId) -> Response:
    """The DSSE/in-toto bundle (JSON Lines), as `GET /v1/releases/{id}/attestation` gives it."""
    body = release_service.attestation(viewer.ctx, viewer.who, release_id)
    name = f"{release_id}.intoto.jsonl"
    return Response(
        body,
        media_type="application/jsonl",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- overview --------------------------------------------------------------------------------


@router.get("/overview")
def overview_page(request: Request, viewer: Page) -> Response:
    data = overview.build(viewer.ctx, viewer.who)
    return render(request, "overview.html", viewer, current="overview", o=data)


# -- alerts ----------------------------------------------------------------------------------

AlertId = Annotated[str, Path(pattern=r"^al-[0-9a-f]{16}$")]
ACK_COMMENT_MAX = 2000  # as `POST /v1/alerts/{id}/ack`


@router.get("/alerts")
def alerts_page(request: Request, viewer: Page) -> Response:
    v = alerts.build(viewer.ctx, viewer.who)
    return render(request, "alerts.html", viewer, current="alerts", v=v, shown=alerts.SHOWN)


@router.post("/alerts/{alert_id}/ack")
def ack_alert(viewer: Page, form: Form, alert_id: AlertId) -> Response:
    """Acknowledge as the signed-in person: the alerts service keeps it with the alert and
    records `alert.acknowledged` in the ledger."""
    comment = form.get("comment", "").strip()
    if len(comment) > ACK_COMMENT_MAX:
        raise InvalidInputError(f"the comment is longer than {ACK_COMMENT_MAX} characters")
    alert_service.acknowledge(viewer.ctx, viewer.who, alert_id, comment)
    return redirect("/ui/alerts", "acknowledged")


# -- anything else under /ui: an HTML page, never the API's JSON ---------------------------


@router.get("/{rest:path}")
def not_found(request: Request, viewer: Page, rest: str) -> Response:
    """Registered last: a path no page has. Signed-out visitors are sent to sign in first."""
    return render(request, "error.html", viewer, status=404, code=404,
                  message=f"There is no page at /ui/{rest[:200]}.")  # fmt: skip
