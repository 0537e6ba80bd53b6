"""Routes for agents, humans and groups (thin: parse, call the service, return)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from signoff.server.common import ID_PATTERN, Page
from signoff.server.deps import DEFAULT, Caller, Ctx, Cursor, Limit
from signoff.server.identity import people, service
from signoff.server.identity.schemas import (
    AgentIn,
    AgentOut,
    AgentPatch,
    GroupIn,
    GroupOut,
    GroupPatch,
    HumanIn,
    HumanOut,
    HumanPatch,
    KeyIn,
)
from signoff.server.responses import AUTHED

router = APIRouter(prefix="/v1", responses=AUTHED)
IdPath = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]


@router.post("/agents", status_code=201, tags=["identity"])
def register_agent(ctx: Ctx, who: Caller, body: AgentIn) -> AgentOut:
    """Register an agent identity (admin). Recorded as `identity.registered`."""
    return service.register_agent(ctx, who, body)


@router.get("/agents", tags=["identity"])
def list_agents(
    ctx: Ctx, who: Caller, limit: Limit = DEFAULT, cursor: Cursor = None
) -> Page[AgentOut]:
    return service.list_agents(ctx, who, limit, cursor)


@router.get("/gate/agents", tags=["identity"])
def gate_agents(ctx: Ctx, who: Caller) -> dict[str, Any]:
    """Every registered agent in `.signoff/agents.yml` shape (ci, and every reader of policy):
    `signoff check --server` merges it with the repository's registry, the stricter winning."""
    return service.gate_agents(ctx, who)


@router.get("/agents/{agent_id}", tags=["identity"])
def get_agent(ctx: Ctx, who: Caller, agent_id: IdPath) -> AgentOut:
    return service.get_agent(ctx, who, agent_id)


@router.patch("/agents/{agent_id}", tags=["identity"])
def change_agent(ctx: Ctx, who: Caller, agent_id: IdPath, body: AgentPatch) -> AgentOut:
    """Change, suspend, reactivate or retire an agent (admin); `version` must be current."""
    return service.change_agent(ctx, who, agent_id, body)


@router.post("/humans", status_code=201, tags=["identity"])
def register_human(ctx: Ctx, who: Caller, body: HumanIn) -> HumanOut:
    return people.register_human(ctx, who, body)


@router.get("/humans", tags=["identity"])
def list_humans(
    ctx: Ctx, who: Caller, limit: Limit = DEFAULT, cursor: Cursor = None
) -> Page[HumanOut]:
    return people.list_humans(ctx, who, limit, cursor)


@router.get("/humans/{human_id}", tags=["identity"])
def get_human(ctx: Ctx, who: Caller, human_id: IdPath) -> HumanOut:
    return people.get_human(ctx, who, human_id)


@router.patch("/humans/{human_id}", tags=["identity"])
def change_human(ctx: Ctx, who: Caller, human_id: IdPath, body: HumanPatch) -> HumanOut:
    return people.change_human(ctx, who, human_id, body)


@router.post("/humans/{human_id}/keys", status_code=201, tags=["identity"])
def add_key(ctx: Ctx, who: Caller, human_id: IdPath, body: KeyIn) -> HumanOut:
    """Register an SSH public key for the human's signed approvals."""
    return people.add_key(ctx, who, human_id, body)


@router.post("/groups", status_code=201, tags=["identity"])
def create_group(ctx: Ctx, who: Caller, body: GroupIn) -> GroupOut:
    return people.create_group(ctx, who, body)


@router.get("/groups", tags=["identity"])
def list_groups(
    ctx: Ctx, who: Caller, limit: Limit = DEFAULT, cursor: Cursor = None
) -> Page[GroupOut]:
    return people.list_groups(ctx, who, limit, cursor)


@router.patch("/groups/{name}", tags=["identity"])
def change_group(ctx: Ctx, who: Caller, name: IdPath, body: GroupPatch) -> GroupOut:
    return people.change_group(ctx, who, name, body)
