"""Routes for approvals given through the server."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from signoff.server.approvals import service
from signoff.server.approvals.schemas import ApprovalCreated, ApprovalIn, ApprovalOut
from signoff.server.common import DIGEST_PATTERN, ID_PATTERN, Page
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.responses import AUTHED

router = APIRouter(prefix="/v1", responses=AUTHED, tags=["approvals"])
RepoName = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
DigestList = Annotated[
    list[Annotated[str, Query(pattern=DIGEST_PATTERN)]],
    Query(max_length=50, description="Content digests (sha256:<hex>); repeatable."),
]


@router.post("/repos/{repo}/approvals", status_code=201)
def give(ctx: Ctx, who: Caller, repo: RepoName, body: ApprovalIn) -> ApprovalCreated:
    """Approve, veto or override a range (approver). The server computes the digests."""
    return service.create(ctx, who, repo, body)


@router.get("/repos/{repo}/approvals")
def find(
    ctx: Ctx,
    who: Caller,
    repo: RepoName,
    digest: DigestList = [],  # noqa: B006  (FastAPI copies defaults per request)
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
) -> Page[ApprovalOut]:
    """Approvals bound to any of the given content digests (all, when none is given)."""
    return service.find(ctx, who, repo, digest, limit, cursor)
