"""Who asked for an agent's work never approves it, and the server knows who asked.

A change is linked to a task in two ways. The hook witnessed a push of its commits with the
task's token: the gate then names the task's requester per class
(`ApprovalStatus.task_requesters`). Or a commit of the change is attributed to an agent (its
author, committer or trailers: asserted evidence, which may only add scrutiny) for which the
approver requested a task in this repository, on a base commit the change's head builds on:
that covers a requester who pushes the agent's commit under their own name. Either way an
approval (or override) by that person is refused with 403 `requester_cannot_approve`; a veto
is always accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from signoff.server.auth import Principal
from signoff.server.context import Context
from signoff.server.errors import ForbiddenError
from signoff.server.tasks import repository as tasks

if TYPE_CHECKING:
    from signoff.decision import Decision

CODE = "requester_cannot_approve"


def refuse_requester(
    ctx: Context, who: Principal, repo: str, path: str, d: Decision, classes: Sequence[str]
) -> None:
    from signoff.gitio.runner import Git

    email = who.email or ""
    for s in d.approvals.statuses if d.approvals else ():
        if s.file_class in classes and email in s.task_requesters:
            raise ForbiddenError(
                f"{email} requested the task whose token pushed this {s.file_class} change: "
                "its agent's work is for others to approve",
                code=CODE,
            )
    agents = sorted({a.id.removeprefix("unregistered:") for c in d.commits for a in c.actors})
    if not agents or who.human_id is None:
        return
    with ctx.db.read() as conn:
        rows = tasks.requested_by(conn, repo, who.human_id, agents)
    git = Git(path)
    for t in rows:
        base = t["base_commit"]
        if base == d.head or git.ok(["merge-base", "--is-ancestor", base, d.head]):
            raise ForbiddenError(
                f"{email} requested task {t['id']} for agent {t['agent']}, whose work this "
                "change holds: it is for others to approve",
                code=CODE,
            )
