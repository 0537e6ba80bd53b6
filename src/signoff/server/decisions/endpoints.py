"""Routes for gate decision records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from signoff.server.common import ID_PATTERN, SHA_PATTERN, Page
from signoff.server.decisions import service
from signoff.server.decisions.schemas import DecisionIn, DecisionOut, DecisionReceipt
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.responses import AUTHED

router = APIRouter(prefix="/v1", responses=AUTHED, tags=["decisions"])
RepoName = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]


@router.post("/repos/{repo}/decisions", status_code=201)
def append(ctx: Ctx, who: Caller, repo: RepoName, body: DecisionIn) -> DecisionReceipt:
    """Store a gate decision record and append `decision.made` to the ledger (ci)."""
    return service.append(ctx, who, repo, body)


@router.get("/repos/{repo}/decisions")
def find(
    ctx: Ctx,
    who: Caller,
    repo: RepoName,
    head: Annotated[str | None, Query(pattern=SHA_PATTERN)] = None,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
) -> Page[DecisionOut]:
    return service.find(ctx, who, repo, head, limit, cursor)
