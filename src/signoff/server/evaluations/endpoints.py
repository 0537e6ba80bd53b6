"""Routes for the decisions the server computes itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from signoff.server.common import ID_PATTERN, SHA_PATTERN, Page
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.evaluations import service
from signoff.server.evaluations.schemas import EvaluationIn, EvaluationOut
from signoff.server.responses import AUTHED

router = APIRouter(prefix="/v1", responses=AUTHED, tags=["evaluations"])
RepoName = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
EvaluationId = Annotated[str, Path(pattern=r"^eval-[0-9]{14}-[0-9a-f]{16}$")]


@router.post("/repos/{repo}/evaluations", status_code=201)
def evaluate(ctx: Ctx, who: Caller, repo: RepoName, body: EvaluationIn) -> EvaluationOut:
    """Run the gate on the server's copy of the repository and store the witnessed decision
    (admin, approver, auditor, ci). Re-evaluating an unchanged range stores nothing new."""
    return service.request(ctx, who, repo, body)


@router.get("/repos/{repo}/evaluations")
def find(
    ctx: Ctx,
    who: Caller,
    repo: RepoName,
    head: Annotated[str | None, Query(pattern=SHA_PATTERN)] = None,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
) -> Page[EvaluationOut]:
    return service.find(ctx, who, repo, head, limit, cursor)


@router.get("/evaluations/{evaluation_id}")
def get(ctx: Ctx, who: Caller, evaluation_id: EvaluationId) -> EvaluationOut:
    return service.get(ctx, who, evaluation_id)
