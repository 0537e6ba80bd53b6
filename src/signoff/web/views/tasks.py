"""Tasks: open and recent ones, and one task's tokens, pushes and decisions."""

from __future__ import annotations

from dataclasses import dataclass

from signoff.server.auth import Perm, Principal
from signoff.server.broker.listing import TaskPush, TaskToken, task_pushes, task_tokens
from signoff.server.context import Context
from signoff.server.decisions import service as decisions
from signoff.server.decisions.schemas import DecisionOut
from signoff.server.tasks import service as tasks
from signoff.server.tasks.schemas import TaskOut


@dataclass(frozen=True)
class TaskDetail:
    task: TaskOut
    tokens: tuple[TaskToken, ...]
    pushes: tuple[TaskPush, ...]
    decisions: tuple[DecisionOut, ...]
    can_revoke: bool


def listing(ctx: Context, who: Principal) -> tuple[list[TaskOut], list[TaskOut]]:
    """(open, recent others), newest first."""
    items = tasks.list_tasks(ctx, who, 200, None, agent=None, repo_name=None, state=None).items
    items = sorted(items, key=lambda t: t.created, reverse=True)
    return [t for t in items if t.state == "open"], [t for t in items if t.state != "open"][:50]


def can_revoke(who: Principal, task: TaskOut) -> bool:
    """Who the broker lets revoke: an admin, or the task's requester (with write-tasks)."""
    return who.can(Perm.WRITE_TASKS) and ("admin" in who.roles or who.human_id == task.requester)


def detail(ctx: Context, who: Principal, task_id: str) -> TaskDetail:
    task = tasks.get(ctx, who, task_id)
    found: list[DecisionOut] = []
    if who.can(Perm.READ_DECISIONS):
        page = decisions.find(ctx, who, task.repo, None, 200, None).items
        found = [d for d in page if d.base == task.base_commit]
    return TaskDetail(
        task,
        tuple(task_tokens(ctx, who, task_id)),
        tuple(task_pushes(ctx, who, task_id)),
        tuple(found),
        can_revoke(who, task),
    )
