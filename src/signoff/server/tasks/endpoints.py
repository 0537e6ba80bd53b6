"""Routes for tasks."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from signoff.server.common import ID_PATTERN, Page
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.responses import AUTHED
from signoff.server.tasks import service
from signoff.server.tasks.schemas import TaskIn, TaskOut, TaskPatch

router = APIRouter(prefix="/v1", responses=AUTHED, tags=["tasks"])
TaskId = Annotated[str, Path(pattern=r"^task-[0-9]{14}-[0-9a-f]{16}$")]
IdQuery = Annotated[str | None, Query(pattern=ID_PATTERN, max_length=64)]


@router.post("/tasks", status_code=201)
def create(ctx: Ctx, who: Caller, body: TaskIn) -> TaskOut:
    """Request agent work (agent-operator or admin; the requester is the caller)."""
    return service.create(ctx, who, body)


@router.get("/tasks")
def list_tasks(
    ctx: Ctx,
    who: Caller,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    agent: IdQuery = None,
    repo: IdQuery = None,
    state: Annotated[Literal["open", "closed", "revoked"] | None, Query()] = None,
) -> Page[TaskOut]:
    return service.list_tasks(ctx, who, limit, cursor, agent=agent, repo_name=repo, state=state)


@router.get("/tasks/{task_id}")
def get(ctx: Ctx, who: Caller, task_id: TaskId) -> TaskOut:
    return service.get(ctx, who, task_id)


@router.patch("/tasks/{task_id}")
def change(ctx: Ctx, who: Caller, task_id: TaskId, body: TaskPatch) -> TaskOut:
    """Close or revoke an open task; `version` must be current (else 409)."""
    return service.change_state(ctx, who, task_id, body)
