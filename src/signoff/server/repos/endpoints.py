"""Routes for registered repositories and their policy/registry versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from signoff.server.common import ID_PATTERN, Page
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.policies import service as policies
from signoff.server.policies.schemas import DocumentIn, VersionOut
from signoff.server.repos import service
from signoff.server.repos.schemas import RepoIn, RepoOut
from signoff.server.responses import AUTHED

router = APIRouter(prefix="/v1", responses=AUTHED)
RepoName = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]


@router.post("/repos", status_code=201, tags=["repos"])
def register(ctx: Ctx, who: Caller, body: RepoIn) -> RepoOut:
    """Register a repository: a name and an absolute path to a git repository (admin)."""
    return service.register(ctx, who, body)


@router.get("/repos", tags=["repos"])
def list_repos(
    ctx: Ctx, who: Caller, limit: Limit = DEFAULT, cursor: Cursor = None
) -> Page[RepoOut]:
    return service.list_repos(ctx, who, limit, cursor)


@router.get("/repos/{repo}", tags=["repos"])
def get_repo(ctx: Ctx, who: Caller, repo: RepoName) -> RepoOut:
    return service.get(ctx, who, repo)


@router.post("/repos/{repo}/policy", status_code=201, tags=["policies"])
def import_policy(ctx: Ctx, who: Caller, repo: RepoName, body: DocumentIn) -> VersionOut:
    """Import `.signoff/policy.yml` as a new version (admin); validated like the gate does."""
    return policies.import_version(ctx, who, repo, "policy", body)


@router.get("/repos/{repo}/policy", tags=["policies"])
def current_policy(ctx: Ctx, who: Caller, repo: RepoName) -> VersionOut:
    return policies.current(ctx, who, repo, "policy")


@router.get("/repos/{repo}/policy/versions", tags=["policies"])
def policy_versions(
    ctx: Ctx, who: Caller, repo: RepoName, limit: Limit = DEFAULT, cursor: Cursor = None
) -> Page[VersionOut]:
    return policies.versions(ctx, who, repo, "policy", limit, cursor)


@router.post("/repos/{repo}/registry", status_code=201, tags=["policies"])
def import_registry(ctx: Ctx, who: Caller, repo: RepoName, body: DocumentIn) -> VersionOut:
    """Import `.signoff/agents.yml` as a new registry version (admin)."""
    return policies.import_version(ctx, who, repo, "registry", body)


@router.get("/repos/{repo}/registry", tags=["policies"])
def current_registry(ctx: Ctx, who: Caller, repo: RepoName) -> VersionOut:
    return policies.current(ctx, who, repo, "registry")


@router.get("/repos/{repo}/registry/versions", tags=["policies"])
def registry_versions(
    ctx: Ctx, who: Caller, repo: RepoName, limit: Limit = DEFAULT, cursor: Cursor = None
) -> Page[VersionOut]:
    return policies.versions(ctx, who, repo, "registry", limit, cursor)
