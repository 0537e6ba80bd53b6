"""Routes for artifact events, release verification, reports, attestations, promotion, trace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from signoff.server.common import DIGEST_PATTERN, ID_PATTERN, SHA_PATTERN, Page
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.releases import artifacts, service, tracing
from signoff.server.releases.schemas import (
    ArtifactBuiltIn,
    ArtifactRecorded,
    ArtifactSignedIn,
    PromoteIn,
    PromoteOut,
    ReleaseOut,
    ReleaseSummary,
    RevocationCheckIn,
    RevocationCheckOut,
    TraceOut,
    VerifyIn,
)
from signoff.server.responses import AUTHED

router = APIRouter(prefix="/v1", responses=AUTHED, tags=["releases"])
RepoName = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
ReleaseId = Annotated[str, Path(pattern=r"^rel-[0-9]{14}-[0-9a-f]{16}$")]
Ident = Annotated[str | None, Query(min_length=1, max_length=512, pattern=r"^[\x21-\x7e]+$")]
JSONL = "application/jsonl"


@router.post("/artifacts/built", status_code=201)
def built(ctx: Ctx, who: Caller, body: ArtifactBuiltIn) -> ArtifactRecorded:
    """Record `artifact.built` by the caller (ci, admin; never an agent identity)."""
    return artifacts.record_built(ctx, who, body)


@router.post("/artifacts/signed", status_code=201)
def signed(ctx: Ctx, who: Caller, body: ArtifactSignedIn) -> ArtifactRecorded:
    """Record `artifact.signed` by the caller (ci, admin; never an agent identity)."""
    return artifacts.record_signed(ctx, who, body)


@router.post("/repos/{repo}/releases/verify", status_code=201)
def verify(ctx: Ctx, who: Caller, repo: RepoName, body: VerifyIn) -> ReleaseOut:
    """Run the release gate on the registered copy; record `release.verified` (ci, admin,
    auditor). A FAILED release is still 201: the verdict is in `result`."""
    return service.verify(ctx, who, repo, body)


@router.get("/repos/{repo}/releases")
def list_releases(
    ctx: Ctx,
    who: Caller,
    repo: RepoName,
    tag: Annotated[str | None, Query(max_length=250)] = None,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
) -> Page[ReleaseSummary]:
    return service.list_releases(ctx, who, repo, tag, limit, cursor)


@router.get("/releases/{release_id}")
def get_release(ctx: Ctx, who: Caller, release_id: ReleaseId) -> ReleaseOut:
    return service.get(ctx, who, release_id)


@router.get(
    "/releases/{release_id}/attestation",
    response_class=Response,
    responses={
        200: {"content": {JSONL: {"schema": {"type": "string"}}}, "description": "DSSE, per line"},
        **{c: {**v, "content": {"application/json": {}}} for c, v in AUTHED.items()},
    },
)
def get_attestation(ctx: Ctx, who: Caller, release_id: ReleaseId) -> Response:
    """The in-toto bundle signed with the ledger key (`GET /v1/ledger/public-key`)."""
    return Response(service.attestation(ctx, who, release_id), media_type=JSONL)


@router.post("/attestations/revocations")
def attestation_revocations(ctx: Ctx, who: Caller, body: RevocationCheckIn) -> RevocationCheckOut:
    """Why an attested release no longer stands: revocations this ledger recorded that reach
    its work (ci, approver, auditor, admin). Empty `problems`: nothing reached it."""
    return RevocationCheckOut(problems=service.check_revocations(ctx, who, body.statement))


@router.post("/releases/{release_id}/promote")
def promote(ctx: Ctx, who: Caller, release_id: ReleaseId, body: PromoteIn) -> PromoteOut:
    """Record `release.promoted` for a PASSED release's artifacts (release group, admin)."""
    return service.promote(ctx, who, release_id, body)


@router.get("/trace")
def trace(
    ctx: Ctx,
    who: Caller,
    commit: Annotated[str | None, Query(pattern=SHA_PATTERN)] = None,
    artifact: Annotated[str | None, Query(pattern=DIGEST_PATTERN)] = None,
    task: Ident = None,
    agent: Ident = None,
    release: Ident = None,
    repo: Annotated[str | None, Query(pattern=ID_PATTERN, max_length=64)] = None,
) -> TraceOut:
    """Artifact -> release -> commits -> tasks -> intents -> tokens, and back (`repo`: add
    commit subjects, authors and files from that registered repository)."""
    kind, value = tracing.trace_start(
        commit=commit, artifact=artifact, task=task, agent=agent, release=release
    )
    return tracing.trace(ctx, who, kind, value, repo)
